# Two-head part model on PartImageNet (the original's part-2heads_e, paper (b)'s model on PACO):
# a class head on the encoder's last map (2048 x 14 x 14) beside the segmentation head. The
# papers' recipe, clean training.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(part_head=dict(type='EncoderFeatureClassHead', in_channels=2048))
