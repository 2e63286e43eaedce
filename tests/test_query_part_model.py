"""The Mask2Former part model and its query ``sim`` head: shapes, losses, values by hand,
training, attacks and a Runner round trip, on a tiny CPU-sized network."""
import math

import pytest
import torch
from helpers import NUM_CLASSES, NUM_PARTS, PART_WBBOX, make_samples, synthetic_cfg
from mmengine.runner import Runner

from partmm.attacks import PGDAttack
from partmm.datasets.partimagenet_meta import PART_TO_CLASS_INDEX
from partmm.models.classifiers.query_part_classifier import QueryPartClassifier
from partmm.models.heads.query_sim_head import QuerySimHead
from partmm.registry import HOOKS, MODELS

EPS = 8 / 255


def tiny_mask2former_head(num_part_labels: int = NUM_PARTS, feat: int = 32,
                          num_queries: int = 8, num_layers: int = 2,
                          ignore_index: int = 255) -> dict:
    """mmseg's Mask2FormerHead on a [16, 32, 64, 128]-channel backbone: 32 channels, 8
    queries, 2 decoder layers, a 1-layer deformable pixel decoder, 256 sampled points."""
    return dict(
        type='Mask2FormerHead', in_channels=[16, 32, 64, 128], strides=[4, 8, 16, 32],
        feat_channels=feat, out_channels=feat, num_queries=num_queries,
        num_transformer_feat_level=3, align_corners=False, ignore_index=ignore_index,
        pixel_decoder=dict(
            type='mmdet.MSDeformAttnPixelDecoder', num_outs=3,
            norm_cfg=dict(type='GN', num_groups=8), act_cfg=dict(type='ReLU'),
            encoder=dict(num_layers=1, layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=feat, num_heads=4, num_levels=3, num_points=2,
                                   im2col_step=64, dropout=0.0, batch_first=True,
                                   norm_cfg=None, init_cfg=None),
                ffn_cfg=dict(embed_dims=feat, feedforward_channels=2 * feat, num_fcs=2,
                             ffn_drop=0.0, act_cfg=dict(type='ReLU', inplace=True)))),
            positional_encoding=dict(num_feats=feat // 2, normalize=True)),
        enforce_decoder_input_project=False,
        positional_encoding=dict(num_feats=feat // 2, normalize=True),
        transformer_decoder=dict(
            return_intermediate=True, num_layers=num_layers,
            layer_cfg=dict(
                self_attn_cfg=dict(embed_dims=feat, num_heads=4, attn_drop=0.0, proj_drop=0.0,
                                   dropout_layer=None, batch_first=True),
                cross_attn_cfg=dict(embed_dims=feat, num_heads=4, attn_drop=0.0,
                                    proj_drop=0.0, dropout_layer=None, batch_first=True),
                ffn_cfg=dict(embed_dims=feat, feedforward_channels=2 * feat, num_fcs=2,
                             act_cfg=dict(type='ReLU', inplace=True), ffn_drop=0.0,
                             dropout_layer=None, add_identity=True))),
        loss_cls=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=False, loss_weight=2.0,
                      reduction='mean', class_weight=[1.0] * num_part_labels + [0.1]),
        loss_mask=dict(type='mmdet.CrossEntropyLoss', use_sigmoid=True, reduction='mean',
                       loss_weight=5.0),
        loss_dice=dict(type='mmdet.DiceLoss', use_sigmoid=True, activate=True,
                       reduction='mean', naive_dice=True, eps=1.0, loss_weight=5.0),
        train_cfg=dict(
            num_points=256, oversample_ratio=3.0, importance_sample_ratio=0.75,
            assigner=dict(type='mmdet.HungarianAssigner', match_costs=[
                dict(type='mmdet.ClassificationCost', weight=2.0),
                dict(type='mmdet.CrossEntropyLossCost', weight=5.0, use_sigmoid=True),
                dict(type='mmdet.DiceCost', weight=5.0, pred_act=True, eps=1.0)]),
            sampler=dict(type='mmdet.MaskPseudoSampler')))


