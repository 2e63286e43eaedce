"""Shift sets: the generators write the released layouts and the loaders read them."""
import json
import os
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from PIL import Image

from partmm.datasets import (
    PartImageNetDataset,
    ShapeTextureDataset,
    SpuriousBackgroundDataset,
    partimagenet_meta,
)
from partmm.datasets.generators import (
    generate_shape_texture_set,
    generate_spurious_background_set,
)
from partmm.datasets.partimagenet_meta import synthetic_wnid, synthetic_wnid_class
from partmm.registry import DATASETS, METRICS

ANN_FILE = 'splits/paper/test.json'


SHIFT_BASES = ('synthetic-partimagenet-64.py', 'synthetic-partimagenet-shift.py')


@pytest.fixture(scope='module')
def shift_cfg(configs_dir, tmp_path_factory):
    """The shift-set base next to the synthetic dataset base, as a robust-evaluation config
    combines them."""
    bases = [osp.join(configs_dir, '_base_', 'datasets', name) for name in SHIFT_BASES]
    child = tmp_path_factory.mktemp('shift_cfg') / 'child.py'
    child.write_text(f'_base_ = {bases!r}\n')
    return Config.fromfile(str(child))


@pytest.fixture(scope='module')
def shift_root(synthetic_root, tmp_path_factory):
    """Both sets generated from the synthetic test split: (root, texture and spurious summary)."""
    root = str(tmp_path_factory.mktemp('shift_sets'))
    texture = generate_shape_texture_set(synthetic_root, root, ann_file=ANN_FILE, seed=0)
    spurious = generate_spurious_background_set(synthetic_root, root, ann_file=ANN_FILE, seed=0)
    return root, texture, spurious


@pytest.fixture(scope='module')
def sources(synthetic_root):
    """Stem -> entry of the source split list."""
    with open(osp.join(synthetic_root, ANN_FILE)) as f:
        data_list = json.load(f)['data_list']
    return {stem(entry['img_path']): entry for entry in data_list}


def stem(path):
    return osp.splitext(osp.basename(path))[0]


def rgb(path):
    with Image.open(path) as image:
        return np.asarray(image.convert('RGB')).astype(np.int64)


def part_map(path):
    with Image.open(path) as image:
        return np.asarray(image)


def build(shift_cfg, name, **overrides):
    """The shift set ``name`` of ``shift_cfg`` with the test pipeline, as RobustTestLoop
    builds it."""
    cfg = dict(shift_cfg.shift_datasets[name], pipeline=shift_cfg.test_pipeline)
    cfg.update(overrides)
    return DATASETS.build(cfg)


def files_under(root):
    """Relative path -> bytes of every file under ``root`` but the manifests (which name
    ``root``)."""
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            if name.startswith('partmm_manifest.'):
                continue
            with open(osp.join(folder, name), 'rb') as f:
                files[osp.relpath(osp.join(folder, name), root)] = f.read()
    return files


def donor_class(donor_path):
    return synthetic_wnid_class(stem(donor_path).split('_')[0])


def test_shape_texture_set_keeps_shape_labels_and_part_maps(shift_root, sources, shift_cfg,
                                                             synthetic_root):
    root, summary, _ = shift_root
    expected = {f'StyleJPEGImages/{e["wnid"]}/{s}.png' for s, e in sources.items()}
    assert set(summary['pairs']) == expected and summary['skipped'] == []
    assert {p for p in files_under(root) if p.startswith('StyleJPEGImages')} == expected
    for out_path, donor in summary['pairs'].items():
        assert donor_class(donor) != sources[stem(out_path)]['gt_label']

    dataset = build(shift_cfg, 'shape_texture', data_root=root)
    reference = PartImageNetDataset(ann_file=ANN_FILE, data_root=synthetic_root,
                                    pipeline=shift_cfg.test_pipeline)
    reference_index = {stem(reference.get_data_info(i)['img_path']): i
                       for i in range(len(reference))}
    assert len(dataset) == len(sources) == 11
    for key in ('classes', 'part_names', 'part_to_class'):
        assert tuple(dataset.metainfo[key]) == tuple(reference.metainfo[key])
    assert dataset.metainfo['with_part_maps'] is True
    for index in range(len(dataset)):
        name = stem(dataset.get_data_info(index)['img_path'])
        packed, expected_packed = dataset[index], reference[reference_index[name]]
        sample, expected_sample = packed['data_samples'], expected_packed['data_samples']
        assert int(sample.gt_label) == sources[name]['gt_label'] == int(expected_sample.gt_label)
        assert packed['inputs'].shape == expected_packed['inputs'].shape == (3, 64, 64)
        assert torch.equal(sample.gt_sem_seg.data, expected_sample.gt_sem_seg.data)


