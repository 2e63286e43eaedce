"""Images per second, peak memory and FLOP utilisation of training and robust evaluation.

For each config, on random inputs of its crop size (random [0, 1] images, random labels and
random part maps: no dataset needed), times four workloads on whatever device is present
(CUDA if available, else CPU):

- ``clean``: a training step (``model.loss`` + the config's optimizer), as ``tools/train.py``;
- ``pgd10-at``: a training step with ``PGDAdversarialTrainingHook``'s objective (the papers'
  PGD-10: Linf 8/255, 10 steps of 1/255, random start);
- ``pgd100x5``: the papers' evaluation PGD (``attack_preset('pgd')``: 100 steps, 5 restarts);
- ``autoattack``: AutoAttack standard (``attack_preset('aa')``), on images labelled with the
  model's own predictions (after the training workloads' updates), so that it attacks every
  image. Its cost depends on how many images survive each sub-attack (APGD-CE, APGD-T,
  FAB-T, then Square's 5,000 queries), that is on the weights: compare runs of the same
  sizes and workloads only. The GFLOP/img column shows the passes it made.

Prints, per config and workload: images/s (batch / median seconds per iteration after
warm-up), peak memory (``torch.cuda.max_memory_allocated`` on CUDA; the process's peak RSS
on CPU, reset before each workload through /proc/self/clear_refs where Linux allows it, else
the process's peak so far) and the model-FLOP utilisation: FLOPs the workload's model passes
need per image x images/s / the device's peak FLOP/s. FLOP convention: F = forward FLOPs of
one image from mmengine's ``FlopAnalyzer`` (which counts a multiply-add as one flop, so
F = 2 x its count; ops it does not support, such as batch norm, are left out); each model pass
that the workload makes is counted as it runs (through ``model.normalize``, which every
partmm classifier calls once per forward) as 3F if it trains the weights (forward + backward),
2F if it differentiates with respect to the input only (an attack step: backward without
weight gradients) and F without gradients.

Device peak (``--peak-tflops`` overrides): on CUDA, vendor datasheet figures (dense, no
sparsity) by device name, BF16/FP16 with ``--amp``, else TF32 when cuDNN may use it (PyTorch's
default for convolutions), else FP32; on CPU, a nominal FP32 peak: threads x clock (``cpu MHz``
of /proc/cpuinfo) x FLOPs per cycle per core from the vector extensions (AVX-512: 64, AVX2 +
FMA: 32, else 8; two FMA units per core assumed, turbo ignored), so only a rough scale.

``--amp`` is mixed precision as ``tools/train.py --amp`` sets it (AmpOptimWrapper on CUDA,
CPUAmpOptimWrapper on CPU) for training, and the same autocast for the attacks.

Usage:
    python benchmarks/throughput.py [--configs CFG ...] [--paper] [--workloads clean pgd10-at
        pgd100x5 autoattack] [--batch-size 32] [--aa-batch-size 4] [--iters 5]
        [--eval-iters 1] [--amp] [--peak-tflops T] [--threads N]
"""
import argparse
import copy
import logging
import os.path as osp
import resource
import statistics
import time
from contextlib import contextmanager, nullcontext
from typing import Callable, Iterator, List, Optional, Sequence

import torch
from mmengine.analysis import FlopAnalyzer
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import build_optim_wrapper
from mmengine.structures import PixelData

from partmm.attacks.presets import attack_preset
from partmm.registry import ATTACKS, HOOKS, MODELS
from partmm.structures import PartDataSample
from partmm.utils import configure_cpu_threads, register_all_modules

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SYNTHETIC_CONFIGS = (
    'part_wbbox/part-wbbox_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py',
    'baselines/encoder-classifier_r18w32-os8_1xb32-adamw-12e_synthetic-partimagenet-64.py')
PAPER_CONFIGS = (
    'part_wbbox/part-wbbox_smp-deeplabv3plus-r50-os16_1xb32-sgd-50e_partimagenet-224.py',
    'baselines/timm-resnet50_1xb32-sgd-50e_partimagenet-224.py')
