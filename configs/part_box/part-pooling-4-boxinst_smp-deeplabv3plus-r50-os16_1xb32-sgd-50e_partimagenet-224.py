# Downsampled part model on PartImageNet trained from part boxes only (BoxInst loss); the
# papers' recipe otherwise.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(type='DownsampledPartHead', pool_size=4),
    part_loss=dict(type='BoxInstPartLoss', warmup_iters=1000))
