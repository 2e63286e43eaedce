# Two-head part model (decoder features, 64 x 16 x 16 at 64 px) on the synthetic PartImageNet,
# CPU-sized.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    part_head=dict(type='DecoderFeatureClassHead', in_channels=64, feature_size=16))
