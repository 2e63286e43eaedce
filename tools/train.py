"""Train a partmm model from a config (MMSegmentation's tools/train.py, for partmm)."""
import argparse
import logging
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from partmm.registry import RUNNERS
from partmm.utils import close_process_group, load_config, register_all_modules, setup_runtime
from partmm.utils.checkpoint import (
    find_resumable_checkpoint,
    remove_run_checkpoints,
    resume_problem,
    run_checkpoints,
)
from partmm.utils.config_errors import config_key_errors
from partmm.utils.schedule import fit_schedule_to_run


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a partmm model')
    parser.add_argument('config', help='train config file (.py, .yaml or .json)')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the newest one in the work dir that '
        'loads when no path is given')
    parser.add_argument(
        '--overwrite', action='store_true',
        help='start a new run in a work dir that holds checkpoints of an earlier run, deleting '
        'them first (without it, such a work dir is refused)')
    parser.add_argument(
        '--amp', action='store_true',
        help='mixed precision: AmpOptimWrapper on GPU, bfloat16 CPUAmpOptimWrapper on CPU')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. train_cfg.max_epochs=2 '
        'optim_wrapper.optimizer.lr=0.01')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    # torch.distributed.launch passes --local_rank, torchrun sets LOCAL_RANK.
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if args.resume is not None and args.overwrite:
        parser.error('--resume continues the run in the work dir, --overwrite deletes it: '
                     'pass one of them')
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def enable_amp(cfg: Config) -> None:
    """Switch the config's OptimWrapper to mixed precision for this machine."""
    wrapper_type = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper_type in ('AmpOptimWrapper', 'CPUAmpOptimWrapper'):
        return
    if wrapper_type != 'OptimWrapper':
        raise ValueError(f'--amp needs optim_wrapper.type "OptimWrapper", got "{wrapper_type}"')
    if torch.cuda.is_available():
        cfg.optim_wrapper.update(type='AmpOptimWrapper', loss_scale='dynamic')
    else:
        cfg.optim_wrapper.type = 'CPUAmpOptimWrapper'


def prepare_work_dir(cfg: Config, args: argparse.Namespace) -> None:
    """Decide how the run uses its work dir: resume, overwrite, or a new run in a clean one.

    A new run into a work dir that holds checkpoints would replace them (and repoint
    ``best.pth``, which fine-tuning configs load), so it is refused without ``--overwrite``.
    ``--resume`` without a path takes the newest checkpoint that loads, skipping (and naming)
    broken ones, and is an error when there is none.
    """
    work_dir = cfg.work_dir
    if args.resume is None:
        existing = run_checkpoints(work_dir)
        if existing and not args.overwrite:
            names = ', '.join(osp.basename(path) for path in existing[:5])
            raise FileExistsError(
                f'work dir {work_dir} holds checkpoints of an earlier run ({names}'
                f'{", ..." if len(existing) > 5 else ""}): pass --resume to continue it, '
                '--overwrite to delete them and start again, or --work-dir for a new run')
        if existing and int(os.environ.get('RANK', '0')) == 0:
            removed = remove_run_checkpoints(work_dir)
            print_log(f'--overwrite: deleted {len(removed)} checkpoint file(s) of the earlier '
                      f'run in {work_dir}', logger='current')
        return
    if args.resume == 'auto':
        checkpoint, skipped = find_resumable_checkpoint(work_dir)
        for path, reason in skipped:
            print_log(f'--resume: skipped {path}: {reason}', logger='current',
                      level=logging.WARNING)
        if checkpoint is None:
            tried = f' (none of the {len(skipped)} found loads)' if skipped else ''
            raise FileNotFoundError(
                f'--resume: no checkpoint to resume from in {work_dir}{tried}; drop --resume to '
                'start a new run, or pass the checkpoint to resume from')
        print_log(f'--resume: resuming from {checkpoint}', logger='current')
    else:
        checkpoint = args.resume
        if not osp.isfile(checkpoint):
            raise FileNotFoundError(f'--resume checkpoint {checkpoint} does not exist')
        problem = resume_problem(checkpoint)
        if problem:
            raise ValueError(f'--resume: cannot resume from {checkpoint}: {problem}')
    cfg.resume = True
    cfg.load_from = checkpoint


def main() -> None:
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        enable_amp(cfg)
    prepare_work_dir(cfg, args)
    fit_schedule_to_run(cfg)

    setup_runtime(cfg, args.launcher)
    register_all_modules(init_default_scope=False)
    with config_key_errors(cfg):
        runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
        runner.train()
    close_process_group()


if __name__ == '__main__':
    main()
