"""Training loses no work and stays reproducible under faults: kills during a save, truncated
checkpoints, re-runs into a used work dir."""
import argparse
import hashlib
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys

import pytest
import torch
from helpers import PART_WBBOX, REPO_ROOT, RESNET18, data_root_options, load_tool, synthetic_cfg
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

from partmm.utils.checkpoint import find_resumable_checkpoint

CONFIG = f'configs/{PART_WBBOX}'
FAULT_INJECTION = osp.join(REPO_ROOT, 'tests', 'fault_injection.py')


def train_args(work_dir: str, data_root: str, max_epochs: int, *extra: str) -> list:
    """tools/train.py arguments: the synthetic part model, 6 iterations an epoch, validated
    every epoch (so each epoch's checkpoint is rewritten when it is a new best)."""
    options = data_root_options(data_root) + [
        'train_dataloader.batch_size=8', f'train_cfg.max_epochs={max_epochs}',
        'train_cfg.val_interval=1', 'default_hooks.logger.interval=1']
    return [CONFIG, '--work-dir', work_dir, *extra, '--cfg-options', *options]


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                          timeout=600, **kwargs)


def final_weights(work_dir: str, epoch: int) -> dict:
    return torch.load(osp.join(work_dir, f'epoch_{epoch}.pth'), map_location='cpu',
                      weights_only=False)['state_dict']


@pytest.fixture(scope='module')
def uninterrupted_run(synthetic_root, tmp_path_factory) -> str:
    """The work dir of a 3-epoch run that nothing interrupted."""
    work_dir = str(tmp_path_factory.mktemp('uninterrupted'))
    result = run([sys.executable, 'tools/train.py', *train_args(work_dir, synthetic_root, 3)])
    assert result.returncode == 0, result.stderr[-3000:]
    return work_dir


