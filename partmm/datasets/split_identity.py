"""The identity of a data split: which images it holds, as a fingerprint and per-image hashes.

A checkpoint records the splits it was trained and validated on (``DataSplitHook``), so that
evaluation can tell whether a test set shares images with its training set (a re-split with
another seed, a config pointing at the wrong split). Images are identified by their file name,
which PartImageNet (``<wnid>_<n>.JPEG``, checked unique by the converter) and the other
datasets of the papers keep unique: the same image read through another ``data_root``, folder
layout or converter output folder keeps its identity.
"""
import hashlib
import os.path as osp
from typing import Dict, List

import torch


def sample_ids(dataset) -> List[str]:
    """The identity of every sample of ``dataset``: the file name of its ``img_path``."""
    return [osp.basename(dataset.get_data_info(index)['img_path'])
            for index in range(len(dataset))]


def _id_hash(sample_id: str) -> int:
    """A 64-bit hash of one sample id, in int64's range."""
    return int.from_bytes(hashlib.blake2b(sample_id.encode(), digest_size=8).digest(), 'little',
                          signed=True)


def hash_ids(ids: List[str]) -> torch.Tensor:
    """Sorted unique 64-bit hashes of ``ids`` (int64 [N]); a tensor, so that checkpoints
    holding them still load with ``torch.load(weights_only=True)``."""
    return torch.tensor(sorted({_id_hash(i) for i in ids}), dtype=torch.int64)


def split_record(dataset) -> Dict:
    """What a checkpoint keeps of a split: ``ann_file``, ``num_samples``, ``fingerprint`` (16
    hex digits of a SHA-256 over the sorted sample ids) and ``sample_hashes`` (see
    :func:`hash_ids`)."""
    ids = sample_ids(dataset)
    digest = hashlib.sha256('\n'.join(sorted(ids)).encode()).hexdigest()[:16]
    return dict(ann_file=str(getattr(dataset, 'ann_file', '')), num_samples=len(ids),
                fingerprint=digest, sample_hashes=hash_ids(ids))


def shared_samples(ids: List[str], sample_hashes: torch.Tensor) -> List[str]:
    """The ids among ``ids`` whose hash is in ``sample_hashes`` (a record's), in order."""
    known = set(sample_hashes.tolist())
    return [i for i in ids if _id_hash(i) in known]
