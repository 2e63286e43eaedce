# Bounding-Box part model on PartImageNet (224 px) with the original's segmenter (smp DeepLabV3+),
# the papers' recipe: clean training; the head computes the original's features exactly
# (original_features).
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True, original_features=True))
