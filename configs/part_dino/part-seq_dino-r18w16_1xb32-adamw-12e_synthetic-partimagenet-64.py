# The DINO ``seq`` part model on the synthetic PartImageNet (64 px), CPU-sized: a quarter-width
# ResNet-18 DINO with 20 queries from scratch, trained on the part boxes.
_base_ = [
    '../_base_/models/dino-part-classifier_r18w16.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu-dino.py',
    '../_base_/recipes/clean.py',
]
model = dict(part_head=dict(type='QuerySequencePartHead', num_queries=_base_.num_queries))
