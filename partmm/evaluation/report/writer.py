"""Write a robust-evaluation report folder, or merge several into one.

:func:`write_report`: results dict -> ``results.json``, ``report.md`` and the plots in a folder.
:func:`merge_reports`: several ``results.json`` (or the folders holding them) -> one report
folder with all their runs and their overlay images.
"""
import json
import os
import os.path as osp
import re
import shutil
import warnings
from typing import Dict, List, Sequence

from ..sanity_checks import recheck_run
from .markdown import render_markdown
from .plots import plot_accuracy_vs_eps, plot_corruptions, plot_shift
from .schema import FORMAT, validate_results

RESULTS_FILE = 'results.json'
REPORT_FILE = 'report.md'
OVERLAYS_DIR = 'overlays'

# (name in the returned dict, file, caption in report.md, plot function), in report order.
PLOTS = (
    ('accuracy_vs_eps', 'accuracy_vs_eps.png', 'accuracy vs eps', plot_accuracy_vs_eps),
    ('corruptions', 'corruptions.png', 'common corruptions', plot_corruptions),
    ('shift', 'shift.png', 'distribution shift', plot_shift),
)


def write_report(results: dict, out_dir: str) -> Dict[str, str]:
    """Validate ``results`` and write the report into ``out_dir`` (created if needed).

    Writes ``results.json`` (the dict, indented), ``accuracy_vs_eps.png`` (when any run has
    attacks), ``corruptions.png`` and ``shift.png`` (when any run has those results) and
    ``report.md``, which embeds the plots and each run's ``overlays`` image (a path relative
    to ``out_dir`` that the caller has written there).

    Returns:
        {name: path} of the files written; names are ``results``, ``report`` and the plot
        names ``accuracy_vs_eps``, ``corruptions``, ``shift``.

    Raises:
        ValueError: ``results`` does not follow the format (the message names the key).
    """
    validate_results(results)
    os.makedirs(out_dir, exist_ok=True)
    written = {'results': osp.join(out_dir, RESULTS_FILE)}
    with open(written['results'], 'w') as f:
        # allow_nan=False: the file must stay strict JSON for non-Python readers.
        json.dump(results, f, indent=2, allow_nan=False)
        f.write('\n')
    captions = {}
    for name, filename, caption, plot in PLOTS:
        path = plot(results['runs'], osp.join(out_dir, filename))
        if path is not None:
            written[name] = path
            captions[caption] = filename
    written['report'] = osp.join(out_dir, REPORT_FILE)
    with open(written['report'], 'w') as f:
        f.write(render_markdown(results, captions, report_dir=out_dir))
    return written


def load_results(path: str) -> dict:
    """The validated results dict of ``path``: a ``results.json`` or a folder holding one.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not JSON or not in the format; the message names the file and the key.
    """
    file = osp.join(path, RESULTS_FILE) if osp.isdir(path) else path
    if not osp.isfile(file):
        raise FileNotFoundError(f'{file}: no such results file')
    try:
        with open(file) as f:
            results = json.load(f)
        validate_results(results)
    except ValueError as error:  # json.JSONDecodeError is a ValueError too
        raise ValueError(f'{file}: {error}') from error
    return results


def _file_name(text: str) -> str:
    """A run name as a safe file name (run names are free text)."""
    return re.sub(r'[^\w.-]+', '_', text).strip('._') or 'run'


def merge_reports(inputs: Sequence[str], out_dir: str) -> Dict[str, str]:
    """Merge the runs of several reports into one report folder and write it.

    Args:
        inputs: ``results.json`` files or report folders holding one.
        out_dir: The merged report's folder. Each run's overlay image (resolved against its
            own report's folder) is copied to ``overlays/<run name>.<ext>``; a missing one is
            dropped from the merged report with a warning. Each run's sanity checks are made
            again from its figures (:func:`recheck_run`), so older reports get today's.

    Returns:
        What :func:`write_report` returns.

    Raises:
        ValueError: an input is invalid, or run names repeat across inputs (the message lists
            each duplicated name and the files it comes from).
    """
    if not inputs:
        raise ValueError('merge_reports: expected at least one input')
    runs: List[dict] = []
    sources: Dict[str, List[str]] = {}
    files: List[str] = []
    for path in inputs:
        file = osp.join(path, RESULTS_FILE) if osp.isdir(path) else path
        for run in load_results(path)['runs']:
            runs.append(dict(run, sanity=recheck_run(run)))
            files.append(file)
            sources.setdefault(run['name'], []).append(file)
    duplicates = {name: where for name, where in sources.items() if len(where) > 1}
    if duplicates:
        listed = '; '.join(f'"{name}" in {", ".join(where)}' for name, where in duplicates.items())
        raise ValueError(f'run names must be unique across the merged reports; duplicated: '
                         f'{listed}')

    os.makedirs(out_dir, exist_ok=True)
    taken = set()
    for run, file in zip(runs, files):
        if not run.get('overlays'):
            continue
        source = osp.join(osp.dirname(osp.abspath(file)), run['overlays'])
        if not osp.isfile(source):
            warnings.warn(f'{file}: overlay image {source} of run "{run["name"]}" is missing; '
                          'the merged report leaves it out')
            run['overlays'] = None
            continue
        stem, ext = _file_name(run['name']), osp.splitext(source)[1]
        target = f'{OVERLAYS_DIR}/{stem}{ext}'
        # Distinct names can still sanitise to the same file name ("a b" and "a_b").
        index = 1
        while target in taken:
            target = f'{OVERLAYS_DIR}/{stem}_{index}{ext}'
            index += 1
        taken.add(target)
        os.makedirs(osp.join(out_dir, OVERLAYS_DIR), exist_ok=True)
        destination = osp.join(out_dir, target)
        if not (osp.exists(destination) and osp.samefile(source, destination)):
            shutil.copyfile(source, destination)
        run['overlays'] = target
    return write_report({'format': FORMAT, 'runs': runs}, out_dir)
