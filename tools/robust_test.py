"""Robust evaluation of a partmm checkpoint: attacks, corruptions, shifted sets, a report.

Example::

    python tools/robust_test.py configs/part_wbbox_partimagenet.py work_dirs/x/best.pth \\
        --attacks pgd,aa --eps 2,4,8 --corruptions all --out work_dirs/robust/x

Attacks are presets of ``partmm.attacks.presets`` (``pgd`` is the papers' PGD-100 with 5
restarts, ``aa`` AutoAttack standard, ...), each run at every ``--eps`` (in 1/255 units) unless
given its own radii as ``name@e1/e2``. The report in ``--out``: ``results.json`` (every
figure), ``report.md`` and plots. Under ``tools/dist_robust_test.sh`` every stage is sharded
across processes and gathered; rank 0 writes the report.

Finished work (stage 1 per batch and attack, every later stage) is cached in
``<work-dir>/robust_cache``: the same command run again, after a kill or with another attack
added, reuses what was computed with the same model, data and settings (``--no-resume``
starts afresh). The default work dir is ``work_dirs/robust/<config>/<checkpoint folder>_<checkpoint
name>``, one per checkpoint.
"""
import argparse
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Tuple

from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.runner import Runner

from partmm.attacks.presets import attack_preset, preset_names
from partmm.datasets.transforms import COMMON_CORRUPTIONS
from partmm.evaluation.report import FORMAT
from partmm.evaluation.robust_results import attack_name, run_results
from partmm.registry import RUNNERS
from partmm.utils import (
    close_process_group,
    load_config,
    register_all_modules,
    setup_runtime,
    spread_over_classes,
)
from partmm.utils.config_errors import config_key_errors


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Robust evaluation of a partmm model')
    parser.add_argument('config', help='config file (.py, .yaml or .json)')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--attacks', default='pgd',
        help='comma-separated attack presets, each optionally with its own radii as '
        f'name@e1/e2 (1/255 units); "none" for clean only. Presets: {", ".join(preset_names())}')
    parser.add_argument('--eps', default='8',
                        help='comma-separated radii in 1/255 units (Linf) or raw (L2)')
    parser.add_argument('--norm', default='Linf', choices=['Linf', 'L2'])
    parser.add_argument('--corruptions', default='none',
                        help='"all", "none" or comma-separated common corruptions')
    parser.add_argument('--severities', default='1,2,3,4,5')
    parser.add_argument('--shift-config',
                        help='config file whose "shift_datasets" dict (name -> dataset config) '
                        'adds shifted test sets, e.g. configs/_base_/datasets/'
                        'synthetic-partimagenet-shift.py (each set takes the config\'s test '
                        'pipeline unless it names one)')
    parser.add_argument('--num-samples', type=int,
                        help='evaluate on this many test images, spread evenly over the '
                        'classes (e.g. 110 of 11 classes: 10 of each), instead of all')
    parser.add_argument('--batch-size', type=int, help='test batch size per process')
    parser.add_argument('--out', help='report folder (default: <work-dir>/robust_report)')
    parser.add_argument('--name', help='name of this model in the report (default: config name)')
    parser.add_argument('--num-overlays', type=int, default=4,
                        help='test images, spread over the classes, drawn clean vs '
                        'adversarial (part models)')
    parser.add_argument('--overlay-attack',
                        help='the white-box attack the overlays show, by its report name, '
                        'e.g. pgd20@eps8 (default: the last one run, i.e. the largest eps)')
    parser.add_argument('--work-dir',
                        help='where logs and the results cache go (default: work_dirs/robust/'
                        '<config name>/<checkpoint folder>_<checkpoint name>)')
    parser.add_argument('--no-resume', action='store_true',
                        help='delete the results cache of the work dir and compute everything '
                        'again (by default finished stages, batches and attacks are reused)')
    parser.add_argument(
        '--allow-train-overlap', action='store_true',
        help='evaluate even if test images are in the checkpoint\'s training split (the '
        'figures are then inflated); without it such a test set is refused')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config entries, e.g. test_dataloader.batch_size=16')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'],
                        default='none', help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def parse_radii(text: str, norm: str, option: str) -> List[float]:
    """'0,2,8' (1/255 units for Linf) -> radii in [0, 1] units."""
    try:
        values = [float(value) for value in text.replace('/', ',').split(',') if value]
    except ValueError as error:
        raise ValueError(f'{option}: expected numbers like "2,4,8", got "{text}"') from error
    if not values or any(value < 0 for value in values):
        raise ValueError(f'{option}: expected non-negative radii, got "{text}"')
    return [value / 255 if norm == 'Linf' else value for value in values]


