# PASCAL-Part (5 classes, 15 grouped parts) prepared by tools/dataset_converters/pascal_part.py
# from VOC2010 + PASCAL-Part's Annotations_Part: the papers' per-class 80/10/10 split, with the
# pipelines of partimagenet-224.py (the original's loaders are the same for both).
_base_ = ['./partimagenet-224.py']
part_to_class = [-1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
dataset_type = 'PascalPartDataset'
data_root = 'data/VOCdevkit/VOC2010'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
