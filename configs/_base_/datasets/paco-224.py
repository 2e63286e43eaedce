# PACO object crops (75 classes, 457 part labels: background + the 456 object-part categories of
# PACO-LVIS's JSONs) prepared by tools/dataset_converters/paco.py from a release under
# data/paco: seeded 80/10/10 re-split of the pooled objects, with the pipelines of
# partimagenet-224.py. Its part maps are uint16 with 65535 for unlabelled pixels (objects without
# part annotations), which the loader and the part metric take from the split files' metainfo;
# part models on it set model.segmentor.decode_head.ignore_index = 65535.
_base_ = ['./partimagenet-224.py']
# Its part_to_class comes from the release's JSONs (the split files' metainfo): leaves of
# heads that group parts by class set it from there.
part_to_class = None
dataset_type = 'PacoDataset'
data_root = 'data/paco/partmm'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
