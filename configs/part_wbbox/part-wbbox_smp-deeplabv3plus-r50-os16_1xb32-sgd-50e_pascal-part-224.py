# Bounding-Box part model on PASCAL-Part (5 classes, 16 part labels), the papers' recipe: clean
# training.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/pascal-part-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    num_classes=5,
    num_part_labels=16,
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True, original_features=True))