WORKLOADS = ('clean', 'pgd10-at', 'pgd100x5', 'autoattack')
EPS = 8 / 255
# Dense (no sparsity) peak TFLOP/s from NVIDIA's datasheets (H100 / H200 SXM and PCIe/NVL,
# A100), as (BF16/FP16 tensor core, TF32 tensor core, FP32); matched in this order by a
# substring of torch.cuda.get_device_name().
GPU_PEAK_TFLOPS = (
    ('H100 PCIe', (756.0, 378.0, 51.0)),
    ('H100', (989.4, 494.7, 66.9)),
    ('H200 NVL', (835.0, 417.5, 60.0)),
    ('H200', (989.4, 494.7, 66.9)),
    ('A100', (312.0, 156.0, 19.5)),
)
# Multiply-add is two FLOPs; two FMA units per core: 2 x 2 x FP32 lanes.
CPU_FLOPS_PER_CYCLE = (('avx512f', 64), ('avx2', 32))
CPU_FLOPS_PER_CYCLE_FALLBACK = 8
# Model FLOPs per pass, in forwards: training forward + backward, attack step (backward to
# the input only), forward without gradients.
PASS_COST = dict(train=3, attack=2, forward=1)


def cpu_peak_tflops(threads: int) -> tuple:
    """Nominal FP32 peak of ``threads`` cores of this CPU and how it was estimated."""
    with open('/proc/cpuinfo') as cpuinfo:
        text = cpuinfo.read()
    flags = next((line.split(':', 1)[1].split() for line in text.splitlines()
                  if line.startswith('flags')), [])
    megahertz = next((float(line.split(':', 1)[1]) for line in text.splitlines()
                      if line.startswith('cpu MHz')), None)
    if megahertz is None:
        raise RuntimeError('/proc/cpuinfo gives no "cpu MHz"; pass --peak-tflops')
    per_cycle = next((flops for flag, flops in CPU_FLOPS_PER_CYCLE if flag in flags),
                     CPU_FLOPS_PER_CYCLE_FALLBACK)
    peak = threads * megahertz * 1e6 * per_cycle / 1e12
    return peak, (f'CPU FP32 estimate {threads} threads x {megahertz:.0f} MHz x {per_cycle} '
                  'FLOPs/cycle')


def gpu_peak_tflops(amp: bool) -> tuple:
    """Datasheet peak of this GPU for the precision the run uses, or (None, why)."""
    name = torch.cuda.get_device_name()
    precision = 'BF16/FP16' if amp else 'TF32' if torch.backends.cudnn.allow_tf32 else 'FP32'
    column = ('BF16/FP16', 'TF32', 'FP32').index(precision)
    for key, figures in GPU_PEAK_TFLOPS:
        if key in name:
            return figures[column], f'{name} {precision} dense datasheet peak'
    return None, f'{name} is not in the table: pass --peak-tflops'


def forward_flops(model: torch.nn.Module, size: int) -> float:
    """F: FLOPs of one forward of one [3, size, size] image (2 per multiply-add)."""
    probe = copy.deepcopy(model).cpu().float().eval()
    analyzer = FlopAnalyzer(probe, (torch.rand(1, 3, size, size),))
    analyzer.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
    return 2.0 * analyzer.total()


def random_samples(batch: int, size: int, num_classes: int, num_parts: Optional[int],
                   generator: torch.Generator) -> List[PartDataSample]:
    """Samples with random labels and random part maps [1, size, size] (as a dataset gives)."""
    samples = []
    for _ in range(batch):
        sample = PartDataSample(metainfo=dict(img_shape=(size, size), ori_shape=(size, size)))
        sample.gt_label = torch.randint(num_classes, (1, ), generator=generator)
        sample.gt_sem_seg = PixelData(
            data=torch.randint(num_parts or 1, (1, size, size), generator=generator))
        samples.append(sample)
    return samples


