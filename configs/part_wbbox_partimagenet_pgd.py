# PGD adversarial training (Madry et al.) of part_wbbox_partimagenet.py, the papers' recipe: start
# from the best clean checkpoint, 50 epochs, Linf eps 8/255, PGD-10 with step eps/8 and random
# start; validation with PGD-50 (step 0.002); the best checkpoint by adversarial accuracy with the
# guard clean >= adversarial.
_base_ = './part_wbbox_partimagenet.py'
load_from = 'work_dirs/part_wbbox_partimagenet/best.pth'
custom_hooks = [
    dict(
        type='PGDAdversarialTrainingHook',
        attack=dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=1 / 255, select='last'),
        val_attack=dict(type='PGDAttack', eps=8 / 255, steps=50, step_size=0.002)),
]
default_hooks = dict(checkpoint=dict(save_best='accuracy/adv_top1_guarded'))
