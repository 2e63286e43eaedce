"""Part classifier and baseline: losses, predictions and the [0, 1] pixel-space contract."""
import os.path as osp
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import torch
from helpers import (
    NUM_CLASSES,
    NUM_PARTS,
    PART_WBBOX,
    TinyConvClassifier,
    assert_pgd_stays_in_the_ball,
    make_samples,
    overfit_losses,
    structured_samples,
    tiny_part_model,
    tiny_part_model_cfg,
)
from mmengine.config import Config
from mmengine.structures import PixelData

from partmm.datasets import partimagenet_meta
from partmm.engine.hooks import DatasetMetaCheckHook
from partmm.models.utils import CleanBatchLookup, pixel_accuracy
from partmm.registry import ATTACKS, MODELS
from partmm.structures import PartDataSample

PART_TO_CLASS = list(partimagenet_meta.metainfo()['part_to_class'])


def test_part_model_loss_terms_follow_seg_loss_weight():
    torch.manual_seed(0)
    model = tiny_part_model(seg_loss_weight=0.3).eval()  # eval: no dropout noise
    inputs = torch.rand(2, 3, 32, 48)
    samples = make_samples(2, 32, 48)
    losses = model.loss(inputs, samples)
    assert set(losses) >= {'loss_cls', 'decode.loss_ce', 'acc_cls', 'decode.acc_seg'}
    model.seg_loss_weight = 1.0
    seg_only = model.loss(inputs, samples)
    assert seg_only['loss_cls'].item() == 0
    # c scales the part term linearly: 0.3 * CE vs 1.0 * CE of the same logits.
    ratio = losses['decode.loss_ce'] / seg_only['decode.loss_ce']
    assert ratio.item() == pytest.approx(0.3, rel=1e-5)


def test_unlabelled_samples_only_contribute_the_class_loss():
    torch.manual_seed(0)
    model = tiny_part_model()
    inputs = torch.rand(2, 3, 32, 32)
    losses = model.loss(inputs, make_samples(2, 32, 32, labelled=False))
    assert losses['decode.loss_ce'].item() == 0
    assert losses['loss_cls'].item() > 0
    total = sum(value for key, value in losses.items() if 'loss' in key)
    total.backward()
    head_grad = model.part_head.classifier[-1].weight.grad
    assert head_grad is not None and head_grad.abs().sum() > 0


def test_mixed_batch_part_loss_counts_unlabelled_as_zero():
    torch.manual_seed(0)
    model = tiny_part_model(seg_loss_weight=1.0).eval()
    inputs = torch.rand(2, 3, 32, 32)
    labelled = make_samples(2, 32, 32)
    mixed = [labelled[0], make_samples(1, 32, 32, labelled=False)[0]]
    full = model.loss(inputs, labelled)['decode.loss_ce']
    half = model.loss(inputs, mixed)['decode.loss_ce']
    first_only = model.loss(inputs[:1], labelled[:1])['decode.loss_ce']
    # The unlabelled sample's pixels count as zero in the mean over the batch.
    assert half.item() == pytest.approx(first_only.item() / 2, rel=1e-4)
    assert full.item() != pytest.approx(half.item())


def test_tensor_mode_is_differentiable_in_pixel_space():
    torch.manual_seed(0)
    model = tiny_part_model(part_head=dict(type='DownsampledPartHead')).eval()
    images = torch.rand(2, 3, 40, 56, requires_grad=True)
    logits = model(images, mode='tensor')
    assert logits.shape == (2, NUM_CLASSES)
    logits[:, 0].sum().backward()
    assert images.grad is not None and images.grad.abs().sum() > 0


def test_normalisation_happens_inside_the_model():
    torch.manual_seed(0)
    model = tiny_part_model().eval()
    images = torch.rand(1, 3, 32, 32)
    features = model.segmentor.extract_feat(model.normalize(images))
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
    expected = model.segmentor.extract_feat((images - mean) / std)
    torch.testing.assert_close(features[-1], expected[-1])


def test_predict_returns_class_and_part_map():
    torch.manual_seed(0)
    model = tiny_part_model().eval()
    samples = model.predict(torch.rand(3, 3, 32, 40), make_samples(3, 32, 40))
    for sample in samples:
        assert sample.pred_score.shape == (NUM_CLASSES, )
        assert sample.pred_score.sum().item() == pytest.approx(1.0, abs=1e-5)
        assert sample.pred_label.item() == sample.pred_score.argmax().item()
        assert sample.pred_sem_seg.data.shape == (1, 32, 40)
        assert 0 <= sample.pred_sem_seg.data.min() and sample.pred_sem_seg.data.max() < NUM_PARTS


