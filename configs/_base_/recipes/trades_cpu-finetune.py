# TRADES adversarial fine-tuning, CPU-sized: the validation and best-checkpoint rule of
# pgd-at_cpu-finetune.py, with TRADES instead of PGD-AT: beta 1, KL inner maximisation at Linf
# eps 8/255 with 3 steps of 3/255.
_base_ = ['./pgd-at_cpu-finetune.py']
custom_hooks = [
    dict(
        type='TRADESAdversarialTrainingHook',
        beta=1.0,
        attack=dict(type='TRADESAttack', eps=8 / 255, steps=3, step_size=3 / 255),
        val_attack={{_base_.adversarial_val_attack}}),
]
