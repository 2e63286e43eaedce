# PGD adversarial training (Madry et al.), the papers' second stage: Linf eps 8/255, PGD-10 with
# step eps/8 and random start; validation with PGD-50 (step 0.002); the best checkpoint by
# adversarial accuracy with the guard clean >= adversarial (it rejects gradient-masked epochs).
# The schedule is a separate base (the papers run the clean schedule again); the leaf starts
# from the clean run's best weights with ``load_from``.
_base_ = ['./clean.py']
adversarial_val_attack = dict(type='PGDAttack', eps=8 / 255, steps=50, step_size=0.002)
custom_hooks = [
    dict(
        type='PGDAdversarialTrainingHook',
        attack=dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=1 / 255, select='last'),
        val_attack=adversarial_val_attack),
]
default_hooks = dict(checkpoint=dict(save_best='accuracy/adv_top1_guarded'))
