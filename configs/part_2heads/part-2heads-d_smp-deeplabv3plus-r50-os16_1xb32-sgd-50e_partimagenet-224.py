# Two-head part model on PartImageNet (the original's part-2heads_d): a class head on the
# decoder's 256 x 56 x 56 features beside the segmentation head; the part loss still trains
# the segmenter. The papers' recipe, clean training.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(type='DecoderFeatureClassHead', in_channels=256, feature_size=56))
