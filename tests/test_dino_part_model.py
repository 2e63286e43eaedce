"""Detector-based part models: mmdet's DINO on part boxes with a class head on its queries."""
import os.path as osp

import pytest
import torch
from helpers import NUM_CLASSES, NUM_PARTS, assert_pgd_stays_in_the_ball, overfit_losses
from mmengine.config import Config
from mmengine.structures import InstanceData, PixelData

from partmm.registry import METRICS, MODELS
from partmm.structures import PartDataSample

SEQ = 'part_dino/part-seq_dino-r18w16_1xb32-adamw-12e_synthetic-partimagenet-64.py'
TWO_HEADS = 'part_dino/part-2heads_dino-r18w16_1xb32-adamw-12e_synthetic-partimagenet-64.py'
SIDE = 32


def dino_model(configs_dir: str, name: str = SEQ, **model):
    cfg = Config.fromfile(osp.join(configs_dir, name))
    cfg.merge_from_dict(dict(model=model))
    torch.manual_seed(0)
    built = MODELS.build(cfg.model)
    built.init_weights()
    return built


def boxed_batch(batch: int = 4, side: int = SIDE, labelled=None):
    """Images with one bright box per sample (part 1 + 3 i), its part map and its box; the
    samples at ``labelled`` False have their part labels withheld (all 255, no boxes)."""
    generator = torch.Generator().manual_seed(0)
    images = 0.2 * torch.rand(batch, 3, side, side, generator=generator)
    samples = []
    for index in range(batch):
        x1, y1 = 2 + 3 * index, 4 + 2 * index
        x2, y2 = x1 + side // 2, y1 + side // 3
        images[index, :, y1:y2, x1:x2] += 0.7
        label = 1 + (3 * index) % (NUM_PARTS - 1)
        sample = PartDataSample(metainfo=dict(img_shape=(side, side), img_path=f'img{index}'))
        sample.gt_label = torch.tensor([index % NUM_CLASSES])
        part_map = torch.zeros(1, side, side, dtype=torch.long)
        keep = labelled is None or labelled[index]
        if keep:
            part_map[:, y1:y2, x1:x2] = label
            sample.gt_instances = InstanceData(
                bboxes=torch.tensor([[x1, y1, x2, y2]], dtype=torch.float32),
                labels=torch.tensor([label]))
        else:
            part_map[:] = 255
            sample.gt_instances = InstanceData(bboxes=torch.zeros(0, 4),
                                               labels=torch.zeros(0, dtype=torch.long))
        sample.gt_sem_seg = PixelData(data=part_map)
        samples.append(sample)
    return images, samples


@pytest.mark.parametrize('name', [SEQ, TWO_HEADS])
def test_the_dino_part_model_trains_on_cpu_and_its_loss_falls(configs_dir, name):
    model = dino_model(configs_dir, name)
    images, samples = boxed_batch()
    losses = model.loss(images, samples)
    # (1 - c) CE(class) and c times DINO's set losses: last layer, earlier layers, encoder
    # proposals and denoising queries.
    assert {'loss_cls', 'det.loss_cls', 'det.loss_bbox', 'det.loss_iou', 'det.d0.loss_cls',
            'det.enc_loss_cls', 'det.dn_loss_cls', 'det.dn_loss_bbox'} <= set(losses)
    history = overfit_losses(model, images, samples, steps=10, lr=1e-3)
    assert all(torch.isfinite(torch.tensor(history)))
    assert history[-1] < 0.7 * history[0], history


def test_denoising_queries_leave_the_class_path_unchanged(configs_dir):
    """DINO's attention mask keeps the matching queries blind to the denoising ones: the
    class logits of the training forward (with denoising queries from the boxes) are those
    of the class path alone (attacks, prediction)."""
    model = dino_model(configs_dir).train()
    images, samples = boxed_batch()
    with torch.no_grad():
        with model.batch_context(images, samples):
            with_denoising = model.training_outputs(images)
        without = model.training_outputs(images)
    assert 'dn_meta' in with_denoising and 'dn_meta' not in without
    assert with_denoising['all_query_part_logits'][0].shape[1] > model.detector.num_queries
    torch.testing.assert_close(with_denoising['class_logits'], without['class_logits'],
                               rtol=1e-4, atol=1e-5)


def test_samples_without_part_labels_add_no_set_loss_but_count_in_the_mean(configs_dir):
    model = dino_model(configs_dir).eval()
    images, samples = boxed_batch(2, labelled=[True, False])
    with torch.no_grad():
        both = model.compute_losses(model.training_outputs(images), samples)
        alone = model.compute_losses(model.training_outputs(images[:1]), samples[:1])
    for key in ('det.loss_cls', 'det.loss_bbox', 'det.loss_iou'):
        torch.testing.assert_close(both[key], 0.5 * alone[key])


