"""Checks that a config's parameter schedule fits the length of its run."""
import logging
from typing import List

from mmengine.config import Config
from mmengine.logging import print_log


def fit_schedule_to_run(cfg: Config) -> List[str]:
    """Check every epoch-based scheduler of ``cfg`` against ``train_cfg.max_epochs``.

    partmm's schedule bases leave ``end`` (and ``T_max``) unset, so mmengine takes them from
    the run (``max_epochs``) and ``--cfg-options train_cfg.max_epochs=N`` keeps the schedule
    whole. A scheduler that states its own ``end`` keeps it, and a changed run length then
    silently breaks the schedule: this check makes that loud. A scheduler that would begin
    only after the run ends (the cosine decay after a one-epoch warm-up, in a one-epoch smoke
    run) is removed from ``cfg``, with a warning.

    Raises:
        ValueError: A scheduler ends after the run: the learning rate never anneals.

    Returns:
        Warnings (also logged): removed schedulers, and a schedule that ends before the run
        does (the last epochs train at its final value, lr 0 for cosine decay to 0).
    """
    train_cfg = cfg.get('train_cfg') or {}
    max_epochs = train_cfg.get('max_epochs')
    schedulers = cfg.get('param_scheduler') or []
    if max_epochs is None or isinstance(schedulers, dict) and 'type' not in schedulers:
        return []  # iteration-based run, or one schedule per optimizer: not checked
    if isinstance(schedulers, dict):
        schedulers = [schedulers]
    ends, kept, warnings = [], [], []
    for index, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, dict) or not scheduler.get('by_epoch', True):
            kept.append(scheduler)
            continue
        if scheduler.get('begin', 0) >= max_epochs:
            warnings.append(
                f'param_scheduler[{index}] ({scheduler.get("type")}) begins at epoch '
                f'{scheduler.get("begin")}, when this {max_epochs}-epoch run is over: removed')
            continue
        kept.append(scheduler)
        end = scheduler.get('end')
        if end is None:
            ends.append(max_epochs)
            continue
        if end > max_epochs:
            raise ValueError(
                f'param_scheduler[{index}] ({scheduler.get("type")}) ends at epoch {end}, but '
                f'train_cfg.max_epochs = {max_epochs}: the schedule would be cut off. Leave its '
                '"end" (and "T_max") unset so that they follow the run, or set them to '
                f'{max_epochs}')
        ends.append(end)
    if len(kept) < len(schedulers):
        cfg.param_scheduler = kept
    if ends and max(ends) < max_epochs:
        warnings.append(
            f'param_scheduler ends at epoch {max(ends)}, but train_cfg.max_epochs = '
            f'{max_epochs}: the last {max_epochs - max(ends)} epoch(s) train at the schedule\'s '
            'final value. Leave "end" unset so that the schedule follows the run')
    for warning in warnings:
        print_log(warning, logger='current', level=logging.WARNING)
    return warnings
