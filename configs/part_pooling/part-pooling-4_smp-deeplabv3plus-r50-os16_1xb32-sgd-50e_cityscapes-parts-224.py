# Downsampled part model on Cityscapes-Panoptic-Parts (2 classes, 10 part labels), the papers'
# recipe: clean training.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/cityscapes-parts-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    num_classes=2,
    num_part_labels=10,
    part_head=dict(type='DownsampledPartHead', pool_size=4))
