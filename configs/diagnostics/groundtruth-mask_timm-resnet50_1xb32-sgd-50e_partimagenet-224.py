# Ground-truth-mask diagnostic on PartImageNet (the original's groundtruth): a ResNet-50 on the
# one-hot ground-truth part maps (conv1 41 wide), the papers' recipe; class accuracy only.
_base_ = [
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    type='GroundTruthMaskClassifier',
    num_classes=11,
    num_part_labels=41,
    part_head=dict(type='MaskPartHead', model_name='resnet50'))
val_evaluator = [dict(type='ClassAccuracy')]
test_evaluator = val_evaluator
