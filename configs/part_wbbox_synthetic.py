# The default demo model: Bounding-Box part model on the synthetic PartImageNet, CPU-sized.
_base_ = [
    './_base_/models/part_deeplabv3plus_r18-os16.py',
    './_base_/datasets/synthetic_partimagenet.py', './_base_/schedules/sgd-cosine_cpu.py',
    './_base_/default_runtime.py'
]
model = dict(part_head=dict(type='BoundingBoxPartHead', normalize_coords=True))
