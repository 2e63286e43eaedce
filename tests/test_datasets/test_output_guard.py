"""Generators and converters refuse outputs that are not theirs and never leave half of one."""
import hashlib
import json
import multiprocessing
import os
import os.path as osp
import signal
import time

import pytest

from partmm.datasets import output_guard
from partmm.datasets.converters import convert_partimagenet
from partmm.datasets.converters import partimagenet as converter
from partmm.datasets.generators import (
    generate_shape_texture_set,
    generate_spurious_background_set,
    generate_synthetic_partimagenet,
)
from partmm.datasets.output_guard import OutputExistsError

GENERATOR = dict(num_images=66, image_size=32)  # 6 per class: 1 in each paper val, test
SPLITS = ('train', 'val', 'test')


def snapshot(folder):
    """Relative path -> (content hash, mtime) of every file under ``folder``."""
    files = {}
    for parent, _, names in os.walk(folder):
        for name in names:
            path = osp.join(parent, name)
            with open(path, 'rb') as f:
                files[osp.relpath(path, folder)] = (hashlib.sha256(f.read()).hexdigest(),
                                                    os.stat(path).st_mtime_ns)
    return files


def staging_dirs(parent):
    return [name for name in os.listdir(parent) if name.startswith('.partmm-staging-')]


def paper_test_list(root):
    with open(osp.join(root, 'splits', 'paper', 'test.json')) as f:
        return [entry['img_path'] for entry in json.load(f)['data_list']]


@pytest.fixture
def converted(tmp_path):
    """A small release converted in place with seed 0: (root, snapshot)."""
    root = str(tmp_path / 'release')
    generate_synthetic_partimagenet(root, seed=0, **GENERATOR)
    convert_partimagenet(root, seed=0)
    return root, snapshot(root)


def test_generator_refuses_a_release_of_other_settings(converted):
    root, before = converted
    with pytest.raises(OutputExistsError, match=rf'{root}: made by synthetic_partimagenet with '
                       r'seed 0 \(you asked for 1\).*--overwrite'):
        generate_synthetic_partimagenet(root, seed=1, **GENERATOR)
    assert snapshot(root) == before


def test_generator_overwrite_replaces_the_whole_folder(converted):
    root, before = converted
    summary = generate_synthetic_partimagenet(root, seed=1, overwrite=True, **GENERATOR)
    assert not summary['reused']
    # The converter's part maps and splits described the old images: they are gone with them.
    assert sorted(os.listdir(root)) == [
        'annotations', 'images', 'partmm_manifest.synthetic_partimagenet.json']
    after = snapshot(root)
    assert after.keys() < before.keys()
    assert all(after[p][0] != before[p][0] for p in after if p.endswith('.JPEG'))
    assert not staging_dirs(osp.dirname(root))


def test_generator_keeps_the_release_of_the_same_settings(converted):
    root, before = converted
    summary = generate_synthetic_partimagenet(root, seed=0, **GENERATOR)
    assert summary['reused'] and summary['num_images'] == GENERATOR['num_images']
    assert snapshot(root) == before  # the converter's outputs stay too


def test_generator_refuses_a_folder_of_unknown_origin(tmp_path):
    (tmp_path / 'notes.txt').write_text('mine')
    with pytest.raises(OutputExistsError, match=r'notes\.txt but no manifest of '
                       'synthetic_partimagenet'):
        generate_synthetic_partimagenet(str(tmp_path), **GENERATOR)
    assert os.listdir(tmp_path) == ['notes.txt']


def test_killed_generator_leaves_the_previous_release(converted):
    root, before = converted
    parent = osp.dirname(root)
    # A forked child is a real process (killed without cleanup) that needs no imports.
    child = multiprocessing.get_context('fork').Process(
        target=generate_synthetic_partimagenet, args=(root, ),
        kwargs=dict(num_images=660, image_size=72, seed=1, overwrite=True))
    child.start()
    deadline = time.time() + 60
    while time.time() < deadline and child.is_alive():
        written = [f for s in staging_dirs(parent)
                   for _, _, files in os.walk(osp.join(parent, s)) for f in files]
        if len(written) >= 20:
            break
        time.sleep(0.005)
    os.kill(child.pid, signal.SIGKILL)
    child.join()
    assert child.exitcode == -signal.SIGKILL, 'the generator finished before it was killed'
    assert snapshot(root) == before
    assert len(staging_dirs(parent)) == 1  # hidden beside the release, never in its place
    # The next run recognises the leftover of a dead process and removes it.
    assert generate_synthetic_partimagenet(root, seed=0, **GENERATOR)['reused']
    assert not staging_dirs(parent)


