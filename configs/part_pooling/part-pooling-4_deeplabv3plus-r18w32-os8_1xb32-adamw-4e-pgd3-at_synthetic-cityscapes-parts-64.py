# Downsampled part model on the synthetic Cityscapes-Panoptic-Parts (2 classes, 10 part labels),
# CPU-sized: PGD-3 adversarial fine-tuning of the clean run's best checkpoint.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-cityscapes-parts-64.py',
    '../_base_/schedules/adamw-cosine-4e_cpu-finetune.py',
    '../_base_/recipes/pgd-at_cpu-finetune.py',
]
model = dict(
    num_classes=2,
    num_part_labels=10,
    part_head=dict(type='DownsampledPartHead', pool_size=4))
load_from = 'work_dirs/part-pooling-4_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-cityscapes-parts-64/best.pth'  # noqa: E501
