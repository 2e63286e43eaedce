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
    synthetic_cfg,
    tiny_part_model,
    tiny_part_model_cfg,
)
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner
from mmengine.structures import InstanceData, PixelData

from partmm.datasets.converters import convert_partimagenet
from partmm.datasets.generators import generate_synthetic_partimagenet
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
    # The part labels of the maps are never read: relabelling them changes nothing.
    for index, sample in enumerate(samples):
        sample.gt_sem_seg.data[:] = (index + 5) % NUM_PARTS
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


BOXINST_SYNTHETIC = ('part_box/part-wbbox-boxinst_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_'
                     'synthetic-partimagenet-64.py')


@pytest.fixture(scope='module')
def larger_synthetic_root(tmp_path_factory) -> str:
    """A converted synthetic release with 80 images per class (enough to learn from)."""
    root = str(tmp_path_factory.mktemp('synthetic_partimagenet_880'))
    generate_synthetic_partimagenet(root, num_images=880, image_size=72, seed=0)
    convert_partimagenet(root, seed=0)
    return root


def foreground_iou(model, dataset) -> float:
    """IoU of "some part" (label > 0) between the model's part maps and the true ones."""
    intersection = union = 0
    model.eval()
    with torch.no_grad():
        for start in range(0, len(dataset), 64):
            batch = pseudo_collate([dataset[index]
                                    for index in range(start, min(len(dataset), start + 64))])
            for sample in model(**model.data_preprocessor(batch, False), mode='predict'):
                truth = sample.gt_sem_seg.data[0]
                predicted, labelled = sample.pred_sem_seg.data[0] > 0, truth != 255
                parts = (truth > 0) & labelled
                intersection += (predicted & parts).sum().item()
                union += ((predicted | parts) & labelled).sum().item()
    return intersection / union


def test_a_part_model_trained_on_boxes_only_learns_classes_and_where_the_parts_are(
        configs_dir, larger_synthetic_root, tmp_path):
    """The BoxInst config of the synthetic default, 8 epochs on 704 images (176 steps, warm-ups
    shortened to 20): its part maps are then measured against the held-back true masks."""
    cfg = synthetic_cfg(configs_dir, BOXINST_SYNTHETIC, larger_synthetic_root, str(tmp_path), 8,
                        custom_hooks=[dict(type='SegmenterWarmupHook', warmup_iters=20)])
    cfg.model.part_loss.warmup_iters = 20
    cfg.train_dataloader.batch_size = 32
    cfg.val_dataloader.batch_size = 64
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    # Chance is 1 / 11 = 9.1 %. Measured: top-1 60.2 %, part mIoU 2.3 % (background 71 %, the
    # bodies of bicycles, cars, snakes and boats found, no small part), foreground IoU 47 %.
    assert metrics['accuracy/top1'] > 30
    assert metrics['part/mIoU'] > 0
    assert foreground_iou(runner.model, runner.val_dataloader.dataset) > 0.3


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


PACO_IGNORE = 65535


def paco_like_map() -> np.ndarray:
    """A uint16 PACO-like part map [10, 12] as its converter paints one: object A (rows 1..8,
    cols 1..5) unlabelled, then its part 4 over rows 2..4; object B (rows 3..8, cols 7..10)
    without part annotations, all unlabelled; the rest background."""
    part_map = np.zeros((10, 12), dtype=np.uint16)
    part_map[1:9, 1:6] = PACO_IGNORE
    part_map[2:5, 2:5] = 4
    part_map[3:9, 7:11] = PACO_IGNORE
    return part_map


