"""tools/robust_test.py end to end: the report, and 2 CPU processes = 1 process."""
import glob
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image
from test_distributed import free_port
from torch.nn.modules.batchnorm import _BatchNorm

from partmm.datasets.generators import generate_shape_texture_set, generate_spurious_background_set
from partmm.registry import MODELS

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = 'configs/part_wbbox_synthetic.py'


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
    base = osp.join(REPO_ROOT, 'configs/_base_/datasets/synthetic_shift_sets.py')
    with open(path, 'w') as f:
        f.write(f'_base_ = [{base!r}]\n'
                f'shift_datasets = dict(shape_texture=dict(data_root={out!r}), '
                f'spurious_background=dict(data_root={out!r}))\n')
    return path


def robust_test(synthetic_root, checkpoint, out_dir, processes=1, extra=()):
    options = [f'test_dataloader.dataset.data_root={synthetic_root}',
               'test_dataloader.batch_size=1']
    arguments = [CONFIG, checkpoint]
    if processes == 1:
        command = [sys.executable, 'tools/robust_test.py', *arguments]
    else:
        command = ['bash', 'tools/dist_robust_test.sh', *arguments, str(processes)]
    command += ['--attacks', 'pgd20', '--eps', '0,8', '--corruptions', 'gaussian_noise',
                '--severities', '2', '--num-overlays', '2', '--num-samples', '8', '--out',
                out_dir, '--work-dir', osp.join(out_dir, 'work'), '--cfg-options', *options, *extra]
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1')
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
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
    assert all(record['ok'] for record in run['sanity'])
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
