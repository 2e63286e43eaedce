"""Per-attack accuracy, the per-sample worst case, part mIoU under attack and sanity checks."""
import logging

import pytest
import torch

from partmm.evaluation import RobustEvaluator, check_robust_evaluation, noise_tolerance
from partmm.evaluation.evaluators import robust_evaluator
from partmm.evaluation.metrics import cascade_top1
from partmm.registry import METRICS


def sample(label: int, clean: int, adversarial: dict, num_classes: int = 3) -> dict:
    score = torch.zeros(num_classes)
    score[clean] = 1.0
    return dict(gt_label=torch.tensor([label]), pred_score=score,
                adv_pred_labels={name: torch.tensor([pred]) for name, pred in adversarial.items()})


def test_worst_case_counts_a_sample_only_if_every_attack_failed():
    metric = METRICS.build(dict(type='ClassAccuracy'))
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    metric.process({}, [
        sample(0, 0, dict(pgd=0, aa=0)),  # robust to both
        sample(1, 1, dict(pgd=2, aa=1)),  # only PGD fools it
        sample(2, 2, dict(pgd=2, aa=0)),  # only AutoAttack fools it
        sample(0, 1, dict(pgd=0, aa=0)),  # wrong when clean: never robust
    ])
    metrics = metric.evaluate(4)
    assert metrics['accuracy/top1'] == 75.0
    assert metrics['accuracy/pgd_top1'] == 75.0
    assert metrics['accuracy/aa_top1'] == 75.0
    # Each attack alone leaves 3 of 4; together, and with the clean mistake, only 1.
    assert metrics['accuracy/worst_case_top1'] == 25.0
    assert metrics['accuracy/adv_top1_guarded'] == 25.0


def test_guarded_key_rejects_attacks_that_beat_clean_accuracy():
    metric = METRICS.build(dict(type='ClassAccuracy'))
    metric.process({}, [sample(0, 1, dict(adv=0)), sample(1, 1, dict(adv=1))])
    metrics = metric.evaluate(2)
    assert metrics['accuracy/adv_top1'] == 100.0 > metrics['accuracy/top1'] == 50.0
    assert metrics['accuracy/adv_top1_guarded'] == 0.0


def test_samples_attacked_by_different_attacks_are_an_error():
    metric = METRICS.build(dict(type='ClassAccuracy'))
    metric.process({}, [sample(0, 0, dict(pgd=0)), sample(0, 0, dict(aa=0))])
    with pytest.raises(ValueError, match='same attacks'):
        metric.evaluate(2)


STEPS = ('apgd-ce', 'apgd-t', 'fab-t', 'square')


def test_autoattack_robust_accuracy_after_each_of_its_attacks():
    metric = METRICS.build(dict(type='ClassAccuracy'))
    # Samples survived 0 (wrong clean), 1 (fooled by APGD-T), 2, 4 and 4 of the 4 steps.
    samples = [sample(0, 1, dict(aa=1)), sample(1, 1, dict(aa=0)), sample(2, 2, dict(aa=0)),
               sample(0, 0, dict(aa=0)), sample(1, 1, dict(aa=1))]
    for one, survived in zip(samples, (0, 1, 2, 4, 4)):
        one['adv_cascades'] = dict(aa=(STEPS, survived))
    metric.process({}, samples)
    metrics = metric.evaluate(5)
    assert [(key, value) for key, value in metrics.items() if key.startswith('accuracy/aa/')] \
        == [('accuracy/aa/apgd-ce_top1', 80.0), ('accuracy/aa/apgd-t_top1', 60.0),
            ('accuracy/aa/fab-t_top1', 40.0), ('accuracy/aa/square_top1', 40.0)]
    assert metrics['accuracy/aa_top1'] == 40.0
    assert cascade_top1(metrics, 'aa') == [('apgd-ce', 80.0), ('apgd-t', 60.0),
                                           ('fab-t', 40.0), ('square', 40.0)]
    assert cascade_top1(metrics, 'pgd') == []


def test_samples_with_different_cascades_are_an_error():
    metric = METRICS.build(dict(type='ClassAccuracy'))
    first, second = sample(0, 0, dict(aa=0)), sample(0, 0, dict(aa=0))
    first['adv_cascades'] = dict(aa=(STEPS, 4))
    metric.process({}, [first, second])
    with pytest.raises(ValueError, match='same cascade of sub-attacks'):
        metric.evaluate(2)


def test_part_iou_metric_scores_each_attack_separately():
    metric = METRICS.build(dict(type='PartIoUMetric'))
    metric.dataset_meta = dict(classes=('a', ), part_names=('background', 'head', 'body'))
    ground_truth = torch.tensor([[[0, 1], [2, 2]]])
    metric.process({}, [dict(
        pred_sem_seg=dict(data=ground_truth.clone()), gt_sem_seg=dict(data=ground_truth),
        adv_pred_part_maps=dict(pgd=torch.zeros_like(ground_truth)))])
    metrics = metric.evaluate(1)
    assert metrics['part/mIoU'] == 100.0 and metrics['part/aAcc'] == 100.0
    assert metrics['part/pgd_aAcc'] == 25.0
    assert metrics['part/pgd_mIoU'] == pytest.approx(100 * 0.25 / 3, abs=0.01)


def attack(name, top1, eps=8 / 255, kind='PGDAttack', black_box=False):
    return dict(name=name, type=kind, eps=eps, norm='Linf', black_box=black_box, top1=top1)


def failed(records):
    return {(record['check'], record['subject']) for record in records if not record['ok']}


