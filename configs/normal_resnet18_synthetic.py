# The baseline on the synthetic PartImageNet: a timm ResNet-18 classifier (the part model's
# backbone), CPU-sized.
_base_ = [
    './_base_/datasets/synthetic_partimagenet.py', './_base_/schedules/adamw-cosine_cpu.py',
    './_base_/default_runtime.py'
]
model = dict(type='TimmClassifier', model_name='resnet18', num_classes=11, pretrained=False)
val_evaluator = [dict(type='ClassAccuracy')]
test_evaluator = val_evaluator
