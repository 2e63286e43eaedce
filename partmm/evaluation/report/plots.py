"""The report's plots: accuracy vs ε, common corruptions, distribution shift.

In: the ``runs`` of a validated results dict and the PNG path to write.
Out: the path written, or None when no run has the data the plot shows.

Figures are drawn on a bare :class:`matplotlib.figure.Figure` (Agg canvas), so nothing here
touches pyplot's global state or the caller's backend. Accuracies are percentages (0-100).
"""
import math
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from matplotlib.figure import Figure

from .markdown import corruption_means
from .schema import attack_series, eps_255

MARKERS = ('o', 's', '^', 'D', 'v', 'P', 'X', '*', '<', '>')
DPI = 120


def _colours(n: int) -> List[Tuple[float, float, float, float]]:
    """n distinct colours: tab10 while it lasts, then tab20."""
    from matplotlib import colormaps
    cmap = colormaps['tab10' if n <= 10 else 'tab20']
    return [cmap(i % cmap.N) for i in range(n)]


def _save(fig: Figure, out_path: str) -> str:
    fig.savefig(out_path, dpi=DPI, bbox_inches='tight', facecolor='white')
    return out_path


def _eps_axis_value(eps: float, norm: str) -> float:
    # Linf in the papers' 1/255 units; other norms (L2) in their own [0, 1]-pixel units.
    return eps_255(eps) if norm == 'Linf' else eps


def plot_accuracy_vs_eps(runs: Sequence[Mapping], out_path: str) -> Optional[str]:
    """Robust top-1 vs ε: one panel per norm, one line per run × attack series.

    A series is the attacks of one kind (more precisely one ``<stem>@`` name prefix, see
    :func:`.schema.attack_series`); its line starts at the clean accuracy (ε = 0) unless the
    series measured ε = 0 itself. Colour = run (or series when there is one run), marker =
    series, dashed = black-box attack.
    """
    norms = list(dict.fromkeys(a['norm'] for run in runs for a in run['attacks']))
    if not norms:
        return None
    series_names = list(dict.fromkeys(attack_series(a) for run in runs for a in run['attacks']))
    markers = {name: MARKERS[i % len(MARKERS)] for i, name in enumerate(series_names)}
    colour_keys = [run['name'] for run in runs] if len(runs) > 1 else series_names
    colours = dict(zip(colour_keys, _colours(len(colour_keys))))

    fig = Figure(figsize=(5.5 * len(norms) + 3.0, 4.8), layout='constrained')
    legend: Dict[str, object] = {}
    for panel, norm in enumerate(norms):
        ax = fig.add_subplot(1, len(norms), panel + 1)
        ticks = {0.0}
        for run in runs:
            grouped: Dict[str, List[Mapping]] = {}
            for attack in run['attacks']:
                if attack['norm'] == norm:
                    grouped.setdefault(attack_series(attack), []).append(attack)
            for series, attacks in grouped.items():
                points = sorted((_eps_axis_value(a['eps'], norm), a['top1']) for a in attacks)
                if points[0][0] != 0:
                    points.insert(0, (0.0, run['clean']['top1']))
                ticks.update(x for x, _ in points)
                black_box = any(a.get('black_box') for a in attacks)
                label = f'{run["name"]} · {series}' if len(runs) > 1 else series
                xs, ys = zip(*points)
                ax.plot(xs, ys, marker=markers[series], markersize=6, linewidth=1.6,
                        linestyle='--' if black_box else '-',
                        color=colours[run['name'] if len(runs) > 1 else series],
                        label=label + (' (black-box)' if black_box else ''))
        if norm == 'Linf':
            ax.set_xticks(sorted(ticks))
            ax.set_xticklabels([f'{t:g}' for t in sorted(ticks)])
            ax.set_xlabel('ε (Linf, in 1/255 units)')
        else:
            ax.set_xlabel(f'ε ({norm}, image in [0, 1])')
        ax.set_ylabel('top-1 accuracy (%)')
        ax.set_ylim(-2, 102)
        ax.set_title(f'Robust top-1 accuracy vs ε ({norm}); ε = 0 is clean')
        ax.grid(True, alpha=0.3)
        handles, labels = ax.get_legend_handles_labels()
        legend.update(zip(labels, handles))
    # One legend for all panels, outside them so it never hides a curve; more columns once
    # it gets tall.
    fig.legend(legend.values(), legend.keys(), loc='outside right upper', fontsize='small',
               ncol=max(1, math.ceil(len(legend) / 18)),
               title='run · attack' if len(runs) > 1 else 'attack')
    return _save(fig, out_path)


