# ResNet-18 baseline on the synthetic PASCAL-Part (5 classes), CPU-sized: PGD-3 adversarial
# fine-tuning of the clean run's best checkpoint.
_base_ = [
    '../_base_/models/timm-resnet18.py',
    '../_base_/datasets/synthetic-pascal-part-64.py',
    '../_base_/schedules/adamw-cosine-4e_cpu-finetune.py',
    '../_base_/recipes/pgd-at_cpu-finetune.py',
]
model = dict(num_classes=5)
load_from = 'work_dirs/timm-resnet18_1xb32-adamw-12e_synthetic-pascal-part-64/best.pth'
