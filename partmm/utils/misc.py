"""Small helpers shared across partmm."""
import os.path as osp
from typing import List, Optional, Sequence

import torch.nn as nn
from mmengine.config import Config
from mmengine.dataset import BaseDataset
from mmengine.model import is_model_wrapper


def unwrap_model(model: nn.Module) -> nn.Module:
    """The model itself, without a DDP (or other mmengine) wrapper around it."""
    return model.module if is_model_wrapper(model) else model


def evenly_spaced(size: int, count: int) -> List[int]:
    """``count`` indices (at most ``size``) evenly spaced over ``range(size)``, the first 0."""
    count = min(count, size)
    return [index * size // count for index in range(count)]


def spread_over_classes(dataset: BaseDataset, count: int) -> List[int]:
    """``count`` indices of ``dataset`` (at most its size) spread over its classes: its samples
    ordered by class (``dataset.get_gt_labels()``), then :func:`evenly_spaced`. Each class gets
    a share in proportion to its size (10 of each of 11 classes of 30 for 110), fewer indices
    than classes take classes evenly spaced, and within a class the samples are evenly spaced
    too. Returned in class order. Datasets in no particular class order (PartImageNet's splits
    are in file order) would otherwise give a few of one class and many of another."""
    labels = dataset.get_gt_labels()
    by_class = sorted(range(len(labels)), key=lambda index: (int(labels[index]), index))
    return [by_class[position] for position in evenly_spaced(len(by_class), count)]


def format_examples(names: Sequence[str], limit: int = 5) -> str:
    """The first ``limit`` of ``names``, comma-separated, and how many more there are: what an
    error quotes of a long list ('a.png, b.png (and 40 more)')."""
    more = f' (and {len(names) - limit} more)' if len(names) > limit else ''
    return ', '.join(names[:limit]) + more


def load_config(path: str, options: Optional[dict] = None) -> Config:
    """The config at ``path`` with ``options`` (a tool's ``--cfg-options``) merged in.

    Raises:
        FileNotFoundError: Naming ``path`` when there is no such file.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file {path} does not exist')
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    return cfg
