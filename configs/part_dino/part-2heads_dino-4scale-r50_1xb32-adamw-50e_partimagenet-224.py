# The original's two-head DINO model on PartImageNet: one ResNet-50 shared by the DINO part
# detector (trained on the part boxes) and a linear class head on its pooled last level.
_base_ = ['./part-seq_dino-4scale-r50_1xb32-adamw-50e_partimagenet-224.py']
model = dict(part_head=dict(_delete_=True, type='BackboneLinearClassHead', in_channels=2048))
