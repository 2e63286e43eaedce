# Foreground/background segmentation on PartImageNet (the original's fg-seg-only): every part
# pixel is foreground (label_type='fg', 2 labels).
_base_ = [
    '../_base_/models/part-segmenter_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/seg-only.py',
]
model = dict(num_part_labels=2)
train_dataloader = dict(dataset=dict(label_type='fg'))
val_dataloader = dict(dataset=dict(label_type='fg'))
test_dataloader = dict(dataset=dict(label_type='fg'))
