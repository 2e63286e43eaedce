# Downsampled part model on the synthetic PartImageNet trained from part boxes only (BoxInst
# loss), CPU-sized.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    part_head=dict(type='DownsampledPartHead', pool_size=4),
    part_loss=dict(
        type='BoxInstPartLoss', warmup_iters=100, outside_weight=0.3, pairwise_weight=3.0))
