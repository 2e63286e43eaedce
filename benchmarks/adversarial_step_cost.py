"""Cost of a PGD-10 adversarial training step against a clean step of the same model and batch.

Times ``train_step`` of the synthetic Bounding-Box part model and the ResNet-18 baseline
(their configs' networks, batch 32 at 64 px), clean and with ``PGDAdversarialTrainingHook``'s
objective (the papers' PGD-10: Linf 8/255, step 1/255, random start), interleaved in rounds in
this process, and prints the median step times and their ratio. A PGD-10 step makes 10
forward-backward passes for the attack plus one for the update: ~11x if each cost a training
step. They cost less: the attack differentiates with respect to the input only (autograd skips
the weight gradients, about half of a backward) in eval mode, so ~6.5x was measured on 2 CPU
threads.

Usage:
    python benchmarks/adversarial_step_cost.py [--data-root data/synthetic_partimagenet]
        [--iters 5] [--rounds 3]
"""
import argparse
import copy
import os.path as osp
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper

from partmm.registry import DATASETS, HOOKS, MODELS
from partmm.utils import configure_cpu_threads, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = (
    'part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'baselines/timm-resnet18_1xb32-adamw-12e_synthetic-partimagenet-64.py')


def step_times(model, optim_wrapper, batch: dict, iters: int) -> list:
    """Seconds per ``train_step`` (preprocess, forward(s), backward, update)."""
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        model.train_step(copy.deepcopy(batch), optim_wrapper)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default=osp.join(ROOT, 'data', 'synthetic_partimagenet'))
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--rounds', type=int, default=3)
    args = parser.parse_args()
    threads = configure_cpu_threads()
    register_all_modules()
    hook = HOOKS.build(dict(type='PGDAdversarialTrainingHook'))
    print(f'{threads} threads, batch 32, {args.rounds} rounds x {args.iters} steps, '
          f'attack: {hook.attack.steps} steps of {hook.attack.step_size:.4f}, '
          f'eps {hook.attack.eps:.4f}')
    for name in CONFIGS:
        cfg = Config.fromfile(osp.join(ROOT, 'configs', name))
        cfg.train_dataloader.dataset.data_root = args.data_root
        dataset = DATASETS.build(cfg.train_dataloader.dataset)
        batch = pseudo_collate([dataset[i] for i in range(32)])
        torch.manual_seed(0)
        model = MODELS.build(cfg.model).train()
        optim_wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
        step_times(model, optim_wrapper, batch, 1)  # warm-up
        clean, adversarial = [], []
        for _ in range(args.rounds):
            model.train_objective = None
            clean += step_times(model, optim_wrapper, batch, args.iters)
            model.train_objective = hook.objective
            adversarial += step_times(model, optim_wrapper, batch, args.iters)
        clean_median, adv_median = statistics.median(clean), statistics.median(adversarial)
        print(f'{name}: clean {clean_median * 1000:.0f} ms/step, PGD-10 AT '
              f'{adv_median * 1000:.0f} ms/step, ratio {adv_median / clean_median:.2f}')


if __name__ == '__main__':
    main()
