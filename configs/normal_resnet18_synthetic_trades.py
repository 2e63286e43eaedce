# TRADES adversarial fine-tuning of normal_resnet18_synthetic.py, CPU-sized: the fine-tuning
# schedule of normal_resnet18_synthetic_pgd.py (from the best clean checkpoint, 4 epochs, validated
# with PGD-10), with TRADES instead of PGD-AT: beta 1, KL inner maximisation at Linf eps 8/255 with
# 3 steps of 3/255.
_base_ = './normal_resnet18_synthetic_pgd.py'
custom_hooks = [
    dict(
        type='TRADESAdversarialTrainingHook',
        beta=1.0,
        attack=dict(type='TRADESAttack', eps=8 / 255, steps=3, step_size=3 / 255),
        val_attack={{_base_.adversarial_val_attack}}),
]
