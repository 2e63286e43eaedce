"""The paper configs' networks: the original's smp DeepLabV3+, and ImageNet weights loaded
offline through each config's documented override."""
import os.path as osp

import pytest
import segmentation_models_pytorch as smp
import timm
import torch
import torchvision
from helpers import PART_WBBOX, REPO_ROOT, RESNET18
from mmengine.runner.checkpoint import get_torchvision_models

from partmm.registry import MODELS
from partmm.utils import load_config

SMP_WBBOX = 'part_wbbox/part-wbbox_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_partimagenet-224.py'
MMSEG_WBBOX = 'part_wbbox/part-wbbox_deeplabv3plus-r50-os16_1xb32-sgd-50e_partimagenet-224.py'
RESNET50 = 'baselines/timm-resnet50_1xb32-sgd-50e_partimagenet-224.py'


def build(name: str, options: dict = None):
    cfg = load_config(osp.join(REPO_ROOT, 'configs', name), options)
    return MODELS.build(cfg.model), cfg


@pytest.fixture(scope='module')
def torchvision_resnet50(tmp_path_factory) -> tuple:
    """A checkpoint file in torchvision's ResNet-50 format (random weights, fc included)."""
    torch.manual_seed(1)
    network = torchvision.models.resnet50()
    for module in network.modules():  # running statistics that differ from a fresh model's
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.running_var.uniform_(0.5, 2)
    path = str(tmp_path_factory.mktemp('weights') / 'resnet50-0676ba61.pth')
    torch.save(network.state_dict(), path)
    return path, network.state_dict()


def test_the_smp_segmentor_is_smp_deeplabv3plus_exactly():
    model, _ = build(SMP_WBBOX, {'model.segmentor.backbone.init_cfg': None})
    segmentor = model.segmentor.eval()
    reference = smp.DeepLabV3Plus(
        encoder_name='resnet50', encoder_weights=None, encoder_output_stride=16,
        decoder_channels=256, decoder_atrous_rates=(12, 24, 36), upsampling=4,
        classes=41).eval()
    prefixes = dict(encoder='backbone.', decoder='decode_head.',
                    segmentation_head='decode_head.')
    state = {prefixes[key.split('.')[0]] + key: value
             for key, value in reference.state_dict().items()}
    segmentor.load_state_dict(state, strict=True)  # the same parameters, the same names
    inputs = torch.randn(2, 3, 64, 96)
    with torch.no_grad():
        expected = reference(inputs)
        logits = segmentor.decode_head(segmentor.extract_feat(inputs))
    assert logits.shape == (2, 41, 64, 96)
    torch.testing.assert_close(logits, expected, rtol=0, atol=0)
    with pytest.raises(ValueError, match='70x96 is not a multiple of 16'):
        segmentor.extract_feat(torch.randn(1, 3, 70, 96))


def test_the_part_model_runs_the_smp_segmentor_at_input_size():
    model, _ = build(SMP_WBBOX, {'model.segmentor.backbone.init_cfg': None})
    class_logits, part_logits = model.eval().extract_logits(torch.rand(2, 3, 64, 64))
    assert class_logits.shape == (2, 11) and part_logits.shape == (2, 41, 64, 64)


@pytest.mark.parametrize('config', [MMSEG_WBBOX, SMP_WBBOX])
def test_segmenters_load_torchvision_imagenet_weights_from_the_override(
        config, torchvision_resnet50):
    path, weights = torchvision_resnet50
    model, cfg = build(config)
    assert cfg.model.segmentor.backbone.init_cfg == dict(type='Pretrained',
                                                         checkpoint='torchvision://resnet50')
    assert 'resnet50' in get_torchvision_models()  # the default resolves to a download URL
    model, _ = build(config, {'model.segmentor.backbone.init_cfg.checkpoint': path})
    model.init_weights()
    backbone = model.segmentor.backbone
    loaded = backbone.encoder.state_dict() if hasattr(backbone, 'encoder') else \
        backbone.state_dict()
    expected = {key: value for key, value in weights.items() if not key.startswith('fc.')}
    assert set(loaded) == set(expected)  # no backbone weight is left out
    for key, value in expected.items():
        torch.testing.assert_close(loaded[key], value, rtol=0, atol=0, msg=key)


def test_the_smp_encoder_refuses_weights_of_another_network(tmp_path):
    path = str(tmp_path / 'resnet18.pth')
    torch.save(torchvision.models.resnet18().state_dict(), path)
    model, _ = build(SMP_WBBOX, {'model.segmentor.backbone.init_cfg.checkpoint': path})
    with pytest.raises((KeyError, RuntimeError), match='resnet18.pth|size mismatch'):
        model.init_weights()


def test_the_baseline_loads_timm_imagenet_weights_from_the_override(tmp_path):
    torch.manual_seed(2)
    source = timm.create_model('resnet50')  # 1000 classes, as timm's file
    path = str(tmp_path / 'resnet50_ram-a26f946b.pth')
    torch.save(source.state_dict(), path)
    model, cfg = build(RESNET50)
    assert cfg.model.pretrained and cfg.model.model_name == 'resnet50.ram_in1k'
    # The default resolves to timm 0.4.12's resnet50 weights (hub or URL).
    assert model.network.pretrained_cfg['url'].endswith('/resnet50_ram-a26f946b.pth')
    assert model.network.pretrained_cfg['hf_hub_id'] == 'timm/resnet50.ram_in1k'
    model, _ = build(RESNET50, {'model.model_kwargs.pretrained_cfg_overlay.file': path})
    fresh_fc = model.network.fc.weight.clone()
    model.init_weights()
    for key, value in source.state_dict().items():
        if not key.startswith('fc.'):
            torch.testing.assert_close(model.network.state_dict()[key], value, rtol=0, atol=0,
                                       msg=key)
    # An 11-class head cannot come from the 1000-class file: it keeps its initialisation.
    assert model.network.fc.weight.shape == (11, 2048)
    torch.testing.assert_close(model.network.fc.weight, fresh_fc)


@pytest.mark.parametrize('config', [PART_WBBOX, RESNET18])
def test_the_cpu_configs_start_from_scratch(config):
    cfg = load_config(osp.join(REPO_ROOT, 'configs', config))
    if cfg.model.type == 'TimmClassifier':
        assert not cfg.model.pretrained
    else:
        assert cfg.model.segmentor.backbone.init_cfg is None
