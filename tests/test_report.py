"""The robust-evaluation report: schema errors, report.md, plots, overlays and merging."""
import copy
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from helpers import PART_WBBOX_PGD, load_tool
from matplotlib.image import imread

from partmm.evaluation.report import (
    FORMAT,
    draw_adversarial_overlays,
    merge_reports,
    render_markdown,
    validate_results,
    write_report,
)

EPS8 = 0.03137


def _attack(name, kind, eps, top1, part_miou=None, black_box=False, norm='Linf'):
    return dict(name=name, kind=kind, type=f'{kind.upper()}Attack', eps=eps, norm=norm,
                black_box=black_box, params=dict(steps=10), top1=top1, part_mIoU=part_miou,
                seconds=1.5)


def make_results() -> dict:
    """Two runs: a part model (corruptions, a failing sanity check) and a baseline (shift)."""
    part = dict(
        name='part_wbbox_synthetic_pgd', config=f'configs/{PART_WBBOX_PGD}',
        checkpoint='work_dirs/part/best.pth', num_samples=330,
        clean=dict(top1=98.48, part_mIoU=13.4),
        attacks=[_attack('pgd@eps0', 'pgd', 0, 97.0, 13.0),
                 _attack('pgd@eps4', 'pgd', 4 / 255, 70.2, 11.0),
                 _attack('pgd@eps8', 'pgd', EPS8, 39.1, 9.8),
                 _attack('aa@eps8', 'aa', EPS8, 37.5),
                 _attack('square@eps8', 'square', EPS8, 60.0, black_box=True),
                 _attack('seg-guide@eps8', 'seg-guide', EPS8, 45.0, 8.1)],
        worst_case=dict(top1=37.0, attacks=['pgd@eps8', 'aa@eps8']),
        corruptions=dict(
            severities=[1, 2, 3],
            top1={'gaussian_noise': {'1': 90.1, '2': 85.0, '3': 70.0},
                  'fog': {'1': 95.0, '2': 93.0, '3': 88.5}},
            mean_per_corruption={'gaussian_noise': 81.7, 'fog': 92.2}, mean=86.9),
        shift={},
        sanity=[dict(check='eps0_equals_clean', subject='pgd@eps0', ok=False,
                     message='pgd@eps0 top-1 97.0 != clean 98.48'),
                dict(check='monotone_in_eps', subject='pgd', ok=True, message='')],
        overlays='overlays/part_wbbox_synthetic_pgd.png', seconds=123.4)
    baseline = dict(
        name='resnet50_pgd', config='configs/resnet50_pgd.py', checkpoint=None,
        num_samples=330, clean=dict(top1=95.0, part_mIoU=None),
        attacks=[_attack('pgd@eps8', 'pgd', EPS8, 30.0),
                 _attack('hsj@eps8', 'hsj', EPS8, 55.0, black_box=True),
                 _attack('pgd-l2@eps0.5', 'pgd', 0.5, 40.0, norm='L2')],
        worst_case=None, corruptions=None,
        shift={'shape_texture': dict(top1=40.0, num_samples=330),
               'spurious_background': dict(top1=62.5, num_samples=330)},
        sanity=[dict(check='eps0_equals_clean', subject='pgd@eps0', ok=True, message='')],
        overlays=None, seconds=99.0)
    part['attacks'][3]['cascade'] = [
        dict(attack=step, top1=top1, seconds=seconds) for step, top1, seconds in
        [('apgd-ce', 45.0, 10.0), ('apgd-t', 40.0, 20.0), ('fab-t', 37.5, 30.0),
         ('square', 37.5, 40.0)]]
    return {'format': FORMAT, 'runs': [part, baseline]}


