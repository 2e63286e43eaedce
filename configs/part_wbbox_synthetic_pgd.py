# PGD adversarial fine-tuning of part_wbbox_synthetic.py, CPU-sized: from its best clean checkpoint,
# 4 epochs at Linf eps 8/255 with PGD-3 (step 3/255, random start; the papers use PGD-10, see
# part_wbbox_partimagenet_pgd.py), validated with PGD-10.
_base_ = ['./part_wbbox_synthetic.py', './_base_/adversarial/pgd-at-finetune_cpu.py']
load_from = 'work_dirs/part_wbbox_synthetic/best.pth'
max_epochs = {{_base_.adversarial_epochs}}
optim_wrapper = {{_base_.adversarial_training.optim_wrapper}}
param_scheduler = {{_base_.adversarial_training.param_scheduler}}
train_cfg = {{_base_.adversarial_training.train_cfg}}
custom_hooks = {{_base_.adversarial_training.custom_hooks}}
default_hooks = {{_base_.adversarial_training.default_hooks}}
