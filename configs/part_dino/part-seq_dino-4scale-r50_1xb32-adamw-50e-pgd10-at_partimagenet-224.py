# PGD-10 adversarial training of the DINO ``seq`` part model, the papers' second stage: from the
# clean run's best checkpoint, DINO's set losses and the class loss on the adversarial images.
_base_ = [
    '../_base_/models/dino-part-classifier_r50.py',
    '../_base_/datasets/partimagenet-224.py',
    '../_base_/schedules/adamw-cosine-50e_dino.py',
    '../_base_/recipes/pgd-at_paper.py',
]
model = dict(part_head=dict(type='QuerySequencePartHead', num_queries=_base_.num_queries))
load_from = 'work_dirs/part-seq_dino-4scale-r50_1xb32-adamw-50e_partimagenet-224/best.pth'