def tiny_query_model_cfg(part_head: dict = None, **kwargs) -> dict:
    """A QueryPartClassifier on a 16-channel ResNet-18 with :func:`tiny_mask2former_head`."""
    return dict(
        type='QueryPartClassifier', num_classes=NUM_CLASSES, num_part_labels=NUM_PARTS,
        segmentor=dict(
            type='EncoderDecoder',
            backbone=dict(type='ResNet', depth=18, stem_channels=16, base_channels=16,
                          norm_cfg=dict(type='BN')),
            decode_head=tiny_mask2former_head(), train_cfg=dict(),
            test_cfg=dict(mode='whole')),
        part_head=part_head or dict(type='QuerySimHead', part_to_class=PART_TO_CLASS_INDEX),
        **kwargs)


def tiny_query_model(part_head: dict = None, **kwargs) -> QueryPartClassifier:
    torch.manual_seed(0)
    return MODELS.build(tiny_query_model_cfg(part_head, **kwargs))


def test_outputs_are_class_logits_and_part_scores_at_input_size():
    model = tiny_query_model().eval()
    inputs = torch.rand(2, 3, 64, 96)
    with torch.no_grad():
        class_logits, part_scores = model.extract_logits(inputs)
        outputs = model.training_outputs(inputs)
    assert class_logits.shape == (2, NUM_CLASSES)
    assert part_scores.shape == (2, NUM_PARTS, 64, 96)
    # Scores, not logits: softmax part probabilities times sigmoid masks, summed over 8 queries.
    assert part_scores.min() >= 0 and part_scores.max() <= 8
    assert outputs['query_class_logits'].shape == (2, 8, NUM_PARTS + 1)
    assert outputs['query_mask_logits'].shape == (2, 8, 16, 24)  # the pixel decoder's 1/4
    assert len(outputs['all_query_class_logits']) == 3  # the queries' start + 2 layers
    torch.testing.assert_close(model(inputs, mode='tensor'), class_logits)


def test_loss_terms_follow_seg_loss_weight_and_selection():
    model = tiny_query_model(seg_loss_weight=0.3)
    inputs, samples = torch.rand(2, 3, 64, 64), make_samples(2, 64, 64)
    torch.manual_seed(1)
    losses = model.loss(inputs, samples)
    assert {'loss_cls', 'acc_cls', 'decode.loss_cls', 'decode.loss_mask', 'decode.loss_dice',
            'decode.d0.loss_cls', 'decode.d1.loss_dice', 'decode.acc_seg'} <= set(losses)
    outputs = model.training_outputs(inputs)
    class_only = model.compute_losses(outputs, samples, with_parts=False)
    assert set(class_only) == {'loss_cls', 'acc_cls'}
    labels = model.stack_labels(samples)
    expected = 0.7 * torch.nn.functional.cross_entropy(outputs['class_logits'], labels)
    torch.testing.assert_close(class_only['loss_cls'], expected)
    torch.manual_seed(1)
    parts_only = model.compute_losses(outputs, samples, with_class=False)
    assert 'loss_cls' not in parts_only and 'decode.loss_dice' in parts_only
    unit_weight = tiny_query_model(seg_loss_weight=1.0)
    torch.manual_seed(1)  # the same points sampled for matching and mask terms
    unweighted = unit_weight.compute_losses(outputs, samples, with_class=False)
    for key in ('decode.loss_cls', 'decode.loss_mask', 'decode.d0.loss_dice'):
        torch.testing.assert_close(parts_only[key], 0.3 * unweighted[key])


