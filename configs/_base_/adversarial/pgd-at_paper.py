# PGD adversarial training (Madry et al.), the papers' recipe: Linf eps 8/255, PGD-10 with step
# eps/8 and random start; validation with PGD-50 (step 0.002); the best checkpoint by adversarial
# accuracy with the guard clean >= adversarial. The schedule stays the clean config's.
# A second base next to a clean config: its keys are prefixed ``adversarial_``
# (MMEngine rejects a key defined by two bases), and a leaf assigns them, e.g.
# ``custom_hooks = {{_base_.adversarial_training.custom_hooks}}``.
adversarial_val_attack = dict(type='PGDAttack', eps=8 / 255, steps=50, step_size=0.002)
adversarial_training = dict(
    custom_hooks=[
        dict(
            type='PGDAdversarialTrainingHook',
            attack=dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=1 / 255,
                        select='last'),
            val_attack=adversarial_val_attack),
    ],
    default_hooks=dict(checkpoint=dict(save_best='accuracy/adv_top1_guarded')))
