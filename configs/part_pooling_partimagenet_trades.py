# TRADES adversarial training (Zhang et al.) of part_pooling_partimagenet.py, the papers' recipe:
# start from the best clean checkpoint, 50 epochs, beta 1, KL inner maximisation at Linf eps 8/255
# with 10 steps of eps/8; validation with PGD-50; the best checkpoint by adversarial accuracy with
# the guard clean >= adversarial.
_base_ = './part_pooling_partimagenet.py'
load_from = 'work_dirs/part_pooling_partimagenet/best.pth'
custom_hooks = [
    dict(
        type='TRADESAdversarialTrainingHook',
        beta=1.0,
        attack=dict(type='TRADESAttack', eps=8 / 255, steps=10, step_size=1 / 255),
        val_attack=dict(type='PGDAttack', eps=8 / 255, steps=50, step_size=0.002)),
]
default_hooks = dict(checkpoint=dict(save_best='accuracy/adv_top1_guarded'))
