"""Two CPU processes (gloo) train through tools/dist_train.sh, survive a kill and resume."""
import os
import os.path as osp
import re
import signal
import subprocess
import sys
import time

from helpers import PART_WBBOX, PART_WBBOX_PGD, REPO_ROOT, data_root_options, free_port


def test_two_process_cpu_training_is_killed_then_resumes(synthetic_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    options = data_root_options(synthetic_root)
    options += ['train_dataloader.batch_size=4', 'train_cfg.max_epochs=6',
                'train_cfg.val_interval=6']
    command = ['bash', 'tools/dist_train.sh', f'configs/{PART_WBBOX}', '2',
               '--work-dir', work_dir, '--cfg-options', *options]
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1')

    with open(tmp_path / 'first.log', 'w') as log:
        first = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log,
                                 stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 300
        while not osp.isfile(osp.join(work_dir, 'epoch_1.pth')):
            assert first.poll() is None, (tmp_path / 'first.log').read_text()[-3000:]
            assert time.time() < deadline, 'no checkpoint within 300 s'
            time.sleep(0.2)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    first_log = (tmp_path / 'first.log').read_text()
    assert 'Distributed training: True' in first_log
    assert not osp.isfile(osp.join(work_dir, 'epoch_6.pth'))

    env['PORT'] = str(free_port())
    resumed = subprocess.run(command + ['--resume'], cwd=REPO_ROOT, env=env,
                             capture_output=True, text=True, timeout=600)
    output = resumed.stdout + resumed.stderr
    assert resumed.returncode == 0, output[-3000:]
    match = re.search(r'resumed epoch: (\d+)', output)
    assert match and int(match.group(1)) >= 1, output[-3000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_6.pth'))


def test_two_process_cpu_adversarial_training_runs_and_resumes(synthetic_root, tmp_path):
    work_dir = str(tmp_path / 'work')
    options = data_root_options(synthetic_root)
    options += ['load_from=None', 'train_dataloader.batch_size=4', 'val_dataloader.batch_size=4',
                'custom_hooks.0.attack.steps=1', 'custom_hooks.0.val_attack.steps=1']
    command = ['bash', 'tools/dist_train.sh', f'configs/{PART_WBBOX_PGD}', '2',
               '--work-dir', work_dir, '--cfg-options', *options]
    env = dict(os.environ, PYTHON=sys.executable, OMP_NUM_THREADS='1')

    outputs = []
    for max_epochs, extra in ((1, []), (2, ['--resume'])):
        env['PORT'] = str(free_port())
        run = subprocess.run(command + [f'train_cfg.max_epochs={max_epochs}'] + extra,
                             cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=600)
        outputs.append(run.stdout + run.stderr)
        assert run.returncode == 0, outputs[-1][-3000:]
    assert 'Distributed training: True' in outputs[0]
    assert re.search(r'accuracy/adv_top1: [\d.]+', outputs[0]), outputs[0][-3000:]
    assert 'resumed epoch: 1' in outputs[1], outputs[1][-3000:]
    assert osp.isfile(osp.join(work_dir, 'epoch_2.pth'))


def worker_pids(parent: int) -> list:
    """PIDs of the live processes whose parent is ``parent`` (read from /proc)."""
    pids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == parent and fields[0] != 'Z':
            pids.append(int(entry))
    return pids


def alive(pid: int) -> bool:
    try:
        with open(f'/proc/{pid}/stat') as f:
            return f.read().rsplit(')', 1)[1].split()[0] != 'Z'
    except OSError:
        return False


def test_workers_die_with_a_killed_torchrun(synthetic_root, tmp_path):
    options = data_root_options(synthetic_root)
    command = ['bash', 'tools/dist_train.sh', f'configs/{PART_WBBOX}', '2',
               '--work-dir', str(tmp_path / 'work'), '--cfg-options', *options,
               'train_dataloader.batch_size=4', 'train_cfg.max_epochs=100',
               'default_hooks.logger.interval=1']
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()), OMP_NUM_THREADS='1')
    log_path = tmp_path / 'train.log'
    workers = []
    with open(log_path, 'w') as log:
        launcher = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.time() + 300
            while 'Epoch(train)' not in log_path.read_text():  # both workers train
                assert launcher.poll() is None, log_path.read_text()[-3000:]
                assert time.time() < deadline, 'no training iteration within 300 s'
                time.sleep(0.2)
            workers = worker_pids(launcher.pid)  # the shell scripts exec torchrun
            assert len(workers) == 2, workers
            os.kill(launcher.pid, signal.SIGKILL)
            launcher.wait()
            deadline = time.time() + 30
            while any(alive(pid) for pid in workers) and time.time() < deadline:
                time.sleep(0.2)
            assert not [pid for pid in workers if alive(pid)], 'workers outlived torchrun'
        finally:
            for pid in [launcher.pid] + workers:
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)


FAKE_SRUN = r'''#!/usr/bin/env bash
# A stand-in for Slurm's srun on one machine: start --ntasks copies of the command with the
# variables a Slurm task gets, wait for all.
ntasks=1
while [[ "$1" == -* ]]; do
    case "$1" in --ntasks=*) ntasks=${1#*=} ;; esac
    shift
done
pids=()
for ((task = 0; task < ntasks; task++)); do
    SLURM_PROCID=$task SLURM_LOCALID=$task SLURM_NTASKS=$ntasks SLURM_NTASKS_PER_NODE=$ntasks \
        SLURM_NODELIST=localhost "$@" &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
exit $status
'''


def test_slurm_scripts_train_and_test_on_two_tasks(synthetic_root, tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    (bin_dir / 'srun').write_text(FAKE_SRUN)
    (bin_dir / 'scontrol').write_text('#!/usr/bin/env bash\necho 127.0.0.1\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    env = dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}', PYTHON=sys.executable,
               GPUS='2', GPUS_PER_NODE='2', OMP_NUM_THREADS='1')
    work_dir = str(tmp_path / 'work')
    options = data_root_options(synthetic_root)
    commands = [
        ['bash', 'tools/slurm_train.sh', 'debug', 'partmm-test', f'configs/{PART_WBBOX}',
         '--work-dir', work_dir, '--cfg-options', *options, 'train_dataloader.batch_size=4',
         'train_cfg.max_epochs=1'],
        ['bash', 'tools/slurm_test.sh', 'debug', 'partmm-test', f'configs/{PART_WBBOX}',
         osp.join(work_dir, 'epoch_1.pth'), '--work-dir', work_dir, '--cfg-options', *options],
    ]
    for command in commands:
        env['MASTER_PORT'] = str(free_port())
        result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                                timeout=600)
        output = result.stdout + result.stderr
        assert result.returncode == 0, output[-3000:]
        assert 'Distributed launcher: slurm' in output and 'Distributed training: True' in output
    assert re.search(r'Epoch\(test\).*accuracy/top1: [\d.]+', output), output[-3000:]
