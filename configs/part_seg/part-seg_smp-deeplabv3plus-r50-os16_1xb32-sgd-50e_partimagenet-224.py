# Seg part model on PartImageNet (the original's part-seg-semi): the image under each of the 41
# hard part masks through one shared ResNet-50 (41 passes per image), Linear(41 x 2048, 11);
# the papers' recipe, clean training. group=True (12 class groups) costs 12 passes.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(type='SegPartHead', model_name='resnet50.ram_in1k', pretrained=True,
                   model_kwargs=dict(pretrained_cfg_overlay=dict(file=None))))
