# Seg part model on the synthetic PartImageNet, CPU-sized (the original's part-seg-group-semi):
# the image under each class's hard mask (12 groups: background and 11 classes) through one
# shared ResNet-18, features concatenated into Linear(12 x 512, 11). Options: group=False (one
# mask per part: 41 backbone passes per image), soft=True with temperature (soft masks),
# drop_background=True (no_bg).
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    part_head=dict(type='SegPartHead', model_name='resnet18', group=True,
                   part_to_class=_base_.part_to_class))
