"""tools/robust_test.py end to end: the report, 2 CPU processes = 1 process, and resuming from
the results cache (after kills, with changed attacks, damaged entries, in another process
count)."""
import glob
import json
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys

import numpy as np
import pytest
import torch
from helpers import PART_WBBOX, REPO_ROOT, free_port, load_tool
from mmengine.config import Config
from PIL import Image
from torch.nn.modules.batchnorm import _BatchNorm

from partmm.datasets.generators import generate_shape_texture_set, generate_spurious_background_set
from partmm.engine.runner.result_cache import ResultCache
from partmm.registry import MODELS
from partmm.utils import evenly_spaced, spread_over_classes

CONFIG = f'configs/{PART_WBBOX}'
FAULT_INJECTION = osp.join(REPO_ROOT, 'tests', 'fault_injection.py')
# The resume tests: two corruption stages, no overlays (they attack again, uncached).
RESUME_ARGS = ['--severities', '1,2', '--num-overlays', '0']
# Runs tools/robust_test.py with the pgd20 preset changed at eps 8/255 (10 steps, not 20): the
# same attack name with other settings.
FEWER_PGD20_STEPS_AT_EPS8 = """
import runpy, sys
from partmm.attacks import presets
pgd20 = presets.PRESETS['pgd20']
presets.PRESETS['pgd20'] = lambda eps, norm: dict(pgd20(eps, norm), steps=10 if eps > 0.02 else 20)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
"""
# Runs tools/robust_test.py with AutoAttack at a test's budget (all four of its attacks still run).
SMALL_AUTOATTACK = """
import runpy, sys
from partmm.attacks import presets
aa = presets.PRESETS['aa']
presets.PRESETS['aa'] = lambda eps, norm: dict(aa(eps, norm), apgd_iters=3, fab_iters=3,
                                               square_queries=10)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
"""