def test_converter_refuses_another_seed_and_overwrite_resplits(converted):
    root, before = converted
    with pytest.raises(OutputExistsError, match=r'part_maps, splits in .*: made by partimagenet '
                       r'with seed 0 \(you asked for 1\)\. Re-splitting would move images of '
                       'the old paper test split into training'):
        convert_partimagenet(root, seed=1)
    assert snapshot(root) == before
    old_test = paper_test_list(root)
    summary = convert_partimagenet(root, seed=1, overwrite=True)
    assert not summary['reused'] and paper_test_list(root) != old_test
    assert output_guard.read_manifest(root, 'partimagenet')['settings']['seed'] == 1
    assert convert_partimagenet(root, seed=1)['reused']


def test_converter_refuses_splits_of_a_changed_release(converted, tmp_path):
    root, _ = converted
    out_dir = str(tmp_path / 'converted')
    convert_partimagenet(root, out_dir=out_dir)
    before = snapshot(out_dir)
    json_path = osp.join(root, 'annotations', 'val', 'val.json')
    with open(json_path) as f:
        coco = json.load(f)
    coco['images'] = coco['images'][1:]
    with open(json_path, 'w') as f:
        json.dump(coco, f)
    with pytest.raises(OutputExistsError, match=r'split_json_sha256\.val'):
        convert_partimagenet(root, out_dir=out_dir)
    assert snapshot(out_dir) == before


def test_converter_failing_half_way_leaves_the_previous_output(converted, monkeypatch):
    root, before = converted
    written = []

    def write_then_fail(task):
        if len(written) == 10:
            raise RuntimeError('disk full')
        written.append(task)
        real_write(task)

    real_write = converter._write_part_map
    monkeypatch.setattr(converter, '_write_part_map', write_then_fail)
    with pytest.raises(RuntimeError, match='disk full'):
        convert_partimagenet(root, seed=1, overwrite=True)
    assert len(written) == 10
    assert snapshot(root) == before
    assert not staging_dirs(root)


def test_interrupted_swap_is_refused_on_the_next_run(converted, monkeypatch):
    root, _ = converted
    real_swap = output_guard._swap_in

    def swap_part_maps_only(parent, staging, name):
        if name == 'splits':
            raise KeyboardInterrupt
        real_swap(parent, staging, name)

    monkeypatch.setattr(output_guard, '_swap_in', swap_part_maps_only)
    with pytest.raises(KeyboardInterrupt):
        convert_partimagenet(root, seed=1, overwrite=True)
    monkeypatch.undo()
    # New part maps next to old splits: without the manifest, nothing vouches for them.
    assert output_guard.read_manifest(root, 'partimagenet') is None
    with pytest.raises(OutputExistsError, match='no manifest of partimagenet.*interrupted'):
        convert_partimagenet(root, seed=0)
    assert not convert_partimagenet(root, seed=0, overwrite=True)['reused']
    assert convert_partimagenet(root, seed=0)['reused']


def test_entry_moved_aside_by_a_killed_run_is_moved_back(converted):
    root, before = converted
    dead = multiprocessing.get_context('fork').Process(target=int)
    dead.start()
    dead.join()
    # What a run killed between the two renames of part_maps leaves behind.
    staging = osp.join(root, f'.partmm-staging-partimagenet-{dead.pid}-0123abcd@'
                       f'{output_guard.socket.gethostname()}')
    os.makedirs(osp.join(staging, 'old'))
    with open(osp.join(staging, 'entries.json'), 'w') as f:
        json.dump(['part_maps', 'splits'], f)
    os.rename(osp.join(root, 'part_maps'), osp.join(staging, 'old', 'part_maps'))
    assert convert_partimagenet(root, seed=0)['reused']
    assert snapshot(root) == before


def test_shift_sets_refuse_other_settings(converted, tmp_path):
    root, _ = converted
    out = str(tmp_path / 'shift')
    generate_shape_texture_set(root, out, seed=0)
    generate_spurious_background_set(root, out, seed=0)
    before = snapshot(out)
    for generate in (generate_shape_texture_set, generate_spurious_background_set):
        with pytest.raises(OutputExistsError, match=r'seed 0 \(you asked for 1\)'):
            generate(root, out, seed=1)
        assert snapshot(out) == before
        assert generate(root, out, seed=0)['reused']
    summary = generate_spurious_background_set(root, out, seed=1, overwrite=True)
    assert not summary['reused']
    after = snapshot(out)
    assert {p: after[p] for p in after if p.startswith(('StyleJPEGImages', 'part_maps'))} == {
        p: before[p] for p in before if p.startswith(('StyleJPEGImages', 'part_maps'))}
    with open(osp.join(out, 'meta.json')) as f:
        meta = json.load(f)
    assert meta['spurious_background']['test']['seed'] == 1
    assert meta['shape_texture']['splits/paper/test.json']['seed'] == 0


def test_shift_sets_refuse_a_changed_source(converted, tmp_path):
    root, _ = converted
    out = str(tmp_path / 'shift')
    generate_spurious_background_set(root, out, seed=0)
    convert_partimagenet(root, seed=1, overwrite=True)
    with pytest.raises(OutputExistsError, match='source_sha256'):
        generate_spurious_background_set(root, out, seed=0)