def _examples(with_gt: bool = True) -> list:
    generator = torch.Generator().manual_seed(0)
    examples = []
    for i in range(2):
        image = torch.rand(3, 24, 32, generator=generator)
        delta = (torch.rand(3, 24, 32, generator=generator) - 0.5) * 2 * 8 / 255
        part_map = torch.zeros(24, 32, dtype=torch.long)
        part_map[4:16, 6:20] = 3 + i
        adv_part_map = part_map.clone()
        adv_part_map[8:12, 8:12] = 7
        gt = part_map.numpy().copy() if with_gt and i == 0 else None
        if gt is not None:
            gt[0, :] = 255
        examples.append(dict(image=image, adv_image=(image + delta).clamp(0, 1),
                             gt_part_map=gt, part_map=part_map, adv_part_map=adv_part_map,
                             label=torch.tensor(1), pred_label=1, adv_pred_label=2 + i,
                             attack='pgd@eps8'))
    return examples


def _write_overlays(report_dir: str, run: dict) -> None:
    path = osp.join(report_dir, run['overlays'])
    os.makedirs(osp.dirname(path), exist_ok=True)
    draw_adversarial_overlays(_examples(), ['Aeroplane', 'Bicycle', 'Biped', 'Bird'],
                              None, None, path, title=run['name'])


def _assert_png(path: str) -> None:
    assert osp.getsize(path) > 0
    image = imread(path)
    assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100


def test_write_report(tmp_path):
    results = make_results()
    out_dir = str(tmp_path / 'report')
    _write_overlays(out_dir, results['runs'][0])
    written = write_report(copy.deepcopy(results), out_dir)

    assert set(written) == {'results', 'report', 'accuracy_vs_eps', 'corruptions', 'shift'}
    with open(written['results']) as f:
        assert json.load(f) == results
    for name in ('accuracy_vs_eps', 'corruptions', 'shift'):
        assert written[name] == osp.join(out_dir, f'{name}.png')
        _assert_png(written[name])

    with open(written['report']) as f:
        report = f.read()
    assert report.startswith('# Robust evaluation report')
    # Summary: one column per attack at the main eps (8/255), the worst case, means, shifts.
    header = next(line for line in report.splitlines() if line.startswith('| run |'))
    for column in ('clean', 'pgd@eps8', 'aa@eps8 after apgd-ce', 'aa@eps8 after fab-t',
                   'aa@eps8', 'square@eps8', 'seg-guide@eps8', 'hsj@eps8',
                   'pgd-l2@eps0.5', 'worst case', 'corruptions (mean)', 'shift: shape_texture',
                   'part mIoU clean', 'part mIoU adv (min)'):
        assert f' {column} |' in header
    assert 'pgd@eps4' not in header and 'pgd@eps0 ' not in header
    assert ('| part_wbbox_synthetic_pgd | 98.5 | 39.1 | 45.0 | 40.0 | 37.5 | 37.5 | 60.0 | 45.0 '
            '| – | – | 37.0 | 86.9 | – | – | 13.4 | 8.1 |') in report
    assert ('| resnet50_pgd | 95.0 | 30.0 | – | – | – | – | – | – | 55.0 | 40.0 | – | – | 40.0 '
            '| 62.5 | – | – |') in report
    # Per-run attack table with eps as k/255; L2 eps stays in its own units.
    assert '| attack | kind | type | ε | norm | box | top-1 (%) | part mIoU (%) | time (s) |' \
        in report
    assert '| pgd@eps4 | pgd | PGDAttack | 4/255 | Linf | white | 70.2 | 11.0 | 1.5 |' in report
    assert '| square@eps8 | square | SQUAREAttack | 8/255 | Linf | black | 60.0 | – | 1.5 |' \
        in report
    assert '| pgd-l2@eps0.5 | pgd | PGDAttack | 0.5 | L2 |' in report
    assert ('aa@eps8, robust top-1 after each of its attacks: apgd-ce 45.0 % (10 s) → apgd-t '
            '40.0 % (20 s) → fab-t 37.5 % (30 s) → square 37.5 % (40 s).') in report
    # Corruption table: severities, per-corruption mean, mean row.
    assert '| corruption | severity 1 | severity 2 | severity 3 | mean |' in report
    assert '| gaussian_noise | 90.1 | 85.0 | 70.0 | 81.7 |' in report
    assert '| **mean** | 92.5 | 89.0 | 79.2 | 86.9 |' in report
    assert '| shape_texture | 40.0 | -55.0 | 330 |' in report
    # Sanity: the failed check is a visible warning; the other run passed.
    assert ('> **Warning** (eps0_equals_clean, pgd@eps0): pgd@eps0 top-1 97.0 != clean 98.48'
            in report)
    assert '**resnet50_pgd**: the one sanity check passed.' in report
    assert 'All sanity checks passed.' not in report
    for embed in ('![accuracy vs eps](accuracy_vs_eps.png)',
                  '![common corruptions](corruptions.png)', '![distribution shift](shift.png)',
                  '![adversarial examples: part_wbbox_synthetic_pgd]'
                  '(overlays/part_wbbox_synthetic_pgd.png)'):
        assert embed in report
    assert 'is not in the report folder' not in report


