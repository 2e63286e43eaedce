"""AutoAttack through pyautoattack: strength vs PGD-20, threat model, class-count adaptations,
the cascade step by step."""
import logging
import re

import pytest
import torch
from helpers import TinyConvClassifier, self_labelled_batch

from partmm.registry import ATTACKS

EPS = 4 / 255


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    return TinyConvClassifier().eval()


def accuracy(model, images, labels) -> float:
    with torch.no_grad():
        return (model.extract_logits(images)[0].argmax(dim=1) == labels).float().mean().item()


def test_autoattack_is_at_least_as_strong_as_pgd20(model):
    images, samples, labels = self_labelled_batch(model, size=24)
    pgd = ATTACKS.build(dict(type='PGDAttack', eps=EPS, steps=20, step_size=2.5 * EPS / 20,
                             seed=0))
    autoattack = ATTACKS.build(dict(type='AutoAttack', eps=EPS, seed=0))
    pgd_accuracy = accuracy(model, pgd(model, images, samples), labels)
    adversarial = autoattack(model, images, samples)
    aa_accuracy = accuracy(model, adversarial, labels)
    assert aa_accuracy <= pgd_accuracy < 1.0
    assert (adversarial - images).abs().max() <= EPS + 1e-6
    assert adversarial.min() >= 0 and adversarial.max() <= 1


@pytest.mark.parametrize('norm, eps', [('Linf', 8 / 255), ('L2', 0.3)])
def test_fast_subset_stays_in_the_threat_model_and_leaves_torch_rng_alone(model, norm, eps):
    images, samples, _ = self_labelled_batch(model, size=8)
    attack = ATTACKS.build(dict(type='AutoAttack', eps=eps, norm=norm, version='custom',
                                attacks=['apgd-ce', 'apgd-t'], apgd_iters=10))
    torch.manual_seed(123)
    expected_next = torch.rand(3)
    torch.manual_seed(123)
    adversarial = attack(model, images, samples)
    assert torch.equal(torch.rand(3), expected_next)
    delta = (adversarial - images).flatten(1)
    bound = delta.abs().max(dim=1).values if norm == 'Linf' else delta.norm(dim=1)
    assert (bound <= eps + 1e-5).all() and (bound > 0).any()
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    assert torch.equal(attack(model, images, samples), adversarial)  # seeded


def test_the_cascade_is_the_reference_run_step_by_step(model, caplog):
    images, samples, labels = self_labelled_batch(model, size=24)
    # Two samples misclassified clean: they survive no step.
    for index in (0, 1):
        labels[index] = (labels[index] + 1) % model.num_classes
        samples[index].gt_label = labels[index].view(1)
    attack = ATTACKS.build(dict(type='AutoAttack', eps=EPS, seed=0, apgd_iters=20, fab_iters=20,
                                square_queries=200))
    adversarial = attack(model, images, samples)
    cascade = attack.cascade
    assert cascade['attacks'] == ['apgd-ce', 'apgd-t', 'fab-t', 'square']
    assert len(cascade['seconds']) == 4 and min(cascade['seconds']) >= 0
    survived = cascade['survived']
    assert survived[:2].tolist() == [0, 0] and 0 < survived.float().mean() < 4
    with torch.no_grad():
        still_right = model.extract_logits(adversarial)[0].argmax(dim=1) == labels
    assert torch.equal(survived == 4, still_right)

    # The reference's single run of all four: the same images, and the robust accuracy it logs
    # after each attack is the cascade's.
    runner = attack.build(model, model.num_classes, images.device)
    caplog.set_level(logging.DEBUG, logger='auto-attack')
    reference, _ = runner.run_standard_evaluation(images, labels, batch_size=len(images))
    assert torch.equal(adversarial, attack.project(reference, images))
    logged = [(step.lower(), float(value)) for step, value in
              re.findall(r'robust accuracy after (\S+): ([\d.]+)%', caplog.text)]
    expected = [(step, round(100 * (survived >= number).float().mean().item(), 2))
                for number, step in enumerate(cascade['attacks'], start=1)]
    # The reference stops logging once no sample is left.
    assert logged == expected[:len(logged)] and logged
    assert all(top1 == 0 for _, top1 in expected[len(logged):])


def test_zero_eps_returns_the_clean_images(model):
    images, samples, _ = self_labelled_batch(model, size=4)
    attack = ATTACKS.build(dict(type='AutoAttack', eps=0.0))
    assert torch.equal(attack(model, images, samples), images)
    assert attack.cascade is None


@pytest.mark.parametrize('num_classes, targets', [(11, 9), (5, 4), (4, 3)])
def test_targeted_attacks_use_at_most_c_minus_1_targets(model, num_classes, targets):
    attack = ATTACKS.build(dict(type='AutoAttack', eps=EPS))
    runner = attack.build(model, num_classes, torch.device('cpu'))
    assert runner.apgd_targeted.n_target_classes == targets
    assert runner.fab.n_target_classes == targets
    assert runner.attacks_to_run == ['apgd-ce', 'apgd-t', 'fab-t', 'square']
    assert runner.square.n_queries == 5000 and runner.apgd.n_restarts == 1


def test_fewer_than_four_classes_fall_back_to_untargeted_attacks():
    torch.manual_seed(0)
    model = TinyConvClassifier(num_classes=3).eval()
    attack = ATTACKS.build(dict(type='AutoAttack', eps=16 / 255, square_queries=50))
    assert attack.sub_attacks(3) == ['apgd-ce', 'fab', 'square']
    images, samples, labels = self_labelled_batch(model, size=8)
    adversarial = attack(model, images, samples)
    assert (adversarial - images).abs().max() <= 16 / 255 + 1e-6
    assert accuracy(model, adversarial, labels) < 1.0
    custom = ATTACKS.build(dict(type='AutoAttack', eps=EPS, version='custom',
                                attacks=['apgd-ce', 'apgd-t']))
    with pytest.raises(ValueError, match='too few'):
        custom.sub_attacks(3)


def test_versions_and_their_settings():
    square_plus = ATTACKS.build(dict(type='AutoAttack', eps=EPS, version='standard-square+'))
    assert square_plus.build(TinyConvClassifier(), 11, 'cpu').square.n_queries == 10000
    with pytest.raises(ValueError, match='version="custom"'):
        ATTACKS.build(dict(type='AutoAttack', eps=EPS, attacks=['apgd-ce']))
    with pytest.raises(ValueError, match='subset'):
        ATTACKS.build(dict(type='AutoAttack', eps=EPS, version='custom', attacks=['pgd']))
    with pytest.raises(ValueError, match='version must be'):
        ATTACKS.build(dict(type='AutoAttack', eps=EPS, version='fast'))
