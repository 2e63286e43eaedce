# PGD adversarial fine-tuning, CPU-sized: 4 epochs at lr 5e-4 (cosine), Linf eps 8/255 with PGD-3
# (step 3/255, random start; the papers use PGD-10, see pgd-at_paper.py), validated every epoch
# with PGD-10; the best checkpoint by adversarial accuracy with the guard clean >= adversarial.
# A second base next to a clean config: its keys are prefixed ``adversarial_``
# (MMEngine rejects a key defined by two bases), and a leaf assigns them, e.g.
# ``train_cfg = {{_base_.adversarial_training.train_cfg}}``.
adversarial_epochs = 4
adversarial_val_attack = dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=2 / 255, seed=0)
adversarial_training = dict(
    optim_wrapper=dict(optimizer=dict(lr=5e-4)),
    param_scheduler=[
        dict(type='CosineAnnealingLR', eta_min=0.0, by_epoch=True, begin=0)
    ],
    train_cfg=dict(max_epochs=adversarial_epochs, val_interval=1),
    custom_hooks=[
        dict(
            type='PGDAdversarialTrainingHook',
            attack=dict(type='PGDAttack', eps=8 / 255, steps=3, step_size=3 / 255,
                        select='last'),
            val_attack=adversarial_val_attack),
    ],
    default_hooks=dict(checkpoint=dict(save_best='accuracy/adv_top1_guarded')))
