# PGD adversarial fine-tuning with the papers' training attack (PGD-10, Linf eps 8/255, step
# 1.25 eps / 10 = 1/255, random start) on a CPU budget: validated with PGD-10 (step 2/255)
# instead of the papers' PGD-50, as pgd-at_cpu-finetune.py (which trains with PGD-3). Pair it
# with schedules/adamw-cosine-4e_cpu-finetune.py and ``load_from`` the clean run's best
# checkpoint.
_base_ = ['./pgd-at_paper.py']
adversarial_val_attack = dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=2 / 255, seed=0)
custom_hooks = [
    dict(
        type='PGDAdversarialTrainingHook',
        attack=dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=1 / 255, select='last'),
        val_attack=adversarial_val_attack),
]
