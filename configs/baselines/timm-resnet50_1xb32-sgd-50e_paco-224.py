# ResNet-50 baseline on PACO (75 classes), the papers' recipe: clean training.
_base_ = [
    '../_base_/models/timm-resnet50.py',
    '../_base_/datasets/paco-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(num_classes=75)
