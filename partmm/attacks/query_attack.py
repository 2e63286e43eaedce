"""Base of the query-only (black-box) attacks that wrap a third-party implementation."""
from typing import List

import torch
import torch.nn as nn
from torch import Tensor

from partmm.structures import PartDataSample

from .base_attack import BaseAttack, sample_seeds
from .logits_module import LogitsOnly


class QueryAttack(BaseAttack):
    """A black-box attack on the class logits, run on the whole batch or sample by sample.

    Subclasses implement :meth:`run` on a plain logits network (:class:`LogitsOnly`). With
    ``per_sample=False`` the batch is attacked at once from one stream seeded with ``seed``
    (deterministic for a given batch, but the random draws are shared, so a sample's result
    depends on its batch); with ``per_sample=True`` each sample is attacked alone with its own
    seed (from ``seed`` and its identity, :func:`sample_seeds`), independent of batch and
    process, at B times as many (batch-1) model calls. ``eps = 0`` returns the images.

    Args:
        eps (float): Radius of the threat model in [0, 1] pixel units.
        norm (str): 'Linf' or 'L2'.
        per_sample (bool): Attack sample by sample (batch-independent).
        seed (int): Seed of the random draws.
        bn_mode (str): 'eval', 'train' or 'keep'.
    """

    black_box = True

    def __init__(self, eps: float, norm: str, per_sample: bool, seed: int,
                 bn_mode: str) -> None:
        super().__init__(eps=eps, norm=norm, bn_mode=bn_mode)
        self.per_sample = per_sample
        self.seed = seed

    def perturb(self, model: nn.Module, images: Tensor,
                data_samples: List[PartDataSample]) -> Tensor:
        labels = model.stack_labels(data_samples).to(images.device)
        network = LogitsOnly(model)
        if not self.per_sample:
            return self.run(network, images, labels, self.seed)
        keys = sample_seeds(data_samples, len(images), self.seed)
        return torch.cat([
            self.run(network, images[index:index + 1], labels[index:index + 1], key)
            for index, key in enumerate(keys)
        ])

    def run(self, network: nn.Module, images: Tensor, labels: Tensor, seed: int) -> Tensor:
        """The attack on ``images`` [N, 3, H, W] with true ``labels`` [N] and ``seed``."""
        raise NotImplementedError
