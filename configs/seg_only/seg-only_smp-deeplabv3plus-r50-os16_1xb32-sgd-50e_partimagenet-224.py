# The part model's segmenter trained alone on PartImageNet's part maps (the original's
# part-seg-only), the papers' schedule; the best checkpoint by part mIoU initialises a part
# model: model.segmentor.init_cfg = dict(type='Pretrained', checkpoint=<its best.pth>,
# prefix='segmentor.').
_base_ = [
    '../_base_/models/part-segmenter_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/seg-only.py',
]
