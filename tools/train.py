"""Train a partmm model from a config (MMSegmentation's tools/train.py, for partmm)."""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from partmm.registry import RUNNERS
from partmm.utils import register_all_modules, setup_runtime


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a partmm model')
    parser.add_argument('config', help='train config file (.py, .yaml or .json)')
    parser.add_argument('--work-dir', help='where logs and checkpoints go')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from the given checkpoint, or from the latest one in the work dir '
        'when no path is given')
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


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.config):
        raise FileNotFoundError(f'config file {args.config} does not exist')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        enable_amp(cfg)
    if args.resume == 'auto':
        cfg.resume = True
        cfg.load_from = None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise FileNotFoundError(f'--resume checkpoint {args.resume} does not exist')
        cfg.resume = True
        cfg.load_from = args.resume

    setup_runtime(cfg, args.launcher)
    register_all_modules(init_default_scope=False)
    runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
