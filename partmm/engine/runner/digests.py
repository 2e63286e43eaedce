"""Content digests: the keys under which a robust evaluation keeps its finished results.

A key is the SHA-256 of everything a result depends on (weights, configs, the very batch the
model saw, the source code and library versions that compute it), so that equal keys mean
equal inputs and a result is never reused for anything else.
"""
import glob
import hashlib
import importlib
import os
import os.path as osp
from functools import lru_cache
from importlib import metadata
from typing import Any, Dict, Optional

import numpy as np
import torch
from mmengine.structures import BaseDataElement


def digest(*items: Any) -> str:
    """SHA-256 (64 hex digits) of nested dicts, lists, tuples, sets, tensors, arrays, data
    samples and scalars.

    Equal content gives equal digests: dict keys are sorted, tensors enter by dtype, shape and
    bytes (on any device), data samples by their ``to_dict()``. Anything else enters by its
    type name and ``repr``.
    """
    hasher = hashlib.sha256()
    for item in items:
        _update(hasher, item)
    return hasher.hexdigest()


def _update(hasher, item: Any) -> None:
    if isinstance(item, BaseDataElement):
        item = item.to_dict()
    if isinstance(item, dict):
        _leaf(hasher, b'dict', str(len(item)).encode())
        for key in sorted(item, key=repr):
            _update(hasher, key)
            _update(hasher, item[key])
    elif isinstance(item, (list, tuple)):
        _leaf(hasher, type(item).__name__.encode(), str(len(item)).encode())
        for value in item:
            _update(hasher, value)
    elif isinstance(item, (set, frozenset)):
        # Sorted: a set's order changes with the process's hash seed.
        _update(hasher, sorted(item, key=repr))
    elif isinstance(item, torch.Tensor):
        item = item.detach().cpu().contiguous()
        _leaf(hasher, f'tensor {item.dtype} {tuple(item.shape)}'.encode(),
              item.reshape(-1).view(torch.uint8).numpy().tobytes())
    elif isinstance(item, np.ndarray):
        item = np.ascontiguousarray(item)
        _leaf(hasher, f'array {item.dtype} {item.shape}'.encode(), item.tobytes())
    else:
        _leaf(hasher, type(item).__name__.encode(), repr(item).encode())


def _leaf(hasher, kind: bytes, data: bytes) -> None:
    # Lengths first, so that no two different sequences of leaves hash the same bytes.
    for part in (kind, data):
        hasher.update(len(part).to_bytes(8, 'little'))
        hasher.update(part)


@lru_cache(maxsize=None)
def source_digest(*packages: str) -> str:
    """Digest of every ``.py`` file of the (imported) ``packages``, e.g. ``'partmm.attacks'``:
    results computed by edited code are not reused."""
    hasher = hashlib.sha256()
    for package in packages:
        root = osp.dirname(importlib.import_module(package).__file__)
        for path in sorted(glob.glob(osp.join(root, '**', '*.py'), recursive=True)):
            with open(path, 'rb') as f:
                _leaf(hasher, osp.relpath(path, root).encode(), f.read())
    return hasher.hexdigest()


def package_versions(*names: str) -> Dict[str, Optional[str]]:
    """Installed version of each distribution in ``names`` (None where not installed)."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def dataset_digest(dataset) -> str:
    """Digest of what a (built) dataset holds: every sample's data info, in order, and the
    size and modification time of every file a data info names, so that a dataset converted
    again in place does not pass for the old one."""
    hasher = hashlib.sha256()
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        files = {}
        for value in info.values():
            if isinstance(value, str) and osp.isfile(value):
                stat = os.stat(value)
                files[value] = (stat.st_size, stat.st_mtime_ns)
        _update(hasher, (info, files))
    return hasher.hexdigest()