def build_attacks(spec: str, default_eps: List[float], norm: str) -> Dict[str, dict]:
    """``--attacks`` -> ordered attack name -> config."""
    attacks = {}
    if spec.strip().lower() == 'none':
        return attacks
    for token in (token.strip() for token in spec.split(',') if token.strip()):
        preset, _, radii = token.partition('@')
        eps_list = parse_radii(radii, norm, f'--attacks {token}') if radii else default_eps
        for eps in eps_list:
            attacks[attack_name(preset, eps, norm)] = attack_preset(preset, eps, norm)
    return attacks


def parse_corruptions(text: str) -> List[str]:
    if text == 'none':
        return []
    if text == 'all':
        return list(COMMON_CORRUPTIONS)
    names = [name.strip() for name in text.split(',') if name.strip()]
    unknown = [name for name in names if name not in COMMON_CORRUPTIONS]
    if unknown:
        raise ValueError(f'--corruptions: unknown {unknown}; choose from '
                         f'{", ".join(COMMON_CORRUPTIONS)}')
    return names


def checkpoint_tag(checkpoint: str) -> str:
    """``<folder>_<name>`` of a checkpoint path (``work_dirs/a/best.pth`` -> ``a_best``): the
    default work dir's last part, so that checkpoints of the same name in different folders
    (every run's ``best.pth``) do not share their report."""
    path = osp.abspath(checkpoint)
    return f'{osp.basename(osp.dirname(path))}_{osp.splitext(osp.basename(path))[0]}'


def spaced_indices(cfg: Config, num_samples: int) -> List[int]:
    """``num_samples`` indices of the test set of ``cfg``, spread over its classes
    (:func:`partmm.utils.spread_over_classes`)."""
    from partmm.registry import DATASETS

    register_all_modules(init_default_scope=True)
    dataset_cfg = cfg.test_dataloader.dataset.copy()
    dataset_cfg.update(pipeline=[], lazy_init=False)
    dataset = DATASETS.build(dataset_cfg)
    size = len(dataset)
    if not 0 < num_samples <= size:
        raise ValueError(f'--num-samples must be in 1..{size} (the test set size), got '
                         f'{num_samples}')
    return spread_over_classes(dataset, num_samples)


