# Mask part model on PartImageNet (the original's part-mask-inpt-semi): the image and the 41
# softmax part masks into a ResNet-50 (conv1 Conv2d(44, 64, 7, 2, 3), fc Linear(2048, 11)); the
# papers' recipe, clean training. pretrained=True would load timm's ImageNet weights with conv1
# adapted by timm to 44 channels (the original built the ResNet with --pretrained and then
# replaced conv1 by a fresh layer).
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(part_head=dict(type='MaskPartHead', model_name='resnet50', with_image=True))
