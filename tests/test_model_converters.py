"""tools/model_converters/original2partmm.py on checkpoints built here in the original code's
layout (part-models reference, section 11), checked by the logits of the source network."""
import argparse
import os.path as osp

import pytest
import segmentation_models_pytorch as smp
import timm
import torch
import torch.nn as nn
from helpers import load_tool
from mmengine.runner.checkpoint import load_checkpoint

from partmm.models.classifiers.base_pixel_classifier import IMAGENET_MEAN, IMAGENET_STD
from partmm.registry import MODELS
from partmm.utils import load_config, register_all_modules

NUM_CLASSES, NUM_PARTS, SIZE = 11, 41, 64
# The paper configs, shrunk to a ResNet-18 encoder so that the test is quick; the converter
# does not depend on the encoder's depth.
R18_SEGMENTER = {
    'model.segmentor.backbone.name': 'resnet18',
    'model.segmentor.backbone.init_cfg': None,
    'model.segmentor.decode_head.encoder_channels': (3, 64, 64, 128, 256, 512),
}
CONFIGS = dict(
    bbox=('part_wbbox/part-wbbox_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_partimagenet-224.py',
          R18_SEGMENTER),
    pooling=('part_pooling/part-pooling-4_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_'
             'partimagenet-224.py', R18_SEGMENTER),
    classifier=('baselines/timm-resnet50_1xb32-sgd-50e_partimagenet-224.py',
                {'model.model_name': 'resnet18', 'model.pretrained': False}),
)


def randomize_norm_statistics(module: nn.Module) -> None:
    """Non-trivial BN running statistics, so that a wrong mapping shows in the logits."""
    for layer in module.modules():
        if isinstance(layer, nn.modules.batchnorm._BatchNorm):
            layer.running_mean.uniform_(-0.5, 0.5)
            layer.running_var.uniform_(0.5, 2.0)
            layer.weight.data.uniform_(0.5, 1.5)
            layer.bias.data.uniform_(-0.5, 0.5)


def original_wbbox_features(logits: torch.Tensor) -> torch.Tensor:
    """The original WeightedBBoxModel's features [B, P-1, 5], written from the reference."""
    height, width = logits.shape[-2:]
    masks = logits.softmax(1)[:, 1:]
    foreground = torch.sigmoid(logits[:, 1:].sum(1) - logits[:, 0])
    foreground = foreground / torch.clamp(foreground.sum((1, 2), keepdim=True), min=1e-6)
    score = (logits[:, 1:] * foreground.unsqueeze(1)).sum((2, 3))
    mass = masks.sum((2, 3)) + 1e-6
    x_profile = masks.sum(2) + 1e-6
    y_profile = masks.sum(3) + 1e-6
    grid = torch.arange(height, dtype=logits.dtype)
    cx = (x_profile * grid).sum(-1) / mass
    cy = (y_profile * grid).sum(-1) / mass
    sdx = torch.sqrt((x_profile * (grid - cx.unsqueeze(-1))**2).sum(-1) / mass)
    sdy = torch.sqrt((y_profile * (grid - cy.unsqueeze(-1))**2).sum(-1) / mass)
    cx, cy = cx / width * 2 - 1, cy / height * 2 - 1
    sdx, sdy = sdx / width * 2, sdy / height * 2
    return torch.stack([score, cx, cy, sdx, sdy], dim=-1)


