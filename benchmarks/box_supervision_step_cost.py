"""Cost of a training step with part boxes (BoxInst loss, DINO) instead of part masks.

Builds the synthetic default's Bounding-Box part model twice, mask-supervised
(``configs/part_wbbox/``) and box-supervised (``configs/part_box/``, BoxInst loss): the same
network and initial weights; and the CPU-sized DINO ``seq`` part model (``configs/part_dino/``),
trained on the same part boxes. Same batches and data for all three. Times forward + loss +
backward + step of each, alternating in rounds in this process, and prints the medians and the
ratios box / mask and DINO / mask (the Bounding-Box model).

Usage:
    python benchmarks/box_supervision_step_cost.py [--data-root data/synthetic_partimagenet]
        [--iters 20] [--rounds 3] [--batch-size 32]
"""
import argparse
import os.path as osp
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper

from partmm.registry import DATASETS, MODELS
from partmm.utils import configure_cpu_threads, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = dict(
    mask='configs/part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_'
    'synthetic-partimagenet-64.py',
    box='configs/part_box/part-wbbox-boxinst_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_'
    'synthetic-partimagenet-64.py',
    dino='configs/part_dino/part-seq_dino-r18w16_1xb32-adamw-12e_synthetic-partimagenet-64.py')
WARMUP = 2


def seeded_model(cfg: Config) -> torch.nn.Module:
    """``cfg.model`` initialised from seed 0 (the two Bounding-Box models get equal weights)."""
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def step_times(cfg: Config, batches: list, iters: int) -> list:
    """Seconds per training step of ``cfg.model`` over ``batches`` (cycled)."""
    model = seeded_model(cfg)
    model.train()
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    times = []
    for step in range(WARMUP + iters):
        data = model.data_preprocessor(batches[step % len(batches)], True)
        start = time.perf_counter()
        losses = model(**data, mode='loss')
        total, _ = model.parse_losses(losses)
        optim_wrapper.update_params(total)
        if step >= WARMUP:
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--data-root', default=osp.join(ROOT, 'data', 'synthetic_partimagenet'))
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--rounds', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=32)
    args = parser.parse_args()
    threads = configure_cpu_threads()
    register_all_modules()
    cfgs = {name: Config.fromfile(osp.join(ROOT, path)) for name, path in CONFIGS.items()}
    dataset_cfg = cfgs['mask'].train_dataloader.dataset
    dataset_cfg.data_root = args.data_root
    dataset = DATASETS.build(dataset_cfg)
    torch.manual_seed(0)
    batches = [pseudo_collate([dataset[(b * args.batch_size + i) % len(dataset)]
                               for i in range(args.batch_size)]) for b in range(4)]
    medians = {name: [] for name in cfgs}
    for round_index in range(args.rounds):
        for name, cfg in cfgs.items():
            medians[name].append(statistics.median(step_times(cfg, batches, args.iters)))
        print(f'round {round_index + 1}: ' + ', '.join(
            f'{name} {medians[name][-1] * 1000:.0f} ms' for name in cfgs))
    mask, box, dino = (statistics.median(medians[name]) for name in ('mask', 'box', 'dino'))
    print(f'batch {args.batch_size}, {threads} thread(s): Bounding-Box mask-supervised '
          f'{mask * 1000:.0f} ms, box-supervised (BoxInst) {box * 1000:.0f} ms, DINO seq '
          f'{dino * 1000:.0f} ms per step; ratios box / mask = {box / mask:.3f}, '
          f'DINO / mask = {dino / mask:.3f}')


if __name__ == '__main__':
    main()
