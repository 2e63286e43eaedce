# The paper's recipe: SGD lr 0.1, momentum 0.9, weight decay 5e-4 (none on norm layers and
# biases), cosine decay per epoch over 50 epochs, validation every 2 epochs. The scheduler's
# end and T_max are left to mmengine, which takes them from train_cfg.max_epochs, so a run made
# longer or shorter (--cfg-options train_cfg.max_epochs=N) still decays over its whole length.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=50, val_interval=2)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
