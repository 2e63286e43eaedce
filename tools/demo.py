"""The main job on the embedded default data, end to end.

Generates the synthetic PartImageNet (once), converts it like the real release, trains the
Bounding-Box part model and the timm baseline, tests the best checkpoint of each on the test
split and prints clean accuracy and part mIoU side by side. Each step is one of the project's
own tools, run as a user would; re-running resumes finished or interrupted training from its
checkpoints instead of starting over.
"""
import argparse
import glob
import json
import os
import os.path as osp
import subprocess
import sys
import time
from typing import List

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DATA_ROOT = osp.join(ROOT, 'data', 'synthetic_partimagenet')
MODELS = (
    ('Bounding-Box part model', 'configs/part_wbbox_synthetic.py'),
    ('ResNet-18 baseline', 'configs/normal_resnet18_synthetic.py'),
)


def run(step: str, command: List[str]) -> None:
    """Run one tool from the repo root; stop the demo with its exit code if it fails."""
    print(f'\n[demo] {step}\n[demo] $ {" ".join(command)}', flush=True)
    start = time.time()
    result = subprocess.run(command, cwd=ROOT)
    if result.returncode != 0:
        sys.exit(f'[demo] step failed ({step}), exit code {result.returncode}')
    print(f'[demo] {step}: done in {time.time() - start:.0f} s', flush=True)


def prepare_data(num_images: int, seed: int) -> None:
    """Generate and convert the synthetic release unless this exact one is already there."""
    stamp = osp.join(DATA_ROOT, 'splits', 'paper', 'test.json')
    settings = osp.join(DATA_ROOT, 'demo_settings.json')
    wanted = dict(num_images=num_images, seed=seed)
    if osp.isfile(stamp) and osp.isfile(settings):
        with open(settings) as f:
            if json.load(f) == wanted:
                print(f'[demo] reusing the synthetic data in {DATA_ROOT}')
                return
    python = sys.executable
    run('generate the synthetic PartImageNet', [
        python, 'tools/dataset_converters/synthetic_partimagenet.py', DATA_ROOT,
        '--num-images', str(num_images), '--seed', str(seed)
    ])
    run('convert it like the official release', [
        python, 'tools/dataset_converters/partimagenet.py', DATA_ROOT, '--seed', str(seed)
    ])
    with open(settings, 'w') as f:
        json.dump(wanted, f)


def train_and_test(config: str, work_root: str) -> dict:
    """Train ``config`` (resuming if it was interrupted) and test its best checkpoint."""
    name = osp.splitext(osp.basename(config))[0]
    work_dir = osp.join(work_root, name)
    command = [sys.executable, 'tools/train.py', config, '--work-dir', work_dir]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        command.append('--resume')
    run(f'train {name}', command)
    best = sorted(glob.glob(osp.join(work_dir, 'best_accuracy_top1_epoch_*.pth')),
                  key=osp.getmtime)
    if not best:
        sys.exit(f'[demo] no best checkpoint in {work_dir}; see its log')
    metrics_file = osp.join(work_dir, 'test_metrics.json')
    run(f'test {name}', [
        sys.executable, 'tools/test.py', config, best[-1], '--work-dir', work_dir, '--out',
        metrics_file
    ])
    with open(metrics_file) as f:
        return json.load(f)


def print_table(results: dict) -> None:
    rows = [('model', 'clean top-1 (%)', 'part mIoU (%)')]
    for label, metrics in results.items():
        miou = metrics.get('part/mIoU')
        rows.append((label, f'{metrics["accuracy/top1"]:.2f}',
                     '-' if miou is None else f'{miou:.2f}'))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = ['| ' + ' | '.join(cell.ljust(w) for cell, w in zip(row, widths)) + ' |'
             for row in rows]
    lines.insert(1, '|' + '|'.join('-' * (w + 2) for w in widths) + '|')
    print('\n[demo] synthetic PartImageNet, test split\n' + '\n'.join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--num-images', type=int, default=3300)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--work-root', default=osp.join(ROOT, 'work_dirs', 'demo'))
    args = parser.parse_args()
    start = time.time()
    os.makedirs(args.work_root, exist_ok=True)
    prepare_data(args.num_images, args.seed)
    results = {label: train_and_test(config, args.work_root) for label, config in MODELS}
    print_table(results)
    summary = osp.join(args.work_root, 'results.json')
    with open(summary, 'w') as f:
        json.dump(results, f, indent=2)
    print(f'[demo] total {time.time() - start:.0f} s; results in {summary}')


if __name__ == '__main__':
    main()
