"""Mask, seg-cat and seg heads; the ground-truth-mask and clean-mask diagnostics."""
import os.path as osp
import time

import pytest
import torch
import torch.nn.functional as F
from helpers import (
    NUM_CLASSES,
    NUM_PARTS,
    assert_pgd_stays_in_the_ball,
    make_samples,
    overfit_losses,
    tiny_part_model,
    tiny_part_model_cfg,
)
from mmengine.config import Config
from mmengine.dataset import pseudo_collate

from partmm.datasets.partimagenet_meta import PART_TO_CLASS_INDEX
from partmm.models.classifiers.clean_mask_part_classifier import CleanMaskPartClassifier
from partmm.models.classifiers.ground_truth_mask_classifier import GroundTruthMaskClassifier
from partmm.models.heads.mask_part_head import MaskPartHead
from partmm.models.heads.seg_cat_part_head import SegCatPartHead
from partmm.models.heads.seg_part_head import SegPartHead
from partmm.registry import ATTACKS, DATASETS, MODELS

TINY = 'test_resnet'  # timm's smallest ResNet: 3 stages of 1 block, 16-96 channels
SIDE = 32
BIG = 30.0  # logit margin that makes softmax masks one-hot to float precision
SYNTHETIC_DATA = '_base_/datasets/synthetic-partimagenet-64.py'


def one_hot(label_map: torch.Tensor, num_labels: int) -> torch.Tensor:
    """[B, H, W] label map -> [B, P, H, W] float one-hot."""
    return F.one_hot(label_map, num_labels).permute(0, 3, 1, 2).float()


def network_input(network: torch.nn.Module, call, *args) -> torch.Tensor:
    """What ``network`` receives (its last call's first argument) while ``call(*args)`` runs."""
    captured = []
    handle = network.register_forward_pre_hook(lambda module, inputs: captured.append(inputs[0]))
    try:
        call(*args)
    finally:
        handle.remove()
    return captured[-1]


def input_gradient(model, images: torch.Tensor, samples) -> torch.Tensor:
    """Gradient of the summed class logits w.r.t. ``images``, inside the batch's context."""
    images = images.clone().requires_grad_(True)
    with model.batch_context(images.detach(), samples):
        gradient, = torch.autograd.grad(model.extract_logits(images)[0].sum(), images)
    return gradient


# Heads -----------------------------------------------------------------------------------------


@pytest.mark.parametrize('with_image, drop_background, channels', [
    (False, False, 41), (False, True, 40), (True, False, 44), (True, True, 43)])
def test_mask_head_widens_conv1_of_a_resnet(with_image, drop_background, channels):
    head = MaskPartHead(NUM_CLASSES, NUM_PARTS, model_name='resnet18', with_image=with_image,
                        drop_background=drop_background)
    conv1 = head.network.conv1
    assert (conv1.in_channels, conv1.out_channels, conv1.kernel_size, conv1.stride,
            conv1.padding) == (channels, 64, (7, 7), (2, 2), (3, 3))
    assert head.network.fc.out_features == NUM_CLASSES
    assert head.inputs == (('seg_logits', 'images') if with_image else ('seg_logits', ))
    images = torch.randn(2, 3, SIDE, SIDE)
    assert head(torch.randn(2, NUM_PARTS, SIDE, SIDE), images).shape == (2, NUM_CLASSES)


def test_mask_head_input_is_image_then_masks():
    torch.manual_seed(0)
    logits, images = torch.randn(2, 5, 8, 8), torch.randn(2, 3, 8, 8)
    head = MaskPartHead(3, 5, model_name=TINY, with_image=True, drop_background=True)
    fed = network_input(head.network, head, logits, images)
    torch.testing.assert_close(fed, torch.cat([images, logits.softmax(dim=1)[:, 1:]], dim=1))
    hard = MaskPartHead(3, 5, model_name=TINY, hard=True)
    fed = network_input(hard.network, hard, logits)
    torch.testing.assert_close(fed, one_hot(logits.argmax(dim=1), 5))


@pytest.mark.parametrize('options, reaches_segmenter', [
    (dict(), True), (dict(detach=True), False), (dict(hard=True), False),
    (dict(hard=True, with_image=True), False)])
