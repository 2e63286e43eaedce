# Foreground/background segmentation on the synthetic PartImageNet, CPU-sized.
_base_ = [
    '../_base_/models/part-segmenter_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/seg-only.py',
]
model = dict(num_part_labels=2)
train_dataloader = dict(dataset=dict(label_type='fg'))
val_dataloader = dict(dataset=dict(label_type='fg'))
test_dataloader = dict(dataset=dict(label_type='fg'))
