"""AutoAttack throughput (images per second) through partmm, against the reference called directly.

Runs AutoAttack standard (Linf 8/255) on a fixed batch of synthetic test images with the
synthetic ResNet-18 baseline's network (the demo's PGD-trained checkpoint by default, so that a
realistic share of images survives to the expensive attacks), three ways, interleaved in
rounds in this process:

- ``partmm``: ``AutoAttack`` from partmm's registry, as ``tools/robust_test.py`` runs it;
- ``reference``: ``pyautoattack.AutoAttack`` called directly on the same logits, with the same
  class-count settings (the baseline: the ratio is partmm's overhead);
- ``pgd20``: partmm's PGD-20, for scale.

Prints seconds, images per second, robust accuracy and the partmm / reference time ratio.
AutoAttack's cost depends on how many images survive its first attack, so compare numbers of
the same checkpoint and batch only.

Usage:
    python benchmarks/autoattack_throughput.py [--checkpoint PATH] [--batch 16] [--rounds 2]
"""
import argparse
import os.path as osp
import statistics
import time

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import load_checkpoint

from partmm.attacks import LogitsOnly
from partmm.registry import ATTACKS, DATASETS, MODELS
from partmm.utils import configure_cpu_threads, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs', 'baselines',
                  'timm-resnet18_1xb32-adamw-12e_synthetic-partimagenet-64.py')
# The demo's PGD-AT ResNet-18 (bash tools/demo.sh --adversarial).
DEFAULT_CHECKPOINT = osp.join(ROOT, 'work_dirs', 'demo',
                              'timm-resnet18_1xb32-adamw-4e-pgd3-at_synthetic-partimagenet-64',
                              'best.pth')
EPS = 8 / 255


def fixed_batch(cfg: Config, data_root: str, size: int):
    """``size`` test images evenly spaced over the classes, preprocessed: ([B,3,H,W], samples)."""
    cfg.test_dataloader.dataset.data_root = data_root
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    step = max(len(dataset) // size, 1)
    return pseudo_collate([dataset[i * step] for i in range(size)])


def timed(function) -> tuple:
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--checkpoint', default=DEFAULT_CHECKPOINT)
    parser.add_argument('--data-root', default=osp.join(ROOT, 'data', 'synthetic_partimagenet'))
    parser.add_argument('--batch', type=int, default=16)
    parser.add_argument('--rounds', type=int, default=2)
    args = parser.parse_args()
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} does not exist; train it with '
                                'bash tools/demo.sh --adversarial or pass --checkpoint')
    threads = configure_cpu_threads()
    register_all_modules()
    cfg = Config.fromfile(CONFIG)
    model = MODELS.build(cfg.model).eval()
    load_checkpoint(model, args.checkpoint, map_location='cpu', logger='silent')
    data = model.data_preprocessor(fixed_batch(cfg, args.data_root, args.batch), False)
    images, samples = data['inputs'], data['data_samples']
    labels = model.stack_labels(samples)

    partmm_attack = ATTACKS.build(dict(type='AutoAttack', eps=EPS, seed=0))
    pgd = ATTACKS.build(dict(type='PGDAttack', eps=EPS, steps=20, step_size=EPS / 8, seed=0))

    def reference():
        runner = partmm_attack.build(model, model.num_classes, images.device)
        with torch.no_grad():
            return runner.run_standard_evaluation(images, labels, batch_size=len(images))[0]

    methods = dict(partmm=lambda: partmm_attack(model, images, samples), reference=reference,
                   pgd20=lambda: pgd(model, images, samples))
    seconds = {name: [] for name in methods}
    accuracy = {}
    for _ in range(args.rounds):
        for name, method in methods.items():
            elapsed, adversarial = timed(method)
            seconds[name].append(elapsed)
            with torch.no_grad():
                predictions = LogitsOnly(model)(adversarial).argmax(dim=1)
            accuracy[name] = (predictions == labels).float().mean().item() * 100
    with torch.no_grad():
        clean = (LogitsOnly(model)(images).argmax(dim=1) == labels).float().mean().item() * 100
    print(f'{threads} threads, batch {args.batch} at {images.shape[-1]} px, {args.rounds} rounds, '
          f'checkpoint {osp.relpath(args.checkpoint, ROOT)}, clean top-1 {clean:.1f} %')
    for name in methods:
        median = statistics.median(seconds[name])
        print(f'{name:>9}: {median:8.2f} s  {args.batch / median:8.3f} images/s  '
              f'robust top-1 {accuracy[name]:.1f} %')
    ratio = statistics.median(seconds['partmm']) / statistics.median(seconds['reference'])
    print(f'partmm / reference AutoAttack time: {ratio:.3f}')


if __name__ == '__main__':
    main()
