"""tools/misc/print_config.py, tools/analysis_tools/analyze_logs.py, browse_dataset.py on the
synthetic data, and the plumbing of tools/demo.py."""
import json
import os
import os.path as osp
import subprocess
import sys
import time

import mmcv
import pytest
from helpers import PART_WBBOX, PART_WBBOX_SEMI50, REPO_ROOT, RESNET18, data_root_options, load_tool
from mmengine.config import Config

from partmm.evaluation.seed_statistics import aggregate_seeds, aggregate_tables
from partmm.utils import load_config
from partmm.utils.training_logs import scalar_files, training_seconds


def test_print_config_resolves_bases_and_options(tmp_path):
    saved = str(tmp_path / 'resolved.py')
    result = subprocess.run(
        [sys.executable, 'tools/misc/print_config.py', f'configs/{PART_WBBOX_SEMI50}',
         '--cfg-options', 'train_cfg.max_epochs=3', '--save-path', saved],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "type='BoundingBoxPartHead'" in result.stdout  # from the .py base
    assert 'part_label_fraction=0.5' in result.stdout  # from the YAML leaf
    resolved = Config.fromfile(saved)
    assert resolved.train_cfg.max_epochs == 3
    assert resolved.train_dataloader.dataset.part_label_fraction == 0.5


@pytest.fixture(scope='module')
def resumed_work_dir(synthetic_root, tmp_path_factory) -> str:
    """A work dir of tools/train.py whose logs span two runs: 2 epochs, then resumed to 3."""
    work_dir = str(tmp_path_factory.mktemp('logs'))
    options = data_root_options(synthetic_root) + [
        'train_dataloader.batch_size=8', 'train_cfg.val_interval=1',
        'default_hooks.logger.interval=1']
    for max_epochs, resume in ((2, []), (3, ['--resume'])):
        result = subprocess.run(
            [sys.executable, 'tools/train.py', f'configs/{RESNET18}',
             '--work-dir', work_dir, *resume, '--cfg-options', *options,
             f'train_cfg.max_epochs={max_epochs}'],
            cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-2000:]
        time.sleep(1.1)  # mmengine names a run's log folder by the second it starts
    return work_dir


def test_analyze_logs_reads_a_resumed_run_whole(resumed_work_dir, tmp_path):
    tool = load_tool('tools/analysis_tools/analyze_logs.py')
    assert len(scalar_files(resumed_work_dir)) == 2
    train, val = tool.load_series(resumed_work_dir)
    assert sorted(val['accuracy/top1']) == [1, 2, 3]
    iterations = sorted(train['loss'])
    assert iterations == list(range(1, len(iterations) + 1)) and len(iterations) % 3 == 0

    out = str(tmp_path / 'curves.png')
    assert tool.plot_curves([resumed_work_dir], ['loss', 'accuracy/top1'], out) == [
        'loss', 'accuracy/top1']
    assert osp.getsize(out) > 10_000
    with pytest.raises(KeyError, match=r"\['accuracy/adv_top1'\] are in none of the logs"):
        tool.plot_curves([resumed_work_dir], ['accuracy/adv_top1'], out)
    with pytest.raises(FileNotFoundError, match='holds no'):
        tool.load_series(str(tmp_path))
    # The run's training time: the logged per-iteration means times the iterations covered.
    seconds = training_seconds(resumed_work_dir)
    assert seconds == pytest.approx(sum(train['time'].values()))  # logged every iteration
    assert 0 < seconds < 600


def test_training_time_counts_a_stalled_log_window_at_the_median(tmp_path):
    # Logged every 10 iterations at 0.5 s, one window at 40 s: the process was suspended.
    write_scalars(tmp_path, 0.5, 100)
    scalars = tmp_path / '20261202_000000' / 'vis_data' / 'scalars.json'
    records = [json.loads(line) for line in scalars.read_text().splitlines()]
    records[4]['time'] = 40.0
    scalars.write_text(''.join(json.dumps(record) + '\n' for record in records))
    assert training_seconds(str(tmp_path)) == pytest.approx(0.5 * 100)
    records[4]['time'] = 2.0  # slower, not stalled (under 5x the median): counted as logged
    scalars.write_text(''.join(json.dumps(record) + '\n' for record in records))
    assert training_seconds(str(tmp_path)) == pytest.approx(0.5 * 90 + 2.0 * 10)


def test_browse_dataset_draws_the_pipeline_output(synthetic_root, tmp_path):
    out = tmp_path / 'browse'
    result = subprocess.run(
        [sys.executable, 'tools/misc/browse_dataset.py', f'configs/{PART_WBBOX}',
         '--output-dir', str(out), '--num', '3', '--cfg-options',
         f'train_dataloader.dataset.data_root={synthetic_root}'],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    drawn = sorted(out.iterdir())
    assert len(drawn) == 3
    for path in drawn:
        image = mmcv.imread(str(path))
        assert image.shape == (64, 64, 3)  # the training crop, as the model gets it
        assert image.std() > 0


def test_the_demo_runs_configs_that_read_the_release_it_makes():
    demo = load_tool('tools/demo.py')
    for name, dataset in demo.DATASETS.items():
        for _, _, clean, robust in demo.demo_models(dataset['token']):
            for config in (clean, robust):
                cfg = load_config(osp.join(REPO_ROOT, 'configs', f'{config}.py'))
                data_root = cfg.train_dataloader.dataset.data_root
                # The converter's output: the release itself, or PACO's partmm/ inside it.
                assert osp.normpath(data_root).startswith(
                    osp.join('data', dataset['release'])), (name, config, data_root)
                assert osp.isfile(osp.join(REPO_ROOT, 'tools', 'dataset_converters',
                                           dataset['generator']))


def supervision_datasets(demo) -> list:
    """The demo's datasets that have every config of ``--supervision``."""
    return [name for name, dataset in demo.DATASETS.items()
            if all(osp.isfile(osp.join(REPO_ROOT, 'configs', f'{config}.py'))
                   for _, _, config in demo.supervision_models(dataset['token']))]


def test_the_supervision_comparison_tests_one_model_on_the_true_part_maps():
    demo = load_tool('tools/demo.py')
    assert 'partimagenet' in supervision_datasets(demo)
    for name in supervision_datasets(demo):
        dataset = demo.DATASETS[name]
        eval_cfg = load_config(osp.join(REPO_ROOT, 'configs',
                                        f'{demo.demo_models(dataset["token"])[0][3]}.py'))
        attack = eval_cfg.custom_hooks[0].val_attack
        assert (attack.type, attack.eps, attack.steps) == ('PGDAttack', 8 / 255, 10)
        cfgs = [load_config(osp.join(REPO_ROOT, 'configs', f'{config}.py'))
                for _, _, config in demo.supervision_models(dataset['token'])]
        eval_config = demo.demo_models(dataset['token'])[0][3]
        for (_, _, config), cfg in zip(demo.supervision_models(dataset['token']), cfgs):
            assert osp.normpath(cfg.train_dataloader.dataset.data_root).startswith(
                osp.join('data', dataset['release'])), name
            # Tested with the mask model's PGD-AT config: valid only for the same network (up
            # to decoder sizes, passed as options; the losses have no weights) and the same
            # test data, true part maps included.
            head = cfg.model.segmentor.decode_head
            options = demo.decoder_options(config, eval_config)
            assert options == [] or options == [
                f'model.segmentor.decode_head.channels={head.channels}',
                f'model.segmentor.decode_head.c1_channels={head.c1_channels}'], (name, options)
            assert cfg.test_dataloader.to_dict() == eval_cfg.test_dataloader.to_dict(), name
        masks, boxmask, boxinst = cfgs
        if name == 'partimagenet':
            # BoxInst keeps the 64-channel decoder (it found no parts with the mask model's).
            assert demo.decoder_options(demo.supervision_models(dataset['token'])[2][2],
                                        eval_config)[0].endswith('channels=64')
        assert 'part_loss' not in masks.model and 'part_loss' not in boxmask.model
        assert [t.type for t in boxmask.train_dataloader.dataset.pipeline].count(
            'PaintPartBoxes') == 1
        assert boxinst.model.part_loss.type == 'BoxInstPartLoss'


def test_the_supervision_comparison_reuses_the_demo_mask_model(monkeypatch):
    demo = load_tool('tools/demo.py')
    token = demo.DATASETS['partimagenet']['token']
    _, _, clean, robust = demo.demo_models(token)[0]
    trained, tested = [], []

    def fake_train(config, work_root):
        trained.append((config, work_root))
        return f'{config}/best.pth'

    def fake_test(config, checkpoint, work_root, tag, options=()):
        tested.append((config, checkpoint, work_root, tag))
        return {'accuracy/top1': 90.0}

    monkeypatch.setattr(demo, 'train', fake_train)
    monkeypatch.setattr(demo, 'test', fake_test)
    monkeypatch.setattr(demo, 'model_facts', lambda config, root, stages: {
        'model/training_min': float(len(config))})
    monkeypatch.setattr(demo, 'decoder_options', lambda config, eval_config: [])
    rows = demo.compare_supervision(token, '/w')
    assert [label for label, _ in rows] == ['part masks', 'box pseudo-masks', 'BoxInst loss']
    # The default run's mask model: same config, same work root, so the same work dir.
    assert trained[0] == (clean, '/w') and len({config for config, _ in trained}) == 3
    assert {config for config, *_ in tested} == {robust}
    assert [checkpoint for _, checkpoint, _, _ in tested] == [
        f'{config}/best.pth' for config, _ in trained]
    # Test folders of their own: the default run's test_<name> results stay.
    assert {work_root for *_, work_root, _ in tested} == {osp.join('/w', 'supervision')}
    assert len({tag for *_, tag in tested}) == 3
    assert [metrics['model/training_min'] for _, metrics in rows] == [
        float(len(config)) for config, _ in trained]


def test_the_demo_table_and_results(tmp_path, capsys):
    demo = load_tool('tools/demo.py')
    rows = [('part masks', {'accuracy/top1': 98.484, 'accuracy/adv_top1': 0.3,
                            'part/mIoU': 16.15, 'model/params_M': 3.0412,
                            'model/training_min': 7.25}),
            ('BoxInst loss', {'accuracy/top1': 73.6})]
    path = str(tmp_path / 'supervision' / 'results.json')
    demo.report(('part supervision', ), rows, 'masks vs boxes', path)
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == '[demo] masks vs boxes'
    assert [cell.strip() for cell in lines[1].strip('|').split('|')] == [
        'part supervision', 'clean top-1 (%)', 'PGD-10 top-1 (%)', 'part mIoU (%)',
        'parameters (M)', 'training (min)']
    assert set(lines[2]) == {'|', '-'} and len({len(line) for line in lines[1:]}) == 1
    assert [cell.strip() for cell in lines[3].strip('|').split('|')] == [
        'part masks', '98.48', '0.30', '16.15', '3.04', '7.25']
    assert [cell.strip() for cell in lines[4].strip('|').split('|')] == [
        'BoxInst loss', '73.60', '-', '-', '-', '-']
    with open(path) as f:
        assert json.load(f) == [{'part supervision': label, 'metrics': metrics}
                                for label, metrics in rows]


def test_the_demo_options(monkeypatch, capsys):
    demo = load_tool('tools/demo.py')
    args = demo.parse_args(['--supervision'])
    assert args.supervision and not args.adversarial
    assert args.work_root == osp.join(REPO_ROOT, 'work_dirs', 'demo')
    assert demo.parse_args(['--robust']).adversarial
    with pytest.raises(SystemExit):
        demo.parse_args(['--supervision', '--robust'])
    assert 'clean-trained' in capsys.readouterr().err
    monkeypatch.setitem(demo.DATASETS, 'pascal_part',
                        dict(demo.DATASETS['pascal_part'], token='no-such-data-64'))
    with pytest.raises(SystemExit):
        demo.parse_args(['--supervision', '--dataset', 'pascal_part'])
    assert 'no-such-data-64.py, which does not exist' in capsys.readouterr().err


def test_the_demo_runs_each_seed_in_its_own_root_and_reports_mean_and_std(
        monkeypatch, tmp_path, capsys):
    demo = load_tool('tools/demo.py')
    calls = []

    def fake_train(config, work_root, load_from=None, seed=0):
        calls.append(('train', seed, work_root))
        return osp.join(work_root, 'best.pth')

    def fake_test(config, checkpoint, work_root, tag, seed=0):
        calls.append(('test', seed, work_root))
        return {'accuracy/top1': 90.0 + seed, 'accuracy/adv_top1': 40.0 - 2 * seed}

    def fake_facts(config, work_root, stages):
        return {'model/params_M': 3.04, 'model/training_min': 5.0 * len(stages)}

    monkeypatch.setattr(demo, 'train', fake_train)
    monkeypatch.setattr(demo, 'test', fake_test)
    monkeypatch.setattr(demo, 'model_facts', fake_facts)
    monkeypatch.setattr(demo, 'prepare_data', lambda *args: None)
    monkeypatch.setattr(demo, 'check_runs_match_data', lambda *args: None)
    monkeypatch.setattr(sys, 'argv', ['demo.py', '--adversarial', '--seeds', '3',
                                      '--work-root', str(tmp_path)])
    demo.main()
    roots = {seed: {root for _, s, root in calls if s == seed} for seed in range(3)}
    assert roots == {0: {str(tmp_path)}, 1: {str(tmp_path / 'seed1')},
                     2: {str(tmp_path / 'seed2')}}
    out = capsys.readouterr().out
    assert 'about 213 min' in out and 'seed 2 done (3/3)' in out
    assert demo.minutes_per_seed('robust', 110) == 71 + 30 + 110
    with open(tmp_path / 'results_3seeds.json') as f:
        first = json.load(f)[0]
    assert first['metrics']['accuracy/top1'] == {'mean': 91.0, 'std': 1.0,
                                                 'values': [90.0, 91.0, 92.0]}
    assert '91.00 ± 1.00' in out and '38.00 ± 2.00' in out
    # Parameters, and training time of every stage that led to the checkpoint.
    assert '3.04 ± 0.00' in out and '10.00 ± 0.00' in out
    assert osp.isfile(tmp_path / 'seed2' / 'results.json')
    # Both models score the same here: every comparison is within the error bars.
    comparison = (tmp_path / 'comparison_3seeds.md').read_text()
    assert comparison.count('within the error bars') == 4 and 'higher |' not in comparison


def test_a_study_spread_over_processes_runs_only_its_seeds_then_aggregates_them(
        monkeypatch, tmp_path, capsys):
    demo = load_tool('tools/demo.py')
    trained = []

    def fake_train(config, work_root, load_from=None, seed=0):
        trained.append(seed)
        return osp.join(work_root, 'best.pth')

    monkeypatch.setattr(demo, 'train', fake_train)
    monkeypatch.setattr(demo, 'test', lambda config, checkpoint, work_root, tag, seed=0: {
        'accuracy/top1': 90.0 + seed})
    monkeypatch.setattr(demo, 'model_facts', lambda *args: {})
    monkeypatch.setattr(demo, 'prepare_data', lambda *args: None)
    monkeypatch.setattr(demo, 'check_runs_match_data', lambda *args: None)
    study = ['demo.py', '--seeds', '3', '--work-root', str(tmp_path)]
    monkeypatch.setattr(sys, 'argv', study + ['--only-seeds', '2', '1'])
    demo.main()
    assert list(dict.fromkeys(trained)) == [2, 1]  # in the order given
    assert 'about 38 min' in capsys.readouterr().out
    assert not osp.exists(tmp_path / 'results_3seeds.json')
    monkeypatch.setattr(sys, 'argv', study)
    demo.main()
    with open(tmp_path / 'results_3seeds.json') as f:
        assert json.load(f)[0]['metrics']['accuracy/top1']['values'] == [90.0, 91.0, 92.0]
    with pytest.raises(SystemExit):
        demo.parse_args(['--seeds', '3', '--only-seeds', '3'])
    assert 'not all among the --seeds 3 seeds 0..2' in capsys.readouterr().err


def test_a_resumed_demo_reuses_a_finished_test_of_the_same_command_and_checkpoint(
        monkeypatch, tmp_path):
    demo = load_tool('tools/demo.py')
    checkpoint = tmp_path / 'best.pth'
    checkpoint.write_text('weights')
    runs = []

    def fake_run(step, command, hint=''):
        runs.append(command)
        out = command[command.index('--out') + 1]  # tools/test.py's file, a report folder
        metrics = out if out.endswith('.json') else osp.join(out, 'results.json')
        os.makedirs(osp.dirname(metrics), exist_ok=True)
        with open(metrics, 'w') as f:
            json.dump({'accuracy/top1': 99.0}, f)

    monkeypatch.setattr(demo, 'run', fake_run)
    for _ in range(2):
        assert demo.test('x/cfg', str(checkpoint), str(tmp_path), 'part') == {
            'accuracy/top1': 99.0}
    assert len(runs) == 1
    demo.test('x/cfg', str(checkpoint), str(tmp_path), 'part', seed=1)  # another command
    assert len(runs) == 2
    # Robust evaluations alike: another subset size is evaluated again, not reused.
    for samples in ('110', '110', '33'):
        demo.robust_test('x/cfg', str(checkpoint), str(tmp_path / 'aa'), 'part',
                         ['--attacks', 'aa', '--num-samples', samples])
    assert len(runs) == 4
    later = os.path.getmtime(tmp_path / 'test_part' / 'metrics.json') + 10
    os.utime(checkpoint, (later, later))  # retrained since the test
    demo.test('x/cfg', str(checkpoint), str(tmp_path), 'part', seed=1)
    assert len(runs) == 5


def test_the_study_says_where_the_part_model_beats_the_baseline_beyond_the_error_bars(
        tmp_path):
    demo = load_tool('tools/demo.py')
    models = demo.demo_models(demo.DATASETS['partimagenet']['token'])
    part, baseline = models[0][0], models[1][0]
    per_seed_rows = [[(part, 'clean + PGD-AT', {'accuracy/top1': 99.0 + seed,
                                                'accuracy/adv_top1': 60.0 + seed,
                                                'part/mIoU': 57.0, 'model/params_M': 3.6}),
                      (baseline, 'clean + PGD-AT', {'accuracy/top1': 99.5,
                                                    'accuracy/adv_top1': 40.0 + seed,
                                                    'model/params_M': 2.8})]
                     for seed in range(3)]
    header = ['run', 'clean', 'aa@eps8', 'part mIoU clean']
    robust_tables = [[header,
                      ['part-wbbox_pgd-at (110 images)', '98.0', f'{20 + 9 * seed}', '57.0'],
                      ['encoder_pgd-at (110 images)', '99.0', f'{30 + seed}', '–'],
                      ['encoder', '100.0', '0.0', '–']]
                     for seed in range(3)]
    table = demo.write_comparison(models, per_seed_rows, robust_tables,
                                  str(tmp_path / 'comparison.md'))
    rows = [[cell.strip() for cell in line.strip('|').split('|')]
            for line in table.splitlines()[2:]]
    assert rows == [
        ['clean + PGD-AT', 'clean top-1 (%)', '100.00 ± 1.00', '99.50 ± 0.00', '+0.50',
         '-0.5, +0.5, +1.5', 'within the error bars'],
        ['clean + PGD-AT', 'PGD-10 top-1 (%)', '61.00 ± 1.00', '41.00 ± 1.00', '+20.00',
         '+20.0, +20.0, +20.0', 'part model higher'],
        ['part-wbbox_pgd-at (110 images) vs encoder_pgd-at (110 images)', 'clean',
         '98.00 ± 0.00', '99.00 ± 0.00', '-1.00', '-1.0, -1.0, -1.0', 'baseline higher'],
        ['part-wbbox_pgd-at (110 images) vs encoder_pgd-at (110 images)', 'aa@eps8',
         '29.00 ± 9.00', '31.00 ± 1.00', '-2.00', '-10.0, -2.0, +6.0', 'within the error bars']]
    assert 'do not overlap' in (tmp_path / 'comparison.md').read_text()


def write_scalars(work_dir, seconds_per_iter: float, iters: int) -> None:
    """A scalars log of ``iters`` iterations logged every 10 at ``seconds_per_iter``."""
    os.makedirs(work_dir / '20261202_000000' / 'vis_data')
    with open(work_dir / '20261202_000000' / 'vis_data' / 'scalars.json', 'w') as f:
        for iteration in range(10, iters + 1, 10):
            f.write(json.dumps(dict(iter=iteration, time=seconds_per_iter, loss=1.0)) + '\n')


def test_the_demo_table_gives_parameters_and_training_time_of_each_model(tmp_path):
    demo = load_tool('tools/demo.py')
    part, baseline = demo.demo_models(demo.DATASETS['partimagenet']['token'])
    for label, _, clean, robust in (part, baseline):
        write_scalars(tmp_path / osp.basename(clean), 0.6, 120)
        write_scalars(tmp_path / osp.basename(robust), 3.0, 40)
    part_facts = demo.model_facts(part[3], str(tmp_path), [part[2], part[3]])
    baseline_facts = demo.model_facts(baseline[2], str(tmp_path), [baseline[2]])
    assert part_facts['model/training_min'] == pytest.approx((0.6 * 120 + 3.0 * 40) / 60)
    assert baseline_facts['model/training_min'] == pytest.approx(0.6 * 120 / 60)
    # The matched baseline is the part model's encoder: fewer parameters, same order.
    assert 2.5 < baseline_facts['model/params_M'] < part_facts['model/params_M'] < 4


def test_the_demo_refuses_a_work_root_trained_on_other_data(monkeypatch, tmp_path, capsys):
    demo = load_tool('tools/demo.py')
    dataset = demo.DATASETS['partimagenet']
    release = tmp_path / 'data' / dataset['release']
    release.mkdir(parents=True)
    manifest = release / f'partmm_manifest.{dataset["release"]}.json'

    def make_release(settings: dict) -> None:
        manifest.write_text(json.dumps(dict(producer=dataset['release'], settings=settings)))

    monkeypatch.setattr(demo, 'ROOT', str(tmp_path))
    work_root = tmp_path / 'work'
    work_root.mkdir()
    make_release(dict(seed=0, generator_version=2))
    demo.check_runs_match_data(str(work_root), dataset)  # first use: recorded
    (work_root / 'part-wbbox_run').mkdir()
    demo.check_runs_match_data(str(work_root), dataset)  # same data: the runs are reused
    make_release(dict(seed=0, generator_version=3))
    with pytest.raises(SystemExit, match='holds runs trained on .*generator_version.: 2.*'
                       'now holds .*generator_version.: 3'):
        demo.check_runs_match_data(str(work_root), dataset)
    # Runs without a record (an older demo's) are refused too.
    (work_root / demo.DATA_RECORD).unlink()
    with pytest.raises(SystemExit, match='holds runs but no data_settings.json'):
        demo.check_runs_match_data(str(work_root), dataset)


def test_seeded_runs_pass_the_seed_to_training_and_testing(monkeypatch):
    demo = load_tool('tools/demo.py')
    commands = []
    monkeypatch.setattr(demo, 'run', lambda step, command, hint='': commands.append(command))
    monkeypatch.setattr(demo, 'run_checkpoints', lambda work_dir: [])
    monkeypatch.setattr(demo.osp, 'isfile', lambda path: True)
    demo.train('part_wbbox/x', '/w', load_from='/c.pth', seed=2)
    demo.train('part_wbbox/x', '/w')
    assert commands[0][-3:] == ['--cfg-options', 'randomness.seed=2', 'load_from=/c.pth']
    assert '--cfg-options' not in commands[1]


def test_seed_tables_are_aggregated_cell_by_cell():
    tables = [[['run', 'clean', 'aa'], ['part', '98.0', '–']],
              [['run', 'clean', 'aa'], ['part', '96.0', '–']]]
    assert aggregate_tables(tables) == [['run', 'clean', 'aa'], ['part', '97.0 ± 1.4', '–']]
    with pytest.raises(ValueError, match='differ in row 1, column 0'):
        aggregate_tables([tables[0], [['run', 'clean', 'aa'], ['other', '1', '–']]])
    with pytest.raises(ValueError, match='tables differ'):
        aggregate_seeds([[('a', 'clean', {})], [('b', 'clean', {})]])


def test_a_checkpoint_is_tested_with_another_networks_config_only_up_to_decoder_sizes():
    demo = load_tool('tools/demo.py')
    token = demo.DATASETS['partimagenet']['token']
    eval_config = demo.demo_models(token)[0][3]
    assert demo.decoder_options(demo.demo_models(token)[0][2], eval_config) == []
    other_head = f'part_pooling/part-pooling-4_deeplabv3plus-r18w32-os8_1xb32-adamw-12e_{token}'
    with pytest.raises(ValueError, match='differ in more than the decoder sizes'):
        demo.decoder_options(other_head, eval_config)
