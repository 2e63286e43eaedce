"""Framework overhead of a training step: partmm's runner vs a plain PyTorch loop.

Both train the synthetic default's Bounding-Box part model (``configs/part_wbbox/``, identical
network, initial weights, optimizer, batch size and data: the same dataset and pipeline) on
the synthetic PartImageNet, one after the other, in rounds, in this process; the side that
goes first alternates from round to round, so that a change in the machine's load during a
run weighs on both alike. The runner's time per iteration comes from its own
``IterTimerHook``; the plain loop is timed the same way (data fetch + forward + backward +
step). Prints the median times per iteration and the ratio runner / plain: the median over
rounds of each round's ratio of medians, each round's two sides run back to back, so that a
round on a busier machine moves one ratio rather than one side's times.

Usage:
    python benchmarks/train_step_overhead.py [--data-root data/synthetic_partimagenet]
        [--iters 20] [--rounds 6] [--batch-size 32]
"""
import argparse
import copy
import os.path as osp
import statistics
import tempfile
import time

import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from partmm.registry import DATASETS, MODELS
from partmm.utils import configure_cpu_threads, keep_freed_cpu_buffers, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
WARMUP = 3


def runner_step_times(cfg: Config, checkpoint: str, iters: int, run_name: str) -> list:
    """Per-iteration times of ``iters`` iterations through mmengine's Runner, starting from the
    weights in ``checkpoint``."""
    cfg = copy.deepcopy(cfg)
    # mmengine's visualizer, logger and message hub are global instances keyed by name: fresh
    # names keep each run's history (and output folder) its own.
    cfg.experiment_name = run_name
    cfg.visualizer.name = run_name
    cfg.log_level = 'WARNING'
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters, val_interval=iters + 1)
    cfg.param_scheduler = []
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook', interval=iters + 1)
    cfg.default_hooks.logger.interval = iters + 1
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    # Loaded after the runner's own init_weights(), which would replace weights set before.
    cfg.load_from = checkpoint
    with tempfile.TemporaryDirectory() as work_dir:
        cfg.work_dir = work_dir
        runner = Runner.from_cfg(cfg)
        runner.train()
        return list(runner.message_hub.get_scalar('train/time').data[0])


def plain_step_times(cfg: Config, state: dict, iters: int) -> list:
    """Per-iteration times of the same network trained by a hand-written loop."""
    model = MODELS.build(cfg.model)
    model.load_state_dict(state)
    model.train()
    # The very torch optimizer (and parameter groups) the config asks for; stepped by hand.
    optimizer = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper)).optimizer
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    loader = DataLoader(dataset, batch_size=cfg.train_dataloader.batch_size, shuffle=True,
                        drop_last=True, num_workers=0, collate_fn=list)
    weight = model.seg_loss_weight
    # The config's part loss (mmseg's CrossEntropyLoss): per-label weights make it the
    # weighted mean over the pixels, times its loss_weight.
    part_loss = cfg.model.segmentor.decode_head.loss_decode
    label_weights = (None if part_loss.get('class_weight') is None else
                     torch.tensor(part_loss.class_weight))
    part_scale = weight * part_loss.get('loss_weight', 1.0)
    # The config's SegmenterWarmupHook zeroes the class term for its first iterations: the
    # same loss here, so that both sides follow one training trajectory.
    warmup_iters = max([hook.get('warmup_iters', 0) for hook in cfg.get('custom_hooks', [])
                        if hook['type'] == 'SegmenterWarmupHook'] or [0])
    times, batches = [], iter(loader)
    start = time.perf_counter()
    while len(times) < iters:
        try:
            batch = next(batches)
        except StopIteration:
            batches = iter(loader)
            continue
        # BGR uint8 -> RGB [0, 1], as the data preprocessor does.
        images = torch.stack([item['inputs'] for item in batch])[:, [2, 1, 0]].float() / 255
        labels = torch.cat([item['data_samples'].gt_label for item in batch])
        part_maps = torch.cat([item['data_samples'].gt_sem_seg.data for item in batch]).long()
        class_logits, seg_logits = model.extract_logits(images)
        class_scale = 0.0 if len(times) < warmup_iters else 1 - weight
        pixel_losses = F.cross_entropy(seg_logits, part_maps, weight=label_weights,
                                       ignore_index=255, reduction='none')
        normaliser = part_maps.numel() if label_weights is None else label_weights[
            part_maps].sum()
        loss = class_scale * F.cross_entropy(class_logits, labels) + \
            part_scale * pixel_losses.sum() / normaliser
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        now = time.perf_counter()
        times.append(now - start)
        start = now
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config', default=osp.join(
        ROOT, 'configs', 'part_wbbox',
        'part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py'))
    parser.add_argument('--data-root', default=osp.join(ROOT, 'data', 'synthetic_partimagenet'))
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--rounds', type=int, default=6)
    parser.add_argument('--batch-size', type=int, default=32)
    args = parser.parse_args()

    threads = configure_cpu_threads()
    # As tools/train.py sets up a CPU run (setup_runtime); the plain loop, in this process,
    # gets the same allocator.
    keep_freed_cpu_buffers()
    register_all_modules()
    cfg = Config.fromfile(args.config)
    cfg.train_dataloader.dataset.data_root = args.data_root
    cfg.train_dataloader.batch_size = args.batch_size
    torch.manual_seed(0)
    # The weights the runner trains from: the model's own initialisation (init_cfg).
    model = MODELS.build(cfg.model)
    model.init_weights()
    state = copy.deepcopy(model.state_dict())

    runner_times, plain_times, ratios = [], [], []
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = osp.join(folder, 'initial_weights.pth')
        torch.save(dict(state_dict=state, meta=dict()), checkpoint)
        for round_index in range(args.rounds):
            order = ['runner', 'plain'] if round_index % 2 == 0 else ['plain', 'runner']
            times = {}
            for side in order:
                times[side] = (runner_step_times(cfg, checkpoint, args.iters,
                                                 f'overhead_round{round_index}')
                               if side == 'runner' else
                               plain_step_times(cfg, state, args.iters))[WARMUP:]
            runner_times += times['runner']
            plain_times += times['plain']
            runner_round, plain_round = (statistics.median(times[side])
                                         for side in ('runner', 'plain'))
            ratios.append(runner_round / plain_round)
            print(f'round {round_index + 1}: runner {runner_round:.4f} s/iter, plain '
                  f'{plain_round:.4f} s/iter, ratio {ratios[-1]:.3f}', flush=True)
    runner_median = statistics.median(runner_times)
    plain_median = statistics.median(plain_times)
    print(f'\nBounding-Box part model, batch {args.batch_size}, {threads} threads, '
          f'{args.rounds} x {args.iters - WARMUP} timed iterations each')
    print(f'partmm runner : {runner_median * 1000:.1f} ms/iter')
    print(f'plain PyTorch : {plain_median * 1000:.1f} ms/iter')
    print(f'ratio runner / plain = {statistics.median(ratios):.3f} (median over rounds; '
          f'ratio of the medians above {runner_median / plain_median:.3f})')


if __name__ == '__main__':
    main()
