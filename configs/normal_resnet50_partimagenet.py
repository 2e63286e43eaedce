# The paper's baseline ("normal"): ResNet-50 classifier on PartImageNet, same data pipeline and
# schedule as the part models.
_base_ = [
    './_base_/models/timm_resnet50.py', './_base_/datasets/partimagenet.py',
    './_base_/schedules/sgd-cosine_50e.py', './_base_/default_runtime.py'
]
val_evaluator = [dict(type='ClassAccuracy')]
test_evaluator = val_evaluator
