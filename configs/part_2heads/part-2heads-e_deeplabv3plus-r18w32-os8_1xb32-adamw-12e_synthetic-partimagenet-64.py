# Two-head part model (encoder's last map, 256 channels) on the synthetic PartImageNet,
# CPU-sized.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(part_head=dict(type='EncoderFeatureClassHead', in_channels=256))
