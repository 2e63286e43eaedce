# The matched baseline of the synthetic default's Bounding-Box part model: its encoder
# (half-width ResNet-18, OS8) with a linear classifier, clean training with its schedule (AdamW
# lr 1e-2, 12 epochs) and data.
_base_ = [
    '../_base_/models/encoder-classifier_r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu-lr1e-2.py',
    '../_base_/recipes/clean.py',
]
