# Mask part model on the synthetic PartImageNet, CPU-sized: a timm ResNet-18 whose conv1 reads
# the 41 softmax part masks (the original's part-mask-semi). Options (original tokens):
# model.part_head.with_image=True (inpt: image channels first, conv1 44 wide), hard=True (one-hot
# argmax masks, no segmenter gradient through the class path), detach=True (stop-gradient),
# drop_background=True (no_bg: 40 masks).
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(part_head=dict(type='MaskPartHead', model_name='resnet18'))
