"""Finding the checkpoints of a work dir: what a new run would clobber, what a resume can use."""
import glob
import os
import os.path as osp
import re
from typing import List, Optional, Tuple

import torch

# Checkpoints that CheckpointHook writes for resuming: epoch_N.pth / iter_N.pth.
RESUMABLE_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')
LAST_CHECKPOINT_FILE = 'last_checkpoint'


def run_checkpoints(work_dir: str) -> List[str]:
    """Every checkpoint-like file of an earlier run in ``work_dir``, sorted.

    That is each ``*.pth`` (resumable, best and published checkpoints, the ``best.pth`` link)
    and mmengine's ``last_checkpoint`` pointer. Logs and dumped configs are not listed.
    """
    found = glob.glob(osp.join(work_dir, '*.pth'))
    pointer = osp.join(work_dir, LAST_CHECKPOINT_FILE)
    if osp.lexists(pointer):
        found.append(pointer)
    return sorted(found)


def remove_run_checkpoints(work_dir: str) -> List[str]:
    """Delete what :func:`run_checkpoints` lists; return the deleted paths."""
    removed = run_checkpoints(work_dir)
    for path in removed:
        os.remove(path)
    return removed


def _resume_candidates(work_dir: str) -> List[str]:
    """Resumable checkpoints, newest (highest epoch/iter) first.

    The file ``last_checkpoint`` names goes first when it is not an ``epoch_N``/``iter_N`` file
    (a custom ``filename_tmpl``); otherwise the numbers decide, so a checkpoint saved just
    before a kill that left the pointer one behind is still found.
    """
    numbered = []
    for path in glob.glob(osp.join(work_dir, '*.pth')):
        match = RESUMABLE_NAME.match(osp.basename(path))
        if match and not osp.islink(path):
            numbered.append((int(match.group(2)), path))
    candidates = [path for _, path in sorted(numbered, reverse=True)]
    pointer = osp.join(work_dir, LAST_CHECKPOINT_FILE)
    if osp.isfile(pointer):
        with open(pointer) as f:
            named = f.read().strip()
        if named and osp.isfile(named) and osp.abspath(named) not in map(osp.abspath,
                                                                          candidates):
            candidates.insert(0, named)
    return candidates


def resume_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot be resumed from (it does not load, or lacks what resuming needs)."""
    try:
        checkpoint = torch.load(path, map_location='cpu', weights_only=False)
    except Exception as error:  # a truncated file fails in many ways: EOF, zip, pickle
        return f'it does not load ({type(error).__name__}: {error})'
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        return 'it holds no "state_dict"'
    meta = checkpoint.get('meta') or {}
    if 'epoch' not in meta or 'iter' not in meta:
        return 'its "meta" has no epoch/iter to resume at'
    return None


def find_resumable_checkpoint(work_dir: str) -> Tuple[Optional[str], List[Tuple[str, str]]]:
    """The newest checkpoint in ``work_dir`` that loads and can be resumed from.

    Each candidate (see :func:`_resume_candidates`) is loaded in full, so a truncated or
    otherwise broken file is skipped, not resumed from.

    Returns:
        The path (None if no candidate loads) and ``(path, reason)`` of every newer candidate
        that was skipped.
    """
    skipped = []
    for path in _resume_candidates(work_dir):
        reason = resume_problem(path)
        if reason is None:
            return path, skipped
        skipped.append((path, reason))
    return None, skipped
