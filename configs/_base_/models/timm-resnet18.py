# The baseline of the synthetic default: a timm ResNet-18 classifier (the CPU part model's
# backbone family), from scratch, trained with cross-entropy.
model = dict(type='TimmClassifier', model_name='resnet18', num_classes=11, pretrained=False)
# A classifier without part logits: class accuracy only.
val_evaluator = [dict(type='ClassAccuracy')]
test_evaluator = val_evaluator
