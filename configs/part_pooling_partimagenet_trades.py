# TRADES adversarial training of part_pooling_partimagenet.py: the recipe of
# part_pooling_partimagenet_pgd.py (from the best clean checkpoint, 50 epochs, PGD-50 validation,
# best by guarded adversarial accuracy) with TRADES instead of PGD-AT: beta 1, KL inner maximisation
# at Linf eps 8/255 with 10 steps of eps/8.
_base_ = './part_pooling_partimagenet_pgd.py'
custom_hooks = [
    dict(
        type='TRADESAdversarialTrainingHook',
        beta=1.0,
        attack=dict(type='TRADESAttack', eps=8 / 255, steps=10, step_size=1 / 255),
        val_attack={{_base_.adversarial_val_attack}}),
]
