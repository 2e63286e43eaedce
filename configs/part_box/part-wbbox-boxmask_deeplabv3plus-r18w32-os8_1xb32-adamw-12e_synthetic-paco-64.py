# Bounding-Box part model on the synthetic PACO trained on box pseudo-masks (filled part boxes
# as the part map, the pixels of objects without part annotations unlabelled, ordinary part
# cross-entropy), CPU-sized.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-paco-64_box-masks.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    num_classes=6,
    num_part_labels=27,
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True))
