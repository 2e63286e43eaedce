# The CPU-sized segmenter trained alone on the synthetic PartImageNet's part maps.
_base_ = [
    '../_base_/models/part-segmenter_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/seg-only.py',
]
