"""Small helpers shared across partmm."""
import os.path as osp
from typing import Optional, Sequence

import torch.nn as nn
from mmengine.config import Config
from mmengine.model import is_model_wrapper


def unwrap_model(model: nn.Module) -> nn.Module:
    """The model itself, without a DDP (or other mmengine) wrapper around it."""
    return model.module if is_model_wrapper(model) else model


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
