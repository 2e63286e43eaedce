# Segmentation-only training (no class head): the part loss alone, the best checkpoint by part
# mIoU instead of top-1.
_base_ = ['../default_runtime.py']
default_hooks = dict(checkpoint=dict(save_best='part/mIoU'))
