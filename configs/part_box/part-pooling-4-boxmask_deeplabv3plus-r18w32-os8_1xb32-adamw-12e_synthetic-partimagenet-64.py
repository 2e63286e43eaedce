# Downsampled part model on the synthetic PartImageNet trained on box pseudo-masks (filled part
# boxes as the part map, ordinary part cross-entropy), CPU-sized.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64_box-masks.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(part_head=dict(type='DownsampledPartHead', pool_size=4))
