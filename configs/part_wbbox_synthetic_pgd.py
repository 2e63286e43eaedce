# PGD adversarial fine-tuning of part_wbbox_synthetic.py, CPU-sized: from its best clean checkpoint,
# 4 epochs at Linf eps 8/255 with PGD-3 (step 3/255, random start; the papers use PGD-10, see
# part_wbbox_partimagenet_pgd.py), validated with PGD-10.
_base_ = './part_wbbox_synthetic.py'
load_from = 'work_dirs/part_wbbox_synthetic/best.pth'
max_epochs = 4
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0.0, by_epoch=True, begin=0,
         end=max_epochs)
]
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
custom_hooks = [
    dict(
        type='PGDAdversarialTrainingHook',
        attack=dict(type='PGDAttack', eps=8 / 255, steps=3, step_size=3 / 255, select='last'),
        val_attack=dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=2 / 255, seed=0)),
]
default_hooks = dict(checkpoint=dict(save_best='accuracy/adv_top1_guarded'))
