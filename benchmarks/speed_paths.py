"""Speed paths against the eager path: images/s of training and attacks, side by side.

Builds the synthetic Bounding-Box part model (the CPU default) once per path, with the same
weights (``--checkpoint``, e.g. the demo's, else the config's initialisation), and times on
the same random inputs (``throughput.py``'s batches: random [0, 1] images, random part maps,
labels = the eager model's predictions so that attacks have every image to flip):

- paths: ``eager``; ``compile`` (``model.compile=True``: ``torch.compile`` of the network
  forward that training and every attack run through); ``channels-last``
  (``model.channels_last=True``); ``both``;
- workloads: ``clean`` (a training step: ``model.loss`` + the config's AdamW, as
  ``throughput.py`` runs it), ``pgd10-at`` (a step with ``PGDAdversarialTrainingHook``'s
  objective), ``pgd100`` (PGD-100, 1 restart, the papers' step, seeded) and ``autoattack``
  (AutoAttack standard's four sub-attacks shortened: ``--aa-iters`` APGD/FAB iterations,
  ``--aa-queries`` Square queries, 3 target classes, on ``--aa-batch-size`` images).

Every path runs one untimed warm-up of each workload first (compilation happens there, and
its seconds are printed), then the paths alternate in ``--rounds`` rounds; images/s is the
batch over the median time. The attacks run first, on identical weights, and their robust
accuracy is printed per path: the paths must agree (same images and seeds). The training
workloads then update each path's own copy.

Usage:
    python benchmarks/speed_paths.py [--paths eager compile channels-last both]
        [--workloads clean pgd10-at pgd100 autoattack] [--batch-size 8] [--aa-batch-size 4]
        [--iters 3] [--rounds 2] [--threads 1] [--checkpoint PATH]
"""
import argparse
import copy
import logging
import os.path as osp
import statistics
import sys
from typing import Callable, Dict, List, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.runner import load_checkpoint

from partmm.attacks.presets import attack_preset
from partmm.registry import ATTACKS, MODELS
from partmm.utils import configure_cpu_threads, register_all_modules

# benchmarks/ is not a package: its sibling scripts are imported from their folder.
sys.path.insert(0, osp.dirname(osp.abspath(__file__)))
from throughput import (  # noqa: E402
    EPS,
    SYNTHETIC_CONFIGS,
    label_with_predictions,
    random_samples,
    step_seconds,
    workload_runs,
)

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', SYNTHETIC_CONFIGS[0])
PATHS = {
    'eager': dict(compile=False, channels_last=False),
    'compile': dict(compile=True, channels_last=False),
    'channels-last': dict(compile=False, channels_last=True),
    'both': dict(compile=True, channels_last=True),
}
WORKLOADS = ('pgd100', 'autoattack', 'clean', 'pgd10-at')
TRAINING = ('clean', 'pgd10-at')


def attack_cfg(name: str, args: argparse.Namespace) -> dict:
    if name == 'pgd100':
        return dict(attack_preset('pgd', EPS), restarts=1)
    return dict(attack_preset('aa', EPS), apgd_iters=args.aa_iters, fab_iters=args.aa_iters,
                square_queries=args.aa_queries, num_target_classes=3)


