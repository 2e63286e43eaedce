# Downsampled part model of the papers, trained and tested on the original preparation's split
# (splits/original): the config to evaluate the authors' released part-pooling-4-semi weights
# (normal, pgd, trades) with, once converted by tools/model_converters/original2partmm.py, and to
# retrain them faithfully.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-origsplit-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(part_head=dict(type='DownsampledPartHead', pool_size=4))
