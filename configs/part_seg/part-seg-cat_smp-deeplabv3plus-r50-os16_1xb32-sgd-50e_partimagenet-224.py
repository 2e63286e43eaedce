# Seg-cat part model on PartImageNet (the original's part-seg_cat-semi): the image under each of
# the 40 hard part masks stacked into [B, 120, 224, 224] for a ResNet-50 (conv1 120 wide), timm's
# ImageNet weights with conv1 adapted by timm; the papers' recipe, clean training.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(type='SegCatPartHead', model_name='resnet50.ram_in1k', pretrained=True,
                   model_kwargs=dict(pretrained_cfg_overlay=dict(file=None))))
