# The paper's baseline: a ResNet-50 classifier (timm), trained with cross-entropy. The paper
# starts from ImageNet weights; offline there are none (set pretrained=True or
# checkpoint_path='...' where weights are available).
model = dict(type='TimmClassifier', model_name='resnet50', num_classes=11, pretrained=False)
# A classifier without part logits: class accuracy only.
val_evaluator = [dict(type='ClassAccuracy')]
test_evaluator = val_evaluator
