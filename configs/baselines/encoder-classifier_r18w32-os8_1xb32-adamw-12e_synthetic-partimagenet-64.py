# The matched baseline of the synthetic default's part models: their encoder (half-width
# ResNet-18, OS8) with a linear classifier, clean training with their schedule.
_base_ = [
    '../_base_/models/encoder-classifier_r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean.py',
]