def robust_config(args: argparse.Namespace) -> Tuple[Config, dict]:
    """The config, its test loop and evaluator made robust; and what the report needs."""
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    config_name = osp.splitext(osp.basename(args.config))[0]
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', 'robust', config_name,
                                checkpoint_tag(args.checkpoint))
    cfg.load_from = args.checkpoint
    if args.allow_train_overlap:
        cfg.default_hooks.data_split.allow_train_overlap = True
    if args.batch_size is not None:
        cfg.test_dataloader.batch_size = args.batch_size
    if args.num_samples is not None:
        cfg.test_dataloader.dataset.indices = spaced_indices(cfg, args.num_samples)
    attacks = build_attacks(args.attacks, parse_radii(args.eps, args.norm, '--eps'), args.norm)
    if args.overlay_attack is not None and args.overlay_attack not in attacks:
        raise ValueError(f'--overlay-attack {args.overlay_attack} is not among the attacks run: '
                         f'{", ".join(attacks) or "none"}')
    corruptions = parse_corruptions(args.corruptions)
    severities = [int(value) for value in args.severities.split(',') if value]
    shift_datasets = {}
    if args.shift_config:
        if not osp.isfile(args.shift_config):
            raise FileNotFoundError(f'--shift-config {args.shift_config} does not exist')
        shift_cfg = Config.fromfile(args.shift_config)
        if 'shift_datasets' not in shift_cfg:
            raise KeyError(f'{args.shift_config} defines no "shift_datasets" dict')
        shift_datasets = shift_cfg.shift_datasets.to_dict()
    metrics = cfg.test_evaluator
    if isinstance(metrics, dict) and metrics.get('type') == 'RobustEvaluator':
        metrics = metrics['metrics']
    cfg.test_evaluator = dict(type='RobustEvaluator', metrics=metrics)
    cfg.test_cfg = dict(type='RobustTestLoop', attacks=attacks, corruptions=corruptions,
                        severities=severities, shift_datasets=shift_datasets,
                        resume=not args.no_resume)
    settings = dict(name=args.name or config_name, corruptions=corruptions,
                    severities=severities, shift_sets=list(shift_datasets))
    return cfg, settings


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} does not exist')
    cfg, settings = robust_config(args)
    setup_runtime(cfg, args.launcher)
    register_all_modules(init_default_scope=False)
    start = time.time()
    with config_key_errors(cfg):
        runner = RUNNERS.build(cfg) if 'runner_type' in cfg else Runner.from_cfg(cfg)
        metrics = runner.test()
    try:
        if is_main_process():
            write_run_report(runner, run_record(runner, metrics, args, settings, start),
                             args.out or osp.join(cfg.work_dir, 'robust_report'),
                             args.num_overlays, args.overlay_attack)
    finally:
        # The other ranks wait for the report, then every rank closes the process group.
        close_process_group()


def run_record(runner, metrics: dict, args: argparse.Namespace, settings: dict,
               start: float) -> dict:
    """The report's record of this evaluation (``partmm.evaluation.robust_results``)."""
    loop = runner.test_loop
    shift_sizes = {name: loop.stage_sizes[f'shift/{name}'] for name in settings['shift_sets']}
    return run_results(
        settings['name'], metrics, loop.attack_specs,
        {name: timed.seconds for name, timed in loop.attacks.items()},
        len(loop.dataloader.dataset), loop.evaluator.sanity_records, config=args.config,
        checkpoint=args.checkpoint, corruptions=settings['corruptions'],
        severities=settings['severities'], shift_sets=shift_sizes,
        seconds=time.time() - start,
        step_seconds={name: timed.step_seconds for name, timed in loop.attacks.items()})


def write_run_report(runner, run: dict, out_dir: str, num_overlays: int,
                     overlay_attack: Optional[str] = None) -> None:
    """Draw the overlays (part models; ``overlay_attack``, else the last white-box attack) and
    write the report."""
    from partmm.evaluation.report import write_report
    from partmm.visualization.adversarial_examples import draw_attack_examples

    os.makedirs(out_dir, exist_ok=True)
    loop = runner.test_loop
    white_box = [spec['name'] for spec in loop.attack_specs
                 if not spec['black_box'] and spec['eps'] > 0]
    if overlay_attack is not None and overlay_attack not in white_box:
        raise ValueError(f'--overlay-attack {overlay_attack}: the overlays need a white-box '
                         f'attack with eps > 0; those run: {", ".join(white_box) or "none"}')
    if num_overlays > 0 and white_box:
        name = overlay_attack or white_box[-1]
        relative = osp.join('overlays', f'{run["name"]}.png')
        if draw_attack_examples(runner, loop.attacks[name].attack, name, num_overlays,
                                osp.join(out_dir, relative)):
            run['overlays'] = relative
    written = write_report(dict(format=FORMAT, runs=[run]), out_dir)
    print(f'report written to {out_dir}: {", ".join(sorted(written))}')


if __name__ == '__main__':
    main()
