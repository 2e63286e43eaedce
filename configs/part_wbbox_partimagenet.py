# Bounding-Box part model (paper: "Bounding-Box", original token part-wbbox-norm_img-semi) on
# PartImageNet, the paper's clean recipe: 224 px, DeepLabV3+ ResNet-50 OS16, SGD lr 0.1,
# cosine, 50 epochs, batch 32 per GPU, c = 0.5.
_base_ = [
    './_base_/models/part_deeplabv3plus_r50-os16.py', './_base_/datasets/partimagenet.py',
    './_base_/schedules/sgd-cosine_50e.py', './_base_/default_runtime.py'
]
model = dict(part_head=dict(type='BoundingBoxPartHead', normalize_coords=True))
