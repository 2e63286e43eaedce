# Downsampled part model (paper: "Downsampled", original token part-pooling-4-semi) on
# PartImageNet with the paper's clean recipe.
_base_ = [
    './_base_/models/part_deeplabv3plus_r50-os16.py', './_base_/datasets/partimagenet.py',
    './_base_/schedules/sgd-cosine_50e.py', './_base_/default_runtime.py'
]
model = dict(part_head=dict(_delete_=True, type='DownsampledPartHead', pool_size=4))
