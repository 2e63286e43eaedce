"""Small models, batches and utilities shared by the tests."""
import importlib.util
import os.path as osp
import random
import socket
from types import ModuleType
from typing import List

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.structures import PixelData

from partmm.models.classifiers.base_pixel_classifier import BasePixelClassifier
from partmm.registry import MODELS
from partmm.structures import PartDataSample
from partmm.utils.schedule import fit_schedule_to_run

NUM_CLASSES, NUM_PARTS = 11, 41
REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
# The synthetic default's configs the tests run, as paths under configs/.
SYNTHETIC = 'synthetic-partimagenet-64'
PART_WBBOX = f'part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_{SYNTHETIC}.py'
PART_WBBOX_PGD = (
    f'part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-4e-pgd3-at_{SYNTHETIC}.py')
PART_WBBOX_SEMI50 = (
    f'part_wbbox/part-wbbox-semi50_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_{SYNTHETIC}.yaml')
PART_POOLING = (
    f'part_pooling/part-pooling-4_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_{SYNTHETIC}.py')
RESNET18 = f'baselines/timm-resnet18_1xb32-adamw-12e_{SYNTHETIC}.py'


def tiny_part_model(part_head: dict = None, ignore_index: int = 255,
                    num_classes: int = NUM_CLASSES, num_part_labels: int = NUM_PARTS, **kwargs):
    """A small DeepLabV3+ R-18 part model (the synthetic config's network)."""
    return MODELS.build(tiny_part_model_cfg(part_head, ignore_index, num_classes,
                                            num_part_labels, **kwargs))


def tiny_part_model_cfg(part_head: dict = None, ignore_index: int = 255,
                        num_classes: int = NUM_CLASSES, num_part_labels: int = NUM_PARTS,
                        **kwargs) -> dict:
    """The config of :func:`tiny_part_model`."""
    return dict(
        type='PartClassifier',
        num_classes=num_classes,
        num_part_labels=num_part_labels,
        segmentor=dict(
            type='EncoderDecoder',
            backbone=dict(type='ResNet', depth=18, strides=(1, 2, 1, 1),
                          dilations=(1, 1, 2, 4), norm_cfg=dict(type='BN')),
            decode_head=dict(type='DepthwiseSeparableASPPHead', in_channels=512, in_index=3,
                             channels=16, dilations=(1, 2), c1_in_channels=64, c1_channels=8,
                             norm_cfg=dict(type='BN'), align_corners=False,
                             ignore_index=ignore_index,
                             loss_decode=dict(type='CrossEntropyLoss'))),
        part_head=part_head or dict(type='BoundingBoxPartHead'),
        **kwargs)


def make_samples(batch: int, height: int, width: int, labelled: bool = True):
    samples = []
    for index in range(batch):
        sample = PartDataSample(metainfo=dict(img_shape=(height, width)))
        sample.gt_label = torch.tensor([index % NUM_CLASSES])
        part_map = torch.randint(0, NUM_PARTS, (1, height, width)) if labelled else \
            torch.full((1, height, width), 255)
        sample.gt_sem_seg = PixelData(data=part_map)
        samples.append(sample)
    return samples


class TinyConvClassifier(BasePixelClassifier):
    """A two-layer conv net on [0, 1] images: fast enough for full AutoAttack in a test."""

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__(num_classes=num_classes)
        self.body = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, num_classes))

    def extract_logits(self, inputs):
        return self.body(self.normalize(inputs)), None


def self_labelled_batch(model, size: int = 16, side: int = 16, seed: int = 0):
    """Random images labelled with ``model``'s own predictions (all correct when clean)."""
    images = torch.rand(size, 3, side, side, generator=torch.Generator().manual_seed(seed))
    with torch.no_grad():
        labels = model.extract_logits(images)[0].argmax(dim=1)
    samples = make_samples(size, side, side)
    for sample, label in zip(samples, labels):
        sample.gt_label = label.view(1)
    return images, samples, labels


