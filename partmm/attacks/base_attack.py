"""What every partmm attack shares: the threat model, projection and the model's state."""
import zlib
from contextlib import contextmanager, nullcontext
from typing import ContextManager, Iterator, List, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor
from torch.nn.modules.batchnorm import _BatchNorm

from partmm.structures import PartDataSample

NORMS = ('Linf', 'L2')
BN_MODES = ('eval', 'train', 'keep')


@contextmanager
def attack_context(model: nn.Module, bn_mode: str) -> Iterator[None]:
    """Run an attack without leaving a trace on ``model``.

    ``bn_mode`` decides how the model runs while it is attacked: ``'eval'`` (the default of
    the original code: BatchNorm uses its running statistics, dropout is off), ``'train'``
    (batch statistics, as the training forward sees them) or ``'keep'`` (whatever mode the
    model is in). Afterwards every module's train/eval flag and every BatchNorm's running
    statistics are exactly what they were, and gradients are enabled inside even under
    ``torch.no_grad()`` (mmengine's val/test loops).
    """
    if bn_mode not in BN_MODES:
        raise ValueError(f'bn_mode must be one of {BN_MODES}, got "{bn_mode}"')
    modes = {module: module.training for module in model.modules()}
    norm_stats = [(buffer, buffer.detach().clone()) for module in model.modules()
                  if isinstance(module, _BatchNorm) for buffer in module.buffers()]
    if bn_mode == 'eval':
        model.eval()
    elif bn_mode == 'train':
        model.train()
    try:
        with torch.enable_grad():
            yield
    finally:
        for module, training in modes.items():
            module.training = training
        with torch.no_grad():
            for buffer, saved in norm_stats:
                buffer.copy_(saved)


def batch_context(model: nn.Module, images: Tensor,
                  data_samples: List[PartDataSample]) -> ContextManager:
    """``model.batch_context`` on the clean batch; nothing for models without one (plain
    ``nn.Module`` classifiers)."""
    enter = getattr(model, 'batch_context', None)
    return nullcontext() if enter is None else enter(images.detach(), data_samples)


def sample_seeds(data_samples: Optional[Sequence[PartDataSample]], batch_size: int, seed: int,
                 restart: int = 0) -> List[int]:
    """One 32-bit seed per sample from ``seed``, ``restart`` and the sample's identity.

    The identity is the sample's ``img_path`` (or ``sample_idx``), so it does not depend on
    the batch or the process the sample is in; samples without either fall back to their
    position in the batch.
    """
    keys = []
    for index in range(batch_size):
        identity = index
        if data_samples is not None and index < len(data_samples):
            metainfo = data_samples[index].metainfo
            identity = metainfo.get('img_path', metainfo.get('sample_idx', index))
        keys.append(zlib.crc32(f'{seed}:{restart}:{identity}'.encode()))
    return keys


