# The synthetic default's clean stage: the Bounding-Box part model, CPU-sized (half-width
# ResNet-18 OS8, decoder 128 channels), from scratch on synthetic PartImageNet at 64 px. For
# the segmenter to find the small parts within 12 epochs it trains with the data's weighted part
# loss and AdamW at lr 1e-2: val part mIoU after 4-epoch screens went from 4.4 % (35 of 40 parts
# at 0 IoU) to 15 % with the weights, 38 % with the learning rate and 45 % with the decoder
# (docs/segmenter-at-demo-scale.md).
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8-d128.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu-lr1e-2.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True),
    segmentor=dict(decode_head=dict(loss_decode=_base_.part_loss_decode)))
