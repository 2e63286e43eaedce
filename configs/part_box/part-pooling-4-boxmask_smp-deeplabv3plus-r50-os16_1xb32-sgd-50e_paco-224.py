# Downsampled part model on PACO trained on box pseudo-masks (filled part boxes as the part map,
# the pixels of objects without part annotations unlabelled, ordinary part cross-entropy); the
# papers' recipe.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/paco-224_box-masks.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    num_classes=75,
    num_part_labels=457,
    segmentor=dict(decode_head=dict(ignore_index=65535)),
    part_head=dict(type='DownsampledPartHead', pool_size=4))