def test_mismatched_sizes_are_named():
    with pytest.raises(ValueError, match='model.part_head.num_classes'):
        tiny_part_model(part_head=dict(type='BoundingBoxPartHead', num_classes=5))
    with pytest.raises(ValueError, match='decode_head.num_classes'):
        MODELS.build(dict(
            type='PartClassifier', num_classes=11, num_part_labels=41,
            segmentor=dict(
                type='EncoderDecoder', backbone=dict(type='ResNet', depth=18),
                decode_head=dict(type='FCNHead', in_channels=512, channels=8, num_classes=7)),
            part_head=dict(type='BoundingBoxPartHead')))


def test_timm_baseline_loss_and_predict():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='TimmClassifier', model_name='resnet18',
                              num_classes=NUM_CLASSES))
    assert model.num_part_labels is None
    samples = make_samples(2, 32, 32)
    losses = model.loss(torch.rand(2, 3, 32, 32), samples)
    assert set(losses) == {'loss_cls', 'acc_cls'}
    model.eval()
    predictions = model.predict(torch.rand(2, 3, 32, 32), samples)
    assert predictions[0].pred_score.shape == (NUM_CLASSES, )
    assert 'pred_sem_seg' not in predictions[0]
    images = torch.rand(1, 3, 32, 32, requires_grad=True)
    model(images, mode='tensor').sum().backward()
    assert images.grad.abs().sum() > 0


def test_segmenter_warmup_hook_switches_the_class_loss():
    from types import SimpleNamespace

    from partmm.registry import HOOKS
    torch.manual_seed(0)
    model = tiny_part_model().eval()
    hook = HOOKS.build(dict(type='SegmenterWarmupHook', warmup_iters=5))
    inputs, samples = torch.rand(2, 3, 32, 32), make_samples(2, 32, 32)
    hook.before_train_iter(SimpleNamespace(model=model, iter=4), batch_idx=4)
    warming = model.loss(inputs, samples)
    assert warming['loss_cls'].item() == 0 and warming['decode.loss_ce'].item() > 0
    warming['loss_cls'].backward()  # a zero gradient, not a missing one (DDP needs all)
    assert model.part_head.classifier[-1].weight.grad is not None
    hook.before_train_iter(SimpleNamespace(model=model, iter=5), batch_idx=5)
    assert model.loss(inputs, samples)['loss_cls'].item() > 0
    baseline = MODELS.build(dict(type='TimmClassifier', model_name='resnet18', num_classes=11))
    with pytest.raises(TypeError, match='class_loss_scale'):
        hook.before_train_iter(SimpleNamespace(model=baseline, iter=0), batch_idx=0)


@pytest.mark.parametrize('part_head', [
    dict(type='PixelCountPartHead', part_to_class=PART_TO_CLASS, aggregation='softmax_mask'),
    dict(type='PixelCountPartHead', part_to_class=PART_TO_CLASS, learnable=True),
    dict(type='DecoderFeatureClassHead', in_channels=16, feature_size=(8, 12)),
    dict(type='EncoderFeatureClassHead', in_channels=512),
    dict(type='BoundingBoxPartHead', conv1d=True, centroid_loss_weight=0.1,
         part_to_class=PART_TO_CLASS),
    dict(type='DownsampledPartHead', drop_background=True, pre_norm=True),
])
def test_each_part_head_trains_and_is_attacked_in_a_part_model(part_head):
    torch.manual_seed(0)
    model = tiny_part_model(part_head=part_head)
    inputs, samples = torch.rand(4, 3, 32, 48), structured_samples(4, 32, 48)
    class_logits, seg_logits = model.extract_logits(inputs)
    assert class_logits.shape == (4, NUM_CLASSES)
    assert seg_logits.shape == (4, NUM_PARTS, 32, 48)
    losses = overfit_losses(model, inputs, samples, steps=10)
    assert losses[-1] < 0.85 * losses[0], losses
    if part_head.get('centroid_loss_weight'):
        assert {'loss_centroid', 'loss_mass'} <= set(model.loss(inputs, samples))
    # Semi-supervised batches: samples without part labels add only the class loss.
    mixed = samples[:2] + make_samples(2, 32, 48, labelled=False)
    assert all(torch.isfinite(value) for value in model.loss(inputs, mixed).values())
    assert_pgd_stays_in_the_ball(model, inputs, samples)
    assert_pgd_stays_in_the_ball(model, inputs, samples, loss='joint')


def test_decoder_features_are_the_decode_heads_last_map():
    torch.manual_seed(0)
    model = tiny_part_model(part_head=dict(type='DecoderFeatureClassHead', in_channels=16,
                                           feature_size=8)).eval()
    inputs = torch.rand(2, 3, 32, 32)
    outputs = model._segment(inputs, with_decoder_features=True)
    head = model.segmentor.decode_head
    # The decode head's classifier applied to them gives its part logits.
    torch.testing.assert_close(head.conv_seg(outputs['decoder_features']),
                               head(outputs['features']))
    assert not model._segment(inputs).keys() & {'decoder_features'}
    assert not head.conv_seg._forward_pre_hooks and not head.dropout._forward_pre_hooks


