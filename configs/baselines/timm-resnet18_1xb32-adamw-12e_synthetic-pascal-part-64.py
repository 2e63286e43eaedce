# ResNet-18 baseline on the synthetic PASCAL-Part (5 classes), CPU-sized: clean training from
# scratch.
_base_ = [
    '../_base_/models/timm-resnet18.py',
    '../_base_/datasets/synthetic-pascal-part-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean.py',
]
model = dict(num_classes=5)
