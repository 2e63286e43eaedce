# Bounding-Box part model on the synthetic PartImageNet (64 px), CPU-sized: PGD-10 adversarial
# fine-tuning (the papers' training attack) of the clean run's best checkpoint (the clean config's
# network and part loss: the decoder widths must match to load its weights).
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8-d128.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-4e_cpu-finetune.py',
    '../_base_/recipes/pgd10-at_cpu-finetune.py',
]
model = dict(
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True),
    segmentor=dict(decode_head=dict(loss_decode=_base_.part_loss_decode)))
load_from = 'work_dirs/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64/best.pth'  # noqa: E501
