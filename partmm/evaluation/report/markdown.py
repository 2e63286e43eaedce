"""The markdown report (``report.md``) of a validated robust-evaluation results dict.

In: the results dict (already validated, see :mod:`.schema`), the plots written next to the
report and, optionally, the report folder (to flag overlay images that are not there).
Out: the markdown text: title, summary table, sanity checks, plots, then one section per run
(attacks, worst case, corruptions, shift sets, adversarial examples).
"""
import os.path as osp
from typing import Any, Dict, List, Mapping, Optional, Sequence

from .schema import attack_series, eps_255, format_eps, is_main, main_eps

MISSING = '–'


def _cell(value: Any) -> str:
    """A table cell: numbers with one decimal, None as a dash, no stray pipes or newlines."""
    if value is None:
        return MISSING
    if isinstance(value, float):
        return f'{value:.1f}'
    return ' '.join(str(value).split()).replace('|', '\\|')


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> List[str]:
    """A pipe table; columns holding only numbers (or blanks) are right-aligned."""
    numeric = [all(row[i] is None or isinstance(row[i], (int, float)) for row in rows)
               for i in range(len(header))]
    lines = ['| ' + ' | '.join(_cell(h) for h in header) + ' |',
             '|' + '|'.join('---:' if right else ':---' for right in numeric) + '|']
    lines += ['| ' + ' | '.join(_cell(v) for v in row) + ' |' for row in rows]
    return lines


def _mean(values: Sequence[float]) -> Optional[float]:
    return sum(values) / len(values) if values else None


def _ordered_union(lists: Sequence[Sequence[str]]) -> List[str]:
    """Names in order of first appearance across runs (so columns follow the first run)."""
    seen: Dict[str, None] = {}
    for names in lists:
        seen.update(dict.fromkeys(names))
    return list(seen)


def corruption_means(corruptions: Mapping) -> Dict[str, Optional[float]]:
    """Mean top-1 per corruption, from ``mean_per_corruption`` or else the per-severity values.

    Returns {corruption: mean} plus ``'mean'`` for the overall mean (the dict's own ``mean``
    when given, else the mean of the per-corruption means).
    """
    given = corruptions.get('mean_per_corruption') or {}
    means = {name: given.get(name, _mean(list(by_severity.values())))
             for name, by_severity in corruptions['top1'].items()}
    overall = corruptions.get('mean')
    if overall is None:
        overall = _mean([m for m in means.values() if m is not None])
    return dict(means, mean=overall)


def _main_worst_case(run: Mapping, main: Mapping[str, float]) -> Optional[float]:
    """The run's per-sample worst case if every attack it is over runs at the main ε of its
    norm (or at ε = 0, which changes nothing), else None: beside the main-ε columns, a worst
    case that includes a sweep's 16/255 would read as a main-ε figure."""
    worst = run.get('worst_case')
    if not worst:
        return None
    names = worst.get('attacks') or [attack['name'] for attack in run['attacks']]
    by_name = {attack['name']: attack for attack in run['attacks']}
    covered = [by_name[name] for name in names if name in by_name]
    if len(covered) < len(names) or not all(
            is_main(attack, main) or attack['eps'] == 0 for attack in covered):
        return None
    return worst['top1']


def _step_columns(runs: Sequence[Mapping], attack: str) -> List[str]:
    """The steps of ``attack``'s cascade in any run but the last (whose figure is the
    attack's own), for summary columns ``{attack} after {step}``."""
    return _ordered_union([[step['attack'] for step in a['cascade'][:-1]]
                           for run in runs for a in run['attacks']
                           if a['name'] == attack and a.get('cascade')])


def _step_top1(attack: Optional[Mapping], step: str) -> Optional[float]:
    """Robust top-1 after ``step`` of ``attack``'s cascade; None if it has no such step."""
    found = [s['top1'] for s in (attack or {}).get('cascade') or [] if s['attack'] == step]
    return found[0] if found else None


