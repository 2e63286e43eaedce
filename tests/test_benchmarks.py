"""benchmarks/throughput.py and speed_paths.py: their numbers on tiny CPU runs, and the
throughput script's device peak table."""
import math
import os.path as osp

import pytest
import torch
from helpers import PART_WBBOX, REPO_ROOT, load_tool


def test_throughput_counts_the_passes_of_clean_and_pgd_training(capsys):
    throughput = load_tool('benchmarks/throughput.py')
    rows = throughput.main([
        '--configs', osp.join(REPO_ROOT, 'configs', PART_WBBOX), '--device', 'cpu',
        '--threads', '1', '--batch-size', '2', '--iters', '1', '--workloads', 'clean',
        'pgd10-at'])
    assert [row['workload'] for row in rows] == ['clean', 'pgd10-at']
    for row in rows:
        for key in ('images_per_s', 'peak_mib', 'flops_per_image', 'utilisation'):
            assert math.isfinite(row[key]) and row[key] > 0, (row['workload'], key, row[key])
    forward = rows[0]['forward_flops']
    # A training step is one forward + backward (3F); PGD-10 AT adds ten attack steps (2F).
    assert rows[0]['flops_per_image'] == pytest.approx(3 * forward)
    assert rows[1]['flops_per_image'] == pytest.approx(23 * forward)
    assert rows[1]['images_per_s'] < rows[0]['images_per_s']
    printed = capsys.readouterr().out
    assert 'pgd10-at' in printed and osp.basename(PART_WBBOX) in printed


@pytest.mark.parametrize('name, amp, expected', [
    ('NVIDIA H200', True, 989.4), ('NVIDIA H100 PCIe', True, 756.0),
    ('NVIDIA A100-SXM4-80GB', False, 156.0), ('Tesla T4', True, None)])
def test_gpu_peak_follows_the_device_name_and_precision(monkeypatch, name, amp, expected):
    throughput = load_tool('benchmarks/throughput.py')
    monkeypatch.setattr(torch.cuda, 'get_device_name', lambda *args: name)
    monkeypatch.setattr(torch.backends.cudnn, 'allow_tf32', True)
    peak, source = throughput.gpu_peak_tflops(amp)
    assert peak == expected
    assert name in source


def test_speed_paths_time_each_path_on_the_same_work(capsys):
    speed_paths = load_tool('benchmarks/speed_paths.py')
    rows = speed_paths.main(['--paths', 'eager', 'channels-last', '--workloads', 'clean',
                             'pgd100', '--batch-size', '2', '--iters', '1', '--rounds', '1'])
    assert [(row['workload'], row['path']) for row in rows] == [
        ('pgd100', 'eager'), ('pgd100', 'channels-last'), ('clean', 'eager'),
        ('clean', 'channels-last')]
    for row in rows:
        assert math.isfinite(row['images_per_s']) and row['images_per_s'] > 0
    assert [row['ratio'] for row in rows if row['path'] == 'eager'] == [1.0, 1.0]
    # The attack's outcome on the same images and seed does not depend on the path.
    assert rows[0]['robust'] == rows[1]['robust'] is not None
    assert 'channels-last' in capsys.readouterr().out