def label_with_predictions(model, images: torch.Tensor,
                           samples: List[PartDataSample]) -> None:
    """Set each sample's label to the model's prediction (in eval mode) for its image, so
    that AutoAttack, which skips misclassified images, attacks every image."""
    training = model.training
    with torch.no_grad():
        predictions = model.eval()(images).argmax(dim=1)
    model.train(training)
    for sample, label in zip(samples, predictions):
        sample.gt_label = label.view(1)


def to_device(samples: List[PartDataSample], device: torch.device) -> List[PartDataSample]:
    return [sample.to(device) for sample in samples]


class PassCounter:
    """Counts the images of each kind of model pass (see ``PASS_COST``) by wrapping
    ``model.normalize``, which every partmm classifier calls once per forward."""

    def __init__(self, model: torch.nn.Module) -> None:
        self.counts = dict.fromkeys(PASS_COST, 0)
        normalize = model.normalize

        def counting_normalize(inputs: torch.Tensor) -> torch.Tensor:
            # Attacks run the model in eval mode; only the training forward runs it in train
            # mode with gradients on and differentiates the weights.
            if inputs.requires_grad:
                kind = 'attack'
            elif torch.is_grad_enabled() and model.training:
                kind = 'train'
            else:
                kind = 'forward'
            self.counts[kind] += len(inputs)
            return normalize(inputs)

        model.normalize = counting_normalize

    def reset(self) -> None:
        self.counts = dict.fromkeys(PASS_COST, 0)

    def forwards(self) -> float:
        """Counted passes in units of forward FLOPs."""
        return sum(PASS_COST[kind] * count for kind, count in self.counts.items())


def reset_peak_memory(device: torch.device) -> bool:
    """Start a new peak-memory window; False if only the process's lifetime peak is known."""
    if device.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(device)
        return True
    try:
        # Linux: "5" resets the peak RSS (VmHWM) that getrusage reports.
        with open('/proc/self/clear_refs', 'w') as clear_refs:
            clear_refs.write('5')
        return True
    except OSError:
        return False


def peak_memory_mib(device: torch.device) -> float:
    if device.type == 'cuda':
        return torch.cuda.max_memory_allocated(device) / 2**20
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synchronize(device: torch.device) -> None:
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def step_seconds(function: Callable[[], object], iters: int,
                 device: torch.device) -> List[float]:
    """Seconds of each of ``iters`` calls of ``function``, the device synchronised after each."""
    times = []
    for _ in range(iters):
        start = time.perf_counter()
        function()
        synchronize(device)
        times.append(time.perf_counter() - start)
    return times


def median_seconds(function: Callable[[], object], iters: int, device: torch.device) -> float:
    return statistics.median(step_seconds(function, iters, device))


@contextmanager
def train_objective(model, objective: Optional[Callable]) -> Iterator[None]:
    model.train_objective = objective
    try:
        yield
    finally:
        model.train_objective = None


def workload_runs(name: str, model, optim_wrapper, images: torch.Tensor,
                  samples: List[PartDataSample], aa_images: torch.Tensor,
                  aa_samples: List[PartDataSample], autocast: Callable) -> tuple:
    """(run, warm-up, batch size) of workload ``name``; each call processes one batch."""
    def train_step():
        with optim_wrapper.optim_context(model):
            losses = model.loss(images, samples)
        loss, _ = model.parse_losses(losses)
        optim_wrapper.update_params(loss)

    def attack_run(attack, batch, batch_samples):
        def run():
            with autocast():
                return attack(model, batch, batch_samples)
        return run

    short_pgd = ATTACKS.build(dict(type='PGDAttack', eps=EPS, steps=2, step_size=EPS / 4))
    if name == 'clean':
        return train_step, train_step, len(images)
    if name == 'pgd10-at':
        hook = HOOKS.build(dict(type='PGDAdversarialTrainingHook'))

        def adversarial_step():
            with train_objective(model, hook.objective):
                train_step()
        return adversarial_step, adversarial_step, len(images)
    if name == 'pgd100x5':
        attack = ATTACKS.build(attack_preset('pgd', EPS))
        return (attack_run(attack, images, samples), attack_run(short_pgd, images, samples),
                len(images))
    attack = ATTACKS.build(attack_preset('aa', EPS))
    with autocast():
        label_with_predictions(model, aa_images, aa_samples)
    return (attack_run(attack, aa_images, aa_samples),
            attack_run(short_pgd, aa_images, aa_samples), len(aa_images))