def test_a_part_head_table_that_disagrees_with_the_dataset_is_refused():
    model = tiny_part_model(part_head=dict(type='PixelCountPartHead',
                                           part_to_class=[-1] + [0] * (NUM_PARTS - 1)))
    dataset = SimpleNamespace(metainfo=dict(classes=list(range(NUM_CLASSES)),
                                            part_names=list(range(NUM_PARTS)),
                                            part_to_class=PART_TO_CLASS))
    runner = SimpleNamespace(model=model, train_dataloader=SimpleNamespace(dataset=dataset))
    with pytest.raises(ValueError, match='model.part_head.part_to_class = .* disagrees'):
        DatasetMetaCheckHook().before_train(runner)


def test_segmentation_only_model_trains_and_initialises_a_part_model(tmp_path):
    torch.manual_seed(0)
    part_model_cfg = tiny_part_model_cfg()
    segmenter = MODELS.build(dict(type='PartSegmenter', segmentor=part_model_cfg['segmentor'],
                                  num_part_labels=NUM_PARTS))
    inputs, samples = torch.rand(4, 3, 32, 32), structured_samples(4, 32, 32)
    losses = overfit_losses(segmenter, inputs, samples)
    assert losses[-1] < 0.8 * losses[0], losses
    predicted = segmenter.eval().predict(inputs, make_samples(4, 32, 32))
    assert predicted[0].pred_sem_seg.data.shape == (1, 32, 32)
    assert segmenter(inputs).shape == (4, NUM_PARTS, 32, 32)
    path = str(tmp_path / 'segmenter.pth')
    torch.save(dict(state_dict=segmenter.state_dict(), meta={}), path)
    part_model_cfg['segmentor']['init_cfg'] = dict(type='Pretrained', checkpoint=path,
                                                   prefix='segmentor.')
    part_model = MODELS.build(part_model_cfg)
    part_model.init_weights()
    for key, value in segmenter.segmentor.state_dict().items():
        torch.testing.assert_close(part_model.segmentor.state_dict()[key], value)


def test_batch_context_is_entered_by_loss_predict_and_attacks():
    entered = []

    class Recording(TinyConvClassifier):
        @contextmanager
        def batch_context(self, inputs, data_samples):
            entered.append(len(inputs))
            yield

    model = Recording()
    inputs, samples = torch.rand(3, 3, 16, 16), make_samples(3, 16, 16)
    model.loss(inputs, samples)
    model.predict(inputs, samples)
    assert_pgd_stays_in_the_ball(model, inputs, samples)
    assert entered == [3, 3, 3]


def test_clean_batch_lookup_finds_rows_of_adversarial_sub_batches():
    lookup = CleanBatchLookup('Model')
    clean = torch.rand(4, 3, 8, 8)
    values = torch.arange(4)
    with pytest.raises(RuntimeError, match='Model needs the batch it evaluates'):
        lookup.lookup(clean)
    with lookup.bind(clean, values):
        attacked = (clean[[2, 0]] + (torch.rand(2, 3, 8, 8) - 0.5) * 16 / 255).clamp(0, 1)
        assert lookup.lookup(attacked).tolist() == [2, 0]
        with pytest.raises(ValueError, match='not one of them, nor an attack on one'):
            lookup.lookup(1 - clean[:1])
    assert not lookup.is_bound


def test_attacks_that_score_part_maps_refuse_heads_that_read_more():
    model = tiny_part_model(part_head=dict(type='MaskPartHead', model_name='resnet18',
                                           with_image=True))
    inputs, samples = torch.rand(2, 3, 32, 32), structured_samples(2, 32, 32)
    attack = ATTACKS.build(dict(type='SegGuidedAttack', eps=8 / 255, steps=1, step_size=0.01))
    with pytest.raises(ValueError, match="scores part maps with the model's part head alone, "
                       r"but MaskPartHead reads \('seg_logits', 'images'\)"):
        attack(model.eval(), inputs, samples)


def test_the_matched_baseline_is_the_part_models_encoder_with_a_linear_head(configs_dir):
    part_cfg = Config.fromfile(osp.join(configs_dir, PART_WBBOX))
    baseline_cfg = Config.fromfile(osp.join(
        configs_dir, 'baselines',
        'encoder-classifier_r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py'))
    assert baseline_cfg.model.backbone == part_cfg.model.segmentor.backbone
    part_model, baseline = MODELS.build(part_cfg.model), MODELS.build(baseline_cfg.model)
    encoder = {name: value.shape for name, value in part_model.segmentor.backbone.state_dict()
               .items()}
    assert {name: value.shape for name, value in baseline.backbone.state_dict().items()} == \
        encoder
    head = {name for name in baseline.state_dict() if not name.startswith('backbone.')}
    assert head <= {'head.2.weight', 'head.2.bias', 'pixel_mean', 'pixel_std'}
    logits = baseline(torch.rand(2, 3, 64, 64))
    assert logits.shape == (2, NUM_CLASSES)
    logits.sum().backward()


