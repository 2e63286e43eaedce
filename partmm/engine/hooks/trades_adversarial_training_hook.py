"""TRADES adversarial training (Zhang et al., 2019)."""
from typing import Dict, List, Optional

import torch
from torch import Tensor

from partmm.attacks import kl_to_clean
from partmm.registry import HOOKS
from partmm.structures import PartDataSample

from .base_adversarial_training_hook import BaseAdversarialTrainingHook


def _half(outputs: Dict[str, object], rows: slice) -> Dict[str, object]:
    """The ``rows`` of every output of a batched forward (lists such as features included);
    what is not a tensor or a list describes the whole batch and is kept (DINO's ``dn_meta``)."""
    def rows_of(value: object) -> object:
        if isinstance(value, Tensor):
            return value[rows]
        if isinstance(value, (list, tuple)):
            return [item[rows] for item in value]
        return value

    return {key: rows_of(value) for key, value in outputs.items()}


@HOOKS.register_module()
class TRADESAdversarialTrainingHook(BaseAdversarialTrainingHook):
    """Train on ``CE(clean) + beta * KL(p_clean || p_adv)``.

    For part models, as in the original code: ``(1 - c) CE(class, clean) + c CE(parts,
    adversarial) + beta * KL``. The adversarial images come from :class:`TRADESAttack`
    (maximising the same KL); the clean and adversarial forwards are separate, in train mode.
    ``acc_adv`` logs the training accuracy on the adversarial half.

    Args:
        beta (float): Weight of the KL term (the part-model scripts use 1 or 2; TRADES 6).
        attack (dict, optional): Inner maximisation; the papers' 10 steps of eps/8 at 8/255
            when None.
        val_attack (dict, optional): Validation attack.
    """

    def __init__(self,
                 beta: float = 6.0,
                 attack: Optional[dict] = None,
                 val_attack: Optional[dict] = None) -> None:
        super().__init__(
            attack=attack or dict(type='TRADESAttack', eps=8 / 255, steps=10, step_size=1 / 255),
            val_attack=val_attack)
        if beta < 0:
            raise ValueError(f'beta must be >= 0, got {beta}')
        self.beta = beta

    def objective(self, model, inputs: Tensor,
                  data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        adversarial = self.attack(model, inputs, data_samples)
        both = model.training_outputs(torch.cat([inputs, adversarial]))
        clean = _half(both, slice(None, len(inputs)))
        attacked = _half(both, slice(len(inputs), None))
        losses = model.compute_losses(clean, data_samples, with_parts=False)
        losses.update(model.compute_losses(attacked, data_samples, with_class=False))
        divergence = kl_to_clean(clean['class_logits'], attacked['class_logits']).mean()
        losses['loss_trades'] = self.beta * divergence
        labels = model.stack_labels(data_samples).to(inputs.device)
        hits = attacked['class_logits'].argmax(dim=1) == labels
        losses['acc_adv'] = hits.float().mean().detach() * 100
        return losses
