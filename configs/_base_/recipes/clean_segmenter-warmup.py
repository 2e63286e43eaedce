# Clean training of a part model from scratch (the CPU default): the part loss alone for the
# first 100 iterations (~1.2 epochs of the synthetic default), then the joint loss (see
# SegmenterWarmupHook). The papers' ImageNet-pretrained segmenters do not need it.
_base_ = ['./clean.py']
custom_hooks = [dict(type='SegmenterWarmupHook', warmup_iters=100)]