def test_kill_during_a_checkpoint_rewrite_resumes_to_the_same_weights(
        uninterrupted_run, synthetic_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    # epoch_1.pth is written after epoch 1, then rewritten after its validation (the first
    # best): kill in the middle of that rewrite, the in-place write that used to truncate it.
    killed = run([sys.executable, FAULT_INJECTION, 'epoch_1.pth', '2', 'tools/train.py',
                  *train_args(work_dir, synthetic_root, 3)])
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert not osp.isfile(osp.join(work_dir, 'epoch_2.pth'))
    for name in os.listdir(work_dir):  # every checkpoint left behind is whole
        if name.endswith('.pth'):
            torch.load(osp.join(work_dir, name), map_location='cpu', weights_only=False)

    resumed = run([sys.executable, 'tools/train.py',
                   *train_args(work_dir, synthetic_root, 3, '--resume')])
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert 'resumed epoch: 1' in resumed.stdout + resumed.stderr
    expected, actual = final_weights(uninterrupted_run, 3), final_weights(work_dir, 3)
    assert expected.keys() == actual.keys()
    for key, value in expected.items():
        assert torch.equal(value, actual[key]), f'{key} differs after resume'


def test_resume_skips_a_truncated_checkpoint(uninterrupted_run, synthetic_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    shutil.copytree(uninterrupted_run, work_dir)
    newest = osp.join(work_dir, 'epoch_3.pth')
    with open(newest, 'r+b') as f:
        f.truncate(os.path.getsize(newest) // 3)
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:  # the copy's own files
        f.write(newest)

    resumed = run([sys.executable, 'tools/train.py',
                   *train_args(work_dir, synthetic_root, 4, '--resume')])
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-3000:]
    assert f'--resume: skipped {newest}: it does not load' in output
    assert 'resumed epoch: 2' in output
    assert osp.isfile(osp.join(work_dir, 'epoch_4.pth'))


def test_find_resumable_checkpoint_takes_the_newest_that_loads(tmp_path):
    good = dict(state_dict=dict(weight=torch.zeros(2)), meta=dict(epoch=1, iter=6))
    torch.save(good, tmp_path / 'epoch_1.pth')
    torch.save(dict(good, meta=dict(epoch=2, iter=12)), tmp_path / 'epoch_2.pth')
    with open(tmp_path / 'epoch_2.pth', 'r+b') as f:
        f.truncate(20)
    torch.save(dict(state_dict={}), tmp_path / 'epoch_3.pth')  # no meta: not resumable
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_3.pth'))

    path, skipped = find_resumable_checkpoint(str(tmp_path))
    assert path == str(tmp_path / 'epoch_1.pth')
    assert [osp.basename(p) for p, _ in skipped] == ['epoch_3.pth', 'epoch_2.pth']
    assert 'epoch/iter' in skipped[0][1] and 'does not load' in skipped[1][1]
    assert find_resumable_checkpoint(str(tmp_path / 'empty')) == (None, [])


def prepare(work_dir: str, resume=None, overwrite: bool = False) -> Config:
    cfg = Config(dict(work_dir=work_dir))
    load_tool('tools/train.py').prepare_work_dir(
        cfg, argparse.Namespace(resume=resume, overwrite=overwrite))
    return cfg


def test_a_new_run_into_a_used_work_dir_is_refused_unless_overwrite(uninterrupted_run,
                                                                    tmp_path):
    work_dir = str(tmp_path / 'work')
    shutil.copytree(uninterrupted_run, work_dir, symlinks=True)
    before = {name: os.stat(osp.join(work_dir, name), follow_symlinks=False).st_mtime_ns
              for name in os.listdir(work_dir)}
    with pytest.raises(FileExistsError, match='holds checkpoints of an earlier run'):
        prepare(work_dir)
    assert before == {name: os.stat(osp.join(work_dir, name), follow_symlinks=False).st_mtime_ns
                      for name in os.listdir(work_dir)}

    prepare(work_dir, overwrite=True)
    left = os.listdir(work_dir)
    assert not [name for name in left if name.endswith('.pth') or name == 'last_checkpoint']
    assert any(osp.isdir(osp.join(work_dir, name)) for name in left)  # the logs stay


def test_resume_without_a_checkpoint_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match='no checkpoint to resume from'):
        prepare(str(tmp_path), resume='auto')
    with open(tmp_path / 'epoch_1.pth', 'wb') as f:
        f.write(b'not a checkpoint')
    with pytest.raises(FileNotFoundError, match=r'none of the 1 found loads'):
        prepare(str(tmp_path), resume='auto')
    cfg = prepare(str(tmp_path / 'fresh'))  # a new run into an empty folder is fine
    assert not cfg.get('resume')


class BatchRecorder(Hook):
    """Records a digest of every training batch's images, by epoch."""

    def __init__(self) -> None:
        self.batches = {}

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        digest = hashlib.sha256()
        for image in data_batch['inputs']:
            digest.update(image.numpy().tobytes())
        self.batches.setdefault(runner.epoch, []).append(digest.hexdigest())


def test_persistent_data_workers_repeat_their_augmentations_after_a_resume(
        configs_dir, synthetic_root, tmp_path):
    def train(work_dir: str, resume_from: str = None) -> dict:
        cfg = synthetic_cfg(configs_dir, RESNET18, synthetic_root,
                            work_dir, 3,
                            train_dataloader=dict(num_workers=2, persistent_workers=True))
        if resume_from:
            cfg.update(resume=True, load_from=resume_from)
        runner = Runner.from_cfg(cfg)
        recorder = BatchRecorder()
        runner.register_hook(recorder)
        runner.train()
        return recorder.batches

    first = train(str(tmp_path / 'first'))
    assert first[1] != first[2]  # random crops and flips differ from epoch to epoch
    resumed = train(str(tmp_path / 'resumed'), str(tmp_path / 'first' / 'epoch_2.pth'))
    assert resumed == {2: first[2]}
