# Bounding-Box part model on the synthetic PartImageNet trained on box pseudo-masks (filled part
# boxes as the part map, ordinary part cross-entropy), CPU-sized: the simpler box baseline of
# the original code. The mask-supervised model's network, weighted part loss and schedule
# (../part_wbbox/, same name), so that only the supervision differs.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8-d128.py',
    '../_base_/datasets/synthetic-partimagenet-64_box-masks.py',
    '../_base_/schedules/adamw-cosine-12e_cpu-lr1e-2.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True),
    segmentor=dict(decode_head=dict(loss_decode=_base_.part_loss_decode)))
