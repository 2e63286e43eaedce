# The original's DINO ``seq`` part model on PartImageNet: DINO R-50 trained on the part boxes,
# then the class head on its 900 queries' part scores (softmax) and boxes; clean training,
# c = 0.5.
_base_ = [
    '../_base_/models/dino-part-classifier_r50.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/adamw-cosine-50e_dino.py',
    '../_base_/recipes/clean.py',
]
model = dict(part_head=dict(type='QuerySequencePartHead', num_queries=_base_.num_queries))
