# Bounding-Box part model on the synthetic PartImageNet trained from part BOXES only, CPU-sized:
# the BoxInst loss (projection, pairwise colour affinity, background outside every box) in
# place of the part cross-entropy; the part maps are only evaluated against. Compare with
# ../part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py,
# but not with its recipe: with that model's 128-channel decoder the 8-epoch box-only test found
# no part region (foreground IoU 4 %, 47 % with the 64-channel decoder kept here), and with its
# lr 1e-2 the classes stayed at chance, so this keeps the CPU model base and the lr 2e-3 schedule.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    part_head=dict(type='BoundingBoxPartHead', normalize_coords=True),
    # A lighter outside term and a heavier pairwise term than BoxInst's 1 / 1: after 4 epochs
    # top-1 73.6 % and part mIoU 2.9 % (mAcc 6.7 %), against 60.3 % / 2.1 % / 2.9 % after 3
    # epochs of 1 / 1 (which stayed there), single runs.
    part_loss=dict(
        type='BoxInstPartLoss', warmup_iters=100, outside_weight=0.3, pairwise_weight=3.0))
