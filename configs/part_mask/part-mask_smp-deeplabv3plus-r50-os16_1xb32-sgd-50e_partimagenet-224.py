# Mask part model on PartImageNet (the original's part-mask-semi): the 41 softmax part masks
# into a ResNet-50 (conv1 Conv2d(41, 64, 7, 2, 3), fc Linear(2048, 11)); the papers' recipe,
# clean training. Options as in the synthetic config (with_image, hard, detach,
# drop_background).
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(part_head=dict(type='MaskPartHead', model_name='resnet50'))
