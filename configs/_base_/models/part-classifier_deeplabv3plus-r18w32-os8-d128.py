# The CPU-sized part model (part-classifier_deeplabv3plus-r18w32-os8.py) with a wider decoder:
# 128 channels instead of 64, 48 low-level channels instead of 16. On the synthetic default it
# raised val part mIoU after a 4-epoch screen from 38 % to 45 % (docs/segmenter-at-demo-scale.md)
# for about 20 % more time per step. The encoder is unchanged, so the matched baseline
# (encoder-classifier_r18w32-os8.py) is this model's encoder too.
_base_ = ['./part-classifier_deeplabv3plus-r18w32-os8.py']
model = dict(segmentor=dict(decode_head=dict(channels=128, c1_channels=48)))