class Path:
    """One path's model, optimizer and workload runs on the shared batches."""

    def __init__(self, name: str, cfg: Config, state: dict, batches: dict,
                 args: argparse.Namespace) -> None:
        self.name = name
        self.model = MODELS.build(dict(cfg.model, **PATHS[name]))
        self.model.load_state_dict(state)
        self.model.to('cpu').train()
        self.optim_wrapper = build_optim_wrapper(self.model, copy.deepcopy(cfg.optim_wrapper))
        self.batches = batches
        self.args = args
        self.robust: Dict[str, Optional[float]] = {}

    def run(self, workload: str) -> Callable[[], None]:
        """One batch of ``workload``; attacks record their robust accuracy."""
        if workload in TRAINING:
            images, samples = self.batches['train']
            run, _, _ = workload_runs(workload, self.model, self.optim_wrapper, images, samples,
                                      images, samples, lambda: None)
            return run
        images, samples = self.batches['pgd' if workload == 'pgd100' else 'aa']
        attack = ATTACKS.build(attack_cfg(workload, self.args))
        labels = torch.cat([sample.gt_label for sample in samples])

        def attack_run() -> None:
            adversarial = attack(self.model, images, samples)
            training = self.model.training
            with torch.no_grad():
                predictions = self.model.eval().extract_logits(adversarial)[0].argmax(dim=1)
            self.model.train(training)
            self.robust[workload] = (predictions == labels).float().mean().item() * 100
        return attack_run


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=CONFIG)
    parser.add_argument('--checkpoint', help='weights of the model (default: initialised)')
    parser.add_argument('--paths', nargs='+', choices=list(PATHS), default=list(PATHS))
    parser.add_argument('--workloads', nargs='+', choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument('--batch-size', type=int, default=8,
                        help='images per training step and PGD-100 batch')
    parser.add_argument('--aa-batch-size', type=int, default=4)
    parser.add_argument('--aa-iters', type=int, default=20,
                        help='APGD-CE, APGD-T and FAB-T iterations (standard: 100)')
    parser.add_argument('--aa-queries', type=int, default=200,
                        help='Square queries (standard: 5,000)')
    parser.add_argument('--iters', type=int, default=3, help='timed training steps per round')
    parser.add_argument('--rounds', type=int, default=2,
                        help='rounds of training steps (the attacks run once per path)')
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args(argv)
    if 'eager' not in args.paths:
        parser.error('--paths needs eager: the ratios are against it')
    return args


def main(argv: Optional[Sequence[str]] = None) -> List[dict]:
    """Benchmark and print; returns one row per path and workload."""
    args = parse_args(argv)
    device = torch.device('cpu')
    threads = configure_cpu_threads(args.threads)
    register_all_modules()
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    cfg = Config.fromfile(args.config)
    size = cfg.crop_size
    torch.manual_seed(0)
    eager = MODELS.build(cfg.model)
    if args.checkpoint:
        load_checkpoint(eager, args.checkpoint, map_location='cpu', strict=True)
    state = copy.deepcopy(eager.state_dict())
    generator = torch.Generator().manual_seed(0)
    batches = {}
    for key, batch in (('train', args.batch_size), ('pgd', args.batch_size),
                       ('aa', args.aa_batch_size)):
        images = torch.rand(batch, 3, size, size, generator=generator)
        samples = random_samples(batch, size, eager.num_classes, eager.num_part_labels,
                                 generator)
        if key != 'train':
            label_with_predictions(eager, images, samples)
        batches[key] = (images, samples)
    paths = [Path(name, cfg, state, batches, args) for name in args.paths]

    rows = []
    for workload in [name for name in WORKLOADS if name in args.workloads]:
        runs = {path.name: path.run(workload) for path in paths}
        warmup = {}
        for path in paths:
            warmup[path.name] = step_seconds(runs[path.name], 1, device)[0]
        times: Dict[str, List[float]] = {path.name: [] for path in paths}
        rounds, iters = (args.rounds, args.iters) if workload in TRAINING else (1, 1)
        for _ in range(rounds):
            for path in paths:
                times[path.name] += step_seconds(runs[path.name], iters, device)
        batch = len(batches['train' if workload in TRAINING else
                            'pgd' if workload == 'pgd100' else 'aa'][0])
        eager_median = statistics.median(times['eager'])
        for path in paths:
            median = statistics.median(times[path.name])
            rows.append(dict(path=path.name, workload=workload, batch=batch,
                             images_per_s=batch / median, ratio=eager_median / median,
                             warmup_s=warmup[path.name],
                             robust=path.robust.get(workload)))

    print(f'{osp.basename(args.config)}, CPU, {threads} thread(s), eps {EPS:.4f}; training: '
          f'batch {args.batch_size}, median of {args.rounds} rounds x {args.iters} steps; '
          f'pgd100: 1 batch of {args.batch_size}; autoattack: {args.aa_batch_size} images, '
          f'{args.aa_iters} iterations, {args.aa_queries} Square queries')
    print('speed-up = eager seconds / path seconds; warm-up = first call (compilation); '
          'robust % on the same images and seeds')
    print(f'{"workload":<10} {"path":<13} {"batch":>5} {"images/s":>9} {"speed-up":>8} '
          f'{"warm-up s":>9} {"robust %":>8}')
    for row in rows:
        robust = f'{row["robust"]:8.1f}' if row['robust'] is not None else f'{"":>8}'
        print(f'{row["workload"]:<10} {row["path"]:<13} {row["batch"]:>5} '
              f'{row["images_per_s"]:>9.2f} {row["ratio"]:>8.2f} {row["warmup_s"]:>9.1f} '
              f'{robust}')
    return rows


if __name__ == '__main__':
    main()