def test_report_without_optional_sections(tmp_path):
    results = make_results()
    for run in results['runs']:
        run.update(corruptions=None, shift={}, overlays=None, worst_case=None)
        for check in run['sanity']:
            check['ok'] = True
    written = write_report(results, str(tmp_path))
    assert set(written) == {'results', 'report', 'accuracy_vs_eps'}
    report = open(written['report']).read()
    assert 'All sanity checks passed.' in report and '**Warning**' not in report
    assert 'corruptions' not in report and 'shift' not in report


def test_the_summary_leaves_out_a_worst_case_over_other_radii_than_the_main_one():
    results = make_results()
    part = results['runs'][0]
    # Over a sweep of radii the worst case is that of the largest: not a main-eps figure.
    part['worst_case'] = dict(top1=12.0, attacks=['pgd@eps0', 'pgd@eps4', 'pgd@eps8'])
    report = render_markdown(results, {}, report_dir='/nonexistent')
    assert ('| part_wbbox_synthetic_pgd | 98.5 | 39.1 | 45.0 | 40.0 | 37.5 | 37.5 | 60.0 | 45.0 | '
            '– | – | – | 86.9 ') in report
    assert 'Per-sample worst case over pgd@eps0, pgd@eps4, pgd@eps8: **12.0 %**' in report
    # At the main eps and at eps 0 (which changes nothing) it is shown.
    part['worst_case'] = dict(top1=36.0, attacks=['pgd@eps0', 'pgd@eps8', 'aa@eps8'])
    report = render_markdown(results, {}, report_dir='/nonexistent')
    assert ('| part_wbbox_synthetic_pgd | 98.5 | 39.1 | 45.0 | 40.0 | 37.5 | 37.5 | 60.0 | 45.0 | '
            '– | – | 36.0 | 86.9 ') in report


def test_missing_overlay_is_flagged():
    results = make_results()
    report = render_markdown(results, {}, report_dir='/nonexistent')
    assert ('> **Warning** (overlays, part_wbbox_synthetic_pgd): image '
            '`overlays/part_wbbox_synthetic_pgd.png` is not in the report folder.') in report


def test_overlays(tmp_path):
    path = str(tmp_path / 'overlays.png')
    part_names = [f'part{i}' for i in range(41)]
    palette = [(i * 6, 255 - i * 6, 128) for i in range(41)]
    examples = _examples()
    examples[1]['image'] = examples[1]['image'].numpy()  # numpy and torch inputs both work
    assert draw_adversarial_overlays(examples, None, part_names, palette, path,
                                     title='pgd') == path
    _assert_png(path)
    # Without any ground truth there is one column fewer.
    narrow = str(tmp_path / 'narrow.png')
    draw_adversarial_overlays(_examples(with_gt=False), None, None, None, narrow)
    assert imread(narrow).shape[1] < imread(path).shape[1]

    with pytest.raises(ValueError, match=r'examples\[0\]\.part_map: expected a part map'):
        bad = _examples()
        bad[0]['part_map'] = torch.zeros(5, 5)
        draw_adversarial_overlays(bad, None, None, None, path)
    with pytest.raises(ValueError, match='palette: has 4 colours but the part maps use label 7'):
        draw_adversarial_overlays(_examples(), None, None, palette[:4], path)


