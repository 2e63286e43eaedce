# ResNet-50 baseline of the papers, trained and tested on the original preparation's split
# (splits/original): the papers' baseline on the exact images of their tables.
_base_ = [
    '../_base_/models/timm-resnet50.py',
    '../_base_/datasets/partimagenet-origsplit-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
