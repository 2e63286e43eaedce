"""tools/misc/print_config.py and tools/analysis_tools/analyze_logs.py on the synthetic data."""
import os.path as osp
import subprocess
import sys
import time

import mmcv
import pytest
from helpers import PART_WBBOX, PART_WBBOX_SEMI50, REPO_ROOT, RESNET18, data_root_options, load_tool
from mmengine.config import Config

from partmm.utils import load_config


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
    assert len(tool.scalar_files(resumed_work_dir)) == 2
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
