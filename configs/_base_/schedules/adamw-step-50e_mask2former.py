# Paper (b)'s MaskDINO recipe: AdamW lr 1e-4, weight decay 5e-4 (none on norm layers, biases
# and the query embeddings), backbone at a tenth of the lr (mmseg's Mask2Former setting;
# the original honours a backbone lr group), gradient-norm clipping at 0.01, 10 warm-up
# iterations, lr / 10 at epochs 40 and 45 of 50, validation every 2 epochs.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=5e-4),
    clip_grad=dict(max_norm=0.01, norm_type=2),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={
            'segmentor.backbone': dict(lr_mult=0.1),
            'query_embed': dict(decay_mult=0.0),
            'query_feat': dict(decay_mult=0.0),
            'level_embed': dict(decay_mult=0.0),
        }))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=10),
    dict(type='MultiStepLR', milestones=[40, 45], gamma=0.1, by_epoch=True, begin=0),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=2)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
