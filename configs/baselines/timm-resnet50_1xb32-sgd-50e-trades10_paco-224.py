# ResNet-50 baseline on PACO (75 classes), the papers' recipe: TRADES
# adversarial training from the clean run's best checkpoint.
_base_ = [
    '../_base_/models/timm-resnet50.py',
    '../_base_/datasets/paco-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/trades_paper.py',
]
model = dict(num_classes=75)
load_from = 'work_dirs/timm-resnet50_1xb32-sgd-50e_paco-224/best.pth'
