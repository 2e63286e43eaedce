# Cityscapes-Panoptic-Parts human and vehicle crops (2 classes, 9 parts) prepared by
# tools/dataset_converters/cityscapes_parts.py: square instance crops, seeded 80/10/10 split,
# with the pipelines of partimagenet-224.py.
_base_ = ['./partimagenet-224.py']
part_to_class = [-1, 0, 0, 0, 0, 1, 1, 1, 1, 1]
dataset_type = 'CityscapesPartsDataset'
data_root = 'data/cityscapes'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
