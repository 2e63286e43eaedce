"""Adaptive and black-box attacks: seg-guided, seg-inverse, masked PGD, Square, HopSkipJump."""
import pytest
import torch
import torch.nn as nn
from helpers import make_samples, tiny_part_model

from partmm.attacks import LogitsOnly, SegGuidedAttack, attack_context
from partmm.attacks.seg_guided import guide_seg_loss
from partmm.models.classifiers.base_pixel_classifier import BasePixelClassifier
from partmm.registry import ATTACKS, MODELS

EPS = 8 / 255
STEP = 2 / 255
# Few queries and steps: these tests check the plumbing, not the attacks' strength.
HSJ = dict(type='HopSkipJumpAttack', eps=EPS, steps=1, initial_gradient_eval_steps=4,
           max_gradient_eval_steps=8, init_directions=10, init_steps=10)
SQUARE = dict(type='SquareAttack', eps=EPS, n_queries=20)

CASES = {
    'seg_guided': dict(type='SegGuidedAttack', eps=EPS, steps=3, step_size=STEP, seed=0),
    'seg_guided_l2': dict(type='SegGuidedAttack', eps=0.5, steps=3, step_size=0.2, norm='L2',
                          seed=0),
    'seg_guided_confusing_two_stage': dict(type='SegGuidedAttack', eps=EPS, steps=2,
                                           step_size=STEP, guide='most_confusing',
                                           two_stage=True, restarts=2, seed=0),
    'seg_inverse': dict(type='SegInverseAttack', eps=EPS, steps=3, step_size=STEP,
                        logit_steps=5, seed=0),
    'seg_inverse_l2': dict(type='SegInverseAttack', eps=0.5, steps=3, step_size=0.2,
                           norm='L2', logit_steps=5, seed=0),
    'masked_pgd': dict(type='MaskedPGDAttack', eps=EPS, steps=3, step_size=STEP, seed=0),
    'masked_pgd_l2': dict(type='MaskedPGDAttack', eps=0.5, steps=3, step_size=0.2, norm='L2',
                          seed=0),
    'square': SQUARE,
    'square_l2': dict(SQUARE, eps=0.5, norm='L2'),
    'hop_skip_jump': HSJ,
    'hop_skip_jump_l2': dict(HSJ, eps=0.5, norm='L2'),
}
PART_ONLY = ('SegGuidedAttack', 'SegInverseAttack')


def model_for(case: str) -> str:
    """Part attacks run on the part model; the others on the baseline (faster, and its
    prediction varies with the input, so the black-box attacks find adversarials)."""
    return 'part' if CASES[case]['type'] in PART_ONLY else 'baseline'


@pytest.fixture(scope='module')
def models():
    torch.manual_seed(0)
    part_model = tiny_part_model(seg_loss_weight=0.5).eval()
    # An untrained segmenter's part logits hardly depend on the input; larger output weights
    # make the part map, and through it the class, respond to the image.
    with torch.no_grad():
        part_model.segmentor.decode_head.conv_seg.weight.mul_(30)
    # As in test_attacks: without timm's zero-initialised last BN the output depends on x.
    baseline = MODELS.build(dict(type='TimmClassifier', model_name='resnet18', num_classes=11,
                                 model_kwargs=dict(zero_init_last=False))).eval()
    return dict(part=part_model, baseline=baseline)


