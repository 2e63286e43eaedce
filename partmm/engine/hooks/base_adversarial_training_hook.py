"""Shared mechanics of the adversarial-training hooks."""
from typing import Dict, List, Optional

from mmengine.hooks import Hook
from torch import Tensor

from partmm.registry import ATTACKS
from partmm.structures import PartDataSample
from partmm.utils import unwrap_model


class BaseAdversarialTrainingHook(Hook):
    """Turn a partmm model's training into adversarial training, by config.

    At ``before_train`` the hook installs its :meth:`objective` as the model's
    ``train_objective``; the model calls it from ``loss()``, that is from inside ``forward``,
    so it works single-process and under DDP (whose wrapper never calls the model's own
    ``train_step``), with AMP (the objective runs in the optimizer wrapper's autocast) and on
    resume (nothing here is stateful). While validating and testing it puts ``val_attack``
    in the model's ``eval_attacks`` (as ``'adv'``), so predictions carry adversarial labels
    and :class:`ClassAccuracy` reports ``accuracy/adv_top1`` and
    ``accuracy/adv_top1_guarded`` (the original's model-selection rule, clean >= adversarial,
    as a key for ``CheckpointHook(save_best=...)``).

    Args:
        attack (dict): Attack config (``partmm.registry.ATTACKS``) used to train.
        val_attack (dict, optional): Attack config for validation and testing; None evaluates
            clean only.
    """

    priority = 'NORMAL'

    def __init__(self, attack: dict, val_attack: Optional[dict] = None) -> None:
        self.attack = ATTACKS.build(attack)
        self.val_attack = ATTACKS.build(val_attack) if val_attack is not None else None

    def objective(self, model, inputs: Tensor,
                  data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """Training losses of a batch of [0, 1] ``inputs``."""
        raise NotImplementedError

    @staticmethod
    def _model(runner):
        model = unwrap_model(runner.model)
        if not hasattr(model, 'train_objective'):
            raise TypeError(f'{type(model).__name__} is not a partmm classifier; adversarial '
                            'training hooks need one (PartClassifier, TimmClassifier, ...)')
        return model

    def before_train(self, runner) -> None:
        self._model(runner).train_objective = self.objective

    def after_train(self, runner) -> None:
        self._model(runner).train_objective = None

    def _set_eval_attacks(self, runner) -> None:
        attacks = {'adv': self.val_attack} if self.val_attack is not None else {}
        self._model(runner).eval_attacks = attacks

    def _clear_eval_attacks(self, runner) -> None:
        self._model(runner).eval_attacks = {}

    def before_val_epoch(self, runner) -> None:
        self._set_eval_attacks(runner)

    def after_val_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self._clear_eval_attacks(runner)

    def before_test_epoch(self, runner) -> None:
        self._set_eval_attacks(runner)

    def after_test_epoch(self, runner, metrics: Optional[dict] = None) -> None:
        self._clear_eval_attacks(runner)
