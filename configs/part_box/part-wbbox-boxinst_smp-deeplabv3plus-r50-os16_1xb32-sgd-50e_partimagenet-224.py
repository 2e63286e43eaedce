# Bounding-Box part model on PartImageNet trained from part boxes only (paper (b)'s question:
# can cheap part boxes replace part masks?): the BoxInst loss (projection and pairwise terms per
# boxed part, background outside every box) in place of the part cross-entropy, ramped up over
# 1000 iterations; the papers' recipe otherwise. The part maps are only evaluated against.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True, original_features=True),
    part_loss=dict(type='BoxInstPartLoss', warmup_iters=1000))