def test_trades_halves_keep_the_denoising_layout(configs_dir):
    from partmm.registry import HOOKS
    model = dino_model(configs_dir).train()
    images, samples = boxed_batch()
    trades = HOOKS.build(dict(type='TRADESAdversarialTrainingHook', attack=dict(
        type='TRADESAttack', eps=8 / 255, steps=1, step_size=8 / 255)))
    model.train_objective = trades.objective
    losses = model.loss(images, samples)
    assert 'det.dn_loss_bbox' in losses and 'loss_trades' in losses
    assert all(torch.isfinite(value).all() for value in losses.values())


def test_pgd_on_the_dino_part_model_stays_in_the_ball_and_part_attacks_refuse_it(configs_dir):
    model = dino_model(configs_dir)
    images, samples = boxed_batch()
    assert_pgd_stays_in_the_ball(model, images, samples)
    with pytest.raises(ValueError, match='needs a part model'):
        assert_pgd_stays_in_the_ball(model, images, samples, loss='joint')


def test_prediction_gives_detections_in_input_pixels_with_part_labels(configs_dir):
    model = dino_model(configs_dir).eval()
    images, samples = boxed_batch()
    with torch.no_grad():
        predicted = model.predict(images, samples)
    for sample in predicted:
        found = sample.pred_instances
        assert found.bboxes.shape == (model.detector.num_queries, 4)
        assert found.bboxes.min() >= 0 and found.bboxes.max() <= SIDE
        assert found.labels.min() >= 1 and found.labels.max() < NUM_PARTS
        assert sample.pred_label.shape == (1, ) and 'pred_sem_seg' not in sample


def test_the_sequence_head_reads_queries_in_any_order_when_it_sorts_them():
    head = MODELS.build(dict(type='QuerySequencePartHead', num_classes=5, num_part_labels=7,
                             num_queries=6, sort_queries=True, conv1d=True)).eval()
    logits = torch.randn(3, 6, 6)
    boxes = torch.rand(3, 6, 4)
    order = torch.randperm(6)
    torch.testing.assert_close(head(logits, boxes), head(logits[:, order], boxes[:, order]))
    for options in (dict(), dict(pool=True), dict(score_activation='sigmoid', conv1d=True)):
        head = MODELS.build(dict(type='QuerySequencePartHead', num_classes=5,
                                 num_part_labels=7, num_queries=6, **options))
        assert head(logits, boxes).shape == (3, 5)
    with pytest.raises(ValueError, match='built for 6 queries'):
        head(logits[:, :5], boxes[:, :5])


def test_configs_that_disagree_with_the_detector_are_refused(configs_dir):
    with pytest.raises(ValueError, match='model.detector.bbox_head.num_classes = 12'):
        dino_model(configs_dir, detector=dict(bbox_head=dict(num_classes=12)))
    with pytest.raises(ValueError, match='model.part_head.num_queries = 7 disagrees'):
        dino_model(configs_dir, part_head=dict(num_queries=7))
    model = dino_model(configs_dir)
    images, samples = boxed_batch(1)
    samples[0].gt_instances.labels[:] = NUM_PARTS
    with pytest.raises(ValueError, match='part box label 41 of img0'):
        model.loss(images, samples)


def detection_sample(truth, predicted, scores):
    return dict(
        img_shape=(SIDE, SIDE),
        gt_instances=dict(bboxes=torch.tensor(truth[0], dtype=torch.float32),
                          labels=torch.tensor(truth[1])),
        pred_instances=dict(bboxes=torch.tensor(predicted[0], dtype=torch.float32),
                            labels=torch.tensor(predicted[1]),
                            scores=torch.tensor(scores)))


def test_part_map_is_mmdet_coco_box_map_over_part_labels():
    metric = METRICS.build(dict(type='PartDetectionMetric'))
    metric.dataset_meta = dict(classes=('a', 'b'), part_names=('background', 'a:x', 'a:y'))
    truth = ([[2, 2, 12, 12], [16, 16, 30, 28]], [1, 2])
    metric.process({}, [detection_sample(truth, truth, [0.9, 0.8])] * 2)
    perfect = metric.evaluate(2)
    assert perfect['part/bbox_mAP'] == pytest.approx(1.0)
    metric.process({}, [detection_sample(truth, ([[2, 2, 12, 12], [16, 16, 30, 28]], [2, 1]),
                                         [0.9, 0.8])] * 2)
    assert metric.evaluate(2)['part/bbox_mAP'] == pytest.approx(0.0)
    with pytest.raises(KeyError, match='part_names'):
        metric.dataset_meta = dict(classes=('a', ))


def test_a_config_builds_the_model_again_after_a_first_build(configs_dir):
    cfg = Config.fromfile(osp.join(configs_dir, SEQ))
    MODELS.build(cfg.model)
    assert MODELS.build(cfg.model).detector.num_queries == 20
