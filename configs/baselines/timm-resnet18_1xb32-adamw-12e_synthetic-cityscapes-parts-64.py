# ResNet-18 baseline on the synthetic Cityscapes-Panoptic-Parts (2 classes), CPU-sized: clean
# training from scratch.
_base_ = [
    '../_base_/models/timm-resnet18.py',
    '../_base_/datasets/synthetic-cityscapes-parts-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean.py',
]
model = dict(num_classes=2)
