"""Fixes for the pinned OpenMMLab stack, in one place, applied when ``partmm`` is imported.

Each fix names the upstream bug it works around. Upstream is dormant (mmengine's fixes after
0.10.7 are unreleased), so these live here rather than in edited site-packages; drop a fix once a
release carries it.
"""
import os
import os.path as osp
import subprocess
import sys
import tempfile
from typing import Any, Optional, Union

import torch
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.runner.checkpoint import CheckpointLoader

_APPLIED = False
# The process umask, read once: files written through a temporary file get the permissions an
# ``open(path, 'w')`` would give them, not mkstemp's owner-only 0600.
_UMASK = os.umask(0)
os.umask(_UMASK)


def load_from_local_trusted(filename: str, map_location: Any = None) -> Any:
    """mmengine's ``load_from_local`` with ``weights_only=False``.

    torch >= 2.6 defaults ``torch.load`` to ``weights_only=True``, which rejects the
    ``HistoryBuffer``/numpy objects in every mmengine checkpoint, so ``--resume`` and
    ``load_from`` fail (open-mmlab/mmengine#1655, fixed on main by #1670, unreleased). Local
    checkpoints are the user's own training outputs: trusted, like mmengine < 0.10.7 assumed.
    """
    filename = osp.expanduser(filename)
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint file {filename} can not be found.')
    return torch.load(filename, map_location=map_location, weights_only=False)


def _patch_lazy_config_detection() -> None:
    """Treat standard-library imports in classic ``.py`` configs as classic, not lazy.

    mmengine 0.10.7's ``_is_builtin_module`` calls a stdlib module non-builtin when Python runs
    from a virtual environment or the module is frozen (``os`` on Python >= 3.11), so a classic
    config with ``import os`` is parsed as a lazy config and fails with a bare RuntimeError
    (fixed on mmengine main by e6d41991 and 61f9f035, unreleased).
    """
    from mmengine.config import config as config_module

    upstream = config_module._is_builtin_module

    def is_builtin_module(module_name: str) -> bool:
        if module_name.split('.')[0] in sys.stdlib_module_names:
            return True
        return upstream(module_name)

    config_module._is_builtin_module = is_builtin_module


def write_atomically(data: Union[bytes, str], filepath: str, encoding: str = 'utf-8') -> None:
    """Write ``data`` to ``filepath`` so that a reader sees the old file or the whole new one.

    The bytes go to a temporary file in the same folder, are flushed and fsync-ed, then the file
    is renamed over ``filepath`` (atomic on POSIX) and the folder is fsync-ed so the rename
    survives a power cut. A kill at any moment leaves at most a hidden ``.<name>.*.tmp`` file.
    """
    folder = osp.dirname(osp.abspath(filepath))
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode(encoding)
    handle, temporary = tempfile.mkstemp(
        prefix=f'.{osp.basename(filepath)}.', suffix='.tmp', dir=folder)
    try:
        os.fchmod(handle, 0o666 & ~_UMASK)
        with os.fdopen(handle, 'wb') as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, filepath)
    except BaseException:
        if osp.exists(temporary):
            os.remove(temporary)
        raise
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _patch_atomic_local_writes() -> None:
    """Make mmengine's local file writes atomic (checkpoints, dumped configs and metrics).

    mmengine 0.10.7's ``LocalBackend.put``/``put_text`` open the target with ``'wb'``/``'w'``
    and write in place, and ``CheckpointHook`` rewrites ``epoch_N.pth`` after each new best
    checkpoint: a job killed during that write leaves a truncated ``epoch_N.pth`` with
    ``last_checkpoint`` pointing at it, and ``--resume`` fails. Writes now go through
    :func:`write_atomically`.
    """
    from mmengine.fileio.backends.local_backend import LocalBackend

    def put(self, obj: bytes, filepath) -> None:
        write_atomically(obj, str(filepath))

    def put_text(self, obj: str, filepath, encoding: str = 'utf-8') -> None:
        write_atomically(obj, str(filepath), encoding=encoding)

    LocalBackend.put = put
    LocalBackend.put_text = put_text


def _patch_weighted_cross_entropy() -> None:
    """Let mmseg's class-weighted cross-entropy take labels with ignored pixels.

    mmseg 1.2.2's ``cross_entropy`` with ``class_weight`` averages by the class weights of all
    labels and looks them up for ``ignore_index`` too (open-mmlab/mmsegmentation#3734, #3492,
    open): one ignored pixel (an unlabelled part, ``seg_pad_val`` padding) raises IndexError.
    The average factor is computed here instead, the same for labels without ignored pixels;
    ignored ones count 0 with ``avg_non_ignore``, else 1 (as every pixel does unweighted).
    """
    from mmseg.models.losses import cross_entropy_loss

    upstream = cross_entropy_loss.cross_entropy

    def cross_entropy(pred, label, weight=None, class_weight=None, reduction='mean',
                      avg_factor=None, ignore_index=-100, avg_non_ignore=False):
        if class_weight is not None and avg_factor is None and reduction == 'mean':
            ignored = label == ignore_index
            label_weights = class_weight[label.masked_fill(ignored, 0)]
            avg_factor = label_weights.masked_fill(ignored, 0.0 if avg_non_ignore else 1.0).sum()
        return upstream(pred, label, weight=weight, class_weight=class_weight,
                        reduction=reduction, avg_factor=avg_factor, ignore_index=ignore_index,
                        avg_non_ignore=avg_non_ignore)

    cross_entropy_loss.cross_entropy = cross_entropy


