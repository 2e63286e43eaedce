# The DINO ``seq`` part model on PACO (75 objects, 456 object-parts from the part boxes; 16-bit
# part maps, whose unlabelled value the model's ignore_index must name).
_base_ = [
    '../_base_/models/dino-part-classifier_r50.py',
    '../_base_/datasets/paco-224.py',
    '../_base_/schedules/adamw-cosine-50e_dino.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    num_classes=75,
    num_part_labels=457,
    ignore_index=65535,
    part_head=dict(type='QuerySequencePartHead', num_queries=_base_.num_queries))
