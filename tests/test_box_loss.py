"""Part boxes instead of part masks: the BoxInst part loss and box pseudo-masks."""
import os.path as osp

import numpy as np
import pytest
import torch
from helpers import (
    NUM_PARTS,
    assert_pgd_stays_in_the_ball,
    overfit_losses,
    structured_samples,
    tiny_part_model,
    tiny_part_model_cfg,
)
from mmengine.config import Config
from mmengine.structures import InstanceData

from partmm.registry import DATASETS, MODELS, TRANSFORMS
from partmm.structures import PartDataSample

BIG = 8.0


def boxed_sample(boxes, labels) -> PartDataSample:
    sample = PartDataSample()
    sample.gt_label = torch.tensor([0])
    sample.gt_instances = InstanceData(bboxes=torch.tensor(boxes, dtype=torch.float32).view(-1, 4),
                                       labels=torch.tensor(labels, dtype=torch.long))
    return sample


def smooth_image(height: int, width: int, boxes=()) -> torch.Tensor:
    """Flat colours: grey, the boxes red (their edges are the only colour edges)."""
    image = torch.full((1, 3, height, width), 0.3)
    for x1, y1, x2, y2 in boxes:
        image[:, :, y1:y2, x1:x2] = torch.tensor([0.9, 0.1, 0.1]).view(1, 3, 1, 1)
    return image


def logits_from_map(label_map: torch.Tensor, num_labels: int = 3) -> torch.Tensor:
    logits = torch.zeros(1, num_labels, *label_map.shape)
    logits.scatter_(1, label_map[None, None], BIG)
    return logits


def loss_fn(**kwargs):
    return MODELS.build(dict(type='BoxInstPartLoss', warmup_iters=0, **kwargs))


def total(losses):
    return sum(losses.values())


def test_images_without_boxes_give_finite_zero_losses_and_gradients():
    logits = torch.randn(2, 3, 16, 16, requires_grad=True)
    empty = boxed_sample([], [])
    losses = loss_fn()(logits, torch.rand(2, 3, 16, 16), [empty, empty])
    assert all(value.item() == 0 for value in losses.values())
    total(losses).backward()
    assert torch.isfinite(logits.grad).all()
    # One sample with a box, one without: only the first is supervised.
    logits.grad = None
    losses = loss_fn()(logits, smooth_image(16, 16).expand(2, -1, -1, -1),
                       [boxed_sample([[2, 2, 8, 8]], [1]), empty])
    total(losses).backward()
    assert all(torch.isfinite(value) for value in losses.values())
    assert logits.grad[1].abs().sum() == 0 and logits.grad[0].abs().sum() > 0


def test_the_loss_is_lowest_when_the_mask_fills_its_box():
    image = smooth_image(16, 16, [[2, 3, 8, 12]])
    sample = boxed_sample([[2, 3, 8, 12]], [1])
    filled = torch.zeros(16, 16, dtype=torch.long)
    filled[3:12, 2:8] = 1
    shifted = torch.zeros(16, 16, dtype=torch.long)
    shifted[3:12, 8:14] = 1
    half = torch.zeros(16, 16, dtype=torch.long)
    half[3:7, 2:8] = 1
    loss = loss_fn()
    values = {name: total(loss(logits_from_map(m), image, [sample])).item()
              for name, m in dict(filled=filled, shifted=shifted, half=half).items()}
    assert values['filled'] < 0.05
    assert values['filled'] < values['half'] < values['shifted']


def test_the_loss_is_invariant_to_a_horizontal_flip_of_image_mask_and_box():
    torch.manual_seed(0)
    image = smooth_image(16, 20, [[2, 3, 9, 12]])
    image[:, 1] += torch.rand(16, 20) * 0.1
    logits = torch.randn(1, 4, 16, 20)
    boxes = [[2, 3, 9, 12], [11, 1, 19, 6], [5, 9, 7, 15]]
    labels = [1, 2, 1]
    flipped_boxes = [[20 - x2, y1, 20 - x1, y2] for x1, y1, x2, y2 in boxes]
    loss = loss_fn()
    original = loss(logits, image, [boxed_sample(boxes, labels)])
    flipped = loss(logits.flip(-1), image.flip(-1), [boxed_sample(flipped_boxes, labels)])
    for name in original:
        assert flipped[name].item() == pytest.approx(original[name].item(), rel=1e-5, abs=1e-6)
    assert original['loss_pairwise'] > 0


def test_a_pixel_may_only_take_background_or_a_label_boxed_around_it():
    image = smooth_image(16, 16, [[2, 2, 8, 8]])
    sample = boxed_sample([[2, 2, 8, 8]], [1])
    right = torch.zeros(16, 16, dtype=torch.long)
    right[2:8, 2:8] = 1
    foreign = right.clone()
    foreign[2:8, 2:8] = 2  # part 2 has no box in the image
    loss = loss_fn()
    assert loss(logits_from_map(right), image, [sample])['loss_outside'] < 1e-2
    assert loss(logits_from_map(foreign), image, [sample])['loss_outside'] > 1.0


