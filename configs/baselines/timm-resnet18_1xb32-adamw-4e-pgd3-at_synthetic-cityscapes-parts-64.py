# ResNet-18 baseline on the synthetic Cityscapes-Panoptic-Parts (2 classes), CPU-sized: PGD-3
# adversarial fine-tuning of the clean run's best checkpoint.
_base_ = [
    '../_base_/models/timm-resnet18.py',
    '../_base_/datasets/synthetic-cityscapes-parts-64.py',
    '../_base_/schedules/adamw-cosine-4e_cpu-finetune.py',
    '../_base_/recipes/pgd-at_cpu-finetune.py',
]
model = dict(num_classes=2)
load_from = 'work_dirs/timm-resnet18_1xb32-adamw-12e_synthetic-cityscapes-parts-64/best.pth'