def batch(model=None, seed: int = 0, size: int = 4):
    """Images [size, 3, 32, 32] with 0/1 stripes, samples with an identity (sample_idx) and,
    with ``model``, labelled with its own predictions (clean accuracy 100 %)."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand(size, 3, 32, 32, generator=generator)
    images[:, :, :4] = 0.0
    images[:, :, -4:] = 1.0
    samples = make_samples(size, 32, 32)
    for index, sample in enumerate(samples):
        sample.set_metainfo(dict(sample_idx=index))
    if model is not None:
        with torch.no_grad():
            predictions = model.extract_logits(images)[0].argmax(dim=1)
        for sample, label in zip(samples, predictions):
            sample.gt_label = label.view(1)
    return images, samples


def accuracy(model, images, samples) -> float:
    with torch.no_grad():
        predictions = model.extract_logits(images)[0].argmax(dim=1)
    return (predictions == model.stack_labels(samples)).float().mean().item()


@pytest.mark.parametrize('case', list(CASES))
def test_attack_stays_in_eps_ball_and_unit_box(models, case):
    model = models[model_for(case)]
    attack = ATTACKS.build(CASES[case])
    images, samples = batch(model)
    adversarial = attack(model, images, samples)
    assert adversarial.shape == images.shape and not adversarial.requires_grad
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    delta = (adversarial - images).flatten(1)
    if attack.norm == 'Linf':
        assert delta.abs().max() <= attack.eps + 1e-6
    else:
        assert delta.norm(dim=1).max() <= attack.eps + 1e-5
    # Square may find nothing in 20 queries and then returns the clean images.
    if CASES[case]['type'] != 'SquareAttack':
        assert delta.abs().max() > 0


@pytest.mark.parametrize('case', ['seg_guided', 'seg_inverse', 'masked_pgd_l2', 'square',
                                  'hop_skip_jump'])
def test_zero_eps_gives_clean_images_and_accuracy(models, case):
    model = models[model_for(case)]
    images, samples = batch(model)
    adversarial = ATTACKS.build(dict(CASES[case], eps=0.0))(model, images, samples)
    torch.testing.assert_close(adversarial, images, atol=0, rtol=0)
    assert accuracy(model, adversarial, samples) == accuracy(model, images, samples) == 1.0


@pytest.mark.parametrize('case,bn_mode', [('seg_guided_confusing_two_stage', 'eval'),
                                          ('seg_guided_confusing_two_stage', 'train'),
                                          ('seg_inverse', 'eval'), ('masked_pgd', 'train'),
                                          ('square', 'eval'), ('hop_skip_jump', 'eval')])
def test_attack_leaves_model_unchanged(models, case, bn_mode):
    model = models['part']
    model.train()
    model.part_head.eval()  # a mixed state must come back module by module
    modes = {name: module.training for name, module in model.named_modules()}
    buffers = {name: buffer.clone() for name, buffer in model.named_buffers()}
    try:
        images, samples = batch()
        ATTACKS.build(dict(CASES[case], bn_mode=bn_mode))(model, images, samples)
        assert {name: module.training for name, module in model.named_modules()} == modes
        for name, buffer in model.named_buffers():
            torch.testing.assert_close(buffer, buffers[name], atol=0, rtol=0, msg=name)
        assert all(parameter.grad is None for parameter in model.parameters())
    finally:
        model.eval()


@pytest.mark.parametrize('case', ['seg_guided', 'seg_inverse', 'masked_pgd', 'square',
                                  'hop_skip_jump'])
def test_seeded_attack_is_deterministic(models, case):
    model = models[model_for(case)]
    images, samples = batch(model)
    first = ATTACKS.build(CASES[case])(model, images, samples)
    torch.manual_seed(123)  # the global stream must not matter
    second = ATTACKS.build(CASES[case])(model, images, samples)
    torch.testing.assert_close(first, second, atol=0, rtol=0)


BATCH_INDEPENDENT = {
    'masked_pgd': CASES['masked_pgd'],
    # Every sample of the part model's batch has the same (predicted) class, so the guides
    # come from the samples' own maps, which does not depend on the batch.
    'seg_guided_own_map_guides': CASES['seg_guided'],
    'square_per_sample': dict(SQUARE, per_sample=True),
    'hop_skip_jump_per_sample': dict(HSJ, per_sample=True),
}


@pytest.mark.parametrize('case', list(BATCH_INDEPENDENT))
def test_sample_result_does_not_depend_on_its_batch(models, case):
    cfg = BATCH_INDEPENDENT[case]
    model = models['part' if cfg['type'] in PART_ONLY else 'baseline']
    images, samples = batch(model)
    attack = ATTACKS.build(cfg)
    together = attack(model, images, samples)
    alone = attack(model, images[2:3], samples[2:3])
    torch.testing.assert_close(alone[0], together[2], atol=0, rtol=0)


def test_seg_inverse_target_does_not_depend_on_the_batch(models):
    """Stage 1 is per sample; only kernel rounding differs between batch sizes."""
    model = models['part']
    attack = ATTACKS.build(CASES['seg_inverse'])
    images, samples = batch(model)
    labels = model.stack_labels(samples)
    with attack_context(model, 'eval'), torch.no_grad():
        seg_logits = model.extract_logits(images)[1]
    with attack_context(model, 'eval'):
        together = attack.fooling_logits(model, seg_logits, labels)
        alone = attack.fooling_logits(model, seg_logits[2:3], labels[2:3])
    # Not bit-identical: the head's kernels round differently for 1 and 4 samples (~1e-7),
    # and the normalised steps carry that through (~1e-4 on logits of size ~10).
    torch.testing.assert_close(alone[0], together[2], atol=1e-3, rtol=0)


def test_seg_inverse_target_fools_the_part_head_within_its_radius(models):
    model = models['part']
    attack = ATTACKS.build(dict(CASES['seg_inverse'], logit_steps=10))
    images, samples = batch(model)
    labels = model.stack_labels(samples)
    with attack_context(model, 'eval'):
        with torch.no_grad():
            seg_logits = model.extract_logits(images)[1]
        target = attack.fooling_logits(model, seg_logits, labels)
        with torch.no_grad():
            head_predictions = model.part_head(target).argmax(dim=1)
    radius = seg_logits[0].numel()**0.5
    assert (target - seg_logits).flatten(1).norm(dim=1).max() <= radius * (1 + 1e-5)
    assert (head_predictions != labels).all()


@pytest.mark.parametrize('case', ['square', 'hop_skip_jump'])
def test_black_box_attacks_leave_the_global_rng_alone(models, case):
    model = models['baseline']
    images, samples = batch(model)
    torch.manual_seed(7)
    state = torch.get_rng_state()
    attack = ATTACKS.build(CASES[case])
    assert attack.black_box
    attack(model, images, samples)
    assert torch.equal(torch.get_rng_state(), state)


def test_masked_pgd_changes_only_foreground_pixels(models):
    model = models['baseline']
    images, samples = batch(model)
    for sample in samples:
        # Background (0) on the left half and an unlabelled (255) stripe.
        sample.gt_sem_seg.data[:, :, :16] = 0
        sample.gt_sem_seg.data[:, :4] = 255
    part_maps = model.stack_part_maps(samples).expand_as(images)
    foreground = (part_maps > 0) & (part_maps != 255)
    for case in ('masked_pgd', 'masked_pgd_l2'):
        adversarial = ATTACKS.build(CASES[case])(model, images, samples)
        assert torch.equal(adversarial[~foreground], images[~foreground])
        assert (adversarial[foreground] != images[foreground]).any()


def test_masked_pgd_on_unlabelled_samples(models):
    model = models['baseline']
    images, samples = batch(model)
    samples[1].gt_sem_seg.data[:] = 255
    with pytest.raises(ValueError, match=r'samples \[1\] of the batch have none'):
        ATTACKS.build(CASES['masked_pgd'])(model, images, samples)
    adversarial = ATTACKS.build(dict(CASES['masked_pgd'], unlabelled='clean'))(model, images,
                                                                               samples)
    assert torch.equal(adversarial[1], images[1])
    assert not torch.equal(adversarial[0], images[0])


def test_guides_come_from_samples_of_other_classes(models):
    model = models['part']
    images, samples = batch(size=6)  # labels 0..5: every other sample is a candidate
    part_maps = model.stack_part_maps(samples).squeeze(1)
    labels = model.stack_labels(samples)
    for guide in ('random', 'most_confusing'):
        attack = SegGuidedAttack(eps=EPS, steps=1, step_size=STEP, guide=guide, seed=0)
        guide_maps, guide_classes = attack.select_guides(model, samples, images.device)
        assert (guide_classes != labels).all()
        for index in range(len(samples)):
            assert any(torch.equal(guide_maps[index], part_maps[other])
                       for other in range(len(samples)) if other != index)
        if guide == 'random':
            assert all(torch.equal(guide_maps[index], part_maps[guide_classes[index]])
                       for index in range(len(samples)))


def test_guide_from_own_map_when_the_batch_has_one_class(models):
    model = models['part']
    images, samples = batch(size=2)
    for sample in samples:
        sample.gt_label = torch.tensor([3])
        sample.gt_sem_seg.data[:, :8] = 0
        sample.gt_sem_seg.data[:, -4:] = 255
    own = model.stack_part_maps(samples).squeeze(1)
    guide_maps, guide_classes = SegGuidedAttack(eps=EPS, steps=1, step_size=STEP).select_guides(
        model, samples, images.device)
    assert (guide_classes != 3).all()
    foreground = (own > 0) & (own != 255)
    assert torch.equal(guide_maps[~foreground], own[~foreground])
    for index in range(2):  # the whole foreground becomes one part
        assert guide_maps[index][foreground[index]].unique().numel() == 1


def test_seg_guided_moves_part_map_to_guide_and_lowers_accuracy(models):
    model = models['part']
    images, samples = batch(model, size=8)
    # The untrained model needs a larger ball to flip (8/255 flips none, 16/255 5 of 8).
    attack = ATTACKS.build(dict(type='SegGuidedAttack', eps=16 / 255, steps=10,
                                step_size=4 / 255, seg_loss_weight=0.5, seed=0))
    guide_maps, _ = attack.select_guides(model, samples, images.device)
    adversarial = attack(model, images, samples)
    with torch.no_grad():
        clean_loss = guide_seg_loss(model.extract_logits(images)[1], guide_maps)
        adversarial_loss = guide_seg_loss(model.extract_logits(adversarial)[1], guide_maps)
    assert (adversarial_loss < clean_loss).all()
    assert accuracy(model, adversarial, samples) < accuracy(model, images, samples)


def test_two_stage_continues_from_stage_one(models):
    model = models['part']
    attack = ATTACKS.build(CASES['seg_guided_confusing_two_stage'])
    starts, ends = [], []
    descend = attack._descend

    def recording_descend(model, images, adversarial, *args, **kwargs):
        starts.append(adversarial.clone())
        ends.append(descend(model, images, adversarial, *args, **kwargs))
        return ends[-1]

    attack._descend = recording_descend
    attack(model, *batch(model))
    assert len(starts) == 2 * attack.restarts
    for restart in range(attack.restarts):
        torch.testing.assert_close(starts[2 * restart + 1], ends[2 * restart], atol=0, rtol=0)


@pytest.mark.parametrize('case', ['seg_guided', 'seg_inverse'])
def test_part_attacks_reject_models_without_parts(models, case):
    with pytest.raises(ValueError, match='needs a part model.*TimmClassifier'):
        ATTACKS.build(CASES[case])(models['baseline'], *batch())


class ConstantModel(nn.Module):
    """Predicts class 0 whatever the input: no adversarial exists."""

    stack_labels = staticmethod(BasePixelClassifier.stack_labels)

    def __init__(self) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.tensor([1.0, 0.0, 0.0]))

    def extract_logits(self, inputs):
        return self.bias.expand(len(inputs), -1) + 0 * inputs.mean(), None


def test_hop_skip_jump_keeps_unfoolable_and_misclassified_samples_clean():
    model = ConstantModel()
    images, samples = batch(size=2)
    samples[0].gt_label = torch.tensor([0])  # correct, but noise never changes the class
    samples[1].gt_label = torch.tensor([2])  # already misclassified
    adversarial = ATTACKS.build(HSJ)(model, images, samples)
    assert torch.equal(adversarial, images)


def test_logits_only_wrapper(models):
    model = models['part']
    model.train()
    model.part_head.eval()
    try:
        wrapper = LogitsOnly(model)
        assert wrapper.training and not model.part_head.training  # flags left as they were
        images = batch()[0]
        model.eval()
        with torch.no_grad():
            torch.testing.assert_close(wrapper(images), model.extract_logits(images)[0])
    finally:
        model.eval()
