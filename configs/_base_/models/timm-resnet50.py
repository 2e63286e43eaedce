# The paper's baseline: a ResNet-50 classifier (timm), trained with cross-entropy, from timm's
# ImageNet weights 'resnet50.ram_in1k' (resnet50_ram-a26f946b.pth, the default resnet50
# weights of the timm 0.4.12 the original pinned), loaded when training starts. Offline, point
# model.model_kwargs.pretrained_cfg_overlay.file at a local copy of that file.
model = dict(
    type='TimmClassifier',
    model_name='resnet50.ram_in1k',
    num_classes=11,
    pretrained=True,
    model_kwargs=dict(pretrained_cfg_overlay=dict(file=None)))
# A classifier without part logits: class accuracy only.
val_evaluator = [dict(type='ClassAccuracy')]
test_evaluator = val_evaluator
