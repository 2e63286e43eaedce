"""Statistics over training seeds: per-cell mean ± sample std of tables of the same shape, and
whether one model beats another beyond those error bars. The demo's ``--seeds`` study uses them."""
import statistics
from typing import Callable, Dict, List


def summarise(values: List[float]) -> dict:
    """Mean, sample standard deviation (0 for one value) and the values themselves."""
    return dict(mean=statistics.mean(values),
                std=statistics.stdev(values) if len(values) > 1 else 0.0, values=values)


def aggregate_seeds(per_seed_rows: List[list]) -> list:
    """The rows of each seed's table (the same rows in the same order, each leading cells
    then a metrics dict) -> one table whose metrics are :func:`summarise` over the seeds of
    every metric all seeds have."""
    rows = []
    for same_row in zip(*per_seed_rows):
        leading = same_row[0][:-1]
        if any(row[:-1] != leading for row in same_row):
            raise ValueError(f'the seeds\' tables differ: {[row[:-1] for row in same_row]}')
        keys = [key for key in same_row[0][-1] if all(key in row[-1] for row in same_row)]
        rows.append((*leading, {key: summarise([row[-1][key] for row in same_row])
                                for key in keys}))
    return rows


def first_markdown_table(path: str) -> List[List[str]]:
    """The cells of the first markdown table in ``path`` (header first, the rule left out)."""
    with open(path) as f:
        lines = f.read().splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith('|')), None)
    if start is None:
        raise ValueError(f'{path} has no markdown table')
    rows = []
    for line in lines[start:]:
        if not line.startswith('|'):
            break
        rows.append([cell.strip() for cell in line.strip().strip('|').split('|')])
    return [rows[0]] + rows[2:]


def aggregate_tables(tables: List[List[List[str]]]) -> List[List[str]]:
    """Cell by cell over seeds' tables of the same shape: numbers -> ``mean ± std``, any other
    cell (names, '–') must be the same in every table."""
    aggregated = []
    for row_index, row in enumerate(tables[0]):
        cells = []
        for column, cell in enumerate(row):
            column_cells = [table[row_index][column] for table in tables]
            try:
                stats = summarise([float(value) for value in column_cells])
            except ValueError:
                if len(set(column_cells)) > 1:
                    raise ValueError(f'the seeds\' reports differ in row {row_index}, column '
                                     f'{column}: {column_cells}') from None
                cells.append(cell)
                continue
            cells.append(f'{stats["mean"]:.1f} ± {stats["std"]:.1f}')
        aggregated.append(cells)
    return aggregated


def error_bar_verdict(part: dict, baseline: dict) -> str:
    """Of two :func:`summarise` records (higher is better): which is higher beyond the error
    bars, i.e. with the mean ± std intervals apart, or that they overlap."""
    if part['mean'] - part['std'] > baseline['mean'] + baseline['std']:
        return 'part model higher'
    if baseline['mean'] - baseline['std'] > part['mean'] + part['std']:
        return 'baseline higher'
    return 'within the error bars'


def report_by_run(tables: List[List[List[str]]], name: str) -> Dict[str, Dict[str, List[float]]]:
    """Seeds' robustness summary tables (:func:`first_markdown_table`) -> the run name without
    the leading ``name`` (so that a part model's and the baseline's runs match: '', '_pgd-at',
    ' (110 images)', ...) -> column -> the numeric values over the seeds."""
    runs: Dict[str, Dict[str, List[float]]] = {}
    for table in tables:
        header = table[0]
        for row in table[1:]:
            if row[0] != name and not row[0].startswith((f'{name}_', f'{name} ')):
                continue
            for column, cell in zip(header[1:], row[1:]):
                try:
                    value = float(cell)
                except ValueError:
                    continue
                runs.setdefault(row[0][len(name):], {}).setdefault(column, []).append(value)
    return runs


def compare_with_baseline(part: Dict[str, Dict[str, List[float]]],
                          baseline: Dict[str, Dict[str, List[float]]],
                          run_title: Callable[[str], str] = str) -> List[List[str]]:
    """Rows [run (``run_title`` of its key), metric, part model, baseline, difference of the
    means, the differences seed by seed, :func:`error_bar_verdict`] of every metric both have
    over the same seeds (in the same order)."""
    rows = []
    for run, columns in part.items():
        for column, values in columns.items():
            other = baseline.get(run, {}).get(column)
            if other is None or len(other) != len(values):
                continue
            ours, theirs = summarise(values), summarise(other)
            rows.append([run_title(run), column, f'{ours["mean"]:.2f} ± {ours["std"]:.2f}',
                         f'{theirs["mean"]:.2f} ± {theirs["std"]:.2f}',
                         f'{ours["mean"] - theirs["mean"]:+.2f}',
                         ', '.join(f'{a - b:+.1f}' for a, b in zip(values, other)),
                         error_bar_verdict(ours, theirs)])
    return rows


def markdown_table(cells: List[List[str]]) -> str:
    """Rows of cells (the header first) as an aligned markdown table."""
    widths = [max(len(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = ['| ' + ' | '.join(cell.ljust(w) for cell, w in zip(row, widths)) + ' |'
             for row in cells]
    lines.insert(1, '|' + '|'.join('-' * (w + 2) for w in widths) + '|')
    return '\n'.join(lines)
