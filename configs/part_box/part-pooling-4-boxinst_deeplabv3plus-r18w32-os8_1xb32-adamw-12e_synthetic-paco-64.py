# Downsampled part model on the synthetic PACO trained from part boxes only (BoxInst loss with
# the weights of the synthetic PartImageNet config; the pixels of objects without part
# annotations get no background term), CPU-sized.
_base_ = [
    '../part_pooling/part-pooling-4_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-paco-64.py'
]
model = dict(
    part_loss=dict(
        type='BoxInstPartLoss', warmup_iters=100, outside_weight=0.3, pairwise_weight=3.0))
