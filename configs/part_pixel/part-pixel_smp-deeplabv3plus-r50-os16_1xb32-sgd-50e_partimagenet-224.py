# Pixel-count part model on PartImageNet (the original's part-pixel): class scores are the
# spatial means of each class's summed part logits, no parameters of its own; the papers'
# recipe, clean training. Other aggregations: model.part_head.aggregation='softmax_mask' or
# 'logits_mask'; paper (b)'s learnable part-to-class matrix: model.part_head.learnable=True.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    part_head=dict(type='PixelCountPartHead', part_to_class=_base_.part_to_class,
                   aggregation='plain'))