def _summary(runs: Sequence[Mapping], main: Mapping[str, float]) -> List[str]:
    attack_columns = _ordered_union(
        [[a['name'] for a in run['attacks'] if is_main(a, main)] for run in runs])
    # (attack, None) for an attack's figure, (attack, step) after a step of its cascade.
    columns = [(name, step) for name in attack_columns
               for step in _step_columns(runs, name) + [None]]
    shift_columns = _ordered_union([list(run.get('shift') or {}) for run in runs])
    has_corruptions = any(run.get('corruptions') for run in runs)
    has_worst = any(run.get('worst_case') for run in runs)
    has_parts = any(run['clean'].get('part_mIoU') is not None for run in runs)

    header = ['run', 'clean'] + [name if step is None else f'{name} after {step}'
                                 for name, step in columns]
    header += ['worst case'] if has_worst else []
    header += ['corruptions (mean)'] if has_corruptions else []
    header += [f'shift: {name}' for name in shift_columns]
    header += ['part mIoU clean', 'part mIoU adv (min)'] if has_parts else []
    rows = []
    for run in runs:
        by_name = {a['name']: a for a in run['attacks']}
        row: List[Any] = [run['name'], run['clean']['top1']]
        row += [_step_top1(by_name.get(name), step) if step is not None
                else by_name[name]['top1'] if name in by_name else None
                for name, step in columns]
        if has_worst:
            row.append(_main_worst_case(run, main))
        if has_corruptions:
            corruptions = run.get('corruptions')
            row.append(corruption_means(corruptions)['mean'] if corruptions else None)
        shift = run.get('shift') or {}
        row += [shift[name]['top1'] if name in shift else None for name in shift_columns]
        if has_parts:
            adv = [a['part_mIoU'] for a in run['attacks']
                   if is_main(a, main) and a.get('part_mIoU') is not None]
            row += [run['clean'].get('part_mIoU'), min(adv) if adv else None]
        rows.append(row)

    headline = ', '.join(f'{norm} ε = {format_eps(eps, norm)}' for norm, eps in main.items())
    notes = ['Top-1 accuracy (%) of each run: clean'
             + (f', under each attack at the main ε ({headline})' if main else '')
             + (' (AutoAttack also after each of its attacks but the last)'
                if len(columns) > len(attack_columns) else '')
             + (', the per-sample worst case over all attacks (where they are all at the main ε:'
                ' over several radii it is that of the largest; see the run\'s section)'
                if has_worst else '')
             + (', the mean over common corruptions' if has_corruptions else '')
             + (' and on each distribution-shift set' if shift_columns else '') + '.']
    if has_parts:
        notes.append('Part mIoU (%) clean, and the lowest part mIoU among the main-ε attacks.')
    return ['## Summary', '', ' '.join(notes), ''] + _table(header, rows) + ['']


def _sanity(runs: Sequence[Mapping]) -> List[str]:
    lines = ['## Sanity checks', '']
    failed_any = False
    for run in runs:
        checks = run.get('sanity') or []
        failed = [check for check in checks if not check['ok']]
        if not checks:
            lines += [f'**{run["name"]}**: no sanity checks were run.', '']
        elif not failed:
            passed = (f'all {len(checks)} sanity checks' if len(checks) > 1
                      else 'the one sanity check')
            lines += [f'**{run["name"]}**: {passed} passed.', '']
        else:
            failed_any = True
            lines += [f'**{run["name"]}**: {len(failed)} of {len(checks)} sanity checks '
                      'failed.', '']
            for check in failed:
                subject = f', {check["subject"]}' if check.get('subject') else ''
                message = ' '.join((check.get('message') or 'failed').split())
                # One blockquote per warning (blank line between) so each stays on its own line.
                lines += [f'> **Warning** ({check["check"]}{subject}): {message}', '']
    if not failed_any and any(run.get('sanity') for run in runs):
        lines.insert(2, 'All sanity checks passed.')
        lines.insert(3, '')
    return lines


def _attack_table(run: Mapping) -> List[str]:
    clean = run['clean']
    rows: List[List[Any]] = [['clean', None, None, '0', None, None, clean['top1'],
                              clean.get('part_mIoU'), None]]
    # Grouped by series in the order the run lists them, then by increasing eps.
    order = {series: i for i, series in
             enumerate(dict.fromkeys(attack_series(a) for a in run['attacks']))}
    for attack in sorted(run['attacks'],
                         key=lambda a: (order[attack_series(a)], eps_255(a['eps']))):
        box = 'black' if attack.get('black_box') else 'white'
        rows.append([attack['name'], attack['kind'], attack.get('type'),
                     format_eps(attack['eps'], attack['norm']), attack['norm'], box,
                     attack['top1'], attack.get('part_mIoU'), attack.get('seconds')])
    header = ['attack', 'kind', 'type', 'ε', 'norm', 'box', 'top-1 (%)', 'part mIoU (%)',
              'time (s)']
    return _table(header, rows)