def benchmark_config(config: str, args: argparse.Namespace, device: torch.device) -> List[dict]:
    """One row per workload of ``config``: images/s, peak MiB, model FLOPs per image."""
    cfg = Config.fromfile(config)
    size = cfg.get('crop_size')
    if not isinstance(size, int):
        raise ValueError(f'{config}: benchmarks/throughput.py needs an int "crop_size" (the '
                         f'square input side), got {size!r}')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    flops = forward_flops(model, size)
    model = model.to(device).train()
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    if args.amp:
        if optim_cfg.get('type', 'OptimWrapper') != 'OptimWrapper':
            raise ValueError(f'{config}: --amp needs optim_wrapper.type "OptimWrapper", got '
                             f'"{optim_cfg.type}"')
        if device.type == 'cuda':
            optim_cfg.update(type='AmpOptimWrapper', loss_scale='dynamic')
        else:
            optim_cfg.type = 'CPUAmpOptimWrapper'
    optim_wrapper = build_optim_wrapper(model, optim_cfg)
    counter = PassCounter(model)

    def autocast():
        return optim_wrapper.optim_context(model) if args.amp else nullcontext()

    generator = torch.Generator().manual_seed(0)
    batch = args.batch_size or cfg.train_dataloader.batch_size
    images = torch.rand(batch, 3, size, size, generator=generator).to(device)
    samples = to_device(random_samples(batch, size, model.num_classes, model.num_part_labels,
                                       generator), device)
    aa_batch = args.aa_batch_size or (batch if device.type == 'cuda' else 4)
    aa_images = torch.rand(aa_batch, 3, size, size, generator=generator).to(device)
    aa_samples = to_device(random_samples(aa_batch, size, model.num_classes,
                                          model.num_part_labels, generator), device)

    rows = []
    for name in args.workloads:
        run, warmup, images_per_iter = workload_runs(
            name, model, optim_wrapper, images, samples, aa_images, aa_samples, autocast)
        iters = args.iters if name in ('clean', 'pgd10-at') else args.eval_iters
        windowed = reset_peak_memory(device)
        counter.reset()
        warmup()
        synchronize(device)
        counter.reset()
        seconds = median_seconds(run, iters, device)
        rows.append(dict(config=osp.basename(config), workload=name, batch=images_per_iter,
                         images_per_s=images_per_iter / seconds,
                         peak_mib=peak_memory_mib(device), peak_windowed=windowed,
                         flops_per_image=flops * counter.forwards() / (iters * images_per_iter),
                         forward_flops=flops))
    return rows


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--configs', nargs='+',
                        help='config files; default: the synthetic default\'s Bounding-Box part '
                             'model and baseline, or with --paper (default on CUDA) the '
                             'papers\' R-50 224 px ones')
    parser.add_argument('--paper', action='store_true',
                        help='benchmark the papers\' R-50 224 px configs (default on CUDA)')
    parser.add_argument('--workloads', nargs='+', choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument('--batch-size', type=int,
                        help='images per training step and PGD batch; default: the config\'s')
    parser.add_argument('--aa-batch-size', type=int,
                        help='AutoAttack images; default: 4 on CPU, --batch-size on CUDA')
    parser.add_argument('--iters', type=int, default=5, help='timed training steps')
    parser.add_argument('--eval-iters', type=int, default=1,
                        help='timed PGD-100 x 5 and AutoAttack batches')
    parser.add_argument('--amp', action='store_true', help='mixed precision')
    parser.add_argument('--peak-tflops', type=float, help='device peak TFLOP/s to compare with')
    parser.add_argument('--threads', type=int, help='CPU threads (default: all cores)')
    parser.add_argument('--device', choices=('cuda', 'cpu'),
                        help='default: cuda if available')
    args = parser.parse_args(argv)
    training = {'clean', 'pgd10-at'} & set(args.workloads)
    if training and args.batch_size == 1:
        parser.error(f'--batch-size 1: training ({", ".join(sorted(training))}) needs at least '
                     '2 images per batch (BatchNorm of pooled features)')
    for option in ('batch_size', 'aa_batch_size', 'iters', 'eval_iters', 'threads'):
        value = getattr(args, option)
        if value is not None and value < 1:
            parser.error(f'--{option.replace("_", "-")} must be at least 1, got {value}')
    return args


def main(argv: Optional[Sequence[str]] = None) -> List[dict]:
    """Benchmark and print; returns the rows (also with ``peak_tflops`` and ``utilisation``)."""
    args = parse_args(argv)
    device = torch.device(args.device or ('cuda' if torch.cuda.is_available() else 'cpu'))
    if device.type == 'cuda' and not torch.cuda.is_available():
        raise RuntimeError('--device cuda: CUDA is not available')
    threads = configure_cpu_threads(args.threads)
    register_all_modules()
    # build_optim_wrapper logs every parameter's decay options.
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    configs = args.configs or [osp.join(ROOT, 'configs', name) for name in (
        PAPER_CONFIGS if args.paper or device.type == 'cuda' else SYNTHETIC_CONFIGS)]
    for config in configs:
        if not osp.isfile(config):
            raise FileNotFoundError(f'config {config} does not exist')
    if args.peak_tflops is not None:
        peak, source = args.peak_tflops, '--peak-tflops'
    elif device.type == 'cuda':
        peak, source = gpu_peak_tflops(args.amp)
    else:
        peak, source = cpu_peak_tflops(threads)
    rows = []
    for config in configs:
        rows += benchmark_config(config, args, device)
    print(f'device {device.type}' + (f' ({torch.cuda.get_device_name()})'
                                     if device.type == 'cuda' else f', {threads} threads')
          + f', AMP {"on" if args.amp else "off"}, eps {EPS:.4f}; peak '
          + (f'{peak:.3g} TFLOP/s ({source})' if peak else source))
    print('Model FLOPs per image: F = 2 x FlopAnalyzer multiply-adds of one forward; passes '
          'counted as run: 3F train fwd+bwd, 2F attack step (input gradient only), F forward.')
    print('utilisation = model FLOPs per image x images/s / peak. AutoAttack\'s cost depends '
          'on how many images survive its sub-attacks (see GFLOP/img).')
    if device.type == 'cpu' and not all(row['peak_windowed'] for row in rows):
        print('peak RSS could not be reset: each figure is the process\'s peak so far')
    width = max(len(row['config']) for row in rows)
    header = (f'{"config":<{width}} {"workload":<10} {"batch":>5} {"images/s":>10} '
              f'{"peak MiB":>9} {"GFLOP/img":>10} {"util %":>7}')
    print(header)
    for row in rows:
        row['peak_tflops'] = peak
        row['utilisation'] = (row['flops_per_image'] * row['images_per_s'] / (peak * 1e12)
                              if peak else None)
        util = f'{row["utilisation"] * 100:7.2f}' if peak else f'{"n/a":>7}'
        print(f'{row["config"]:<{width}} {row["workload"]:<10} {row["batch"]:>5} '
              f'{row["images_per_s"]:>10.3f} {row["peak_mib"]:>9.0f} '
              f'{row["flops_per_image"] / 1e9:>10.2f} {util}')
    return rows


if __name__ == '__main__':
    main()
