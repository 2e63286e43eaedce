"""Reading the scalar logs of a training run: loss curves, metrics and time per iteration.

mmengine's ``LocalVisBackend`` writes ``<work_dir>/<timestamp>/vis_data/scalars.json``, one JSON
record per line. A work dir is read whole: a run that was killed and resumed logs into several
timestamp folders, and a step logged again after the resume replaces the one logged before.
"""
import glob
import json
import os.path as osp
import statistics
from typing import Dict, List, Tuple

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


# A logged mean this many times the run's median is a stall (a suspended process, a machine
# swapping), not training: it is counted at the median.
STALL_FACTOR = 5.0


def training_seconds(path: str) -> float:
    """Seconds the training iterations of a work dir took, from the logged ``time``.

    mmengine logs at iteration i the mean time per iteration since the previous log, so the
    run's time is the sum of each logged mean times the iterations it covers. Validation and
    checkpointing are not included; a resumed run counts each iteration once; a mean over
    ``STALL_FACTOR`` times the run's median counts as the median.
    """
    times = load_series(path)[0].get('time')
    if not times:
        raise KeyError(f'{path}: the logs have no per-iteration "time"')
    median = statistics.median(times.values())
    total, previous = 0.0, 0
    for iteration in sorted(times):
        mean = times[iteration]
        total += (median if mean > STALL_FACTOR * median else mean) * (iteration - previous)
        previous = iteration
    return total
