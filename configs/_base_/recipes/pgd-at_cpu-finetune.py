# PGD adversarial fine-tuning, CPU-sized: Linf eps 8/255 with PGD-3 (step 3/255, random start;
# the papers use PGD-10, see pgd-at_paper.py), validated with PGD-10 (step 2/255); the
# best-checkpoint rule of the papers. Pair it with schedules/adamw-cosine-4e_cpu-finetune.py
# and ``load_from`` the clean run's best checkpoint.
_base_ = ['./pgd-at_paper.py']
adversarial_val_attack = dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=2 / 255, seed=0)
custom_hooks = [
    dict(
        type='PGDAdversarialTrainingHook',
        attack=dict(type='PGDAttack', eps=8 / 255, steps=3, step_size=3 / 255, select='last'),
        val_attack=adversarial_val_attack),
]
