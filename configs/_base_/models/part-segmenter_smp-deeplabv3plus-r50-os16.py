# The part model's segmenter alone (the original's seg-only): the network of
# part-classifier_smp-deeplabv3plus-r50-os16.py without a class head, trained on the part maps
# and evaluated by part mIoU. A part model starts from its checkpoint with
# model.segmentor.init_cfg = dict(type='Pretrained', checkpoint=<best.pth>, prefix='segmentor.').
_base_ = ['./part-classifier_smp-deeplabv3plus-r50-os16.py']
model = dict(
    _delete_=True,
    type='PartSegmenter',
    num_part_labels=41,
    segmentor=_base_.model.segmentor)
val_evaluator = [dict(type='PartIoUMetric')]
test_evaluator = val_evaluator
