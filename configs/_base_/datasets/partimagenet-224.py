# PartImageNet prepared by tools/dataset_converters/partimagenet.py, partmm's re-split of the
# papers' kind (splits/paper/*.json; splits/official/*.json is the release's class-disjoint
# split, and partimagenet-origsplit-224.py reads the original preparation's split).
dataset_type = 'PartImageNetDataset'
data_root = 'data/PartImageNet'
split = 'paper'
crop_size = 224
resize_size = 256
# Class index of each part label (-1 = background), the dataset's metainfo part_to_class: for
# heads that group parts by class (leaves pass _base_.part_to_class); checked against the data
# when a run starts.
part_to_class = [
    -1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 6, 7, 7, 7, 7,
    8, 8, 8, 8, 9, 9, 9, 9, 10, 10
]
# antialias=True resizes as the original code did (torchvision on PIL images: Pillow's
# bilinear, which antialiases when it shrinks, and torchvision's output size); cv2's aliases, so
# the authors' released weights would see different images. Part maps stay nearest.

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPartAnnotations'),
    dict(type='RandomResizedCrop', scale=crop_size, crop_scale=(0.08, 1.0), antialias=True),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackPartInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPartAnnotations'),
    dict(type='ResizeShortSide', scale=resize_size, antialias=True),
    dict(type='CenterCrop', crop_size=crop_size),
    dict(type='PackPartInputs'),
]
train_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=f'splits/{split}/train.json',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=f'splits/{split}/val.json',
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader, dataset=dict(val_dataloader['dataset'], ann_file=f'splits/{split}/test.json'))
