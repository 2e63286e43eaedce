# TRADES adversarial fine-tuning of part_pooling_synthetic.py, CPU-sized: from its best clean
# checkpoint, 4 epochs, beta 1, KL inner maximisation at Linf eps 8/255 with 3 steps of 3/255,
# validated with PGD-10.
_base_ = './part_pooling_synthetic.py'
load_from = 'work_dirs/part_pooling_synthetic/best.pth'
max_epochs = 4
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0.0, by_epoch=True, begin=0,
         end=max_epochs)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
custom_hooks = [
    dict(
        type='TRADESAdversarialTrainingHook',
        beta=1.0,
        attack=dict(type='TRADESAttack', eps=8 / 255, steps=3, step_size=3 / 255),
        val_attack=dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=2 / 255, seed=0)),
]
default_hooks = dict(checkpoint=dict(save_best='accuracy/adv_top1_guarded'))