@pytest.fixture(scope='module')
def checkpoint(synthetic_root, tmp_path_factory) -> str:
    """An untrained synthetic part model whose predictions depend on the image."""
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(osp.join(REPO_ROOT, CONFIG)).model)
    # With BatchNorm's initial statistics the eval-mode output is constant; statistics of
    # real images make the untrained network's class and part predictions vary.
    files = sorted(glob.glob(osp.join(synthetic_root, 'images', 'train', '*')))[:16]
    images = torch.stack([
        torch.from_numpy(np.array(Image.open(path).convert('RGB').resize((64, 64))))
        for path in files]).permute(0, 3, 1, 2).float() / 255
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            module.momentum = None  # a plain average over the calibration batch
    model.train()
    with torch.no_grad():
        model.extract_logits(images)
    path = str(tmp_path_factory.mktemp('checkpoint') / 'untrained.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


@pytest.fixture(scope='module')
def shift_config(synthetic_root, tmp_path_factory) -> str:
    """A shift-set config pointing at sets generated from the fixture's test split."""
    out = str(tmp_path_factory.mktemp('shift'))
    generate_shape_texture_set(synthetic_root, out, seed=0)
    generate_spurious_background_set(synthetic_root, out, seed=0)
    path = osp.join(out, 'shift_sets.py')
    base = osp.join(REPO_ROOT, 'configs/_base_/datasets/synthetic-partimagenet-shift.py')
    with open(path, 'w') as f:
        f.write(f'_base_ = [{base!r}]\n'
                f'shift_datasets = dict(shape_texture=dict(data_root={out!r}), '
                f'spurious_background=dict(data_root={out!r}))\n')
    return path


def run_robust_test(synthetic_root, checkpoint, out_dir, processes=1, extra=(), wrapper=()):
    """tools/robust_test.py on 8 test images, one a batch; under ``python *wrapper`` (a script
    that runs the tool, e.g. with a fault injected) when given."""
    # One thread in every process: 2 threads sum in another order, and attacks amplify that
    # into other figures than those of 2 processes of 1 thread.
    options = [f'test_dataloader.dataset.data_root={synthetic_root}',
               'test_dataloader.batch_size=1', 'env_cfg.num_threads=1']
    arguments = [CONFIG, checkpoint]
    if processes == 1:
        command = [sys.executable, *wrapper, 'tools/robust_test.py', *arguments]
    else:
        command = ['bash', 'tools/dist_robust_test.sh', *arguments, str(processes)]
    command += ['--attacks', 'pgd20', '--eps', '0,8', '--corruptions', 'gaussian_noise',
                '--severities', '2', '--num-overlays', '2', '--num-samples', '8', '--out',
                out_dir, '--work-dir', osp.join(out_dir, 'work'), '--cfg-options', *options, *extra]
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1')
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


def robust_test(synthetic_root, checkpoint, out_dir, processes=1, extra=(), wrapper=()):
    """:func:`run_robust_test`, which must succeed: its results.json and its log."""
    result = run_robust_test(synthetic_root, checkpoint, out_dir, processes, extra, wrapper)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    with open(osp.join(out_dir, 'results.json')) as f:
        return json.load(f), result.stdout + result.stderr


def test_single_process_report(synthetic_root, checkpoint, shift_config, tmp_path):
    out = str(tmp_path / 'report')
    results, log = robust_test(synthetic_root, checkpoint, out,
                               extra=['--shift-config', shift_config])
    assert '[robust] stage 1/4 test' in log and 'ETA' in log
    run, = results['runs']
    names = [attack['name'] for attack in run['attacks']]
    assert names == ['pgd20@eps0', 'pgd20@eps8']
    by_name = {attack['name']: attack for attack in run['attacks']}
    assert by_name['pgd20@eps0']['top1'] == run['clean']['top1']
    assert by_name['pgd20@eps0']['part_mIoU'] == run['clean']['part_mIoU']
    assert by_name['pgd20@eps8']['top1'] <= run['clean']['top1']
    assert by_name['pgd20@eps8']['part_mIoU'] != run['clean']['part_mIoU']
    assert run['worst_case']['top1'] <= by_name['pgd20@eps8']['top1']
    assert set(run['corruptions']['top1']) == {'gaussian_noise'}
    assert set(run['shift']) == {'shape_texture', 'spurious_background'}
    # The fixture's untrained model is at chance, and the report says so; every attack check
    # passes.
    assert [record['check'] for record in run['sanity'] if not record['ok']] == [
        'clean_above_chance']
    for name in ('report.md', 'accuracy_vs_eps.png', 'corruptions.png', 'shift.png',
                 run['overlays']):
        assert osp.getsize(osp.join(out, name)) > 0
    with open(osp.join(out, 'report.md')) as f:
        report = f.read()
    assert '| pgd20@eps8 |' in report and 'gaussian_noise' in report
    with open(osp.join(out, 'work', 'robust_metrics_partial.json')) as f:
        partial = json.load(f)
    assert partial['finished_stages'][-1] == 'shift/spurious_background'


def test_two_processes_give_the_numbers_of_one(synthetic_root, checkpoint, tmp_path):
    single, _ = robust_test(synthetic_root, checkpoint, str(tmp_path / 'one'))
    double, log = robust_test(synthetic_root, checkpoint, str(tmp_path / 'two'), processes=2)
    assert 'Distributed training: True' in log
    one, two = single['runs'][0], double['runs'][0]
    assert one['num_samples'] == two['num_samples']
    for key in ('clean', 'worst_case', 'corruptions'):
        assert one[key] == two[key], key
    assert [(a['name'], a['top1'], a['part_mIoU']) for a in one['attacks']] == \
        [(a['name'], a['top1'], a['part_mIoU']) for a in two['attacks']]


def figures(results: dict) -> dict:
    """Every figure of a one-run report (not its timings)."""
    run, = results['runs']
    return dict(num_samples=run['num_samples'], clean=run['clean'], worst_case=run['worst_case'],
                corruptions=run['corruptions'], shift=run['shift'], sanity=run['sanity'],
                attacks=[(a['name'], a['top1'], a['part_mIoU']) for a in run['attacks']])


def cache_entries(cache: str, folder: str = '') -> list:
    return sorted(glob.glob(osp.join(cache, folder, '**', '*.pt'), recursive=True))


def loads(cache: str, path: str) -> bool:
    """Whether the cache entry file ``path`` loads, with the key its name says."""
    folder, name = osp.split(osp.relpath(path, cache))
    return ResultCache(cache).load(folder, osp.splitext(name)[0]) is not None


@pytest.fixture(scope='module')
def finished_run(synthetic_root, checkpoint, tmp_path_factory) -> tuple:
    """An uninterrupted run with two corruption stages: its report folder and results."""
    out = str(tmp_path_factory.mktemp('finished'))
    results, _ = robust_test(synthetic_root, checkpoint, out, extra=RESUME_ARGS)
    return out, results


def copy_of_finished_run(finished_run, tmp_path) -> tuple:
    """A report folder holding a copy of the finished run's work dir, and its cache."""
    out = str(tmp_path / 'report')
    shutil.copytree(osp.join(finished_run[0], 'work'), osp.join(out, 'work'))
    return out, osp.join(out, 'work', 'robust_cache')


def test_killed_runs_resume_to_the_numbers_of_an_uninterrupted_run(synthetic_root, checkpoint,
                                                                    finished_run, tmp_path):
    out = str(tmp_path / 'report')
    cache = osp.join(out, 'work', 'robust_cache')
    # Stage 1 writes 3 entries a batch (clean, pgd20@eps0, pgd20@eps8): killed in the middle of
    # the 10th write, batch 4's clean predictions.
    killed = run_robust_test(synthetic_root, checkpoint, out, extra=RESUME_ARGS,
                             wrapper=[FAULT_INJECTION, '.pt', '10'])
    assert killed.returncode == -signal.SIGKILL, (killed.stdout + killed.stderr)[-4000:]
    assert len(cache_entries(cache)) == 9
    assert all(loads(cache, path) for path in cache_entries(cache))
    assert glob.glob(osp.join(cache, 'test', 'clean', '.*.tmp'))  # the write that was cut

    # Resumed: batches 1-3 reused, 4-8 computed (15 writes), killed while the second
    # corruption stage is written (the 17th).
    killed = run_robust_test(synthetic_root, checkpoint, out, extra=RESUME_ARGS,
                             wrapper=[FAULT_INJECTION, '.pt', '17'])
    log = killed.stdout + killed.stderr
    assert killed.returncode == -signal.SIGKILL, log[-4000:]
    assert f'stage 1: 3/8 batches reused from {cache} (predictions reused: clean 3/8, ' \
        'pgd20@eps0 3/8, pgd20@eps8 3/8)' in log
    assert 'stage 1/3 test: batch 8/8 (3 reused)' in log

    results, log = robust_test(synthetic_root, checkpoint, out, extra=RESUME_ARGS)
    assert f'stage 1: 8/8 batches reused from {cache}' in log
    assert 'corruption/gaussian_noise/1: reused' in log
    assert 'corruption/gaussian_noise/2: batch 8/8' in log
    assert figures(results) == figures(finished_run[1])
    # Reused batches count at the seconds they took when they were computed (an attack at
    # eps 0 takes none: it returns the images).
    assert all(attack['seconds'] > 0 for attack in results['runs'][0]['attacks']
               if attack['eps'] > 0)


def test_a_changed_or_added_attack_runs_alone(synthetic_root, checkpoint, finished_run,
                                              tmp_path):
    out, cache = copy_of_finished_run(finished_run, tmp_path)
    results, log = robust_test(synthetic_root, checkpoint, out,
                               extra=[*RESUME_ARGS, '--eps', '0,4,8'],
                               wrapper=['-c', FEWER_PGD20_STEPS_AT_EPS8])
    assert f'stage 1: 0/8 batches reused from {cache} (predictions reused: clean 8/8, ' \
        'pgd20@eps0 8/8, pgd20@eps4 0/8, pgd20@eps8 0/8)' in log
    assert 'corruption/gaussian_noise/1: reused' in log
    assert 'corruption/gaussian_noise/2: reused' in log
    run, = results['runs']
    by_name = {attack['name']: attack for attack in run['attacks']}
    assert by_name['pgd20@eps8']['params']['steps'] == 10
    reference = figures(finished_run[1])
    assert run['clean'] == reference['clean']
    assert ('pgd20@eps0', by_name['pgd20@eps0']['top1'],
            by_name['pgd20@eps0']['part_mIoU']) == reference['attacks'][0]


def test_a_damaged_cache_entry_is_computed_again(synthetic_root, checkpoint, finished_run,
                                                tmp_path):
    out, cache = copy_of_finished_run(finished_run, tmp_path)
    attack_entry = cache_entries(cache, 'test/attacks/pgd20@eps8')[0]
    with open(attack_entry, 'wb') as f:
        f.write(b'not a cache entry')
    stage_entry, = cache_entries(cache, 'corruption/gaussian_noise/2')
    with open(stage_entry, 'r+b') as f:
        f.truncate(osp.getsize(stage_entry) // 2)

    results, log = robust_test(synthetic_root, checkpoint, out, extra=RESUME_ARGS)
    assert f'cache entry {attack_entry} is unusable' in log
    assert f'cache entry {stage_entry} is unusable' in log
    assert f'stage 1: 7/8 batches reused from {cache} (predictions reused: clean 8/8, ' \
        'pgd20@eps0 8/8, pgd20@eps8 7/8)' in log
    assert 'corruption/gaussian_noise/1: reused' in log
    assert 'corruption/gaussian_noise/2: batch 8/8' in log
    assert figures(results) == figures(finished_run[1])
    assert loads(cache, attack_entry) and loads(cache, stage_entry)  # written again


def test_no_resume_starts_afresh(synthetic_root, checkpoint, finished_run, tmp_path):
    out, cache = copy_of_finished_run(finished_run, tmp_path)
    _, log = robust_test(synthetic_root, checkpoint, out, extra=[
        '--attacks', 'none', '--corruptions', 'none', '--num-overlays', '0', '--no-resume'])
    assert f'results cache: {cache} (resume off: cleared)' in log
    assert f'stage 1: 0/8 batches reused from {cache}' in log
    # The old entries are gone; the new run's are there.
    assert os.listdir(cache) == ['test'] and os.listdir(osp.join(cache, 'test')) == ['clean']
    assert len(cache_entries(cache)) == 8


def test_two_processes_reuse_the_results_of_one(synthetic_root, checkpoint, finished_run,
                                                tmp_path):
    out, cache = copy_of_finished_run(finished_run, tmp_path)
    results, log = robust_test(synthetic_root, checkpoint, out, processes=2, extra=RESUME_ARGS)
    # Batches are keyed by their samples, not by their position in a process's shard.
    assert f'stage 1: 8/8 batches reused from {cache}' in log
    assert 'corruption/gaussian_noise/2: reused' in log
    assert figures(results) == figures(finished_run[1])


def test_autoattack_reports_each_of_its_attacks_and_reuses_them(synthetic_root, checkpoint,
                                                                tmp_path):
    out = str(tmp_path / 'report')
    extra = ['--attacks', 'aa', '--eps', '8', '--corruptions', 'none', '--num-overlays', '0']
    results, _ = robust_test(synthetic_root, checkpoint, out, extra=extra,
                             wrapper=['-c', SMALL_AUTOATTACK])
    run, = results['runs']
    attack, = run['attacks']
    assert [step['attack'] for step in attack['cascade']] == ['apgd-ce', 'apgd-t', 'fab-t',
                                                               'square']
    top1 = [step['top1'] for step in attack['cascade']]
    assert top1 == sorted(top1, reverse=True) and run['clean']['top1'] >= top1[0]
    assert top1[-1] == attack['top1']
    # Within the attack's time (both rounded to 0.01 s).
    assert sum(step['seconds'] for step in attack['cascade']) <= attack['seconds'] + 0.05
    # The loop's predictions on AutoAttack's images agree with its own count.
    assert [record['check'] for record in run['sanity'] if not record['ok']] == [
        'clean_above_chance']
    with open(osp.join(out, 'report.md')) as f:
        assert 'aa@eps8, robust top-1 after each of its attacks: apgd-ce ' in f.read()

    again, log = robust_test(synthetic_root, checkpoint, out, extra=extra,
                             wrapper=['-c', SMALL_AUTOATTACK])
    assert 'stage 1: 8/8 batches reused' in log
    assert again['runs'][0]['attacks'][0]['cascade'] == attack['cascade']


def test_default_work_dirs_differ_per_checkpoint(tmp_path, monkeypatch):
    tool = load_tool('tools/robust_test.py')
    monkeypatch.setenv('LOCAL_RANK', '0')  # parse_args sets it where unset
    work_dirs = []
    for run in ('run_a', 'run_b'):
        monkeypatch.setattr(sys, 'argv', ['robust_test.py', osp.join(REPO_ROOT, CONFIG),
                                          str(tmp_path / run / 'best.pth')])
        cfg, _ = tool.robust_config(tool.parse_args())
        work_dirs.append(cfg.work_dir)
    config_name = osp.splitext(osp.basename(CONFIG))[0]
    assert work_dirs == [osp.join('./work_dirs', 'robust', config_name, f'{run}_best')
                         for run in ('run_a', 'run_b')]


def test_the_overlays_show_the_named_attack_on_images_of_every_class(tmp_path, monkeypatch):
    tool = load_tool('tools/robust_test.py')
    monkeypatch.setenv('LOCAL_RANK', '0')
    command = ['robust_test.py', osp.join(REPO_ROOT, CONFIG), str(tmp_path / 'best.pth'),
               '--attacks', 'pgd20', '--eps', '0,8']
    monkeypatch.setattr(sys, 'argv', command + ['--overlay-attack', 'pgd20@eps4'])
    with pytest.raises(ValueError, match='pgd20@eps4 is not among the attacks run: '
                       'pgd20@eps0, pgd20@eps8'):
        tool.robust_config(tool.parse_args())
    monkeypatch.setattr(sys, 'argv', command + ['--overlay-attack', 'pgd20@eps8'])
    tool.robust_config(tool.parse_args())


class LabelledSet:
    """A dataset that only has labels, for index selection."""

    def __init__(self, labels):
        self.labels = np.array(labels)

    def get_gt_labels(self):
        return self.labels


def test_subsets_and_overlays_spread_over_the_classes_of_a_set_in_any_order():
    # 11 classes of 30 in file order (classes interleaved, as PartImageNet's splits are).
    labels = np.random.default_rng(0).permutation(np.repeat(np.arange(11), 30))
    chosen = spread_over_classes(LabelledSet(labels), 110)
    assert len(set(chosen)) == 110
    assert np.bincount(labels[chosen]).tolist() == [10] * 11
    # Fewer than the classes: one image of each of 6 classes spread over the 11.
    assert labels[spread_over_classes(LabelledSet(labels), 6)].tolist() == [0, 1, 3, 5, 7, 9]
    # Unequal classes get shares in proportion; more than the set gives the set.
    chosen = spread_over_classes(LabelledSet([0] * 20 + [1] * 10), 6)
    assert sorted(np.bincount(np.array([0] * 20 + [1] * 10)[chosen]).tolist()) == [2, 4]
    assert sorted(spread_over_classes(LabelledSet([1, 0, 1]), 5)) == [0, 1, 2]
    assert evenly_spaced(5, 0) == []