def test_mask_head_gradient_into_the_segmenter(options, reaches_segmenter):
    torch.manual_seed(0)
    logits = torch.randn(2, 5, 16, 16, requires_grad=True)
    images = torch.randn(2, 3, 16, 16, requires_grad=True)
    head = MaskPartHead(3, 5, model_name=TINY, **options)
    gradients = torch.autograd.grad(head(logits, images).sum(), [logits, images],
                                    allow_unused=True)
    # The logits stay in the graph (attacks need that), with a zero gradient when stopped.
    assert gradients[0] is not None
    assert (gradients[0].abs().sum() > 0) == reaches_segmenter
    if options.get('with_image'):
        assert gradients[1].abs().sum() > 0


def test_seg_cat_head_input_is_the_image_under_each_hard_part_mask():
    torch.manual_seed(0)
    label_map = torch.randint(0, 4, (2, 8, 8))
    logits = one_hot(label_map, 4) * 5 + torch.randn(2, 4, 8, 8)  # argmax is the label map
    images = torch.randn(2, 3, 8, 8)
    head = SegCatPartHead(3, 4, model_name=TINY)
    assert head.network.conv1[0].in_channels == 9  # 3 parts (background dropped) x RGB
    expected = torch.cat([images * (label_map == part).unsqueeze(1) for part in (1, 2, 3)], 1)
    torch.testing.assert_close(head.extract_features(logits, images), expected)
    with_bg = SegCatPartHead(3, 4, model_name='resnet18', drop_background=False)
    assert with_bg.network.conv1.in_channels == 12
    logits.requires_grad_(True)
    images.requires_grad_(True)
    output = head(logits, images)
    assert output.shape == (2, 3)
    assert torch.autograd.grad(output.sum(), logits, allow_unused=True)[0] is None
    assert torch.autograd.grad(head(logits, images).sum(), images)[0].abs().sum() > 0


def test_seg_head_groups_parts_by_class_and_runs_one_backbone_batch():
    # 5 part labels: background, two parts of class 0, one of class 1, one of class 2.
    part_to_class = (-1, 0, 0, 1, 2)
    label_map = torch.tensor([[[0, 1], [2, 3]], [[4, 4], [0, 1]]])
    logits = one_hot(label_map, 5) * BIG
    head = SegPartHead(3, 5, model_name=TINY, group=True, part_to_class=part_to_class)
    assert head.num_masks == 4  # background + 3 classes
    expected = torch.stack([(label_map == 0), (label_map == 1) | (label_map == 2),
                            label_map == 3, label_map == 4], dim=1).float()
    torch.testing.assert_close(head.mask_set(logits), expected)
    no_bg = SegPartHead(3, 5, model_name=TINY, group=True, part_to_class=part_to_class,
                        drop_background=True, soft=True)
    assert no_bg.num_masks == 3
    torch.testing.assert_close(no_bg.mask_set(logits), expected[:, 1:])
    batches = []
    head.backbone.register_forward_pre_hook(lambda module, inputs: batches.append(inputs[0]))
    images = torch.randn(2, 3, 2, 2)
    assert head(logits, images).shape == (2, 3)
    assert len(batches) == 1 and batches[0].shape == (2 * 4, 3, 2, 2)
    torch.testing.assert_close(batches[0][1], images[0] * expected[0, 1])  # mask-major
    assert head.classifier.in_features == 4 * head.backbone.num_features
    ungrouped = SegPartHead(NUM_CLASSES, NUM_PARTS, model_name=TINY, drop_background=True)
    assert ungrouped.num_masks == NUM_PARTS - 1
    grouped = SegPartHead(NUM_CLASSES, NUM_PARTS, model_name=TINY, group=True,
                          part_to_class=PART_TO_CLASS_INDEX)
    assert grouped.num_masks == NUM_CLASSES + 1
    with pytest.raises(ValueError, match='part_to_class'):
        SegPartHead(3, 5, model_name=TINY, group=True)


