# PartImageNet with the split of the original preparation code: splits/original/*.json, made by
# tools/dataset_converters/partimagenet.py --split-from <its PartSegmentations/All>. The images
# the papers' models (and the authors' released weights) were trained, validated and tested on;
# partmm's own 'paper' split re-draws them, so its test images overlap their training images.
_base_ = ['./partimagenet-224.py']
split = 'original'
train_dataloader = dict(dataset=dict(ann_file=f'splits/{split}/train.json'))
val_dataloader = dict(dataset=dict(ann_file=f'splits/{split}/val.json'))
test_dataloader = dict(dataset=dict(ann_file=f'splits/{split}/test.json'))
