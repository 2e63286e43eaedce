# The matched baseline of the CPU-sized part model (part-classifier_deeplabv3plus-r18w32-os8.py):
# that model's own encoder, the half-width ResNet-18 at output stride 8, read from its config so
# the two stay the same network, then global average pooling and a linear classifier (the last
# stage has 8 x base_channels channels). Same input size, from scratch, cross-entropy.
_base_ = ['./part-classifier_deeplabv3plus-r18w32-os8.py']
model = dict(
    _delete_=True,
    type='EncoderClassifier',
    num_classes=11,
    backbone=_base_.model.segmentor.backbone,
    in_channels=8 * _base_.model.segmentor.backbone.base_channels)
# A classifier without part logits: class accuracy only.
val_evaluator = [dict(type='ClassAccuracy')]
test_evaluator = val_evaluator