@pytest.mark.parametrize('soft', [False, True])
def test_seg_head_soft_masks_pass_gradient_hard_ones_do_not(soft):
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 16, 16, requires_grad=True)
    head = SegPartHead(3, 4, model_name=TINY, soft=soft, temperature=2.0)
    torch.testing.assert_close(
        head.mask_set(logits.detach()),
        (logits.detach() / 2).softmax(dim=1) if soft else one_hot(logits.argmax(dim=1), 4))
    gradient, = torch.autograd.grad(head(logits, torch.randn(2, 3, 16, 16)).sum(), logits,
                                    allow_unused=True)
    assert (gradient is not None) == soft


# Part models with these heads ------------------------------------------------------------------

HEADS = {
    'mask': dict(type='MaskPartHead', model_name=TINY),
    'mask-inpt-hard-no_bg': dict(type='MaskPartHead', model_name=TINY, with_image=True,
                                 hard=True, drop_background=True),
    'mask-hard': dict(type='MaskPartHead', model_name=TINY, hard=True),
    'mask-detach': dict(type='MaskPartHead', model_name=TINY, detach=True),
    'seg_cat': dict(type='SegCatPartHead', model_name=TINY),
    'seg': dict(type='SegPartHead', model_name=TINY, drop_background=True),
    'seg-soft-group': dict(type='SegPartHead', model_name=TINY, soft=True, temperature=0.5,
                           group=True, part_to_class=PART_TO_CLASS_INDEX),
}


@pytest.mark.parametrize('name', list(HEADS))
def test_part_model_trains_and_pgd_stays_in_the_ball(name):
    torch.manual_seed(0)
    model = tiny_part_model(part_head=HEADS[name])
    images, samples = torch.rand(4, 3, SIDE, SIDE), make_samples(4, SIDE, SIDE)
    start = time.perf_counter()
    history = overfit_losses(model, images, samples, steps=10, lr=1e-3)
    step_time = (time.perf_counter() - start) / 10
    # The loss of a single step is noisy (mask-detach's 6th of 6 was above its 1st on a fresh
    # install): the last three steps' mean must be below the first.
    assert sum(history[-3:]) / 3 < history[0], history
    model.eval()
    with torch.no_grad():
        class_logits, seg_logits = model.extract_logits(images)
    assert class_logits.shape == (4, NUM_CLASSES)
    assert seg_logits.shape == (4, NUM_PARTS, SIDE, SIDE)
    assert_pgd_stays_in_the_ball(model, images, samples)
    print(f'{name}: {step_time * 1000:.0f} ms per training step (batch 4, {SIDE} px)')


def test_hard_mask_model_without_image_gives_attacks_a_zero_gradient():
    torch.manual_seed(0)
    model = tiny_part_model(part_head=HEADS['mask-hard']).eval()
    images, samples = torch.rand(2, 3, SIDE, SIDE), make_samples(2, SIDE, SIDE)
    assert input_gradient(model, images, samples).abs().max() == 0


# Ground-truth-mask diagnostic ------------------------------------------------------------------


def ground_truth_model(unlabelled_as: str = 'background', **head) -> GroundTruthMaskClassifier:
    """A ground-truth-mask classifier for 3 classes and 4 part labels."""
    model = MODELS.build(dict(type='GroundTruthMaskClassifier', num_classes=3,
                              num_part_labels=4, unlabelled_as=unlabelled_as,
                              part_head=dict(type='MaskPartHead', model_name=TINY, **head)))
    assert isinstance(model, GroundTruthMaskClassifier)
    return model


def known_batch():
    """Two 4 x 4 images whose part maps hold every label and unlabelled (255) pixels."""
    maps = torch.tensor([[[0, 1, 1, 255], [2, 2, 3, 255], [0, 0, 0, 0], [3, 3, 1, 1]],
                         [[255, 255, 255, 255], [1, 1, 1, 1], [2, 0, 2, 0], [3, 0, 3, 0]]])
    samples = make_samples(2, 4, 4)
    for sample, part_map in zip(samples, maps):
        sample.gt_sem_seg.data = part_map[None]
    return torch.rand(2, 3, 4, 4, generator=torch.Generator().manual_seed(0)), maps, samples


@pytest.mark.parametrize('unlabelled_as, drop_background', [
    ('background', False), ('zero', False), ('background', True)])