def test_shape_texture_changes_the_foreground_only(shift_root, sources, synthetic_root):
    root = shift_root[0]
    for name, entry in sources.items():
        parts = part_map(osp.join(synthetic_root, entry['seg_map_path']))
        np.testing.assert_array_equal(part_map(osp.join(root, 'part_maps', f'{name}.png')),
                                      parts)
        original = rgb(osp.join(synthetic_root, entry['img_path']))
        styled = rgb(osp.join(root, 'StyleJPEGImages', entry['wnid'], f'{name}.png'))
        fg = parts > 0
        np.testing.assert_array_equal(styled[~fg], original[~fg])
        assert np.abs(styled[fg] - original[fg]).mean() > 5, name


def test_spurious_set_pastes_foregrounds_on_other_backgrounds(shift_root, sources, shift_cfg,
                                                              synthetic_root):
    root, _, summary = shift_root
    expected = {f'spurious/test/{e["wnid"]}/{s}.png' for s, e in sources.items()}
    assert summary['split'] == 'test' and set(summary['pairs']) == expected
    assert {p for p in files_under(root) if p.startswith('spurious')} == expected
    background_change = []
    for out_path, donor in summary['pairs'].items():
        entry = sources[stem(out_path)]
        assert donor_class(donor) != entry['gt_label']
        fg = part_map(osp.join(synthetic_root, entry['seg_map_path'])) > 0
        original, mixed = rgb(osp.join(synthetic_root, entry['img_path'])), rgb(
            osp.join(root, out_path))
        np.testing.assert_array_equal(mixed[fg], original[fg])
        background_change.append(np.abs(mixed[~fg] - original[~fg]).mean())
    assert min(background_change) > 2 and np.mean(background_change) > 20

    dataset = build(shift_cfg, 'spurious_background', data_root=root)
    assert dataset.metainfo['with_part_maps'] is False
    assert dataset.metainfo['classes'] == partimagenet_meta.CLASSES
    assert sorted(dataset.get_gt_labels()) == sorted(e['gt_label'] for e in sources.values())
    metric = METRICS.build(dict(type='ClassAccuracy'))
    samples = []
    for index in range(len(dataset)):
        sample = dataset[index]['data_samples']
        name = stem(dataset.get_data_info(index)['img_path'])
        assert int(sample.gt_label) == sources[name]['gt_label']
        assert (sample.gt_sem_seg.data == 255).all()
        sample.pred_score = torch.nn.functional.one_hot(sample.gt_label[0], 11).float()
        samples.append(sample.to_dict())
    metric.process({}, samples)
    assert metric.compute_metrics(metric.results)['top1'] == 100.0


def test_generators_are_deterministic_by_seed(shift_root, synthetic_root, tmp_path):
    root, texture, spurious = shift_root
    reference = files_under(root)
    for seed, out in ((0, str(tmp_path / 'same')), (1, str(tmp_path / 'other'))):
        other_texture = generate_shape_texture_set(synthetic_root, out, ANN_FILE, seed=seed)
        other_spurious = generate_spurious_background_set(synthetic_root, out, ANN_FILE,
                                                          seed=seed)
        files = files_under(out)
        assert files.keys() == reference.keys()
        if seed == 0:
            assert files == reference
        else:
            assert other_texture['pairs'] != texture['pairs']
            assert other_spurious['pairs'] != spurious['pairs']
            assert any(files[p] != reference[p] for p in files if p.endswith('.png')
                       and not p.startswith('part_maps'))


