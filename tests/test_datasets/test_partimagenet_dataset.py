"""PartImageNetDataset: metainfo, samples, semi-supervision and errors on bad input."""
import json
import os.path as osp
import re

import numpy as np
import pytest
from PIL import Image

from partmm.datasets import (
    PartImageNetDataset,
    SpuriousBackgroundDataset,
    checked_dataset,
    partimagenet_meta,
)
from partmm.datasets.checked_dataset import CheckedDataset
from partmm.datasets.partimagenet_meta import synthetic_wnid

LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadPartAnnotations')]


def test_metainfo_and_samples(synthetic_root):
    dataset = PartImageNetDataset(ann_file='splits/paper/train.json', data_root=synthetic_root,
                                  pipeline=LOAD)
    assert dataset.metainfo['classes'] == partimagenet_meta.CLASSES
    assert len(dataset.metainfo['part_names']) == 41
    assert set(dataset.get_gt_labels()) == set(range(11))
    results = dataset[0]
    assert results['gt_seg_map'].shape == results['img'].shape[:2]
    labels = set(np.unique(results['gt_seg_map'])) - {0}
    own_class = results['gt_label']
    assert all(partimagenet_meta.PART_TO_CLASS_INDEX[label] == own_class for label in labels)


def test_part_label_fraction_withholds_a_fixed_subset(synthetic_root):
    def labelled(fraction, seed=0):
        dataset = PartImageNetDataset(ann_file='splits/paper/train.json',
                                      data_root=synthetic_root, pipeline=LOAD,
                                      part_label_fraction=fraction, part_label_seed=seed)
        return dataset, [dataset.get_data_info(i)['seg_map_path'] is not None
                         for i in range(len(dataset))]

    dataset, mask = labelled(0.5)
    assert sum(mask) == round(0.5 * len(dataset))
    assert labelled(0.5)[1] == mask
    assert labelled(0.5, seed=1)[1] != mask
    unlabelled = mask.index(False)
    results = dataset[unlabelled]
    assert (results['gt_seg_map'] == 255).all()
    assert len(results['gt_bboxes']) == 0
    assert results['gt_label'] == dataset.get_data_info(unlabelled)['gt_label']


def test_missing_data_root_is_named(tmp_path):
    missing = str(tmp_path / 'nowhere')
    with pytest.raises(FileNotFoundError, match='nowhere'):
        PartImageNetDataset(ann_file='splits/paper/train.json', data_root=missing)


def test_missing_split_file_is_named(synthetic_root):
    with pytest.raises(FileNotFoundError, match='splits/paper/nope.json'):
        PartImageNetDataset(ann_file='splits/paper/nope.json', data_root=synthetic_root)


@pytest.fixture
def edited_split(synthetic_root, tmp_path):
    """Copy of the val split that a test may edit; returns (data_root, ann_file, content)."""
    with open(osp.join(synthetic_root, 'splits', 'paper', 'val.json')) as f:
        content = json.load(f)
    for entry in content['data_list']:
        for key in ('img_path', 'seg_map_path'):
            entry[key] = osp.join(synthetic_root, entry[key])
    ann_file = str(tmp_path / 'split.json')
    return str(tmp_path), ann_file, content


def write(path, content):
    with open(path, 'w') as f:
        json.dump(content, f)


def test_split_with_other_classes_is_rejected(edited_split):
    data_root, ann_file, content = edited_split
    content['metainfo']['classes'] = content['metainfo']['classes'][:10]
    write(ann_file, content)
    with pytest.raises(ValueError, match=r'metainfo\["classes"\].*split.json'):
        PartImageNetDataset(ann_file=ann_file, data_root=data_root)


def test_part_label_outside_range_is_named(edited_split):
    data_root, ann_file, content = edited_split
    content['data_list'][0]['part_labels'][0] = 41
    write(ann_file, content)
    with pytest.raises(ValueError, match='part label 41'):
        PartImageNetDataset(ann_file=ann_file, data_root=data_root)


