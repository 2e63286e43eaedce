# TRADES adversarial training, the papers' second stage: the validation and best-checkpoint rule
# of pgd-at_paper.py, with TRADES instead of PGD-AT: beta 1, KL inner maximisation at Linf
# eps 8/255 with 10 steps of eps/8.
_base_ = ['./pgd-at_paper.py']
custom_hooks = [
    dict(
        type='TRADESAdversarialTrainingHook',
        beta=1.0,
        attack=dict(type='TRADESAttack', eps=8 / 255, steps=10, step_size=1 / 255),
        val_attack={{_base_.adversarial_val_attack}}),
]