def test_unlabelled_and_partly_ignored_samples():
    model = tiny_query_model()
    inputs = torch.rand(3, 3, 64, 64)
    unlabelled = make_samples(3, 64, 64, labelled=False)
    losses = model.loss(inputs, unlabelled)
    for key, value in losses.items():
        if key.startswith('decode.') and 'loss' in key:
            assert value.item() == 0.0, key
    sum(value for key, value in losses.items() if 'loss' in key).backward()
    # Ignored pixels make no instance (label 255 would index past the P + 1 classes).
    samples = make_samples(3, 64, 64)
    samples[0].gt_sem_seg.data[:, :32] = 255
    samples[2] = unlabelled[2]
    model.zero_grad()
    losses = model.loss(inputs, samples)
    assert losses['decode.loss_mask'].item() > 0
    sum(value for key, value in losses.items() if 'loss' in key).backward()


def test_a_few_iterations_lower_the_loss():
    model = tiny_query_model().train()
    inputs, samples = torch.rand(4, 3, 64, 64), make_samples(4, 64, 64)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    totals = []
    for _ in range(6):
        losses = model.loss(inputs, samples)
        total = sum(value for key, value in losses.items() if 'loss' in key)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        totals.append(total.item())
    assert totals[-1] < 0.9 * totals[0], totals


def test_sim_head_values_by_hand():
    # P = 3 (background, a part of class 0, a part of class 1), C = 2, 2 queries.
    head = QuerySimHead(num_classes=2, num_part_labels=3, part_to_class=[-1, 0, 1],
                        log_scores=False)
    class_logits = torch.tensor([[[0.0, math.log(2.0), 0.0, 0.0],     # softmax 1/5, 2/5, ..
                                  [0.0, 0.0, math.log(3.0), 0.0]]])  # 1/6, 1/6, 3/6, 1/6
    mask_logits = torch.tensor([[[[0.0, 0.0]], [[30.0, 30.0]]]])  # mask mass 1/2 and 1
    # Per-query evidence [class 0, class 1]: q0 (2/5, 1/5), q1 (1/6, 1/2).
    torch.testing.assert_close(head(class_logits, mask_logits), torch.tensor([[2 / 5, 1 / 2]]))
    head.aggregation, head.topk = 'topk', 2
    torch.testing.assert_close(head(class_logits, mask_logits),
                               torch.tensor([[(2 / 5 + 1 / 6) / 2, (1 / 5 + 1 / 2) / 2]]))
    # Weighted by mask mass: q0 (1/5, 1/10), q1 (1/6, 1/2).
    head.mask_weighted = True
    torch.testing.assert_close(head(class_logits, mask_logits),
                               torch.tensor([[(1 / 5 + 1 / 6) / 2, (1 / 10 + 1 / 2) / 2]]))
    head.log_scores, head.aggregation = True, 'max'
    torch.testing.assert_close(head(class_logits, mask_logits),
                               torch.tensor([[1 / 5, 1 / 2]]).log())


def test_sim_head_matrix_is_learnable_only_when_asked():
    class_logits = torch.randn(2, 4, 4, requires_grad=True)
    mask_logits = torch.randn(2, 4, 5, 5)
    fixed = QuerySimHead(num_classes=2, num_part_labels=3, part_to_class=[-1, 0, 1])
    assert list(fixed.parameters()) == [] and not fixed.matrix.requires_grad
    fixed(class_logits, mask_logits).sum().backward()
    assert class_logits.grad is not None  # the gradient reaches the segmenter
    assert fixed.matrix.grad is None
    learnable = QuerySimHead(num_classes=2, num_part_labels=3, part_to_class=[-1, 0, 1],
                             learnable=True, aggregation='topk', topk=2)
    torch.testing.assert_close(learnable.matrix.detach(), fixed.matrix)
    learnable(class_logits, mask_logits).sum().backward()
    assert learnable.matrix.grad is not None
    assert learnable.matrix.grad.abs().sum() > 0


