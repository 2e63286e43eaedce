"""PGD adversarial training (Madry et al., 2018)."""
from typing import Dict, List, Optional

from torch import Tensor

from partmm.registry import HOOKS
from partmm.structures import PartDataSample

from .base_adversarial_training_hook import BaseAdversarialTrainingHook


@HOOKS.register_module()
class PGDAdversarialTrainingHook(BaseAdversarialTrainingHook):
    """Train on PGD adversarial images only, with the model's usual loss.

    For part models the part loss stays on: ``(1 - c) CE(class) + c CE(parts)``, both on the
    adversarial images. Defaults are the papers' training attack: Linf, eps 8/255, 10 steps of
    eps/8, random start, last iterate, model in eval mode while attacked.

    Args:
        attack (dict, optional): Training attack; the papers' PGD-10 when None.
        val_attack (dict, optional): Validation attack (the original used PGD-50, step 0.002).
    """

    def __init__(self, attack: Optional[dict] = None, val_attack: Optional[dict] = None) -> None:
        super().__init__(
            attack=attack or dict(type='PGDAttack', eps=8 / 255, steps=10, step_size=1 / 255,
                                  select='last'),
            val_attack=val_attack)

    def objective(self, model, inputs: Tensor,
                  data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        return model.standard_loss(self.attack(model, inputs, data_samples), data_samples)