def test_sanity_checks_pass_on_a_consistent_evaluation():
    records = check_robust_evaluation(80.0, [
        attack('pgd@eps0', 80.0, eps=0.0), attack('pgd@eps8', 40.0),
        attack('aa@eps8', 38.0, kind='AutoAttack'),
        attack('square@eps8', 45.0, kind='SquareAttack', black_box=True)
    ], num_samples=1000)
    assert records and not failed(records)


def test_sanity_checks_flag_each_violation():
    records = check_robust_evaluation(80.0, [
        attack('pgd@eps0', 79.0, eps=0.0), attack('pgd@eps8', 40.0),
        attack('aa@eps8', 50.0, kind='AutoAttack'),
        attack('square@eps8', 20.0, kind='SquareAttack', black_box=True),
        attack('odd@eps8', 85.0)
    ], num_samples=1000)
    assert failed(records) == {
        ('eps0_equals_clean', 'pgd@eps0'),
        ('robust_not_above_clean', 'odd@eps8'),
        ('autoattack_not_above_pgd', 'aa@eps8 vs pgd@eps8'),
        ('pgd_not_far_above_autoattack', 'odd@eps8 vs aa@eps8'),
        ('black_box_not_stronger', 'square@eps8 vs pgd@eps8'),
        ('black_box_not_stronger', 'square@eps8 vs odd@eps8'),
        ('black_box_not_stronger', 'square@eps8 vs aa@eps8'),
    }


def test_pgd_far_above_autoattack_is_flagged_a_few_points_are_not():
    def pgd_gap_failed(pgd_top1, aa_top1, num_samples):
        return failed(check_robust_evaluation(100.0, [
            attack('pgd@eps8', pgd_top1), attack('aa@eps8', aa_top1, kind='AutoAttack')
        ], num_samples)) == {('pgd_not_far_above_autoattack', 'pgd@eps8 vs aa@eps8')}

    # The demo's PGD-trained part model (seed 2): PGD-100 x 5 against AutoAttack, 110 images.
    assert pgd_gap_failed(53.64, 24.55, 110)
    # The usual few points between them, on a large or a small set, are no warning.
    assert not pgd_gap_failed(45.0, 38.0, 10000)
    assert not pgd_gap_failed(30.0, 24.55, 110)


def test_autoattack_steps_are_checked_against_its_predictions_and_square():
    def cascade_failed(top1, cascade, num_samples=100):
        return failed(check_robust_evaluation(100.0, [
            dict(attack('aa@eps8', top1, kind='AutoAttack'), cascade=list(zip(STEPS, cascade)))
        ], num_samples))

    assert not cascade_failed(30.0, (50.0, 40.0, 30.0, 30.0))
    # One image of 100 apart is numerical noise at the decision boundary; more is not.
    assert not cascade_failed(31.0, (50.0, 40.0, 30.0, 30.0))
    assert cascade_failed(35.0, (50.0, 40.0, 30.0, 30.0)) == {
        ('cascade_matches_predictions', 'aa@eps8')}
    # Square finding what the gradient steps missed (AutoAttack's own check_square_sr).
    assert cascade_failed(25.0, (50.0, 40.0, 30.0, 25.0)) == {
        ('gradient_free_step_finds_little', 'aa@eps8: square')}
    # The PGD-vs-AutoAttack warning shows the steps.
    records = check_robust_evaluation(100.0, [
        attack('pgd@eps8', 53.64), dict(attack('aa@eps8', 24.55, kind='AutoAttack'),
                                        cascade=list(zip(STEPS, (39.09, 27.27, 24.55, 24.55))))
    ], 110)
    message, = [record['message'] for record in records if not record['ok']]
    assert message.endswith('(robust after each of its steps: apgd-ce 39.09 %, apgd-t 27.27 %, '
                            'fab-t 24.55 %, square 24.55 %)')


def test_noise_tolerance_forgives_one_sample_and_sampling_error():
    assert noise_tolerance(50.0, 10) == 2 * 100 * (0.25 / 10)**0.5
    assert noise_tolerance(100.0, 10) == 10.0  # one sample of ten
    # AutoAttack one image above PGD on 10 images is noise, not a warning.
    assert not failed(check_robust_evaluation(80.0, [
        attack('pgd', 40.0), attack('aa', 50.0, kind='AutoAttack')], num_samples=10))


def test_robust_evaluator_logs_failed_checks_and_counts_them(caplog, monkeypatch):
    evaluator = RobustEvaluator([dict(type='ClassAccuracy')])
    evaluator.set_attacks([dict(name='pgd', type='PGDAttack', eps=0.0, norm='Linf',
                                black_box=False)])
    evaluator.process([sample(0, 0, dict(pgd=1)), sample(1, 1, dict(pgd=1))])
    logger = logging.getLogger('partmm-test')
    monkeypatch.setattr(robust_evaluator.MMLogger, 'get_current_instance', lambda: logger)
    with caplog.at_level(logging.WARNING, logger='partmm-test'):
        metrics = evaluator.evaluate(2)
    assert metrics['sanity/failed_checks'] == 1
    assert [r['check'] for r in evaluator.sanity_records if not r['ok']] == ['eps0_equals_clean']
    assert 'eps0_equals_clean' in caplog.text


def test_robust_evaluator_needs_class_accuracy():
    evaluator = RobustEvaluator([dict(type='PartIoUMetric')])
    evaluator.dataset_meta = dict(classes=('a', ), part_names=('background', 'head'))
    evaluator.set_attacks([dict(name='pgd', type='PGDAttack', eps=0.1, norm='Linf',
                                black_box=False)])
    part_map = torch.zeros(1, 2, 2, dtype=torch.long)
    evaluator.process([dict(pred_sem_seg=dict(data=part_map), gt_sem_seg=dict(data=part_map))])
    with pytest.raises(KeyError, match='ClassAccuracy'):
        evaluator.evaluate(1)
