# ResNet-18 baseline on the synthetic PartImageNet (64 px), CPU-sized: clean training.
_base_ = [
    '../_base_/models/timm-resnet18.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean.py',
]