def test_paint_part_boxes_keeps_unknown_object_pixels_unknown():
    part_map = paco_like_map()
    box = np.array([[2, 2, 5, 5]], dtype=np.float32)  # the tight box of part 4
    inputs = dict(gt_seg_map=part_map.copy(), gt_bboxes=box, gt_bboxes_labels=np.array([4]),
                  ignore_index=PACO_IGNORE)
    painted = TRANSFORMS.build(dict(type='PaintPartBoxes'))(dict(inputs))['gt_seg_map']
    expected = np.where(part_map == PACO_IGNORE, PACO_IGNORE, 0).astype(np.uint16)
    expected[2:5, 2:5] = 4
    assert painted.dtype == np.uint16
    np.testing.assert_array_equal(painted, expected)
    # Opting out paints the original's pseudo-masks: background outside every box.
    plain = TRANSFORMS.build(dict(type='PaintPartBoxes', keep_unlabelled=False))(dict(inputs))
    np.testing.assert_array_equal(plain['gt_seg_map'], np.where(expected == 4, 4, 0))
    # Object B alone (no boxes): background and unknown, no part.
    alone = paco_like_map()[:, 6:]
    results = TRANSFORMS.build(dict(type='PaintPartBoxes'))(dict(
        gt_seg_map=alone.copy(), gt_bboxes=np.zeros((0, 4), np.float32),
        gt_bboxes_labels=np.zeros(0, np.int64), ignore_index=PACO_IGNORE))
    np.testing.assert_array_equal(results['gt_seg_map'], alone)
    # A PartImageNet-like map (no unlabelled pixels) is painted the same either way.
    labelled = np.where(part_map == PACO_IGNORE, 7, part_map).astype(np.uint8)
    for keep in (True, False):
        out = TRANSFORMS.build(dict(type='PaintPartBoxes', keep_unlabelled=keep))(dict(
            gt_seg_map=labelled.copy(), gt_bboxes=box, gt_bboxes_labels=np.array([4])))
        np.testing.assert_array_equal(out['gt_seg_map'], np.where(expected == 4, 4, 0))


def mapped_sample(boxes, labels, part_map: np.ndarray, ignore_index: int) -> PartDataSample:
    sample = boxed_sample(boxes, labels)
    sample.set_metainfo(dict(ignore_index=ignore_index))
    sample.gt_sem_seg = PixelData(data=torch.from_numpy(part_map.astype(np.int64))[None])
    return sample


def test_the_box_loss_gives_unknown_pixels_no_background_term():
    torch.manual_seed(0)
    part_map = paco_like_map()
    image = smooth_image(10, 12, [[2, 2, 5, 5]])
    logits = torch.randn(1, 5, 10, 12, requires_grad=True)
    loss = loss_fn()
    sample = mapped_sample([[2, 2, 5, 5]], [4], part_map, PACO_IGNORE)
    losses = loss(logits, image, [sample])
    (grad, ) = torch.autograd.grad(losses['loss_outside'], logits)
    unknown = (0, 5, 8)  # object B, outside every box
    background = (0, 5, 11)
    above_part = (0, 1, 2)  # object A's unlabelled pixel above its part's box
    assert grad[:, :, unknown[1], unknown[2]].abs().sum() == 0
    assert grad[:, :, above_part[1], above_part[2]].abs().sum() == 0
    assert grad[:, :, background[1], background[2]].abs().sum() > 0
    # Without the map (or with a map without unlabelled pixels) they are background again.
    known = loss(logits, image, [boxed_sample([[2, 2, 5, 5]], [4])])
    (known_grad, ) = torch.autograd.grad(known['loss_outside'], logits)
    assert known_grad[:, :, unknown[1], unknown[2]].abs().sum() > 0
    # Predicting a part on the unknown pixels costs nothing; on known background it does.
    with torch.no_grad():
        foreign = logits.detach().clone()
        foreign[0, :, 3:9, 7:11] = torch.tensor([0., 0., BIG, 0., 0.])[:, None, None]
        foreign_bg = foreign.clone()
        foreign_bg[0, :, 0, 6:12] = torch.tensor([0., 0., BIG, 0., 0.])[:, None]
    base = loss(logits.detach(), image, [sample])['loss_outside']
    assert loss(foreign, image, [sample])['loss_outside'] == pytest.approx(base.item())
    assert loss(foreign_bg, image, [sample])['loss_outside'] > base + 0.1
    # Only the boolean region "unlabelled outside every box" is read: other part labels, and
    # anything inside the box, change nothing (no mask supervision leaks in).
    relabelled = part_map.copy()
    relabelled[part_map == 4] = 1
    relabelled[2:5, 2:5] = PACO_IGNORE
    relabelled[0, 0] = 3
    again = loss(logits, image, [mapped_sample([[2, 2, 5, 5]], [4], relabelled, PACO_IGNORE)])
    for name, value in losses.items():
        torch.testing.assert_close(again[name], value)
    # The projection and pairwise terms do not read the map.
    for name in ('loss_project', 'loss_pairwise'):
        torch.testing.assert_close(known[name], losses[name])
    # A sample whose part labels are withheld (all unlabelled, no boxes) still adds nothing.
    withheld = mapped_sample([], [], np.full((10, 12), 255), 255)
    both = loss(logits.expand(2, -1, -1, -1), image.expand(2, -1, -1, -1),
                [mapped_sample([[2, 2, 5, 5]], [4], part_map, PACO_IGNORE), withheld])
    for name, value in losses.items():
        torch.testing.assert_close(both[name], value)