class BaseAttack:
    """An attack on a partmm classifier in [0, 1] pixel space.

    Every attack is called the same way, ``attack(model, images, data_samples)`` with images
    [B, 3, H, W] in [0, 1] and the batch's data samples (labels, part maps), and returns
    adversarial images of the same shape, within ``eps`` of ``images`` in the ``norm`` and
    inside [0, 1]. The model is attacked through its differentiable pixel-space forward
    (``model.extract_logits``); its modes and BN statistics are left as they were
    (:func:`attack_context`).

    Args:
        eps (float): Radius of the threat model, in [0, 1] pixel units (8/255 in the papers).
        norm (str): 'Linf' or 'L2'.
        bn_mode (str): How the model runs during the attack: 'eval', 'train' or 'keep'.
    """

    # Query-only attacks set this, so that sanity checks can compare them with the gradient
    # attacks (a black-box attack stronger than a white-box one signals gradient masking).
    black_box: bool = False

    def __init__(self, eps: float, norm: str = 'Linf', bn_mode: str = 'eval') -> None:
        if eps < 0:
            raise ValueError(f'eps must be >= 0, got {eps}')
        if norm not in NORMS:
            raise ValueError(f'norm must be one of {NORMS}, got "{norm}"')
        if bn_mode not in BN_MODES:
            raise ValueError(f'bn_mode must be one of {BN_MODES}, got "{bn_mode}"')
        self.eps = eps
        self.norm = norm
        self.bn_mode = bn_mode

    def __call__(self, model: nn.Module, images: Tensor,
                 data_samples: List[PartDataSample]) -> Tensor:
        if images.numel() and (images.min() < 0 or images.max() > 1):
            raise ValueError('attacks take images in [0, 1]; got values in '
                             f'[{images.min().item():.3f}, {images.max().item():.3f}]')
        if self.eps == 0 or not len(images):
            # Nothing can change within a zero ball: skip the steps or queries (a PGD-20 sweep
            # spends as long at eps 0 as at any other eps otherwise).
            return images.detach().clone()
        with attack_context(model, self.bn_mode), batch_context(model, images, data_samples):
            adversarial = self.perturb(model, images.detach(), data_samples)
        return self.project(adversarial, images).detach()

    def perturb(self, model: nn.Module, images: Tensor,
                data_samples: List[PartDataSample]) -> Tensor:
        """The attack itself; runs inside :func:`attack_context`."""
        raise NotImplementedError

    def project(self, adversarial: Tensor, images: Tensor) -> Tensor:
        """Closest point of ``adversarial`` in the eps-ball around ``images`` and in [0, 1]."""
        delta = adversarial - images
        if self.norm == 'Linf':
            delta = delta.clamp(-self.eps, self.eps)
        else:
            norms = delta.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
            delta = delta * (self.eps / norms).clamp(max=1.0)
        return (images + delta).clamp(0.0, 1.0)

    def random_point(self,
                     images: Tensor,
                     data_samples: Optional[Sequence[PartDataSample]] = None,
                     seed: Optional[int] = None,
                     restart: int = 0) -> Tensor:
        """A uniformly random point of the eps-ball around ``images``, clipped to [0, 1].

        With a ``seed``, each sample's noise comes from its own generator, seeded from
        ``seed``, the sample's identity (:func:`sample_seeds`) and ``restart``, so a sample is
        attacked the same way whatever batch or process it lands in; without one, from
        torch's global generator.
        """
        if seed is None:
            delta = self._random_delta(images.shape, None, images.device)
        else:
            keys = sample_seeds(data_samples, len(images), seed, restart)
            delta = torch.cat([
                self._random_delta((1, ) + tuple(images.shape[1:]),
                                   torch.Generator().manual_seed(key), 'cpu') for key in keys
            ]).to(images.device)
        return (images + delta).clamp(0.0, 1.0)

    def _random_delta(self, shape: Sequence[int], generator: Optional[torch.Generator],
                      device) -> Tensor:
        """A uniform draw from the eps-ball of ``shape`` [B, 3, H, W]."""
        if self.norm == 'Linf':
            noise = torch.rand(shape, generator=generator, device=device)
            return (2 * noise - 1) * self.eps
        direction = torch.randn(shape, generator=generator, device=device)
        direction = direction / direction.flatten(1).norm(dim=1).clamp_min(1e-12).view(
            -1, 1, 1, 1)
        radius = torch.rand(shape[0], generator=generator, device=device)
        dims = direction[0].numel()
        return direction * (self.eps * radius**(1 / dims)).view(-1, 1, 1, 1)

    def ascent_step(self, gradient: Tensor, step_size: float) -> Tensor:
        """The steepest-ascent step of the norm: sign for Linf, unit direction for L2."""
        if self.norm == 'Linf':
            return step_size * gradient.sign()
        norms = gradient.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
        return step_size * gradient / norms


class IterativeAttack(BaseAttack):
    """A gradient attack of ``steps`` steps of ``step_size``, from ``restarts`` starting points.

    Holds and checks the settings PGD-like attacks share and gives each restart its start:
    a per-sample seeded random point of the ball (``random_start``, see
    :meth:`BaseAttack.random_point`) or the image itself.

    Args:
        eps (float): Radius of the threat model in [0, 1] pixel units.
        steps (int): Gradient steps per restart (>= 0).
        step_size (float): Step length (Linf: per pixel; L2: of the whole perturbation).
        norm (str): 'Linf' or 'L2'.
        restarts (int): Independent runs (>= 1).
        random_start (bool): Start from a random point of the ball.
        bn_mode (str): 'eval', 'train' or 'keep'.
        seed (int, optional): Seeds the random starts per sample.
    """

    def __init__(self, eps: float, steps: int, step_size: float, norm: str, restarts: int,
                 random_start: bool, bn_mode: str, seed: Optional[int]) -> None:
        super().__init__(eps=eps, norm=norm, bn_mode=bn_mode)
        if steps < 0 or restarts < 1 or step_size < 0:
            raise ValueError(f'need steps >= 0, restarts >= 1 and step_size >= 0; got steps='
                             f'{steps}, restarts={restarts}, step_size={step_size}')
        self.steps = steps
        self.step_size = step_size
        self.restarts = restarts
        self.random_start = random_start
        self.seed = seed

    def start_point(self, images: Tensor, data_samples: Sequence[PartDataSample],
                    restart: int) -> Tensor:
        """Where restart ``restart`` starts: [B, 3, H, W]."""
        if self.random_start:
            return self.random_point(images, data_samples, self.seed, restart)
        return images.clone()