def test_boxes_of_one_part_label_are_one_target():
    # Two wheels: a mask covering both boxes fits both; one covering the first only does not.
    image = smooth_image(16, 16, [[1, 1, 5, 5], [10, 10, 14, 14]])
    sample = boxed_sample([[1, 1, 5, 5], [10, 10, 14, 14]], [1, 1])
    both = torch.zeros(16, 16, dtype=torch.long)
    both[1:5, 1:5] = 1
    both[10:14, 10:14] = 1
    first = torch.zeros(16, 16, dtype=torch.long)
    first[1:5, 1:5] = 1
    loss = loss_fn()
    assert total(loss(logits_from_map(both), image, [sample])) < 0.05
    assert total(loss(logits_from_map(first), image, [sample])) > 0.2


def test_a_part_model_with_the_box_loss_trains_on_boxes_only_and_is_attacked():
    torch.manual_seed(0)
    model = tiny_part_model(part_loss=dict(type='BoxInstPartLoss', warmup_iters=0))
    inputs, samples = torch.rand(4, 3, 32, 48), structured_samples(4, 32, 48)
    for index, sample in enumerate(samples):
        label = 1 + (3 * index) % (NUM_PARTS - 1)
        sample.gt_instances = InstanceData(bboxes=torch.tensor([[0., 0., 24., 32.]]),
                                           labels=torch.tensor([label]))
    losses = model.eval().loss(inputs, samples)
    assert {'decode.loss_project', 'decode.loss_pairwise', 'decode.loss_outside'} <= set(
        losses) and 'decode.loss_ce' not in losses
    # The part maps are never read: replacing them changes nothing.
    for sample in samples:
        sample.gt_sem_seg.data[:] = 255
    again = model.loss(inputs, samples)
    for name, value in losses.items():
        torch.testing.assert_close(again[name], value)
    history = overfit_losses(model, inputs, samples, steps=10)
    assert history[-1] < 0.85 * history[0], history
    assert_pgd_stays_in_the_ball(model, inputs, samples)


def test_the_box_loss_refuses_an_auxiliary_head_that_would_read_part_maps():
    cfg = tiny_part_model_cfg(part_loss=dict(type='BoxInstPartLoss'))
    cfg['segmentor']['auxiliary_head'] = dict(
        type='FCNHead', in_channels=256, in_index=2, channels=16, num_convs=1,
        num_classes=NUM_PARTS, norm_cfg=dict(type='BN'))
    with pytest.raises(ValueError, match='auxiliary head would still train on part maps'):
        MODELS.build(cfg)


def test_part_boxes_painted_as_pseudo_masks_in_annotation_order():
    paint = TRANSFORMS.build(dict(type='PaintPartBoxes'))
    part_map = np.full((8, 10), 3, dtype=np.uint8)
    results = paint(dict(gt_seg_map=part_map.copy(), gt_bboxes=np.array(
        [[1, 1, 6, 5], [4.5, 2.2, 9.7, 7]], dtype=np.float32), gt_bboxes_labels=np.array([1, 2])))
    expected = np.zeros((8, 10), dtype=np.uint8)
    expected[1:5, 1:6] = 1
    expected[2:7, 4:10] = 2  # later boxes over earlier ones; fractional edges rounded outwards
    np.testing.assert_array_equal(results['gt_seg_map'], expected)
    # A sample whose part labels are withheld keeps its all-unlabelled map.
    withheld = np.full((8, 10), 255, dtype=np.uint8)
    results = paint(dict(gt_seg_map=withheld.copy(), gt_bboxes=np.zeros((0, 4), np.float32),
                         gt_bboxes_labels=np.zeros(0, np.int64)))
    np.testing.assert_array_equal(results['gt_seg_map'], withheld)


def test_box_mask_configs_train_on_boxes_and_evaluate_on_true_maps(configs_dir, synthetic_root):
    cfg = Config.fromfile(osp.join(
        configs_dir, 'part_box',
        'part-wbbox-boxmask_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py'))
    for key in ('train_dataloader', 'val_dataloader'):
        cfg[key].dataset.data_root = synthetic_root
    train, val = (DATASETS.build(cfg[key].dataset) for key in ('train_dataloader',
                                                                   'val_dataloader'))
    sample = train[0]['data_samples']
    painted = torch.zeros_like(sample.gt_sem_seg.data[0])
    for (x1, y1, x2, y2), label in zip(sample.gt_instances.bboxes.tolist(),
                                       sample.gt_instances.labels.tolist()):
        painted[int(np.floor(y1)):int(np.ceil(y2)), int(np.floor(x1)):int(np.ceil(x2))] = label
    # Boxes painted before the crop and resized with it: equal up to the boxes' rounding.
    assert (painted == sample.gt_sem_seg.data[0]).float().mean() > 0.9
    true_map = val[0]['data_samples'].gt_sem_seg.data
    assert 0 < ((true_map > 0) & (true_map < 255)).float().mean() < 0.6  # parts, not boxes
