"""Projected gradient descent (Madry et al., 2018) on class or joint class + part loss."""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from partmm.registry import ATTACKS
from partmm.structures import PartDataSample, batch_ignore_index

from .base_attack import IterativeAttack
from .utils import BestIterate

LOSSES = ('ce', 'joint')


@ATTACKS.register_module()
class PGDAttack(IterativeAttack):
    """PGD: ascend the loss by ``steps`` steps of ``step_size``, projecting after each.

    Each restart starts from a uniformly random point of the eps-ball (``random_start``) or
    from the image. With ``select='best'`` the attack returns, per sample, the most damaging
    iterate seen over all steps and restarts (misclassified before correctly classified, then
    higher loss), so more steps or restarts never raise accuracy; ``select='last'`` returns
    the final iterate of the restart with the highest loss (cheaper: no extra forward), the
    usual choice inside adversarial training.

    Losses: ``'ce'``, cross-entropy of the class logits (the papers' attack), or
    ``'joint'``, the part models' training loss ``(1 - c) CE(class) + c CE(parts)`` with the
    ground-truth part maps (unlabelled pixels ignored); ``c`` is the model's
    ``seg_loss_weight`` unless ``seg_loss_weight`` is given.

    Args:
        eps (float): Radius of the threat model in [0, 1] pixel units.
        steps (int): Gradient steps per restart.
        step_size (float): Step length (Linf: per pixel; L2: of the whole perturbation).
        norm (str): 'Linf' or 'L2'. Defaults to 'Linf'.
        restarts (int): Independent runs. Defaults to 1.
        random_start (bool): Start from a random point of the ball. Defaults to True.
        loss (str): 'ce' or 'joint'. Defaults to 'ce'.
        seg_loss_weight (float, optional): c of the joint loss.
        select (str): 'best' or 'last'. Defaults to 'best'.
        bn_mode (str): 'eval', 'train' or 'keep'. Defaults to 'eval'.
        seed (int, optional): Seeds the random starts, per sample (see
            :meth:`BaseAttack.random_point`), for evaluations that do not depend on batching.
    """

    def __init__(self,
                 eps: float,
                 steps: int,
                 step_size: float,
                 norm: str = 'Linf',
                 restarts: int = 1,
                 random_start: bool = True,
                 loss: str = 'ce',
                 seg_loss_weight: Optional[float] = None,
                 select: str = 'best',
                 bn_mode: str = 'eval',
                 seed: Optional[int] = None) -> None:
        super().__init__(eps=eps, steps=steps, step_size=step_size, norm=norm,
                         restarts=restarts, random_start=random_start, bn_mode=bn_mode,
                         seed=seed)
        if loss not in LOSSES:
            raise ValueError(f'loss must be one of {LOSSES}, got "{loss}"')
        if select not in ('best', 'last'):
            raise ValueError(f'select must be "best" or "last", got "{select}"')
        self.loss = loss
        self.seg_loss_weight = seg_loss_weight
        self.select = select

    def sample_losses(self, model: nn.Module, images: Tensor,
                      data_samples: List[PartDataSample]) -> Tuple[Tensor, Tensor]:
        """Per-sample attack loss [B] and class logits [B, C] at ``images``."""
        class_logits, seg_logits = model.extract_logits(images)
        labels = model.stack_labels(data_samples).to(images.device)
        losses = F.cross_entropy(class_logits, labels, reduction='none')
        if self.loss == 'joint':
            if seg_logits is None:
                raise ValueError('loss="joint" needs a part model; '
                                 f'{type(model).__name__} has no part logits')
            c = model.seg_loss_weight if self.seg_loss_weight is None else self.seg_loss_weight
            targets = model.stack_part_maps(data_samples).squeeze(1).long().to(images.device)
            pixel_losses = F.cross_entropy(seg_logits, targets,
                                           ignore_index=batch_ignore_index(data_samples),
                                           reduction='none')
            losses = (1 - c) * losses + c * pixel_losses.flatten(1).mean(dim=1)
        return losses, class_logits

    def perturbation_mask(self, model: nn.Module, images: Tensor,
                          data_samples: List[PartDataSample]) -> Optional[Tensor]:
        """Where the attack may change pixels: [B, 1, H, W] in {0, 1}, or None (anywhere)."""
        return None

    def perturb(self, model: nn.Module, images: Tensor,
                data_samples: List[PartDataSample]) -> Tensor:
        labels = model.stack_labels(data_samples).to(images.device)
        mask = self.perturbation_mask(model, images, data_samples)
        best = BestIterate(images, labels, prefer_fooled=self.select == 'best')
        for restart in range(self.restarts):
            adversarial = self.start_point(images, data_samples, restart)
            if mask is not None:
                # A masked point of the ball stays in the ball and in [0, 1]; where the mask is
                # 0, x + 0 is x exactly.
                adversarial = images + (adversarial - images) * mask
            for _ in range(self.steps):
                adversarial.requires_grad_(True)
                losses, logits = self.sample_losses(model, adversarial, data_samples)
                gradient, = torch.autograd.grad(losses.sum(), adversarial)
                if self.select == 'best':
                    best.update(adversarial, logits, losses)
                if mask is not None:
                    gradient = gradient * mask
                adversarial = self.project(
                    adversarial.detach() + self.ascent_step(gradient, self.step_size), images)
            if self.select == 'last' and self.restarts == 1 and self.steps > 0:
                # The last iterate of the only restart: no extra forward to rank it.
                return adversarial
            with torch.no_grad():
                losses, logits = self.sample_losses(model, adversarial, data_samples)
            best.update(adversarial, logits, losses)
        return best.best
