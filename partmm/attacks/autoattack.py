"""AutoAttack (Croce & Hein, 2020) through the reference implementation (``pyautoattack``)."""
import logging
import time
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from partmm.registry import ATTACKS
from partmm.structures import PartDataSample

from .base_attack import BaseAttack
from .logits_module import LogitsOnly
from .utils import private_rng

VERSIONS = ('standard', 'standard-square+', 'plus', 'rand', 'custom')
SUB_ATTACKS = ('apgd-ce', 'apgd-dlr', 'apgd-t', 'fab', 'fab-t', 'square')
# Targeted DLR compares the target logit with the 3rd and 4th largest ones.
MIN_CLASSES_FOR_TARGETED = 4
MAX_TARGET_CLASSES = 9


@ATTACKS.register_module()
class AutoAttack(BaseAttack):
    """The reference AutoAttack (``pyautoattack`` 0.2.0, the authors' attack code), on a batch.

    ``'standard'`` runs APGD-CE, APGD-T, FAB-T and Square (5,000 queries), each on the images
    that the previous ones did not fool, with the part-model papers' adaptations:

    - the targeted attacks use ``min(9, C - 1)`` target classes (upstream assumes C >= 10);
    - with fewer than 4 classes (no targeted DLR loss) it runs APGD-CE, untargeted FAB and
      Square instead;
    - models that also return part maps are attacked through their class logits
      (:class:`LogitsOnly`).

    ``'standard-square+'`` is standard with Square at 10,000 queries; ``'plus'`` and
    ``'rand'`` are upstream's versions; ``'custom'`` runs ``attacks`` (a subset of
    ``SUB_ATTACKS``, e.g. ``['apgd-ce', 'apgd-t']`` for a faster estimate) with the standard
    version's settings unless overridden. The images it returns are AutoAttack's outputs:
    for each sample, the first successful adversarial example, else the clean image.

    The cascade runs one sub-attack per call of the reference code, each on the samples still
    robust (as the reference's own loop does, with the same seeds and batches), so that after a
    call :attr:`cascade` says how many of the sub-attacks each sample survived and how long
    each took: robust accuracy after APGD-CE, after APGD-T, ..., not only the final one.

    Randomness: every sub-attack seeds torch with ``seed`` per call, so a run is
    reproducible for a given batch; torch's global generator is restored afterwards. Results
    of a sample depend on the other samples of its batch (upstream draws one noise tensor per
    batch).

    Args:
        eps (float): Radius in [0, 1] pixel units.
        norm (str): 'Linf' or 'L2'. Defaults to 'Linf'.
        version (str): One of ``VERSIONS``. Defaults to 'standard'.
        attacks (Sequence[str], optional): Sub-attacks of the 'custom' version.
        apgd_iters (int, optional): Iterations of the APGD attacks (upstream: 100).
        fab_iters (int, optional): Iterations of FAB (upstream: 100).
        square_queries (int, optional): Queries of Square (upstream: 5,000).
        num_target_classes (int, optional): Target classes of APGD-T and FAB-T; capped at
            ``C - 1``. Defaults to ``min(9, C - 1)``.
        batch_size (int, optional): AutoAttack's own batch size; None attacks the whole batch
            at once.
        seed (int): Seed of every sub-attack. Defaults to 0.
        bn_mode (str): 'eval', 'train' or 'keep'. Defaults to 'eval'.
    """

    def __init__(self,
                 eps: float,
                 norm: str = 'Linf',
                 version: str = 'standard',
                 attacks: Optional[Sequence[str]] = None,
                 apgd_iters: Optional[int] = None,
                 fab_iters: Optional[int] = None,
                 square_queries: Optional[int] = None,
                 num_target_classes: Optional[int] = None,
                 batch_size: Optional[int] = None,
                 seed: int = 0,
                 bn_mode: str = 'eval') -> None:
        super().__init__(eps=eps, norm=norm, bn_mode=bn_mode)
        if version not in VERSIONS:
            raise ValueError(f'version must be one of {VERSIONS}, got "{version}"')
        if (version == 'custom') != (attacks is not None):
            raise ValueError('"attacks" goes with version="custom" and only with it; got '
                             f'version="{version}", attacks={attacks}')
        unknown = sorted(set(attacks or ()) - set(SUB_ATTACKS))
        if unknown or (attacks is not None and not attacks):
            raise ValueError(f'AutoAttack attacks must be a non-empty subset of {SUB_ATTACKS}; '
                             f'got {attacks}')
        self.version = version
        self.attacks = list(attacks) if attacks is not None else None
        self.apgd_iters = apgd_iters
        self.fab_iters = fab_iters
        self.square_queries = square_queries
        self.num_target_classes = num_target_classes
        self.batch_size = batch_size
        self.seed = seed
        self._cascade: Optional[Dict] = None

    @property
    def cascade(self) -> Optional[Dict]:
        """What the last call did sub-attack by sub-attack (None before the first call and
        after a call that attacked nothing, at eps 0 or on an empty batch).

        ``attacks``: the sub-attacks in the order run; ``survived``: long [B], how many of
        them each sample stayed correctly classified through (0 for a sample misclassified
        clean or fooled by the first), so robust accuracy after the k-th sub-attack is the
        share of samples with ``survived >= k``; ``seconds``: per sub-attack (0 for those
        skipped because no sample was left).
        """
        return self._cascade

    def __call__(self, model: nn.Module, images: Tensor,
                 data_samples: List[PartDataSample]) -> Tensor:
        self._cascade = None
        return super().__call__(model, images, data_samples)

    def sub_attacks(self, num_classes: int) -> List[str]:
        """The sub-attacks run against a model with ``num_classes`` classes, in order."""
        if self.attacks is not None:
            chosen = list(self.attacks)
        elif self.version == 'plus':
            chosen = ['apgd-ce', 'apgd-dlr', 'fab', 'square', 'apgd-t', 'fab-t']
        elif self.version == 'rand':
            chosen = ['apgd-ce', 'apgd-dlr']
        else:
            chosen = ['apgd-ce', 'apgd-t', 'fab-t', 'square']
        if num_classes < MIN_CLASSES_FOR_TARGETED:
            if self.attacks is not None and {'apgd-t', 'apgd-dlr'} & set(chosen):
                raise ValueError(f'AutoAttack: {num_classes} classes are too few for the DLR '
                                 f'losses of {chosen}')
            # The original's fallback: untargeted FAB replaces FAB-T, APGD-T is dropped.
            chosen = [{'fab-t': 'fab'}.get(name, name) for name in chosen
                      if name not in ('apgd-t', 'apgd-dlr')]
            chosen = list(dict.fromkeys(chosen))
        return chosen

    def build(self, model: nn.Module, num_classes: int, device: torch.device):
        """The configured ``pyautoattack.AutoAttack`` on ``model`` (logits in, [0, 1] images)."""
        from pyautoattack import AutoAttack as ReferenceAutoAttack

        runner = ReferenceAutoAttack(
            LogitsOnly(model), attacks=self.sub_attacks(num_classes), device=device,
            eps=self.eps, norm=self.norm, seed=self.seed, version='custom')
        targets = min(self.num_target_classes or MAX_TARGET_CLASSES, num_classes - 1)
        standard = self.version in ('standard', 'standard-square+', 'custom')
        # 'custom' starts from upstream's constructor defaults (5 restarts); the standard
        # version's settings are the ones the papers report.
        runner.apgd.n_restarts = 1 if standard else 5
        runner.fab.n_restarts = 1 if standard else 5
        runner.apgd_targeted.n_restarts = 1
        runner.apgd_targeted.n_target_classes = targets
        runner.fab.n_target_classes = targets
        runner.square.n_queries = 10000 if self.version == 'standard-square+' else 5000
        if self.version == 'rand':
            runner.apgd.eot_iter = 20
        if self.apgd_iters is not None:
            runner.apgd.n_iter = runner.apgd_targeted.n_iter = self.apgd_iters
        if self.fab_iters is not None:
            runner.fab.n_iter = self.fab_iters
        if self.square_queries is not None:
            runner.square.n_queries = self.square_queries
        return runner

    def perturb(self, model: nn.Module, images: Tensor,
                data_samples: List[PartDataSample]) -> Tensor:
        labels = model.stack_labels(data_samples).to(images.device)
        runner = self.build(model, model.num_classes, images.device)
        sub_attacks = list(runner.attacks_to_run)
        adversarial = images.clone()
        robust = torch.ones(len(images), dtype=torch.bool, device=images.device)
        survived = torch.zeros(len(images), dtype=torch.long)
        seconds = []
        # Upstream re-seeds torch with self.seed per sub-attack; the caller's stream is kept.
        with private_rng(images.device, self.seed), quiet_upstream_logger():
            for sub_attack in sub_attacks:
                start = time.perf_counter()
                # The reference's loop runs each sub-attack on the samples still robust, in
                # batches of batch_size, re-seeded: called with those samples alone, it does
                # the same (its first call also drops the samples misclassified clean).
                if robust.any():
                    index = robust.nonzero().squeeze(1)
                    runner.attacks_to_run = [sub_attack]
                    found, predicted = runner.run_standard_evaluation(
                        images[index], labels[index], batch_size=self.batch_size or len(index))
                    fooled = predicted.to(labels.device) != labels[index]
                    adversarial[index[fooled]] = found[fooled].to(adversarial)
                    robust[index[fooled]] = False
                survived += robust.cpu().long()
                seconds.append(time.perf_counter() - start)
        self._cascade = dict(attacks=sub_attacks, survived=survived, seconds=seconds)
        return adversarial


@contextmanager
def quiet_upstream_logger() -> Iterator[None]:
    """Keep AutoAttack's per-batch progress lines (DEBUG and INFO on its ``auto-attack``
    logger) out of partmm's logs; its warnings still show."""
    logger = logging.getLogger('auto-attack')
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
