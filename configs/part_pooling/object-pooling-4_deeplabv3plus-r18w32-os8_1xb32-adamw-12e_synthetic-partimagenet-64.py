# Downsampled model on object masks, on the synthetic PartImageNet, CPU-sized.
_base_ = [
    '../_base_/models/part-classifier_deeplabv3plus-r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-12e_cpu.py',
    '../_base_/recipes/clean_segmenter-warmup.py',
]
model = dict(
    num_part_labels=12,
    part_head=dict(type='DownsampledPartHead', pool_size=4))
train_dataloader = dict(dataset=dict(label_type='object'))
val_dataloader = dict(dataset=dict(label_type='object'))
test_dataloader = dict(dataset=dict(label_type='object'))
