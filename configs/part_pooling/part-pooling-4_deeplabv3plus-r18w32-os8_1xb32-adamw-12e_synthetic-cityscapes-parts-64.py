# Downsampled part model on the synthetic Cityscapes-Panoptic-Parts (2 classes, 10 part labels),
# CPU-sized: clean training from scratch.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-cityscapes-parts-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    num_classes=2,
    num_part_labels=10,
    part_head=dict(type='DownsampledPartHead', pool_size=4))
