# The embedded default: a synthetic PartImageNet (same 11 classes and 40 parts) written by
# tools/dataset_converters/synthetic_partimagenet.py in the release format and prepared by
# tools/dataset_converters/partimagenet.py. 72 px images, 64 px crops (the 256 -> 224 recipe of
# partimagenet-224.py scaled down, with a milder random crop); sized so that a model trains on 2
# CPU cores in minutes.
_base_ = ['./partimagenet-224.py']
data_root = 'data/synthetic_partimagenet'
crop_size = 64
resize_size = 72

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPartAnnotations'),
    dict(type='RandomResizedCrop', scale=crop_size, crop_scale=(0.35, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackPartInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPartAnnotations'),
    dict(type='ResizeShortestEdge', scale=resize_size, max_size=1 << 16),
    dict(type='CenterCrop', crop_size=crop_size),
    dict(type='PackPartInputs'),
]
# Small images decode in well under a millisecond: loading in the main process leaves both
# cores to the model instead of oversubscribing them.
train_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