def _painted_example(predicted: torch.Tensor, gt: np.ndarray, palette: list) -> dict:
    """An example whose parts are flat patches of their own palette colour (the synthetic
    datasets' look, on which a tint of the predicted parts would vanish)."""
    image = np.full((3, *gt.shape), 0.2)
    for label in np.unique(gt[(gt > 0) & (gt != 65535)]):
        image[:, gt == label] = np.asarray(palette[label], dtype=float)[:, None] / 255
    return dict(image=image, adv_image=np.clip(image + 4 / 255, 0, 1), gt_part_map=gt,
                part_map=predicted, adv_part_map=predicted, label=0, pred_label=0,
                adv_pred_label=1, attack='pgd@eps8')


def test_overlays_draw_maps_so_predicting_no_parts_shows(tmp_path):
    palette = [(0, 0, 0), (230, 60, 60), (60, 200, 90), (70, 90, 230)]
    gt = np.zeros((24, 32), dtype=np.int64)
    gt[4:12, 6:26], gt[12:20, 6:16], gt[12:20, 16:26] = 1, 2, 3
    gt[0] = 65535  # the whole PACO's unlabelled value
    perfect = torch.from_numpy(np.where(gt == 65535, 0, gt))
    drawn = {}
    for name, predicted in (('perfect', perfect), ('nothing', torch.zeros_like(perfect))):
        path = str(tmp_path / f'{name}.png')
        draw_adversarial_overlays([_painted_example(predicted, gt, palette)], ['Bird', 'Car'],
                                  ['background', 'head', 'body', 'tail'], palette, path,
                                  ignore_index=65535)
        drawn[name] = imread(path)[..., :3]
    assert drawn['perfect'].shape == drawn['nothing'].shape
    differs = np.abs(drawn['perfect'] - drawn['nothing']).max(axis=-1) > 0.2
    # Two predicted-part panels (clean, adversarial) out of six, parts on 5/8 of each: the
    # pictures differ on a large area, black in the all-background one, coloured in the other.
    assert differs.mean() > 0.05
    assert np.median(drawn['nothing'][differs].max(axis=-1)) < 0.05
    assert np.median(drawn['perfect'][differs].max(axis=-1)) > 0.8
    # Those pixels are side by side with the image, never on it: the differing columns are
    # two separate bands (panels 2 and 4 of 6).
    columns = differs.any(axis=0)
    starts = np.flatnonzero(columns[1:] & ~columns[:-1])
    assert len(starts) == 2
    width = drawn['perfect'].shape[1]
    assert width / 6 < starts[0] < 2 * width / 6 < 3 * width / 6 < starts[1] < 4 * width / 6


def test_merge_reports(tmp_path, capsys):
    results = make_results()
    first, second = str(tmp_path / 'a'), str(tmp_path / 'b')
    _write_overlays(first, results['runs'][0])
    write_report({'format': FORMAT, 'runs': [results['runs'][0]]}, first)
    write_report({'format': FORMAT, 'runs': [results['runs'][1]]}, second)
    merged = str(tmp_path / 'merged')

    tool = load_tool('tools/analysis_tools/merge_robust_reports.py')
    assert tool.main([first, osp.join(second, 'results.json'), '-o', merged]) == 0
    with open(osp.join(merged, 'results.json')) as f:
        runs = json.load(f)['runs']
    assert [run['name'] for run in runs] == ['part_wbbox_synthetic_pgd', 'resnet50_pgd']
    assert runs[0]['overlays'] == 'overlays/part_wbbox_synthetic_pgd.png'
    _assert_png(osp.join(merged, runs[0]['overlays']))
    assert osp.isfile(osp.join(merged, 'report.md')) and osp.isfile(osp.join(merged, 'shift.png'))

    capsys.readouterr()
    assert tool.main([first, merged, '-o', str(tmp_path / 'dup')]) == 1
    error = capsys.readouterr().err
    assert '"part_wbbox_synthetic_pgd" in' in error
    assert osp.join(first, 'results.json') in error and osp.join(merged, 'results.json') in error
    with pytest.raises(FileNotFoundError, match='no such results file'):
        merge_reports([str(tmp_path / 'nowhere')], merged)


