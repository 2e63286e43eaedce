# The synthetic PACO trained on part boxes painted as pseudo part masks (PaintPartBoxes after
# loading, the original's --use-box-seg); the pixels of objects without part annotations stay
# unlabelled outside the boxes (255, not background). Val and test keep the true part maps to
# evaluate against.
_base_ = ['./synthetic-paco-64.py']
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadPartAnnotations'),
    dict(type='PaintPartBoxes'),
    dict(type='RandomResizedCrop', scale=_base_.crop_size, crop_scale=(0.35, 1.0)),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='PackPartInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