def test_part_map_value_outside_range_is_named(edited_split, tmp_path):
    data_root, ann_file, content = edited_split
    entry = content['data_list'][0]
    bad_map = str(tmp_path / 'bad.png')
    part_map = np.array(Image.open(entry['seg_map_path']))
    part_map[0, 0] = 41
    Image.fromarray(part_map).save(bad_map)
    entry['seg_map_path'] = bad_map
    write(ann_file, content)
    dataset = PartImageNetDataset(ann_file=ann_file, data_root=data_root, pipeline=LOAD)
    with pytest.raises(ValueError, match='bad.png contains label 41'):
        dataset[0]


def test_missing_files_are_found_when_the_dataset_is_built(edited_split, tmp_path):
    data_root, ann_file, content = edited_split
    content['data_list'][0]['img_path'] = str(tmp_path / 'gone.JPEG')
    content['data_list'][1]['seg_map_path'] = str(tmp_path / 'gone.png')
    write(ann_file, content)
    total = 2 * len(content['data_list'])
    with pytest.raises(FileNotFoundError,
                       match=rf'split.json: 2 of the {total} files it needs are missing on disk, '
                       'e.g. .*gone.JPEG, .*gone.png'):
        PartImageNetDataset(ann_file=ann_file, data_root=data_root, pipeline=LOAD)
    # Withheld part maps are not needed, so they are not checked.
    content['data_list'][0]['img_path'] = content['data_list'][2]['img_path']
    write(ann_file, content)
    dataset = PartImageNetDataset(ann_file=ann_file, data_root=data_root,
                                  part_label_fraction=0.0)
    assert dataset.get_data_info(1)['seg_map_path'] is None


def test_missing_files_are_found_at_full_init_with_lazy_init(edited_split, tmp_path):
    data_root, ann_file, content = edited_split
    content['data_list'][0]['img_path'] = str(tmp_path / 'gone.JPEG')
    write(ann_file, content)
    dataset = PartImageNetDataset(ann_file=ann_file, data_root=data_root, lazy_init=True)
    with pytest.raises(FileNotFoundError, match='gone.JPEG'):
        dataset.full_init()


def test_many_missing_files_are_counted_with_threads(monkeypatch, tmp_path):
    monkeypatch.setattr(checked_dataset, 'PARALLEL_CHECK_MIN_PATHS', 3)
    present = [str(tmp_path / f'{i}.png') for i in range(4)]
    for path in present:
        open(path, 'w').close()
    CheckedDataset.check_files_exist(present, 'list.json')
    missing = [str(tmp_path / f'gone{i}.png') for i in range(7)]
    with pytest.raises(FileNotFoundError, match=r'list.json: 7 of the 11 files .*gone0.png, '
                       r'.*gone4.png \(and 2 more\)\. Try again'):
        CheckedDataset.check_files_exist(present + missing, 'list.json', hint='Try again')


def test_empty_split_is_named(edited_split):
    data_root, ann_file, content = edited_split
    content['data_list'] = []
    write(ann_file, content)
    with pytest.raises(ValueError, match=r'split list .*split.json is empty'):
        PartImageNetDataset(ann_file=ann_file, data_root=data_root)


@pytest.mark.parametrize('indices', [0, []])
def test_indices_selecting_nothing_are_named(synthetic_root, tmp_path, indices):
    selected = re.escape(f'indices={indices!r} select none of the')
    with pytest.raises(ValueError, match=rf'{selected} \d+ samples of .*splits/paper/val.json'):
        PartImageNetDataset(ann_file='splits/paper/val.json', data_root=synthetic_root,
                            indices=indices)
    folder = tmp_path / 'spurious' / 'test' / synthetic_wnid(0, 0)
    folder.mkdir(parents=True)
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(folder / 'a.png')
    with pytest.raises(ValueError, match=f'{selected} 1 samples of {tmp_path}'):
        SpuriousBackgroundDataset(data_root=str(tmp_path), indices=indices)
