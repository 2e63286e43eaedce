# The query part model (Mask2Former + query ``sim`` head) on the synthetic PartImageNet (64 px),
# CPU-sized: clean training from scratch.
_base_ = [
    '../_base_/models/query-part-classifier_mask2former-r18w16.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(
        type='QuerySimHead',
        part_to_class=_base_.part_to_class,
        aggregation='max',
        learnable=True))
