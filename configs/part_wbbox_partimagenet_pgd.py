# PGD adversarial training (Madry et al.) of part_wbbox_partimagenet.py, the papers' recipe: start
# from the best clean checkpoint, 50 epochs, Linf eps 8/255, PGD-10 with step eps/8 and random
# start; validation with PGD-50 (step 0.002); the best checkpoint by adversarial accuracy with the
# guard clean >= adversarial.
_base_ = ['./part_wbbox_partimagenet.py', './_base_/adversarial/pgd-at_paper.py']
load_from = 'work_dirs/part_wbbox_partimagenet/best.pth'
custom_hooks = {{_base_.adversarial_training.custom_hooks}}
default_hooks = {{_base_.adversarial_training.default_hooks}}
