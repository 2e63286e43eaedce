# Distribution-shift test sets of the synthetic PartImageNet, written from its paper test split
# by tools/dataset_converters/make_shift_sets.py in the layouts of the original releases:
# shape-vs-texture cue conflict (StyleJPEGImages/<wnid>/*.png, part_maps/*.png; label = shape)
# and spurious backgrounds (spurious/test/<wnid>/*.png, no part maps; label = foreground).
# Evaluation only: tools/robust_test.py --shift-config adds them as extra test sets, and a
# RobustTestLoop takes them as ``shift_datasets``. Part metrics apply to the shape-vs-texture set
# only (dataset metainfo ``with_part_maps``).
# No pipeline: each set is read with the test pipeline of the config it is evaluated with, so
# its images are sized exactly like the test split's. Every name is prefixed, so this file can
# be a second base next to a dataset base (MMEngine rejects a key defined by two bases).
shift_data_root = 'data/synthetic_partimagenet_shift'
shape_texture_dataset = dict(type='ShapeTextureDataset', data_root=shift_data_root)
spurious_background_dataset = dict(
    type='SpuriousBackgroundDataset', data_root=shift_data_root, split='test')
# Name -> dataset, as tools/robust_test.py --shift-config reads it.
shift_datasets = dict(
    shape_texture=shape_texture_dataset, spurious_background=spurious_background_dataset)
