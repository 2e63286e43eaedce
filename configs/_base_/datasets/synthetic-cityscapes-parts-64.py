# The synthetic Cityscapes-Panoptic-Parts (2 classes, 9 parts): street scenes written by
# tools/dataset_converters/synthetic_cityscapes_parts.py in the raw format (panoptic-parts uid
# TIFFs), cropped by tools/dataset_converters/cityscapes_parts.py; the CPU pipelines of
# synthetic-partimagenet-64.py.
_base_ = ['./synthetic-partimagenet-64.py']
part_to_class = [-1, 0, 0, 0, 0, 1, 1, 1, 1, 1]
dataset_type = 'CityscapesPartsDataset'
data_root = 'data/synthetic_cityscapes_parts'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
