# Downsampled part model on PartImageNet trained on box pseudo-masks (filled part boxes as the
# part map, ordinary part cross-entropy; the original's --use-box-seg); the papers' recipe.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224_box-masks.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(part_head=dict(type='DownsampledPartHead', pool_size=4))