class OriginalModel(nn.Module):
    """The original's wrapped model: normalisation buffers and ``_model``."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.register_buffer('mean', torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1))
        self.register_buffer('std', torch.tensor(IMAGENET_STD).view(1, 3, 1, 1))
        self.kind = kind
        self._model = nn.Module()
        if kind == 'classifier':
            self._model = timm.create_model('resnet18', num_classes=NUM_CLASSES)
            return
        segmenter = smp.DeepLabV3Plus(
            encoder_name='resnet18', encoder_weights=None, encoder_output_stride=16,
            decoder_channels=256, decoder_atrous_rates=(12, 24, 36), upsampling=4,
            classes=NUM_PARTS)
        if kind == 'bbox':
            self._model.segmenter = segmenter
            features = (NUM_PARTS - 1) * 5
            self._model.core_model = nn.Sequential(
                nn.Identity(), nn.Flatten(), nn.BatchNorm1d(features), nn.Linear(features, 50),
                nn.ReLU(), nn.BatchNorm1d(50), nn.Linear(50, NUM_CLASSES))
        else:
            self._model._segmenter = segmenter
            self._model.core_model = nn.Sequential(
                nn.AdaptiveAvgPool2d(4), nn.Conv2d(NUM_PARTS, 5 * NUM_PARTS, 4),
                nn.BatchNorm2d(5 * NUM_PARTS), nn.ReLU(), nn.Flatten(),
                nn.Linear(5 * NUM_PARTS, 50), nn.BatchNorm1d(50), nn.ReLU(),
                nn.Linear(50, NUM_CLASSES))

    def forward(self, images: torch.Tensor) -> tuple:
        inputs = (images - self.mean) / self.std
        if self.kind == 'classifier':
            return self._model(inputs), None
        if self.kind == 'bbox':
            logits = self._model.segmenter(inputs)
            return self._model.core_model(original_wbbox_features(logits)), logits
        logits = self._model._segmenter(inputs)
        return self._model.core_model(logits.softmax(1)), logits


def save_original_checkpoint(model: nn.Module, path: str) -> None:
    state = {f'module.{key}': value for key, value in model.state_dict().items()}
    torch.save(dict(epoch=49, state_dict=state, best_acc1=torch.tensor(87.5),
                    args=argparse.Namespace(experiment='part-wbbox-norm_img-semi')), path)


@pytest.fixture(scope='module')
def converter():
    return load_tool('tools/model_converters/original2partmm.py')


@pytest.mark.parametrize('kind', ['bbox', 'pooling', 'classifier'])
def test_a_converted_checkpoint_gives_the_source_networks_logits(kind, converter, tmp_path):
    torch.manual_seed(0)
    source = OriginalModel(kind)
    randomize_norm_statistics(source)
    source.eval()
    src = str(tmp_path / 'checkpoint_best.pt')
    save_original_checkpoint(source, src)
    config, options = CONFIGS[kind]
    config_path = osp.join(osp.dirname(osp.dirname(__file__)), 'configs', config)
    # The tool converts for a config file: write the shrunk config next to the checkpoint.
    cfg = load_config(config_path, options)
    shrunk = str(tmp_path / 'config.py')
    cfg.dump(shrunk)
    dst = str(tmp_path / 'converted.pth')
    meta = converter.convert(src, shrunk, dst)
    assert meta['source_model'] == kind and meta['source_epoch'] == 49

    register_all_modules()
    model = MODELS.build(cfg.model)
    load_checkpoint(model, dst, strict=True)
    model.eval()
    images = torch.rand(3, 3, SIZE, SIZE)
    with torch.no_grad():
        expected_class, expected_parts = source(images)
        class_logits, part_logits = model.extract_logits(images)
    torch.testing.assert_close(class_logits, expected_class, rtol=1e-5, atol=1e-5)
    if kind != 'classifier':
        torch.testing.assert_close(part_logits, expected_parts, rtol=1e-5, atol=1e-5)
    assert (class_logits.argmax(1) == expected_class.argmax(1)).all()


def test_a_checkpoint_of_another_model_is_refused(converter, tmp_path):
    source = OriginalModel('pooling')
    src = str(tmp_path / 'pooling.pt')
    save_original_checkpoint(source, src)
    config, options = CONFIGS['bbox']
    cfg = load_config(osp.join(osp.dirname(osp.dirname(__file__)), 'configs', config), options)
    cfg.dump(str(tmp_path / 'config.py'))
    with pytest.raises(KeyError, match=r'original pooling model.*bbox model: .*source keys map '
                       r'nowhere'):
        converter.convert(src, str(tmp_path / 'config.py'), str(tmp_path / 'out.pth'))
    assert not osp.exists(tmp_path / 'out.pth')


@pytest.mark.parametrize('change', ['extra_key', 'missing_key', 'wrong_shape'])
def test_unexpected_missing_or_reshaped_weights_are_named(change, converter, tmp_path):
    source = OriginalModel('bbox')
    state = {f'module.{key}': value for key, value in source.state_dict().items()}
    if change == 'extra_key':
        state['module._model.aux_head.weight'] = torch.zeros(1)
        match = r'1 source keys map nowhere.*_model\.aux_head\.weight'
    elif change == 'missing_key':
        del state['module._model.core_model.6.bias']
        match = r'1 model keys are not in it.*part_head\.classifier\.5\.bias'
    else:
        state['module._model.core_model.3.weight'] = torch.zeros(50, 7)
        match = r'1 shapes differ.*part_head\.classifier\.2\.weight: \(50, 7\) vs \(50, 200\)'
    src = str(tmp_path / 'checkpoint.pt')
    torch.save(dict(state_dict=state), src)
    config, options = CONFIGS['bbox']
    cfg = load_config(osp.join(osp.dirname(osp.dirname(__file__)), 'configs', config), options)
    cfg.dump(str(tmp_path / 'config.py'))
    with pytest.raises(KeyError, match=match):
        converter.convert(src, str(tmp_path / 'config.py'), str(tmp_path / 'out.pth'))


def test_a_missing_file_is_named(converter, tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere.pt does not exist'):
        converter.convert(str(tmp_path / 'nowhere.pt'), 'config.py', str(tmp_path / 'o.pth'))
