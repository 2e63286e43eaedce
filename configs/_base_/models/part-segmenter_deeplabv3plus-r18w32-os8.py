# The CPU-sized part model's segmenter alone (see part-classifier_deeplabv3plus-r18w32-os8.py
# and part-segmenter_smp-deeplabv3plus-r50-os16.py).
_base_ = ['./part-classifier_deeplabv3plus-r18w32-os8.py']
model = dict(
    _delete_=True,
    type='PartSegmenter',
    num_part_labels=41,
    segmentor=_base_.model.segmentor)
val_evaluator = [dict(type='PartIoUMetric')]
test_evaluator = val_evaluator
