"""Plot training curves (losses, clean and adversarial accuracy, part mIoU) from partmm logs.

Reads the ``vis_data/scalars.json`` that mmengine's ``LocalVisBackend`` writes in each run
folder (``<work_dir>/<timestamp>/``). A work dir is read whole: a run that was killed and
resumed logs into several timestamp folders, and a step logged again after the resume replaces
the one logged before. Training keys are plotted against the iteration, validation keys
against the epoch. It also prints how long each run's training iterations took.

Example::

    python tools/analysis_tools/analyze_logs.py work_dirs/CLEAN_RUN \\
        work_dirs/PGD_AT_RUN --keys loss accuracy/top1 accuracy/adv_top1 \\
        --out work_dirs/curves.png
"""
import argparse
import os.path as osp
from typing import List, Sequence

from partmm.utils.training_logs import load_series, training_seconds

DEFAULT_KEYS = ('loss', 'accuracy/top1', 'accuracy/adv_top1', 'part/mIoU')


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
    for path in args.logs:
        if 'time' in load_series(path)[0]:
            print(f'{path}: training iterations took {training_seconds(path) / 60:.1f} min')


if __name__ == '__main__':
    main()
