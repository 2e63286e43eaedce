# The original's DINO part-model recipe (config DINO_4scale_increased_backbone_lr): AdamW lr
# 1e-4, weight decay 1e-4 (none on norm layers and biases), the backbone's own group at lr 1e-2,
# gradient-norm clipping at 0.1 (DINO's), the original's per-epoch cosine schedule over 50
# epochs; validation every 2 epochs.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-4, weight_decay=1e-4),
    clip_grad=dict(max_norm=0.1, norm_type=2),
    paramwise_cfg=dict(
        norm_decay_mult=0.0,
        bias_decay_mult=0.0,
        custom_keys={'detector.backbone': dict(lr_mult=100.0)}))
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0)]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=2)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
