"""A launched worker's life: tied to its launcher, and a clean end of its process group."""
import ctypes
import logging
import os
import signal
import sys

import torch.distributed
from mmengine.dist import barrier, is_distributed
from mmengine.logging import print_log

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def exit_with_launcher() -> bool:
    """Under torchrun, have Linux kill this worker when its launcher dies.

    ``kill -9`` of torchrun gives it no chance to stop its workers, which trained on as
    orphans, holding the cores, the GPUs and the work dir. The parent-death signal (``prctl``)
    makes the kernel send SIGKILL to the worker when its parent ends. ``tools/dist_launch.sh``
    exports its PID (``exec`` makes it torchrun's) as ``PARTMM_LAUNCHER_PID``: a worker whose
    launcher died before the signal was set exits at once.

    Returns:
        True if the signal was set (a torchrun worker on Linux), else False.
    """
    if 'TORCHELASTIC_RUN_ID' not in os.environ or not sys.platform.startswith('linux'):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        print_log(f'could not tie this worker to its launcher (prctl errno '
                  f'{ctypes.get_errno()}): it may outlive a killed torchrun', logger='current',
                  level=logging.WARNING)
        return False
    launcher = os.environ.get('PARTMM_LAUNCHER_PID')
    if launcher and os.getppid() != int(launcher):
        sys.exit(f'the launcher (PID {launcher}) is gone: exiting')
    return True


def close_process_group() -> None:
    """In a distributed run, wait for every rank, then close the process group.

    A rank that exits with the group open can abort in C++ teardown (``terminate called
    without an active exception``, exit code 134) after its work is done, which fails the
    whole job; it happened in about one of six 2-process runs under the slurm launcher. The
    tools call this once their last collective is over. Does nothing in a single process.
    """
    if is_distributed():
        barrier()
        torch.distributed.destroy_process_group()