def test_ground_truth_masks_are_one_hot_maps_built_by_hand(unlabelled_as, drop_background):
    images, maps, samples = known_batch()
    model = ground_truth_model(unlabelled_as, drop_background=drop_background).eval()
    expected = torch.zeros(2, 4, 4, 4)
    for b in range(2):
        for h in range(4):
            for w in range(4):
                label = int(maps[b, h, w])
                if label != 255:
                    expected[b, label, h, w] = 1.0
                elif unlabelled_as == 'background':
                    expected[b, 0, h, w] = 1.0
    if drop_background:  # dropped once: P - 1 = 3 channels, unlabelled pixels all zero
        expected = expected[:, 1:]
    with model.batch_context(images, samples):
        fed = network_input(model.mask_head.network, model.extract_logits, images)
        torch.testing.assert_close(fed, expected, rtol=0, atol=0)
        # The second image alone, slightly perturbed, still finds its own map.
        fed = network_input(model.mask_head.network, model.extract_logits,
                            (images[1:] + 2 / 255).clamp(0, 1))
        torch.testing.assert_close(fed, expected[1:], rtol=0, atol=0)
        logits, seg_logits = model.extract_logits(images)
    assert seg_logits is None
    with torch.no_grad():
        torch.testing.assert_close(logits, model.mask_head.network(expected))


def test_ground_truth_model_needs_its_batch():
    images, _, samples = known_batch()
    model = ground_truth_model().eval()
    with pytest.raises(RuntimeError, match='needs the batch'):
        model.extract_logits(images)
    with pytest.raises(ValueError, match='gt_sem_seg'):
        model.predict(images)
    samples[0].gt_sem_seg.data[0, 0, 0] = 7  # P = 4 labels
    with pytest.raises(ValueError, match='outside 0..3'):
        model.predict(images, samples)
    with pytest.raises(ValueError, match='needs a part model'):
        ATTACKS.build(dict(type='SegInverseAttack', eps=8 / 255, steps=1, step_size=2 / 255))(
            model, images, known_batch()[2])


def test_ground_truth_model_without_image_is_unchanged_by_an_attack():
    torch.manual_seed(0)
    images, _, samples = known_batch()
    model = ground_truth_model().eval()
    assert input_gradient(model, images, samples).abs().max() == 0
    adversarial = assert_pgd_stays_in_the_ball(model, images, samples)
    assert (adversarial - images).abs().max() > 0  # the random start moved the images
    model.eval_attacks = {'pgd': ATTACKS.build(dict(type='PGDAttack', eps=8 / 255, steps=2,
                                                    step_size=4 / 255, seed=0))}
    predicted = model.predict(images, samples)
    for sample in predicted:
        torch.testing.assert_close(sample.adv_pred_scores['pgd'], sample.pred_score)
    with_image = ground_truth_model(with_image=True).eval()
    assert input_gradient(with_image, images, samples).abs().sum() > 0
    assert_pgd_stays_in_the_ball(with_image, images, samples)


def test_ground_truth_model_learns_the_synthetic_data(synthetic_root, configs_dir):
    """Near-perfect validation accuracy after a few epochs on the synthetic train split."""
    torch.manual_seed(0)
    data = Config.fromfile(osp.join(configs_dir, SYNTHETIC_DATA))

    def dataset(split, pipeline):
        return DATASETS.build(dict(type='PartImageNetDataset', data_root=synthetic_root,
                                   ann_file=f'splits/paper/{split}.json', pipeline=pipeline))

    train, val = dataset('train', data.train_pipeline), dataset('val', data.test_pipeline)
    model = MODELS.build(dict(type='GroundTruthMaskClassifier', num_classes=NUM_CLASSES,
                              num_part_labels=NUM_PARTS,
                              part_head=dict(type='MaskPartHead', model_name=TINY)))
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    start = time.perf_counter()
    epoch_losses = []
    for _ in range(12):  # 6 epochs already reach 100 % for most seeds
        model.train()
        order = torch.randperm(len(train)).tolist()
        losses = []
        for first in range(0, len(order), 11):
            batch = model.data_preprocessor(
                pseudo_collate([train[i] for i in order[first:first + 11]]), True)
            loss = model(**batch, mode='loss')['loss_cls']
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        epoch_losses.append(sum(losses) / len(losses))
    step_time = (time.perf_counter() - start) / (12 * len(losses))
    model.eval()
    batch = model.data_preprocessor(pseudo_collate([val[i] for i in range(len(val))]), False)
    with torch.no_grad():
        predicted = model(**batch, mode='predict')
    accuracy = sum(int(sample.pred_label == sample.gt_label) for sample in predicted) / len(val)
    print(f'ground-truth mask: val accuracy {accuracy:.3f}, {step_time * 1000:.0f} ms per step '
          f'(batch 11, 64 px), epoch losses {[round(value, 2) for value in epoch_losses]}')
    assert epoch_losses[-1] < epoch_losses[0] / 4, epoch_losses
    assert accuracy >= 0.95


