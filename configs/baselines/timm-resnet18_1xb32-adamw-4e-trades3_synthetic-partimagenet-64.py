# ResNet-18 baseline on the synthetic PartImageNet (64 px), CPU-sized: TRADES adversarial
# fine-tuning of the clean run's best checkpoint.
_base_ = [
    '../_base_/models/timm-resnet18.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-4e_cpu-finetune.py',
    '../_base_/recipes/trades_cpu-finetune.py',
]
load_from = 'work_dirs/timm-resnet18_1xb32-adamw-12e_synthetic-partimagenet-64/best.pth'
