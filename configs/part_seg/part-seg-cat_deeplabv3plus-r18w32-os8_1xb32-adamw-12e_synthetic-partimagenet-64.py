# Seg-cat part model on the synthetic PartImageNet, CPU-sized (the original's part-seg_cat-semi):
# the image under each of the 40 hard (one-hot argmax) part masks, stacked into one
# [B, 120, H, W] input of a ResNet-18; the background mask is left out
# (model.part_head.drop_background=False keeps it: 123 channels).
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(part_head=dict(type='SegCatPartHead', model_name='resnet18'))
