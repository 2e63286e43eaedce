"""The CPU allocator setting of CPU runs: applied by setup_runtime, unless the config says no."""
import os
import platform
import subprocess
import sys

import pytest
from helpers import REPO_ROOT
from mmengine.config import Config

import partmm.utils.set_env as set_env


@pytest.mark.skipif(platform.libc_ver()[0] != 'glibc', reason='glibc malloc only')
def test_glibc_keeps_freed_buffers_and_training_memory_still_works():
    # In a fresh process, so that this one keeps its allocator as it was.
    code = ('import torch\n'
            'from partmm.utils import keep_freed_cpu_buffers\n'
            'assert keep_freed_cpu_buffers()\n'
            'for _ in range(3):\n'
            '    x = torch.ones(64, 1024, 1024)\n'
            '    assert x.sum().item() == 64 * 1024 * 1024\n'
            '    del x\n')
    env = dict(os.environ, PYTHONPATH=REPO_ROOT)
    subprocess.run([sys.executable, '-c', code], check=True, cwd=REPO_ROOT, env=env)


@pytest.mark.parametrize('env_cfg, applied', [({}, True), (dict(keep_freed_cpu_buffers=False),
                                                            False)])
def test_setup_runtime_keeps_freed_buffers_on_cpu(monkeypatch, env_cfg, applied):
    calls = []
    monkeypatch.setattr(set_env, 'keep_freed_cpu_buffers', lambda: calls.append(1) or True)
    monkeypatch.setattr(set_env, 'configure_cpu_threads', lambda num_threads=None: 1)
    monkeypatch.setattr(set_env.torch.cuda, 'is_available', lambda: False)
    set_env.setup_runtime(Config(dict(env_cfg=env_cfg)), 'none')
    assert bool(calls) == applied
