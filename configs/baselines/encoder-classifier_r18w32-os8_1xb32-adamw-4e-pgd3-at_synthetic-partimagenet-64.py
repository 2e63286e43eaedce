# The matched baseline on the synthetic PartImageNet: PGD-3 adversarial fine-tuning of the
# clean run's best checkpoint, as the part model's.
_base_ = [
    '../_base_/models/encoder-classifier_r18w32-os8.py',
    '../_base_/datasets/synthetic-partimagenet-64.py',
    '../_base_/schedules/adamw-cosine-4e_cpu-finetune.py',
    '../_base_/recipes/pgd-at_cpu-finetune.py',
]
load_from = ('work_dirs/encoder-classifier_r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64/'
             'best.pth')