def _cascades(run: Mapping) -> List[str]:
    """A line per attack that is a cascade (AutoAttack): robust top-1 after each step."""
    lines = []
    for attack in run['attacks']:
        if not attack.get('cascade'):
            continue
        steps = ' → '.join(
            f'{step["attack"]} {step["top1"]:.1f} %'
            + (f' ({step["seconds"]:.0f} s)' if step.get('seconds') is not None else '')
            for step in attack['cascade'])
        lines += [f'{attack["name"]}, robust top-1 after each of its attacks: {steps}.', '']
    return lines


def _corruption_table(corruptions: Mapping) -> List[str]:
    severities = [str(s) for s in corruptions['severities']]
    means = corruption_means(corruptions)
    rows: List[List[Any]] = []
    for name, by_severity in corruptions['top1'].items():
        values = {str(k): v for k, v in by_severity.items()}
        rows.append([name] + [values.get(s) for s in severities] + [means[name]])
    per_severity = [_mean([row[1 + i] for row in rows if row[1 + i] is not None])
                    for i in range(len(severities))]
    rows.append(['**mean**'] + per_severity + [means['mean']])
    return _table(['corruption'] + [f'severity {s}' for s in severities] + ['mean'], rows)


def _shift_table(run: Mapping) -> List[str]:
    clean = run['clean']['top1']
    rows = [[name, result['top1'], f'{result["top1"] - clean:+.1f}', result.get('num_samples')]
            for name, result in run['shift'].items()]
    return _table(['shift set', 'top-1 (%)', 'Δ vs clean', 'samples'], rows)


def _run_section(run: Mapping, report_dir: Optional[str]) -> List[str]:
    lines = [f'## {run["name"]}', '']
    facts = [f'config: `{run["config"]}`' if run.get('config') else None,
             f'checkpoint: `{run["checkpoint"]}`' if run.get('checkpoint') else None,
             f'samples: {run["num_samples"]}',
             f'time: {run["seconds"]:.1f} s' if run.get('seconds') is not None else None]
    lines += ['- ' + fact for fact in facts if fact] + ['']
    lines += ['### Attacks', ''] + _attack_table(run) + [''] + _cascades(run)
    worst = run.get('worst_case')
    if worst:
        over = ', '.join(worst.get('attacks') or [])
        lines += [f'Per-sample worst case{f" over {over}" if over else ""}: '
                  f'**{worst["top1"]:.1f} %** top-1.', '']
    if run.get('corruptions'):
        lines += ['### Common corruptions', '', 'Top-1 accuracy (%) per corruption and '
                  'severity.', ''] + _corruption_table(run['corruptions']) + ['']
    if run.get('shift'):
        lines += ['### Distribution shift', ''] + _shift_table(run) + ['']
    if run.get('overlays'):
        lines += ['### Adversarial examples', '',
                  f'![adversarial examples: {run["name"]}]({run["overlays"]})', '']
        if report_dir is not None and not osp.isfile(osp.join(report_dir, run['overlays'])):
            lines += [f'> **Warning** (overlays, {run["name"]}): image `{run["overlays"]}` '
                      'is not in the report folder.', '']
    return lines


def render_markdown(results: Mapping, plots: Mapping[str, str],
                    report_dir: Optional[str] = None) -> str:
    """The report as markdown.

    Args:
        results: A validated results dict.
        plots: {caption: image path relative to the report} of the plots to embed, in order.
        report_dir: The report folder; when given, overlay images missing there get a warning.
    """
    runs = results['runs']
    lines = ['# Robust evaluation report', '',
             f'{len(runs)} run{"s" if len(runs) != 1 else ""}: '
             + ', '.join(f'`{run["name"]}`' for run in runs) + '.', '']
    lines += _summary(runs, main_eps(runs))
    lines += _sanity(runs)
    if plots:
        lines += ['## Plots', '']
        lines += [line for caption, path in plots.items() for line in (f'![{caption}]({path})', '')]
    for run in runs:
        lines += _run_section(run, report_dir)
    return '\n'.join(lines).rstrip('\n') + '\n'
