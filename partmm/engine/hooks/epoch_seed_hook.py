"""Randomness keyed to the epoch, so that a resumed run repeats the uninterrupted one."""
import random
from functools import partial

import numpy as np
import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook

from partmm.registry import HOOKS


def derive_seed(*keys: int) -> int:
    """A well-mixed 32-bit seed from integer keys (base seed, epoch, rank, ...)."""
    return int(np.random.SeedSequence([key % 2**32 for key in keys]).generate_state(1)[0])


def seed_data_worker(worker_id: int, rank: int) -> None:
    """Seed a data worker's NumPy and Python RNGs from the seed torch gave it.

    torch seeds each worker with the loader's base seed + ``worker_id``, the base seed being
    drawn from the main process's torch RNG when the workers start, i.e. from the epoch seed
    (:class:`EpochSeedHook`). mmengine's default ``worker_init_fn`` would replace that with a
    seed that is the same in every epoch.
    """
    seed = derive_seed(torch.initial_seed(), rank)
    np.random.seed(seed)
    random.seed(seed)


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Reseed all training randomness at the start of every epoch from (seed, epoch).

    Checkpoints are saved at epoch ends, but the random streams (Python, NumPy and torch in the
    main process, and those of the data workers) run on from epoch to epoch, so a run resumed
    from ``epoch_N.pth`` used to draw other crops, flips, dropout masks and attack starts than
    the uninterrupted run. With every stream derived from ``(runner.seed, epoch)`` (and the
    rank, with ``randomness.diff_rank_seed``), a killed and resumed run ends with the same
    weights as one that was never interrupted. Data workers are restarted each epoch to take
    their epoch's seed (``persistent_workers`` keeps them only within an epoch), which costs a
    worker start-up per epoch. The sampler's order is already a function of (seed, epoch)
    (``DistSamplerSeedHook``).
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        loader = runner.train_dataloader
        if loader.num_workers > 0:
            loader.worker_init_fn = partial(seed_data_worker, rank=get_rank())

    def before_train_epoch(self, runner) -> None:
        keys = [runner.seed, runner.epoch]
        if runner.cfg.get('randomness', {}).get('diff_rank_seed', False):
            keys.append(get_rank())
        seed = derive_seed(*keys)
        random.seed(seed)
        np.random.seed(seed)
        torch.manual_seed(seed)  # every CUDA device too
        loader = runner.train_dataloader
        iterator = getattr(loader, '_iterator', None)
        if loader.num_workers > 0 and iterator is not None:
            # Persistent workers would carry last epoch's streams on: start new ones.
            loader._iterator = None
            iterator._shutdown_workers()
