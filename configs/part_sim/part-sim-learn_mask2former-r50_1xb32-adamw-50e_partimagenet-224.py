# Query part model of paper (b) (``part-sim-semi-learn_mask``, MaskDINO there) on PartImageNet:
# Mask2Former R-50 with the query ``sim`` head (max over queries, learnable part-to-class
# matrix), clean training with paper (b)'s AdamW step schedule.
_base_ = [
    '../_base_/models/query-part-classifier_mask2former-r50.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/adamw-step-50e_mask2former.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(
        type='QuerySimHead',
        part_to_class=_base_.part_to_class,
        aggregation='max',
        learnable=True))
