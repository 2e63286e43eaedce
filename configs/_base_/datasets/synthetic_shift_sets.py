# Distribution-shift test sets of the synthetic PartImageNet, written from its paper test split
# by tools/dataset_converters/make_shift_sets.py in the layouts of the original releases:
# shape-vs-texture cue conflict (StyleJPEGImages/<wnid>/*.png, part_maps/*.png; label = shape)
# and spurious backgrounds (spurious/test/<wnid>/*.png, no part maps; label = foreground).
# Evaluation only: a robust-evaluation tool adds them as extra test sets. Part metrics apply to
# the shape-vs-texture set only (dataset metainfo ``with_part_maps``).
# Every name is prefixed, so this file can be a second base next to synthetic_partimagenet.py
# (MMEngine rejects a key defined by two bases).
shift_data_root = 'data/synthetic_partimagenet_shift'
# The test pipeline of synthetic_partimagenet.py, repeated rather than inherited for the same
# reason.
shift_test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPartAnnotations'),
    dict(type='ResizeShortestEdge', scale=72, max_size=1 << 16),
    dict(type='CenterCrop', crop_size=64),
    dict(type='PackPartInputs'),
]
shape_texture_dataset = dict(
    type='ShapeTextureDataset', data_root=shift_data_root, pipeline=shift_test_pipeline)
spurious_background_dataset = dict(
    type='SpuriousBackgroundDataset',
    data_root=shift_data_root,
    split='test',
    pipeline=shift_test_pipeline)
# Name -> dataset, as tools/robust_test.py --shift-config reads it.
shift_datasets = dict(
    shape_texture=shape_texture_dataset, spurious_background=spurious_background_dataset)
