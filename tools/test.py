"""Evaluate a partmm checkpoint (MMSegmentation's tools/test.py, for partmm)."""
import argparse
import json
import os
import os.path as osp

from mmengine.config import DictAction
from mmengine.dist import is_main_process
from mmengine.runner import Runner

from partmm.registry import RUNNERS
from partmm.utils import close_process_group, load_config, register_all_modules, setup_runtime
from partmm.utils.config_errors import config_key_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a partmm model')
    parser.add_argument('config', help='test config file (.py, .yaml or .json)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--work-dir', help='where logs and metrics go')
    parser.add_argument('--out', help='write the metrics as JSON to this file')
    parser.add_argument(
        '--show-dir', help='save drawn predictions (image, part map) into this folder')
    parser.add_argument(
        '--allow-train-overlap', action='store_true',
        help='evaluate even if test images are in the checkpoint\'s training split (the '
        'figures are then inflated); without it such a test set is refused')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. test_dataloader.batch_size=16')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} does not exist')
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    if args.allow_train_overlap:
        cfg.default_hooks.data_split.allow_train_overlap = True
    if args.show_dir:
        visualization = cfg.default_hooks.visualization
        visualization.update(draw=True, interval=1)
        cfg.visualizer.save_dir = args.show_dir

    setup_runtime(cfg, args.launcher)
    register_all_modules(init_default_scope=False)
    with config_key_errors(cfg):
        runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
        metrics = runner.test()
    if args.out and is_main_process():
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump({key: float(value) for key, value in metrics.items()}, f, indent=2)
        print(f'metrics written to {args.out}')
    close_process_group()


if __name__ == '__main__':
    main()
