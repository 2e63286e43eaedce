# The synthetic PACO (6 of its object classes, 26 part labels, taken from its JSONs) written by
# tools/dataset_converters/synthetic_paco.py in PACO-LVIS's format and cropped by
# tools/dataset_converters/paco.py --crop-size 72; the CPU pipelines of
# synthetic-partimagenet-64.py.
_base_ = ['./synthetic-partimagenet-64.py']
part_to_class = None  # from the release's JSONs, as in paco-224.py
dataset_type = 'PacoDataset'
data_root = 'data/synthetic_paco/partmm'
train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
