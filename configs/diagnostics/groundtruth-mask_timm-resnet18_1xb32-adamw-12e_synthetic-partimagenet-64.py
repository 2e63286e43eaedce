# Ground-truth-mask diagnostic on the synthetic PartImageNet (the original's groundtruth): a
# ResNet-18 on the one-hot ground-truth part maps (no segmenter), how well the mask model does
# with perfect masks. It needs the part maps at test time and predicts no part map: class
# accuracy only. model.part_head.with_image=True adds the image channels (then attacks act
# through them only).
_base_ = [
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    type='GroundTruthMaskClassifier',
    num_classes=11,
    num_part_labels=41,
    part_head=dict(type='MaskPartHead', model_name='resnet18'))
val_evaluator = [dict(type='ClassAccuracy')]
test_evaluator = val_evaluator