@pytest.mark.parametrize('stage', ['12e', '4e-pgd10-at'])
def test_the_matched_baseline_trains_with_the_part_models_recipe(configs_dir, stage):
    token = 'synthetic-partimagenet-64'
    part_cfg = Config.fromfile(osp.join(
        configs_dir, 'part_wbbox',
        f'part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-{stage}_{token}.py'))
    baseline_cfg = Config.fromfile(osp.join(
        configs_dir, 'baselines', f'encoder-classifier_r18w32-os8_1xb32-adamw-{stage}_{token}.py'))
    keys = ['optim_wrapper', 'param_scheduler', 'train_cfg', 'train_dataloader', 'randomness']
    # Clean training differs only in the part model's segmenter warm-up hook (a baseline has
    # no segmenter); adversarial training in nothing.
    assert [hook.type for hook in part_cfg.get('custom_hooks', [])
            if hook.type != 'SegmenterWarmupHook'] == [
                hook.type for hook in baseline_cfg.get('custom_hooks', [])]
    for key in keys + (['custom_hooks'] if stage != '12e' else []):
        assert baseline_cfg.get(key) == part_cfg.get(key), key
    if stage != '12e':
        # The papers' training attack: PGD-10, eps 8/255, step 1.25 eps / 10.
        attack = part_cfg.custom_hooks[0].attack
        assert (attack.steps, attack.eps, attack.step_size) == (10, 8 / 255, 1 / 255)


def _raw_batch(sizes, seed=0):
    """A collated batch as the loader gives it: uint8 BGR images and packed samples."""
    generator = torch.Generator().manual_seed(seed)
    samples = []
    for index, (height, width) in enumerate(sizes):
        sample = PartDataSample(metainfo=dict(img_shape=(height, width)))
        sample.gt_label = torch.tensor([index % NUM_CLASSES])
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, NUM_PARTS, (1, height, width), generator=generator))
        samples.append(sample)
    images = [torch.randint(0, 256, (3, height, width), dtype=torch.uint8, generator=generator)
              for height, width in sizes]
    return dict(inputs=images, data_samples=samples)


# One size (batched), or several (mmseg's padding path; mmseg refuses them outside training).
@pytest.mark.parametrize('sizes, training', [
    ([(32, 48)] * 3, True),
    ([(32, 48)] * 3, False),
    ([(32, 48), (40, 32), (32, 32)], True),
])
def test_pixel_preprocessor_matches_mmsegs(sizes, training):
    """partmm's batched preprocessor gives mmseg's inputs and samples, bit for bit."""
    cfg = dict(mean=[0., 0., 0.], std=[255., 255., 255.], bgr_to_rgb=True, size_divisor=1,
               seg_pad_val=255)
    ours = MODELS.build(dict(cfg, type='PixelDataPreProcessor'))
    mmseg = MODELS.build(dict(cfg, type='mmseg.SegDataPreProcessor'))
    expected = mmseg(_raw_batch(sizes), training)
    raw = _raw_batch(sizes)
    result = ours(raw, training)
    assert torch.equal(result['inputs'], expected['inputs'])
    assert result['inputs'].dtype == expected['inputs'].dtype == torch.float32
    for sample, reference in zip(result['data_samples'], expected['data_samples']):
        assert torch.equal(sample.gt_sem_seg.data, reference.gt_sem_seg.data)
        assert torch.equal(sample.gt_label, reference.gt_label)
        assert sample.metainfo == reference.metainfo
    if training and len(set(sizes)) == 1:
        # A second call on the same loader batch (samples used in place) gives the same.
        again = ours(raw, training)
        assert torch.equal(again['inputs'], expected['inputs'])
        assert [sample.metainfo for sample in again['data_samples']] == [
            sample.metainfo for sample in expected['data_samples']]


def test_pixel_accuracy_is_argmax_accuracy():
    torch.manual_seed(0)
    # Integer logits tie often: the first maximal part counts, as with argmax.
    for logits in (torch.randn(4, 41, 16, 16), torch.randint(0, 3, (4, 41, 16, 16)).float()):
        labels = torch.randint(0, 41, (4, 16, 16))
        labels[0, :5] = 255
        labelled = labels != 255
        expected = (logits.argmax(dim=1) == labels)[labelled].float().mean() * 100
        assert torch.equal(pixel_accuracy(logits, labels, 255), expected)
    assert pixel_accuracy(logits, torch.full_like(labels, 255), 255).item() == 0