def test_sim_head_and_model_reject_what_they_cannot_do():
    with pytest.raises(ValueError, match='no background class to keep'):
        QuerySimHead(num_classes=2, num_part_labels=3, part_to_class=[-1, 0, 1],
                     drop_background=False)
    with pytest.raises(ValueError, match='part_to_class has 2 entries'):
        QuerySimHead(num_classes=2, num_part_labels=3, part_to_class=[-1, 0])
    head = QuerySimHead(num_classes=2, num_part_labels=3, part_to_class=[-1, 0, 1],
                        aggregation='topk', topk=3)
    with pytest.raises(ValueError, match='topk = 3 exceeds the 2 queries'):
        head(torch.randn(1, 2, 4), torch.randn(1, 2, 3, 3))
    with pytest.raises(ValueError, match=r'expects query class logits \[B, Q, 4\]'):
        head(torch.randn(1, 2, 3), torch.randn(1, 2, 3, 3))
    cfg = tiny_query_model_cfg()
    cfg['segmentor']['decode_head'] = dict(
        type='FCNHead', in_channels=128, channels=8, num_convs=1, in_index=3)
    with pytest.raises(TypeError, match='needs a Mask2FormerHead decode head, got FCNHead'):
        MODELS.build(cfg)


def test_pixel_heads_read_the_part_scores():
    model = tiny_query_model(part_head=dict(type='DownsampledPartHead')).eval()
    class_logits, _ = model.extract_logits(torch.rand(2, 3, 64, 64))
    assert class_logits.shape == (2, NUM_CLASSES)


@pytest.mark.parametrize('loss', ['ce', 'joint'])
def test_pgd_stays_in_the_ball_and_in_pixel_range(loss):
    model = tiny_query_model().eval()
    images, samples = torch.rand(2, 3, 64, 64), make_samples(2, 64, 64)
    attack = PGDAttack(eps=EPS, steps=2, step_size=EPS / 2, loss=loss)
    adversarial = attack(model, images, samples)
    assert (adversarial - images).abs().max() <= EPS + 1e-6
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    assert not torch.equal(adversarial, images)


@pytest.mark.parametrize('hook', [
    dict(type='PGDAdversarialTrainingHook',
         attack=dict(type='PGDAttack', eps=EPS, steps=2, step_size=EPS / 2, select='last')),
    dict(type='TRADESAdversarialTrainingHook', beta=1.0,
         attack=dict(type='TRADESAttack', eps=EPS, steps=2, step_size=EPS / 2)),
])
def test_adversarial_training_objectives_give_every_term(hook):
    model = tiny_query_model().train()
    losses = HOOKS.build(hook).objective(model, torch.rand(2, 3, 64, 64),
                                         make_samples(2, 64, 64))
    assert {'loss_cls', 'decode.loss_cls', 'decode.loss_mask', 'decode.loss_dice'} <= set(losses)
    sum(value for key, value in losses.items() if 'loss' in key).backward()
    assert model.segmentor.decode_head.query_feat.weight.grad is not None


def test_predict_fills_class_and_part_map():
    model = tiny_query_model().eval()
    with torch.no_grad():
        samples = model.predict(torch.rand(2, 3, 64, 48), make_samples(2, 64, 48))
    for sample in samples:
        assert sample.pred_score.shape == (NUM_CLASSES, )
        assert sample.pred_sem_seg.data.shape == (1, 64, 48)
        assert 0 <= sample.pred_sem_seg.data.min() and sample.pred_sem_seg.data.max() < NUM_PARTS


def test_trains_and_validates_through_the_runner(configs_dir, synthetic_root, tmp_path):
    cfg = synthetic_cfg(configs_dir, PART_WBBOX, synthetic_root, str(tmp_path), 1)
    cfg.model = tiny_query_model_cfg(
        data_preprocessor=cfg.model.get('data_preprocessor'))
    cfg.custom_hooks = []  # the DeepLabV3+ recipe's segmenter warm-up
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.val_loop.run()
    assert {'accuracy/top1', 'part/mIoU'} <= set(metrics)  # PartIoUMetric read pred_sem_seg
