# Bounding-Box part model on the synthetic PACO (6 classes, 27 part labels), CPU-sized: clean
# training from scratch.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-paco-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    num_classes=6,
    num_part_labels=27,
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True))
