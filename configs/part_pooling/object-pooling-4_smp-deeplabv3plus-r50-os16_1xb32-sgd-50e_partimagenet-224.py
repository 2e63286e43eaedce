# Downsampled model on object masks (the original's object-pooling-4): the segmenter labels
# every part pixel with its object class (label_type='object', 1 + 11 labels) instead of the
# part; the papers' recipe, clean training. Compare with part-pooling-4 for what part labels add.
_base_ = [
    '../_base_/models/part-classifier_smp-deeplabv3plus-r50-os16.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/sgd-cosine-50e.py',
    '../_base_/recipes/clean.py',
]
model = dict(
    num_part_labels=12,
    part_head=dict(type='DownsampledPartHead', pool_size=4))
train_dataloader = dict(dataset=dict(label_type='object'))
val_dataloader = dict(dataset=dict(label_type='object'))
test_dataloader = dict(dataset=dict(label_type='object'))
