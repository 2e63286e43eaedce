"""Plot training curves (losses, clean and adversarial accuracy, part mIoU) from partmm logs.

Reads the ``vis_data/scalars.json`` that mmengine's ``LocalVisBackend`` writes in each run
folder (``<work_dir>/<timestamp>/``). A work dir is read whole: a run that was killed and
resumed logs into several timestamp folders, and a step logged again after the resume replaces
the one logged before. Training keys are plotted against the iteration, validation keys
against the epoch.

Example::

    python tools/analysis_tools/analyze_logs.py work_dirs/CLEAN_RUN \\
        work_dirs/PGD_AT_RUN --keys loss accuracy/top1 accuracy/adv_top1 \\
        --out work_dirs/curves.png
"""
import argparse
import glob
import json
import os.path as osp
from typing import Dict, List, Sequence, Tuple

DEFAULT_KEYS = ('loss', 'accuracy/top1', 'accuracy/adv_top1', 'part/mIoU')
# Per-iteration training records carry 'iter'; validation records count epochs in 'step'.
Series = Dict[str, Dict[int, float]]


def scalar_files(path: str) -> List[str]:
    """The ``scalars.json`` files of a work dir (oldest run first), or ``path`` itself."""
    if osp.isfile(path):
        return [path]
    files = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'{path} holds no <timestamp>/vis_data/scalars.json (is it a '
                                'work dir of tools/train.py?)')
    return files


def load_series(path: str) -> Tuple[Series, Series]:
    """(training series, validation series) of a work dir or scalars file: key -> {step:
    value}, the step being the iteration (training) or the epoch (validation)."""
    train: Series = {}
    val: Series = {}
    for file in scalar_files(path):
        with open(file) as f:
            for line_number, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f'{file}:{line_number} is not JSON: {error}') from error
                series, step = (train, record['iter']) if 'iter' in record else \
                    (val, record['step'])
                for key, value in record.items():
                    if isinstance(value, (int, float)) and key not in ('iter', 'step', 'epoch'):
                        series.setdefault(key, {})[int(step)] = float(value)
    return train, val


def plot_curves(paths: Sequence[str], keys: Sequence[str], out: str,
                legends: Sequence[str] = ()) -> List[str]:
    """Plot ``keys`` of every work dir in ``paths``, one panel per key, into ``out`` (PNG).

    Returns the keys plotted. Raises ``KeyError`` naming the available keys when a key is in
    none of the logs.
    """
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    runs = [load_series(path) for path in paths]
    available = sorted({key for train, val in runs for key in (*train, *val)})
    missing = [key for key in keys if key not in available]
    if missing:
        raise KeyError(f'{missing} are in none of the logs; available: {available}')
    legends = list(legends) or [osp.basename(osp.normpath(path)) for path in paths]
    if len(legends) != len(paths):
        raise ValueError(f'--legend gives {len(legends)} names for {len(paths)} logs')
    figure, axes = plt.subplots(len(keys), 1, figsize=(7, 2.6 * len(keys)), squeeze=False)
    for axis, key in zip(axes[:, 0], keys):
        for (train, val), legend in zip(runs, legends):
            points = train.get(key) or val.get(key)
            if points:
                steps = sorted(points)
                axis.plot(steps, [points[s] for s in steps], marker='' if key in train else 'o',
                          label=legend)
        axis.set_title(key)
        axis.set_xlabel('iteration' if any(key in train for train, _ in runs) else 'epoch')
        axis.grid(alpha=0.3)
        axis.legend(fontsize='small')
    figure.tight_layout()
    figure.savefig(out, dpi=100)
    plt.close(figure)
    return list(keys)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Plot training curves from partmm logs')
    parser.add_argument('logs', nargs='+',
                        help='work dirs of tools/train.py, or vis_data/scalars.json files')
    parser.add_argument('--keys', nargs='+',
                        help=f'scalars to plot (default: those of {", ".join(DEFAULT_KEYS)} '
                        'that the logs hold)')
    parser.add_argument('--legend', nargs='+', default=(), help='a name per log')
    parser.add_argument('--out', default='curves.png', help='PNG to write')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    keys = args.keys
    if keys is None:
        logged = {key for path in args.logs for series in load_series(path) for key in series}
        keys = [key for key in DEFAULT_KEYS if key in logged]
    plot_curves(args.logs, keys, args.out, args.legend)
    print(f'{", ".join(keys)} of {len(args.logs)} log(s) plotted to {args.out}')


if __name__ == '__main__':
    main()
