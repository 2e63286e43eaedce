# The two-head DINO model on the synthetic PartImageNet, CPU-sized: a linear class head on the
# shared quarter-width ResNet-18's last level beside the part detector.
_base_ = ['./part-seq_dino-r18w16_1xb32-adamw-12e_synthetic-partimagenet-64.py']
model = dict(part_head=dict(_delete_=True, type='BackboneLinearClassHead', in_channels=128))