def free_port() -> int:
    """A TCP port on the loopback that is free now (for a torchrun rendezvous), below Linux's
    ephemeral range (32768-60999): a port the kernel hands out (bind to port 0) can be handed
    out again, to one of the job's own outgoing connections, before the rendezvous store
    binds it."""
    for port in random.Random().sample(range(20000, 32000), 200):
        with socket.socket() as sock:
            try:
                sock.bind(('127.0.0.1', port))
            except OSError:
                continue
            return port
    raise RuntimeError('no free TCP port in 20000-32000 on the loopback')


def load_tool(relative_path: str) -> ModuleType:
    """A script of ``tools/`` (not a package) loaded as a module, e.g.
    ``load_tool('tools/train.py')``."""
    name = osp.splitext(osp.basename(relative_path))[0]
    spec = importlib.util.spec_from_file_location(f'partmm_tool_{name}',
                                                  osp.join(REPO_ROOT, relative_path))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def data_root_options(data_root: str) -> List[str]:
    """``--cfg-options`` entries that point every dataloader of a config at ``data_root``."""
    return [f'{key}.dataset.data_root={data_root}' for key in DATALOADERS]


def synthetic_cfg(configs_dir: str, name: str, data_root: str, work_dir: str, max_epochs: int,
                  **overrides) -> Config:
    """A synthetic config pointed at the test data: batches of 8, ``max_epochs`` validated
    once at the end, logging every iteration; then ``overrides`` (as ``--cfg-options``) and
    the schedule fitted to the run, as tools/train.py does."""
    cfg = Config.fromfile(osp.join(configs_dir, name))
    for key in DATALOADERS:
        cfg[key].dataset.data_root = data_root
        cfg[key].batch_size = 8
    cfg.work_dir = work_dir
    cfg.train_cfg.max_epochs = max_epochs
    cfg.train_cfg.val_interval = max_epochs
    cfg.default_hooks.logger.interval = 1
    cfg.env_cfg.cudnn_benchmark = False
    cfg.merge_from_dict(overrides)
    fit_schedule_to_run(cfg)
    return cfg


def overfit_losses(model: nn.Module, inputs: torch.Tensor, samples: List[PartDataSample],
                   steps: int = 8, lr: float = 1e-2) -> List[float]:
    """Total training loss of ``steps`` Adam steps on one fixed batch (a model that can
    learn at all fits it, so the loss falls)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    history = []
    for _ in range(steps):
        losses = model.loss(inputs, samples)
        total = sum(value for key, value in losses.items() if key.startswith('loss')
                    or '.loss' in key)
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        history.append(total.item())
    return history


def assert_pgd_stays_in_the_ball(model: nn.Module, inputs: torch.Tensor,
                                 samples: List[PartDataSample], eps: float = 8 / 255,
                                 **attack) -> torch.Tensor:
    """Three PGD steps against ``model``: the result is within ``eps`` (Linf) and in [0, 1]."""
    from partmm.registry import ATTACKS
    pgd = ATTACKS.build(dict(type='PGDAttack', eps=eps, steps=3, step_size=eps / 2, seed=0,
                             **attack))
    adversarial = pgd(model.eval(), inputs, samples)
    assert adversarial.shape == inputs.shape
    assert (adversarial - inputs).abs().max() <= eps + 1e-6
    assert adversarial.min() >= 0 and adversarial.max() <= 1
    return adversarial


def structured_samples(batch: int, height: int, width: int) -> List[PartDataSample]:
    """Samples with a learnable part map: sample i, of class i, has part 1 + 3 i (mod P - 1)
    on its left half and background elsewhere."""
    samples = make_samples(batch, height, width)
    for index, sample in enumerate(samples):
        part_map = torch.zeros(1, height, width, dtype=torch.long)
        part_map[:, :, :width // 2] = 1 + (3 * index) % (NUM_PARTS - 1)
        sample.gt_sem_seg = PixelData(data=part_map)
    return samples
