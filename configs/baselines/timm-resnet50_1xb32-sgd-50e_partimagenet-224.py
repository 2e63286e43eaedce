# ResNet-50 baseline on PartImageNet (224 px), the papers' recipe: clean training.
_base_ = [
    '../_base_/models/timm-resnet50.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