def apply_compat_patches() -> None:
    """Apply every fix once; called by ``import partmm``."""
    global _APPLIED
    if _APPLIED:
        return
    CheckpointLoader.register_scheme(prefixes='', force=True)(load_from_local_trusted)
    _patch_lazy_config_detection()
    _patch_atomic_local_writes()
    _patch_weighted_cross_entropy()
    _APPLIED = True


def _replace_sync_bn(node: Any) -> int:
    """Turn every ``dict(type='SyncBN', ...)`` under ``node`` into ``BN``; returns the count."""
    replaced = 0
    if isinstance(node, dict):
        if node.get('type') in ('SyncBN', 'MMSyncBN'):
            node['type'] = 'BN'
            replaced += 1
        for value in node.values():
            replaced += _replace_sync_bn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            replaced += _replace_sync_bn(value)
    return replaced


def setup_cpu_distributed(cfg: Config, launcher: str) -> bool:
    """Make a multi-process launch work on a machine without CUDA (gloo, plain BN).

    mmengine 0.10.7 assumes GPUs for distributed training: ``init_dist`` calls
    ``torch.cuda.set_device`` (fails without CUDA), ``Runner.wrap_model`` passes
    ``device_ids=[local_rank]`` to DDP (rejected for CPU modules), and SyncBN refuses CPU tensors.
    This initialises a gloo process group first (the Runner then skips ``init_dist``), asks for
    ``device_ids=None`` and swaps SyncBN for BN. Does nothing when CUDA is available or
    ``launcher == 'none'``.

    Returns:
        bool: True if the CPU route was taken.
    """
    if launcher == 'none' or torch.cuda.is_available():
        return False
    if launcher == 'slurm':
        _export_slurm_rendezvous()
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group(backend='gloo')
    wrapper_cfg = cfg.get('model_wrapper_cfg') or ConfigDict(type='MMDistributedDataParallel')
    wrapper_cfg['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper_cfg
    cfg.setdefault('env_cfg', ConfigDict()).setdefault('dist_cfg', ConfigDict())['backend'] = 'gloo'
    replaced = _replace_sync_bn(cfg.model)
    if replaced:
        print_log(f'no CUDA: {replaced} SyncBN norm config(s) in model switched to BN',
                  logger='current')
    if cfg.get('sync_bn') is not None:
        # The runner's conversion of every BatchNorm (configs of models built outside mmseg).
        cfg.sync_bn = None
        print_log('no CUDA: sync_bn switched off', logger='current')
    return True


def _export_slurm_rendezvous() -> None:
    """Set the ``env://`` rendezvous variables of a task that ``srun`` started.

    mmengine's ``init_dist('slurm')`` derives them the same way but also calls
    ``torch.cuda.set_device``; on CPU partmm initialises the process group itself, from these.
    The first host of the job is the master (``scontrol show hostnames``), unless
    ``MASTER_ADDR`` is set; ``MASTER_PORT`` defaults to 29500.
    """
    rank, world_size = int(os.environ['SLURM_PROCID']), int(os.environ['SLURM_NTASKS'])
    if 'MASTER_ADDR' not in os.environ:
        hosts = subprocess.run(['scontrol', 'show', 'hostnames', os.environ['SLURM_NODELIST']],
                               capture_output=True, text=True, check=True).stdout.split()
        os.environ['MASTER_ADDR'] = hosts[0]
    os.environ.setdefault('MASTER_PORT', '29500')
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world_size),
                      LOCAL_RANK=os.environ.get('SLURM_LOCALID', '0'),
                      LOCAL_WORLD_SIZE=os.environ.get('SLURM_NTASKS_PER_NODE',
                                                      str(world_size)))


def available_cores() -> int:
    """Cores this process may run on: its CPU affinity (what ``taskset``, a container's cpuset
    or a batch scheduler grants), else every core of the machine."""
    if hasattr(os, 'sched_getaffinity'):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def configure_cpu_threads(num_threads: Optional[int] = None) -> int:
    """Split the CPU cores between the local processes, so they do not oversubscribe them.

    On two cores a 2-thread step ran 7x slower than a 1-thread step while another process was
    busy. ``num_threads`` wins when given; else available cores // local world size (at
    least 1). The local world size is ``LOCAL_WORLD_SIZE``, which torchrun (hence
    ``tools/dist_train.sh``) sets in every worker and partmm sets under slurm; a single
    process has 1. Returns the number of threads set.
    """
    if num_threads is None:
        local_world_size = int(os.environ.get('LOCAL_WORLD_SIZE', '1'))
        num_threads = max(1, available_cores() // local_world_size)
    torch.set_num_threads(num_threads)
    return num_threads