def write_png(path, array):
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(np.asarray(array, dtype=np.uint8)).save(path)


def test_hand_made_release_layout(tmp_path, shift_cfg):
    """Real ImageNet wnids, a JSON table and a dict; stray files ignored; split filter."""
    rng = np.random.default_rng(0)
    fish, dog = 'n01440764', 'n02085620'
    fish_part = partimagenet_meta.part_label('Fish', 'Body')
    dog_part = partimagenet_meta.part_label('Quadruped', 'Head')
    for wnid, label in ((fish, fish_part), (dog, dog_part)):
        for n in range(2):
            write_png(tmp_path / 'StyleJPEGImages' / wnid / f'{wnid}_{n}.png',
                      rng.integers(0, 256, (40, 50, 3)))
            parts = np.zeros((40, 50))
            parts[10:30, 15:35] = label
            write_png(tmp_path / 'part_maps' / f'{wnid}_{n}.png', parts)
    (tmp_path / 'StyleJPEGImages' / fish / 'notes.txt').write_text('not an image')
    table = {fish: 'Fish', dog: partimagenet_meta.CLASSES.index('Quadruped')}
    dataset = build(shift_cfg, 'shape_texture', data_root=str(tmp_path),
                    wnid_to_class=table)
    assert list(dataset.get_gt_labels()) == [7, 7, 8, 8]
    for index, label in ((0, fish_part), (3, dog_part)):
        sample = dataset[index]['data_samples']
        assert dataset[index]['inputs'].shape == (3, 64, 64)
        assert set(sample.gt_sem_seg.data.unique().tolist()) == {0, label}
    without_maps = build(shift_cfg, 'shape_texture', data_root=str(tmp_path),
                         wnid_to_class=table, with_part_maps=False)
    assert (without_maps[0]['data_samples'].gt_sem_seg.data == 255).all()
    assert without_maps.metainfo['with_part_maps'] is False

    split_list = dict(data_list=[dict(img_path=f'images/test/{dog}_1.JPEG')])
    (tmp_path / 'split.json').write_text(json.dumps(split_list))
    filtered = ShapeTextureDataset(data_root=str(tmp_path), ann_file='split.json',
                                   wnid_to_class=table)
    assert [stem(filtered.get_data_info(i)['img_path'])
            for i in range(len(filtered))] == [f'{dog}_1']

    write_png(tmp_path / 'spurious' / 'val' / fish / 'fg_on_bg.png', np.zeros((30, 30, 3)))
    Image.fromarray(np.zeros((30, 20, 3), np.uint8)).save(
        tmp_path / 'spurious' / 'val' / fish / 'other.JPEG')
    write_png(tmp_path / 'spurious' / 'val' / dog / 'x.png', np.zeros((20, 30, 3)))
    (tmp_path / 'table.json').write_text(json.dumps(table))
    spurious = build(shift_cfg, 'spurious_background', data_root=str(tmp_path),
                     split='val', wnid_to_class=str(tmp_path / 'table.json'))
    assert list(spurious.get_gt_labels()) == [7, 7, 8]
    assert (spurious[2]['data_samples'].gt_sem_seg.data == 255).all()


def test_wnid_tables_from_a_converted_root_and_the_synthetic_rule(shift_root, sources,
                                                                    synthetic_root, tmp_path):
    dataset = SpuriousBackgroundDataset(data_root=shift_root[0], wnid_to_class=synthetic_root)
    labels = {stem(dataset.get_data_info(i)['img_path']): dataset.get_data_info(i)['gt_label']
              for i in range(len(dataset))}
    assert labels == {name: entry['gt_label'] for name, entry in sources.items()}
    wnid = synthetic_wnid(3, 1)
    write_png(tmp_path / 'spurious' / 'test' / wnid / f'{wnid}_0.png', np.zeros((8, 8, 3)))
    assert list(SpuriousBackgroundDataset(data_root=str(tmp_path)).get_gt_labels()) == [3]


