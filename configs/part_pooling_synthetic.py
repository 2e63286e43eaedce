# Downsampled part model on the synthetic PartImageNet, CPU-sized.
_base_ = [
    './_base_/models/part_deeplabv3plus_r18w32-os8.py',
    './_base_/datasets/synthetic_partimagenet.py', './_base_/schedules/adamw-cosine_cpu.py',
    './_base_/default_runtime.py'
]
model = dict(part_head=dict(_delete_=True, type='DownsampledPartHead', pool_size=4))
# From scratch, the part loss alone for the first ~1.2 epochs, then the joint loss (see
# SegmenterWarmupHook); the paper's pretrained backbones do not need it.
custom_hooks = [dict(type='SegmenterWarmupHook', warmup_iters=100)]
