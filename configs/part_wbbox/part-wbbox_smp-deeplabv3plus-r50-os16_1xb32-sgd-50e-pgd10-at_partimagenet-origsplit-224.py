# Bounding-Box part model on the original preparation's split, the papers' recipe: PGD-10
# adversarial training from the clean run's best checkpoint.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-origsplit-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/pgd-at_paper.py',
]
model = dict(
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True, original_features=True))
load_from = 'work_dirs/part-wbbox_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_partimagenet-origsplit-224/best.pth'  # noqa: E501
