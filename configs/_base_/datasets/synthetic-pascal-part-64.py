# The synthetic PASCAL-Part (5 classes, 15 grouped parts) written by
# tools/dataset_converters/synthetic_pascal_part.py in VOC2010 + PASCAL-Part's raw format and
# prepared by tools/dataset_converters/pascal_part.py; the CPU pipelines of
# synthetic-partimagenet-64.py.
_base_ = ['./synthetic-partimagenet-64.py']
part_to_class = [-1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
dataset_type = 'PascalPartDataset'
data_root = 'data/synthetic_pascal_part'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