SYNTHETIC_PACO_BOX_CONFIGS = [
    f'part_box/{model}-{loss}_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-paco-64.py'
    for model in ('part-wbbox', 'part-pooling-4') for loss in ('boxinst', 'boxmask')
]


@pytest.mark.parametrize('name', SYNTHETIC_PACO_BOX_CONFIGS)
def test_paco_box_configs_train_on_boxes_and_evaluate_on_true_maps(
        name, configs_dir, synthetic_roots, tmp_path):
    data_root = Config.fromfile(osp.join(configs_dir, name)).train_dataloader.dataset.data_root
    cfg = synthetic_cfg(configs_dir, name, synthetic_roots[data_root], str(tmp_path), 1)
    cfg.train_dataloader.dataset.indices = 16
    cfg.val_dataloader.dataset.indices = 8
    cfg.param_scheduler = []
    cfg.custom_hooks = []
    train, val = (DATASETS.build(cfg[key].dataset) for key in ('train_dataloader',
                                                                   'val_dataloader'))
    np.random.seed(0)  # the random crops
    train_samples = [train[index]['data_samples'] for index in range(len(train))]
    true_map = val[0]['data_samples'].gt_sem_seg.data
    ignore_index = val.metainfo['ignore_index']
    # The true maps evaluated against hold parts, background and unknown object pixels.
    assert ((true_map > 0) & (true_map != ignore_index)).any()
    assert (true_map == 0).any()
    runner = Runner.from_cfg(cfg)
    runner.train()
    history = runner.message_hub.log_scalars
    if 'boxinst' in name:
        assert {'train/decode.loss_outside', 'train/decode.loss_project'} <= set(history)
        assert 'train/decode.loss_ce' not in history
    else:
        assert 'train/decode.loss_ce' in history
    # Training sees unknown pixels outside every box (and, painted, nothing else there but
    # background): the loss and the pseudo-masks leave them out.
    unknown = 0
    for sample in train_samples:
        part_map = sample.gt_sem_seg.data[0]
        in_box = torch.zeros_like(part_map, dtype=torch.bool)
        for x1, y1, x2, y2 in sample.gt_instances.bboxes.tolist():
            in_box[int(np.floor(y1)):int(np.ceil(y2)), int(np.floor(x1)):int(np.ceil(x2))] = True
        unknown += int(((part_map == ignore_index) & ~in_box).sum())
        if 'boxmask' in name:
            assert set(part_map[~in_box].unique().tolist()) <= {0, ignore_index}
    assert unknown > 0
    assert all(torch.isfinite(torch.tensor(history['train/loss'].data[0])))
    metrics = runner.val_loop.run()
    assert 0 <= metrics['part/mIoU'] <= 100 and 0 <= metrics['accuracy/top1'] <= 100
