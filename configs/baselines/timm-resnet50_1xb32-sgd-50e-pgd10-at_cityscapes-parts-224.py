# ResNet-50 baseline on Cityscapes-Panoptic-Parts (2 classes), the papers' recipe: PGD-10
# adversarial training from the clean run's best checkpoint.
_base_ = [
    '../_base_/models/timm-resnet50.py',
    '../_base_/datasets/cityscapes-parts-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/pgd-at_paper.py',
]
model = dict(num_classes=2)
load_from = 'work_dirs/timm-resnet50_1xb32-sgd-50e_cityscapes-parts-224/best.pth'
