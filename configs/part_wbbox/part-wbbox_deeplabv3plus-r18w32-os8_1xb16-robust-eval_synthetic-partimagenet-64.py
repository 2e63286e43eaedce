# Robust evaluation of the synthetic Bounding-Box part model, as a config:
#   python tools/test.py configs/part_wbbox/<this file> CHECKPOINT
# (tools/robust_test.py builds the same loop from its command line and also writes a report.)
# Shifted sets: python tools/dataset_converters/make_shift_sets.py
_base_ = [
    './part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    '../_base_/datasets/synthetic-partimagenet-shift.py',
]

eps = 8 / 255
test_cfg = dict(
    type='RobustTestLoop',
    attacks=dict(
        pgd=dict(type='PGDAttack', eps=eps, steps=100, step_size=0.001, restarts=5, seed=0),
        aa=dict(type='AutoAttack', eps=eps, seed=0),
        seg_guide=dict(type='SegGuidedAttack', eps=eps, steps=100, step_size=0.001, restarts=5,
                       guide='most_confusing', two_stage=True, seed=0)),
    corruptions='all',
    shift_datasets={{_base_.shift_datasets}})
test_evaluator = dict(
    _delete_=True,
    type='RobustEvaluator',
    metrics=[dict(type='ClassAccuracy'), dict(type='PartIoUMetric')])
# Attacks are cheaper per image at a small batch on CPU (cache-bound).
test_dataloader = dict(batch_size=16)