def test_merged_reports_get_todays_sanity_checks(tmp_path):
    results = make_results()
    part = results['runs'][0]
    # Written before the PGD-vs-AutoAttack gap was checked: PGD 22.5 points above AutoAttack.
    part['attacks'][2]['top1'] = 60.0
    part['attacks'][3]['type'] = 'AutoAttack'
    part['overlays'] = None
    part['sanity'] = [dict(check='clean_above_chance', subject='clean', ok=True, message=''),
                      dict(check='retired_check', subject='pgd', ok=False, message='old')]
    write_report({'format': FORMAT, 'runs': [part]}, str(tmp_path / 'old'))
    merge_reports([str(tmp_path / 'old')], str(tmp_path / 'merged'))
    with open(tmp_path / 'merged' / 'results.json') as f:
        sanity = json.load(f)['runs'][0]['sanity']
    # The check the figures cannot be redone from is kept; the others are made again.
    assert sanity[0] == part['sanity'][0]
    assert 'retired_check' not in {record['check'] for record in sanity}
    assert {(record['check'], record['subject']) for record in sanity if not record['ok']} == {
        ('eps0_equals_clean', 'pgd@eps0'), ('pgd_not_far_above_autoattack', 'pgd@eps8 vs aa@eps8')}
    assert {'cascade_matches_predictions', 'gradient_free_step_finds_little'} <= {
        record['check'] for record in sanity}


def _mutate(results: dict, path: str, value=None, delete: bool = False) -> dict:
    """A copy of ``results`` with the key at ``path`` (e.g. ``runs.1.attacks.0.eps``) changed."""
    results = copy.deepcopy(results)
    *parents, last = [int(k) if k.isdigit() else k for k in path.split('.')]
    target = results
    for key in parents:
        target = target[key]
    if delete:
        del target[last]
    else:
        target[last] = value
    return results


@pytest.mark.parametrize('path, value, delete, error', [
    ('runs.1.attacks.0.eps', None, True, r'runs\[1\]\.attacks\[0\]\.eps: required key is missing'),
    ('runs.1.attacks.0.eps', '8/255', False, r'runs\[1\]\.attacks\[0\]\.eps: expected a number'),
    ('runs.0.clean.top1', 101.0, False, r'runs\[0\]\.clean\.top1: expected a value in \[0, 100\]'),
    ('runs.0.clean.part_mIoU', float('nan'), False, r'runs\[0\]\.clean\.part_mIoU: expected a '
     'finite number'),
    ('runs.0.num_samples', True, False, r'runs\[0\]\.num_samples: expected a non-negative int'),
    ('runs.1.name', 'part_wbbox_synthetic_pgd', False, r'runs\[1\]\.name: duplicate run name'),
    ('runs.0.attacks.1.name', 'pgd@eps0', False, r'runs\[0\]\.attacks\[1\]\.name: duplicate'),
    ('runs.0.corruptions.top1.fog.6', 50.0, False,
     r'runs\[0\]\.corruptions\.top1\.fog\.6: severity not listed'),
    ('runs.0.sanity.0.ok', 'no', False, r'runs\[0\]\.sanity\[0\]\.ok: expected a boolean'),
    ('runs.1.shift.shape_texture', {'num_samples': 3}, False,
     r'runs\[1\]\.shift\.shape_texture\.top1: required key is missing'),
    ('runs.0.attacks.2.params.steps', torch.tensor(10), False,
     r'runs\[0\]\.attacks\[2\]\.params\.steps: expected a JSON value'),
    ('format', 'partmm-robust-report/0', False, r'format: expected "partmm-robust-report/1"'),
    ('runs.0.attacks.3.cascade.1.top1', 400.0, False,
     r'runs\[0\]\.attacks\[3\]\.cascade\[1\]\.top1: expected a value in \[0, 100\]'),
    ('runs.0.attacks.3.cascade.0.attack', None, True,
     r'runs\[0\]\.attacks\[3\]\.cascade\[0\]\.attack: required key is missing'),
    ('runs', [], False, r'runs: expected at least one run'),
])
def test_schema_errors_name_the_key(path, value, delete, error):
    results = make_results()
    validate_results(results)
    with pytest.raises(ValueError, match=error):
        validate_results(_mutate(results, path, value, delete))