def test_unknown_wnid_names_its_folder(tmp_path):
    folder = tmp_path / 'spurious' / 'test' / 'n01234567'
    write_png(folder / 'a.png', np.zeros((8, 8, 3)))
    with pytest.raises(ValueError, match=f'{folder}.*n01234567'):
        SpuriousBackgroundDataset(data_root=str(tmp_path))
    with pytest.raises(ValueError, match='n01234567'):
        SpuriousBackgroundDataset(data_root=str(tmp_path), wnid_to_class={'n01440764': 'Fish'})
    with pytest.raises(ValueError, match='Fishy'):
        SpuriousBackgroundDataset(data_root=str(tmp_path), wnid_to_class={'n01234567': 'Fishy'})


def test_missing_paths_are_named(tmp_path):
    for dataset_type in (ShapeTextureDataset, SpuriousBackgroundDataset):
        with pytest.raises(FileNotFoundError, match='nowhere'):
            dataset_type(data_root=str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match='StyleJPEGImages'):
        ShapeTextureDataset(data_root=str(tmp_path))
    with pytest.raises(FileNotFoundError, match='spurious/val'):
        SpuriousBackgroundDataset(data_root=str(tmp_path), split='val')
    with pytest.raises(FileNotFoundError, match='table.json'):
        SpuriousBackgroundDataset(data_root=str(tmp_path), wnid_to_class='table.json')
    wnid = synthetic_wnid(0, 0)
    write_png(tmp_path / 'StyleJPEGImages' / wnid / f'{wnid}_0.png', np.zeros((8, 8, 3)))
    with pytest.raises(FileNotFoundError, match=f'part_maps/{wnid}_0.png.*with_part_maps'):
        ShapeTextureDataset(data_root=str(tmp_path))
    for generate in (generate_shape_texture_set, generate_spurious_background_set):
        with pytest.raises(FileNotFoundError, match='nowhere'):
            generate(str(tmp_path / 'nowhere'), str(tmp_path / 'out'))
        with pytest.raises(FileNotFoundError, match='splits/paper/test.json'):
            generate(str(tmp_path), str(tmp_path / 'out'))


def test_empty_sets_are_errors(tmp_path):
    (tmp_path / 'StyleJPEGImages' / 'n01440764').mkdir(parents=True)
    with pytest.raises(ValueError, match='StyleJPEGImages holds no images'):
        ShapeTextureDataset(data_root=str(tmp_path))
    (tmp_path / 'spurious' / 'test').mkdir(parents=True)
    with pytest.raises(ValueError, match='spurious/test holds no images'):
        SpuriousBackgroundDataset(data_root=str(tmp_path))


def test_an_empty_source_split_is_an_error(tmp_path):
    (tmp_path / 'source' / 'splits' / 'paper').mkdir(parents=True)
    (tmp_path / 'source' / 'splits' / 'paper' / 'test.json').write_text(
        '{"metainfo": {}, "data_list": []}')
    for generate in (generate_shape_texture_set, generate_spurious_background_set):
        with pytest.raises(ValueError, match='split list .*test.json is empty'):
            generate(str(tmp_path / 'source'), str(tmp_path / 'out'), 'splits/paper/test.json')
        assert not (tmp_path / 'out').exists()


def test_generators_need_another_class(synthetic_root, tmp_path):
    with pytest.raises(ValueError, match='no usable image of another class'):
        generate_spurious_background_set(synthetic_root, str(tmp_path), ANN_FILE,
                                         classes=['Fish'])
    with pytest.raises(ValueError, match='unknown classes'):
        generate_spurious_background_set(synthetic_root, str(tmp_path), ANN_FILE,
                                         classes=['Fishy'])


def test_config_is_a_compatible_second_base(shift_cfg):
    assert shift_cfg.test_dataloader.dataset.type == 'PartImageNetDataset'
    assert set(shift_cfg.shift_datasets) == {'shape_texture', 'spurious_background'}
    assert DATASETS.get(shift_cfg.shape_texture_dataset.type) is ShapeTextureDataset
    assert DATASETS.get(shift_cfg.spurious_background_dataset.type) is SpuriousBackgroundDataset
    # No pipeline of their own: each set is read with the evaluated config's test pipeline.
    assert all('pipeline' not in dataset for dataset in shift_cfg.shift_datasets.values())