def plot_corruptions(runs: Sequence[Mapping], out_path: str) -> Optional[str]:
    """A heatmap per run with corruptions: corruption × severity top-1, plus mean row/column."""
    runs = [run for run in runs if run.get('corruptions')]
    if not runs:
        return None
    ncols = min(len(runs), 3)
    nrows = math.ceil(len(runs) / ncols)
    heights = [len(run['corruptions']['top1']) + 1 for run in runs]
    fig = Figure(figsize=(5.2 * ncols + 1.0, (0.38 * max(heights) + 1.6) * nrows),
                 layout='constrained')
    image = None
    for index, run in enumerate(runs):
        corruptions = run['corruptions']
        severities = [str(s) for s in corruptions['severities']]
        names = list(corruptions['top1'])
        means = corruption_means(corruptions)
        grid = np.full((len(names) + 1, len(severities) + 1), np.nan)
        for row, name in enumerate(names):
            values = {str(k): v for k, v in corruptions['top1'][name].items()}
            grid[row, :-1] = [values.get(s, np.nan) for s in severities]
            grid[row, -1] = np.nan if means[name] is None else means[name]
        with np.errstate(invalid='ignore'):
            # Columns with no value at all stay blank (nan) instead of warning.
            grid[-1, :-1] = [np.nanmean(col) if np.isfinite(col).any() else np.nan
                             for col in grid[:-1, :-1].T]
        grid[-1, -1] = np.nan if means['mean'] is None else means['mean']

        ax = fig.add_subplot(nrows, ncols, index + 1)
        image = ax.imshow(grid, cmap='RdYlGn', vmin=0, vmax=100, aspect='auto')
        for (row, col), value in np.ndenumerate(grid):
            if np.isfinite(value):
                ax.text(col, row, f'{value:.0f}', ha='center', va='center', fontsize=8,
                        fontweight='bold' if row == len(names) or col == len(severities)
                        else 'normal')
        # Lines set the means apart from the measured cells.
        ax.axhline(len(names) - 0.5, color='black', linewidth=1.5)
        ax.axvline(len(severities) - 0.5, color='black', linewidth=1.5)
        ax.set_xticks(range(len(severities) + 1))
        ax.set_xticklabels(severities + ['mean'])
        ax.set_yticks(range(len(names) + 1))
        ax.set_yticklabels(names + ['mean'], fontsize=8)
        ax.set_xlabel('severity')
        mean = means['mean']
        ax.set_title(f'{run["name"]}\ncorruption top-1 (%)'
                     + (f', mean {mean:.1f}' if mean is not None else ''), fontsize=10)
    fig.colorbar(image, ax=fig.axes, shrink=0.8, label='top-1 accuracy (%)')
    return _save(fig, out_path)


def plot_shift(runs: Sequence[Mapping], out_path: str) -> Optional[str]:
    """Grouped bars per run with shift results: clean top-1 next to each shift set's top-1."""
    runs = [run for run in runs if run.get('shift')]
    if not runs:
        return None
    sets = ['clean'] + list(dict.fromkeys(name for run in runs for name in run['shift']))
    width = 0.8 / len(sets)
    fig = Figure(figsize=(max(5.0, 1.0 + len(runs) * len(sets) * 0.7) + 2.0, 4.5),
                 layout='constrained')
    ax = fig.add_subplot(1, 1, 1)
    colours = _colours(len(sets))
    for k, name in enumerate(sets):
        xs, ys = [], []
        for i, run in enumerate(runs):
            value = (run['clean']['top1'] if name == 'clean'
                     else (run['shift'].get(name) or {}).get('top1'))
            if value is not None:
                xs.append(i - 0.4 + width * (k + 0.5))
                ys.append(value)
        bars = ax.bar(xs, ys, width=width * 0.95, color=colours[k], label=name)
        ax.bar_label(bars, fmt='%.1f', fontsize=8, padding=2)
    ax.set_xticks(range(len(runs)))
    ax.set_xticklabels([run['name'] for run in runs], rotation=15 if len(runs) > 2 else 0,
                       ha='right' if len(runs) > 2 else 'center')
    ax.set_ylabel('top-1 accuracy (%)')
    ax.set_ylim(0, 108)
    ax.set_title('Clean vs distribution-shift top-1 accuracy')
    ax.grid(True, axis='y', alpha=0.3)
    fig.legend(loc='outside right upper', fontsize='small', title='test set')
    return _save(fig, out_path)
