"""The inner maximisation of TRADES (Zhang et al., 2019)."""
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from partmm.registry import ATTACKS
from partmm.structures import PartDataSample

from .base_attack import BaseAttack


def kl_to_clean(clean_logits: Tensor, adversarial_logits: Tensor) -> Tensor:
    """Per-sample KL(softmax(clean) || softmax(adversarial)), [B]."""
    return F.kl_div(adversarial_logits.log_softmax(dim=1), clean_logits.log_softmax(dim=1),
                    reduction='none', log_target=True).sum(dim=1)


@ATTACKS.register_module()
class TRADESAttack(BaseAttack):
    """Maximise ``KL(p_clean || p_adv)`` within the eps-ball (no labels needed).

    The clean prediction is computed once; the start is uniform in the ball (as in the
    original part-model code; TRADES' reference uses 0.001 N(0, 1)); each step ascends the
    batch's summed KL and projects. Returns the last iterate.

    Args:
        eps (float): Radius of the threat model in [0, 1] pixel units.
        steps (int): Gradient steps.
        step_size (float): Step length.
        norm (str): 'Linf' or 'L2'. Defaults to 'Linf'.
        bn_mode (str): 'eval', 'train' or 'keep'. Defaults to 'eval'.
    """

    def __init__(self, eps: float, steps: int, step_size: float, norm: str = 'Linf',
                 bn_mode: str = 'eval') -> None:
        super().__init__(eps=eps, norm=norm, bn_mode=bn_mode)
        if steps < 0 or step_size < 0:
            raise ValueError(f'need steps >= 0 and step_size >= 0; got {steps}, {step_size}')
        self.steps = steps
        self.step_size = step_size

    def perturb(self, model: nn.Module, images: Tensor,
                data_samples: List[PartDataSample]) -> Tensor:
        with torch.no_grad():
            clean_logits = model.extract_logits(images)[0]
        adversarial = self.random_point(images)
        for _ in range(self.steps):
            adversarial.requires_grad_(True)
            divergence = kl_to_clean(clean_logits, model.extract_logits(adversarial)[0]).sum()
            gradient, = torch.autograd.grad(divergence, adversarial)
            adversarial = self.project(
                adversarial.detach() + self.ascent_step(gradient, self.step_size), images)
        return adversarial
