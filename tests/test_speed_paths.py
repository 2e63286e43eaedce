"""Speed paths (torch.compile, channels-last, threads per process) against the eager path.

Each path must give the eager path's logits, loss after one training step and PGD robust
accuracy on the same images and seeds. Compiled code and channels-last convolutions sum in
another order, so logits agree to float32 rounding, the loss after an AdamW step to what
that rounding becomes through the step, and the robust accuracy to one image (tolerances
and measured differences below).
"""
import copy
import os
import shutil

import pytest
import torch
import torch.nn as nn
from helpers import NUM_CLASSES, make_samples, tiny_part_model
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from partmm.models.classifiers.base_pixel_classifier import BasePixelClassifier
from partmm.registry import ATTACKS
from partmm.utils import compat
from partmm.utils.set_env import compile_model_network

# Large enough that PGD-3 flips some of the small network's predictions (2 of 16 measured).
EPS = 16 / 255
# Measured: logits within 6e-8 of eager (channels-last and compiled). AdamW's first step
# moves each weight by about lr x the sign of its gradient, so gradient entries near zero
# whose sign the rounding flips move by the full lr: the loss after the step differed by up
# to 1.5e-4 (relative) with channels-last, 2e-7 compiled. The robust accuracy was equal.
LOGIT_ATOL = 1e-5
LOSS_RTOL = 1e-3
ROBUST_IMAGES_ATOL = 1
NO_CPP_COMPILER = not any(
    shutil.which(name) for name in (os.environ.get('CXX', 'c++'), 'g++', 'clang++'))


class SmallConvClassifier(BasePixelClassifier):
    """Three convolutions with BN: the smallest network that compiles the ops of the real ones
    (conv, BN in train and eval mode, pooling) in seconds."""

    def __init__(self, **kwargs) -> None:
        super().__init__(num_classes=NUM_CLASSES, **kwargs)
        self.body = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(),
            nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, NUM_CLASSES))

    def extract_logits(self, inputs):
        return self.body(self.normalize(inputs)), None


def self_labelled_batch(model: BasePixelClassifier, size: int = 16, side: int = 16):
    """Random images labelled with ``model``'s predictions, so that the attack has every image
    to flip."""
    images = torch.rand(size, 3, side, side, generator=torch.Generator().manual_seed(0))
    samples = make_samples(size, side, side)
    with torch.no_grad():
        labels = model.eval().extract_logits(images)[0].argmax(dim=1)
    for sample, label in zip(samples, labels):
        sample.gt_label = label.view(1)
    return images, samples


def outcomes(model: BasePixelClassifier, images, samples, eps: float) -> dict:
    """Eval logits, the robust accuracy of a seeded PGD-3 and the loss after one AdamW step."""
    model.eval()
    with torch.no_grad():
        logits = model.extract_logits(images)[0]
    attack = ATTACKS.build(dict(type='PGDAttack', eps=eps, steps=3, step_size=eps / 3, seed=0))
    adversarial = attack(model, images, samples)
    with torch.no_grad():
        predictions = model.extract_logits(adversarial)[0].argmax(dim=1)
    robust = int((predictions == model.stack_labels(samples)).sum())
    # The same dropout masks on both paths.
    torch.manual_seed(0)
    model.train()
    optim_wrapper = build_optim_wrapper(model, dict(optimizer=dict(type='AdamW', lr=1e-3)))
    optim_wrapper.update_params(model.parse_losses(model.loss(images, samples))[0])
    loss = model.parse_losses(model.loss(images, samples))[0]
    return dict(logits=logits, robust=robust, loss=loss.detach())


def assert_agree(eager: dict, fast: dict) -> None:
    torch.testing.assert_close(fast['logits'], eager['logits'], atol=LOGIT_ATOL, rtol=0)
    torch.testing.assert_close(fast['loss'], eager['loss'], rtol=LOSS_RTOL, atol=0)
    assert abs(fast['robust'] - eager['robust']) <= ROBUST_IMAGES_ATOL, (fast['robust'],
                                                                    eager['robust'])


@pytest.mark.parametrize('network', ['small_conv', 'part_model'])
def test_channels_last_agrees_with_eager(network):
    torch.manual_seed(0)
    eager = SmallConvClassifier() if network == 'small_conv' else tiny_part_model()
    fast = copy.deepcopy(eager)
    fast.channels_last = True
    fast.to('cpu')
    first_conv = next(module for module in fast.modules() if isinstance(module, nn.Conv2d))
    assert first_conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert fast.normalize(torch.rand(2, 3, 8, 8)).is_contiguous(
        memory_format=torch.channels_last)
    images, samples = self_labelled_batch(eager, side=16 if network == 'small_conv' else 32)
    assert_agree(outcomes(eager, images, samples, EPS), outcomes(fast, images, samples, EPS))


def test_compiled_methods_are_rebound_on_copies_and_kept_out_of_state_dict():
    model = SmallConvClassifier(compile=dict(dynamic=False))
    copied = copy.deepcopy(model)
    for name in BasePixelClassifier.COMPILED_METHODS:
        assert getattr(copied, name)._torchdynamo_orig_callable.__self__ is copied
        assert getattr(model, name)._torchdynamo_orig_callable.__self__ is model
    assert model.state_dict().keys() == SmallConvClassifier().state_dict().keys()
    with pytest.raises(TypeError, match='compile must be'):
        SmallConvClassifier(compile='inductor')


def test_mmengine_compile_key_compiles_the_model_network_instead_of_train_step():
    cfg = Config(dict(compile=dict(mode='reduce-overhead'), model=dict(type='PartClassifier')))
    compile_model_network(cfg)
    assert cfg.compile is None
    assert cfg.model.compile == dict(mode='reduce-overhead')
    cfg = Config(dict(compile=True, model=dict(type='PartClassifier', compile=False)))
    compile_model_network(cfg)
    assert cfg.compile is None and cfg.model.compile is False


@pytest.mark.skipif(NO_CPP_COMPILER, reason='inductor needs a C++ compiler')
def test_compile_agrees_with_eager():
    torch.manual_seed(0)
    eager = SmallConvClassifier()
    fast = SmallConvClassifier(compile=True)
    fast.load_state_dict(eager.state_dict())
    images, samples = self_labelled_batch(eager)
    assert_agree(outcomes(eager, images, samples, EPS), outcomes(fast, images, samples, EPS))


def test_threads_split_the_available_cores_between_local_processes(monkeypatch):
    monkeypatch.setattr(compat.os, 'sched_getaffinity', lambda pid: set(range(8)),
                        raising=False)
    before = torch.get_num_threads()
    try:
        # What torchrun --nproc_per_node=N (tools/dist_train.sh) sets in each worker.
        for local_world_size, expected in (('1', 8), ('2', 4), ('3', 2), ('16', 1)):
            monkeypatch.setenv('LOCAL_WORLD_SIZE', local_world_size)
            assert compat.configure_cpu_threads() == expected == torch.get_num_threads()
        assert compat.configure_cpu_threads(3) == 3
        monkeypatch.delenv('LOCAL_WORLD_SIZE')
        assert compat.configure_cpu_threads() == 8
    finally:
        torch.set_num_threads(before)
