"""Attacks: threat-model bounds, eps = 0, monotonicity in steps, no trace on the model."""
import pytest
import torch
from helpers import make_samples, tiny_part_model

from partmm.attacks import attack_context
from partmm.attacks.utils import BestIterate
from partmm.registry import ATTACKS, MODELS

EPS = 8 / 255


@pytest.fixture(scope='module')
def models():
    torch.manual_seed(0)
    part_model = tiny_part_model(seg_loss_weight=0.5)
    # timm zero-initialises each block's last BN, which makes an untrained network's output
    # almost constant; without it, inputs matter and attacks have something to flip.
    baseline = MODELS.build(dict(type='TimmClassifier', model_name='resnet18', num_classes=11,
                                 model_kwargs=dict(zero_init_last=False)))
    return dict(part=part_model, baseline=baseline)


ATTACK_CASES = {
    'pgd_linf': dict(type='PGDAttack', eps=EPS, steps=3, step_size=3 / 255),
    'pgd_linf_restarts_last': dict(type='PGDAttack', eps=EPS, steps=2, step_size=4 / 255,
                                   restarts=2, select='last'),
    'pgd_l2': dict(type='PGDAttack', eps=0.5, steps=3, step_size=0.2, norm='L2'),
    'pgd_joint_loss': dict(type='PGDAttack', eps=EPS, steps=2, step_size=4 / 255,
                           loss='joint'),
    'pgd_train_bn': dict(type='PGDAttack', eps=EPS, steps=2, step_size=4 / 255,
                         bn_mode='train'),
    'trades_linf': dict(type='TRADESAttack', eps=EPS, steps=3, step_size=3 / 255),
    'trades_l2': dict(type='TRADESAttack', eps=0.5, steps=3, step_size=0.2, norm='L2'),
}


def batch(seed: int = 0, size: int = 4):
    generator = torch.Generator().manual_seed(seed)
    # Include pixels at 0 and 1 so that the [0, 1] box is exercised.
    images = torch.rand(size, 3, 32, 32, generator=generator)
    images[:, :, :4] = 0.0
    images[:, :, -4:] = 1.0
    return images, make_samples(size, 32, 32)


# Every attack on both models, except the joint loss on the baseline (no part logits; its
# error has a test of its own).
MODEL_ATTACK_PAIRS = [(model, case) for model in ('part', 'baseline') for case in ATTACK_CASES
                      if not (model == 'baseline' and ATTACK_CASES[case].get('loss') == 'joint')]


@pytest.mark.parametrize('model_name,case', MODEL_ATTACK_PAIRS)
def test_attack_stays_in_eps_ball_and_unit_box(models, model_name, case):
    attack = ATTACKS.build(ATTACK_CASES[case])
    images, samples = batch()
    adversarial = attack(models[model_name], images, samples)
    assert adversarial.shape == images.shape and not adversarial.requires_grad
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    delta = (adversarial - images).flatten(1)
    if attack.norm == 'Linf':
        assert delta.abs().max() <= attack.eps + 1e-6
    else:
        assert delta.norm(dim=1).max() <= attack.eps + 1e-5
    assert delta.abs().max() > 0  # it moved


def test_joint_loss_on_a_model_without_parts_is_an_error(models):
    attack = ATTACKS.build(ATTACK_CASES['pgd_joint_loss'])
    with pytest.raises(ValueError, match='needs a part model'):
        attack(models['baseline'], *batch())


@pytest.mark.parametrize('case', ['pgd_linf', 'pgd_l2', 'trades_linf'])
def test_zero_eps_gives_clean_images_and_accuracy(models, case):
    cfg = dict(ATTACK_CASES[case], eps=0.0)
    model = models['part'].eval()
    images, samples = batch()
    adversarial = ATTACKS.build(cfg)(model, images, samples)
    torch.testing.assert_close(adversarial, images, atol=0, rtol=0)
    with torch.no_grad():
        torch.testing.assert_close(model(adversarial, mode='tensor'), model(images, mode='tensor'))


@pytest.mark.parametrize('case', sorted(ATTACK_CASES))
def test_a_zero_eps_attack_returns_the_images_without_running(case):
    images, samples = batch()
    # Any use of the model (a forward, its modes, its batch context) would raise.
    adversarial = ATTACKS.build(dict(ATTACK_CASES[case], eps=0.0))(object(), images, samples)
    assert torch.equal(adversarial, images) and adversarial is not images


def test_more_pgd_steps_never_give_higher_accuracy(models):
    model = models['baseline'].eval()
    images, samples = batch(seed=1, size=16)
    with torch.no_grad():
        # Label each image with the model's own prediction: clean accuracy 100 %.
        labels = model(images, mode='tensor').argmax(dim=1)
    for sample, label in zip(samples, labels):
        sample.gt_label = label.view(1)
    accuracies = []
    for steps in (0, 1, 2, 5, 10):
        attack = ATTACKS.build(dict(type='PGDAttack', eps=EPS, steps=steps,
                                    step_size=1 / 255, seed=0))
        with torch.no_grad():
            predictions = model(attack(model, images, samples), mode='tensor').argmax(dim=1)
        accuracies.append((predictions == labels).float().mean().item())
    assert all(later <= earlier + 1e-6 for earlier, later in zip(accuracies, accuracies[1:]))
    assert accuracies[-1] < accuracies[0]


@pytest.mark.parametrize('bn_mode', ['eval', 'train', 'keep'])
@pytest.mark.parametrize('model_training', [True, False])
def test_attack_leaves_modes_and_bn_statistics_unchanged(models, bn_mode, model_training):
    model = models['part']
    model.train(model_training)
    model.part_head.eval()  # a mixed state must come back as it was, module by module
    modes = {name: module.training for name, module in model.named_modules()}
    buffers = {name: buffer.clone() for name, buffer in model.named_buffers()}
    for cfg in (dict(type='PGDAttack', eps=EPS, steps=2, step_size=4 / 255, bn_mode=bn_mode),
                dict(type='TRADESAttack', eps=EPS, steps=2, step_size=4 / 255,
                     bn_mode=bn_mode)):
        ATTACKS.build(cfg)(model, *batch())
    assert {name: module.training for name, module in model.named_modules()} == modes
    for name, buffer in model.named_buffers():
        torch.testing.assert_close(buffer, buffers[name], atol=0, rtol=0, msg=name)
    assert all(parameter.grad is None for parameter in model.parameters())


def test_attack_context_enables_gradients_inside_no_grad(models):
    model = models['baseline']
    with torch.no_grad(), attack_context(model, 'eval'):
        assert torch.is_grad_enabled()
    assert model.training is True or model.training is False


def test_inputs_outside_unit_box_are_rejected(models):
    attack = ATTACKS.build(ATTACK_CASES['pgd_linf'])
    images, samples = batch()
    with pytest.raises(ValueError, match=r'\[0, 1\]'):
        attack(models['baseline'], images * 255, samples)


def test_last_iterate_selection_gives_ties_to_the_later_restart():
    labels = torch.tensor([0, 0])
    logits = torch.tensor([[50.0, 0.0], [50.0, 0.0]])  # right, with a float32 loss of 0
    for prefer_fooled, kept in ((False, 2.0), (True, 1.0)):
        best = BestIterate(torch.zeros(2, 1), labels, prefer_fooled=prefer_fooled)
        for value in (1.0, 2.0):
            best.update(torch.full((2, 1), value), logits, torch.zeros(2))
        assert best.best.flatten().tolist() == [kept, kept]
