"""Seg-inverse attack: find part logits that fool the part head, then make the segmenter say so."""
import math
from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from partmm.registry import ATTACKS
from partmm.structures import PartDataSample

from .base_attack import IterativeAttack
from .utils import BestIterate, require_part_model


def pixel_kl(target_logits: Tensor, seg_logits: Tensor) -> Tensor:
    """Per-sample KL(softmax(target) || softmax(seg)) [B], summed over parts, mean over pixels.

    Both inputs are part logits [B, P, H, W].
    """
    divergence = F.kl_div(seg_logits.log_softmax(dim=1), target_logits.log_softmax(dim=1),
                          reduction='none', log_target=True).sum(dim=1)
    return divergence.flatten(1).mean(dim=1)


@ATTACKS.register_module()
class SegInverseAttack(IterativeAttack):
    """Invert the part head, then steer the segmenter toward the inverted part logits.

    Stage 1 (part-logit space, once per batch): from the clean part logits ``L0`` [B, P, H, W],
    ``logit_steps`` L2 steps of ascent on the part head's class CE (true label), each
    projected onto the L2 ball of radius ``logit_radius`` around ``L0`` (per sample). The
    target ``L*`` is, per sample, the most damaging map seen (fooling the head if any, else
    highest CE). Default radius ``sqrt(H * W * P)``, an RMS change of one logit per entry
    (the original's 224 sqrt(P) at 224 x 224); default step ``2.5 * radius / logit_steps``.

    Stage 2 (image space, every restart): PGD ascending ``(1 - c) CE(class logits, true label)
    - c KL(softmax(L*) || softmax(part logits))`` (per-pixel KL over parts, averaged over
    pixels), i.e. targeted toward ``L*`` and untargeted on the class. Per sample the attack
    returns the most damaging iterate seen over all steps and restarts (misclassified first,
    then higher class CE).

    Batching: stage 1 is deterministic and, with the model in eval mode, per sample; random
    starts are seeded per sample with ``seed``; so a sample's result does not depend on its
    batch, up to the floating-point differences between batched and single-sample kernels
    (about 1e-6 in the part logits), which stage 1's normalised steps and stage 2's sign
    steps can amplify into different iterates. Only part models can be attacked; anything
    else is a ValueError.

    Args:
        eps (float): Radius of the threat model in [0, 1] pixel units.
        steps (int): Image-space gradient steps per restart.
        step_size (float): Image-space step length.
        norm (str): 'Linf' or 'L2'. Defaults to 'Linf'.
        restarts (int): Independent image-space runs. Defaults to 1.
        random_start (bool): Start from a random point of the ball. Defaults to True.
        logit_steps (int): Stage-1 steps. Defaults to 100.
        logit_radius (float, optional): Stage-1 L2 radius; ``sqrt(H W P)`` if None.
        logit_step_size (float, optional): Stage-1 L2 step; ``2.5 radius / logit_steps``
            if None.
        seg_loss_weight (float): c, the weight of the KL term. Defaults to 0.5.
        bn_mode (str): 'eval', 'train' or 'keep'. Defaults to 'eval'.
        seed (int, optional): Seeds the random starts per sample.
    """

    def __init__(self,
                 eps: float,
                 steps: int,
                 step_size: float,
                 norm: str = 'Linf',
                 restarts: int = 1,
                 random_start: bool = True,
                 logit_steps: int = 100,
                 logit_radius: Optional[float] = None,
                 logit_step_size: Optional[float] = None,
                 seg_loss_weight: float = 0.5,
                 bn_mode: str = 'eval',
                 seed: Optional[int] = None) -> None:
        super().__init__(eps=eps, steps=steps, step_size=step_size, norm=norm,
                         restarts=restarts, random_start=random_start, bn_mode=bn_mode,
                         seed=seed)
        if logit_steps < 0:
            raise ValueError(f'need logit_steps >= 0; got {logit_steps}')
        if (logit_radius is not None and logit_radius < 0) or (logit_step_size is not None
                                                               and logit_step_size < 0):
            raise ValueError('logit_radius and logit_step_size must be >= 0')
        if not 0.0 <= seg_loss_weight <= 1.0:
            raise ValueError(f'seg_loss_weight must be in [0, 1], got {seg_loss_weight}')
        self.logit_steps = logit_steps
        self.logit_radius = logit_radius
        self.logit_step_size = logit_step_size
        self.seg_loss_weight = seg_loss_weight

    def fooling_logits(self, model: nn.Module, clean_logits: Tensor, labels: Tensor) -> Tensor:
        """Stage 1: part logits [B, P, H, W] near ``clean_logits`` that fool ``part_head``."""
        radius = self.logit_radius
        if radius is None:
            radius = math.sqrt(clean_logits[0].numel())
        step_size = self.logit_step_size
        if step_size is None:
            step_size = 2.5 * radius / max(self.logit_steps, 1)
        best = BestIterate(clean_logits, labels)
        logits = clean_logits.clone()
        for _ in range(self.logit_steps):
            logits.requires_grad_(True)
            head_logits = model.part_head(logits)
            losses = F.cross_entropy(head_logits, labels, reduction='none')
            gradient, = torch.autograd.grad(losses.sum(), logits)
            best.update(logits, head_logits, losses)
            norms = gradient.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
            logits = self._project_logits(logits.detach() + step_size * gradient / norms,
                                          clean_logits, radius)
        with torch.no_grad():
            best.update(logits, model.part_head(logits))
        return best.best

    @staticmethod
    def _project_logits(logits: Tensor, centre: Tensor, radius: float) -> Tensor:
        """Closest point of the per-sample L2 ball of ``radius`` around ``centre``."""
        delta = logits - centre
        norms = delta.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
        return centre + delta * (radius / norms).clamp(max=1.0)

    def perturb(self, model: nn.Module, images: Tensor,
                data_samples: List[PartDataSample]) -> Tensor:
        require_part_model(model, self)
        labels = model.stack_labels(data_samples).to(images.device)
        with torch.no_grad():
            clean_class_logits, clean_seg_logits = model.extract_logits(images)
        target = self.fooling_logits(model, clean_seg_logits, labels).detach()
        best = BestIterate(images, labels)
        best.update(images, clean_class_logits)
        c = self.seg_loss_weight
        for restart in range(self.restarts):
            adversarial = self.start_point(images, data_samples, restart)
            for _ in range(self.steps):
                adversarial.requires_grad_(True)
                class_logits, seg_logits = model.extract_logits(adversarial)
                class_losses = F.cross_entropy(class_logits, labels, reduction='none')
                objective = (1 - c) * class_losses - c * pixel_kl(target, seg_logits)
                gradient, = torch.autograd.grad(objective.sum(), adversarial)
                best.update(adversarial, class_logits, class_losses)
                adversarial = self.project(
                    adversarial.detach() + self.ascent_step(gradient, self.step_size), images)
            with torch.no_grad():
                best.update(adversarial, model.extract_logits(adversarial)[0])
        return best.best