# Clean-mask diagnostic -------------------------------------------------------------------------


def clean_mask_model(**head) -> CleanMaskPartClassifier:
    """The tiny part model with a mask head, as a CleanMaskPartClassifier."""
    model = MODELS.build(dict(
        tiny_part_model_cfg(part_head=dict(type='MaskPartHead', model_name=TINY, **head)),
        type='CleanMaskPartClassifier'))
    assert isinstance(model, CleanMaskPartClassifier)
    return model


def test_clean_mask_head_sees_clean_masks_and_the_attacked_image():
    torch.manual_seed(0)
    model = clean_mask_model(with_image=True)
    overfit_losses(model, torch.rand(4, 3, SIDE, SIDE), make_samples(4, SIDE, SIDE), steps=2)
    images, samples = torch.rand(3, 3, SIDE, SIDE), make_samples(3, SIDE, SIDE)
    attacked = (images + (torch.rand_like(images) - 0.5) * 16 / 255).clamp(0, 1)
    model.eval()
    with torch.no_grad():
        clean_logits = model._segment(images)['seg_logits']
        attacked_logits = model._segment(attacked)['seg_logits']
        with model.batch_context(images, samples):
            class_logits, seg_logits = model.extract_logits(attacked[[2, 0]])
        expected = model.part_head(clean_logits[[2, 0]], model.normalize(attacked[[2, 0]]))
        plain = model.part_head(attacked_logits[[2, 0]], model.normalize(attacked[[2, 0]]))
    torch.testing.assert_close(class_logits, expected)
    assert not torch.allclose(class_logits, plain)
    torch.testing.assert_close(seg_logits, attacked_logits[[2, 0]])
    # Eval outside a bound batch, and training mode: the plain part model.
    with torch.no_grad():
        torch.testing.assert_close(model.extract_logits(attacked[[2, 0]])[0], plain)
    model.train()
    with model.batch_context(images, samples):
        outputs = model.training_outputs(attacked)
    torch.testing.assert_close(
        outputs['class_logits'], model.part_head(outputs['seg_logits'],
                                                 model.normalize(attacked)))


def test_clean_mask_model_without_image_is_unchanged_by_an_attack():
    torch.manual_seed(0)
    model = clean_mask_model()
    images, samples = torch.rand(4, 3, SIDE, SIDE), make_samples(4, SIDE, SIDE)
    history = overfit_losses(model, images, samples, steps=4)
    assert history[-1] < history[0], history
    model.eval()
    assert input_gradient(model, images, samples).abs().max() == 0
    assert_pgd_stays_in_the_ball(model, images, samples)
    model.eval_attacks = {'pgd': ATTACKS.build(dict(type='PGDAttack', eps=8 / 255, steps=2,
                                                    step_size=4 / 255, seed=0))}
    predicted = model.predict(images, samples)
    for sample in predicted:
        torch.testing.assert_close(sample.adv_pred_scores['pgd'], sample.pred_score)
        assert sample.adv_pred_part_maps['pgd'].shape == (1, SIDE, SIDE)
    with_image = clean_mask_model(with_image=True).eval()
    assert input_gradient(with_image, images, samples).abs().sum() > 0


def test_clean_mask_model_rejects_heads_that_read_segmenter_features():
    with pytest.raises(ValueError, match='attacked'):
        MODELS.build(dict(tiny_part_model_cfg(
            part_head=dict(type='EncoderFeatureClassHead', in_channels=512)),
                          type='CleanMaskPartClassifier'))
