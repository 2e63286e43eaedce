"""PartImageNet converter on small synthetic releases: part maps, splits, layouts, errors."""
import json
import logging
import os
import os.path as osp

import numpy as np
import pytest
from PIL import Image
from pycocotools import mask as mask_utils

from partmm.datasets import partimagenet_meta as meta
from partmm.datasets.converters import convert_partimagenet
from partmm.datasets.generators import generate_synthetic_partimagenet

SPLITS = ('train', 'val', 'test')
IMAGES_PER_CLASS = 20


@pytest.fixture(scope='module')
def release(tmp_path_factory) -> str:
    """A synthetic release (never written into: conversions go to their own out_dir)."""
    root = str(tmp_path_factory.mktemp('release'))
    generate_synthetic_partimagenet(root, num_images=IMAGES_PER_CLASS * meta.NUM_CLASSES,
                                    image_size=32, seed=0)
    return root


@pytest.fixture(scope='module')
def converted(release, tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp('converted'))
    return out_dir, convert_partimagenet(release, out_dir=out_dir, seed=0)


def load_json(path):
    with open(path) as f:
        return json.load(f)


def load_list(out_dir, kind, split):
    return load_json(osp.join(out_dir, 'splits', kind, f'{split}.json'))['data_list']


def release_copy(release, dst, edit=None, json_at_root=False):
    """Copy of ``release`` sharing its images; ``edit(split, coco)`` may change the JSONs."""
    os.makedirs(dst)
    os.symlink(osp.join(release, 'images'), osp.join(dst, 'images'))
    for split in SPLITS:
        coco = load_json(osp.join(release, 'annotations', split, f'{split}.json'))
        if edit is not None:
            edit(split, coco)
        folder = dst if json_at_root else osp.join(dst, 'annotations', split)
        os.makedirs(folder, exist_ok=True)
        with open(osp.join(folder, f'{split}.json'), 'w') as f:
            json.dump(coco, f)
    return str(dst)


def test_part_maps(converted):
    out_dir, summary = converted
    infos = [info for split in SPLITS for info in load_list(out_dir, 'official', split)]
    assert len(infos) == summary['num_images'] == IMAGES_PER_CLASS * meta.NUM_CLASSES
    for info in infos:
        part_map = np.array(Image.open(osp.join(out_dir, info['seg_map_path'])))
        assert part_map.dtype == np.uint8 and part_map.shape == (info['height'], info['width'])
        labels = set(np.unique(part_map).tolist()) - {0}
        assert labels and max(labels) <= meta.NUM_PARTS
        assert {meta.PART_TO_CLASS_INDEX[label] for label in labels} == {info['gt_label']}
        assert info['class_name'] == meta.CLASSES[info['gt_label']]
        assert len(info['part_boxes']) == len(info['part_labels'])
        for label in labels:
            assert_inside_boxes(part_map == label, [
                box for box, box_label in zip(info['part_boxes'], info['part_labels'])
                if box_label == label])


def assert_inside_boxes(mask, boxes, slack=1):
    allowed = np.zeros_like(mask)
    for x1, y1, x2, y2 in boxes:
        allowed[max(0, int(np.floor(y1)) - slack):int(np.ceil(y2)) + slack,
                max(0, int(np.floor(x1)) - slack):int(np.ceil(x2)) + slack] = True
    assert not (mask & ~allowed).any()


def test_paper_split_pools_and_resplits_per_class(converted, release):
    out_dir, summary = converted
    official = {info['img_path'] for s in SPLITS for info in load_list(out_dir, 'official', s)}
    paper = {split: load_list(out_dir, 'paper', split) for split in SPLITS}
    paths = [info['img_path'] for split in SPLITS for info in paper[split]]
    assert len(paths) == len(set(paths)) and set(paths) == official
    for class_index in range(meta.NUM_CLASSES):
        counts = [sum(info['gt_label'] == class_index for info in paper[split])
                  for split in SPLITS]
        assert counts == [16, 2, 2]
    assert summary['splits']['paper'] == {'train': 176, 'val': 22, 'test': 22}
    for split in SPLITS:
        assert paper[split] == sorted(paper[split], key=lambda info: info['img_path'])
        # All official splits (class-disjoint wnids) feed every paper split.
        assert {info['official_split'] for info in paper[split]} == set(SPLITS)


def test_paper_split_depends_on_seed_only(release, tmp_path):
    # Sibling out_dirs, so that the relative img_paths are comparable.
    out_dir, again, other = (str(tmp_path / name) for name in ('out', 'again', 'other'))
    convert_partimagenet(release, out_dir=out_dir, seed=0)
    convert_partimagenet(release, out_dir=again, seed=0, nproc=2)
    convert_partimagenet(release, out_dir=other, seed=1)
    for split in SPLITS:
        reference = load_list(out_dir, 'paper', split)
        assert load_list(again, 'paper', split) == reference
        assert load_list(other, 'paper', split) != reference
        assert load_list(other, 'official', split) == load_list(out_dir, 'official', split)
    for name in os.listdir(osp.join(out_dir, 'part_maps')):
        with open(osp.join(out_dir, 'part_maps', name), 'rb') as a, \
                open(osp.join(again, 'part_maps', name), 'rb') as b:
            assert a.read() == b.read(), name


def test_official_split_keeps_the_release_split(converted, release):
    out_dir, _ = converted
    for split in SPLITS:
        coco = load_json(osp.join(release, 'annotations', split, f'{split}.json'))
        infos = load_list(out_dir, 'official', split)
        assert {osp.basename(info['img_path']) for info in infos} == {
            image['file_name'] for image in coco['images']}
        assert all(info['official_split'] == split for info in infos)
        for info in infos:
            assert osp.isfile(osp.join(out_dir, info['img_path']))
            assert info['wnid'] == osp.basename(info['img_path']).split('_')[0]
        metainfo = load_json(osp.join(out_dir, 'splits', 'official', f'{split}.json'))['metainfo']
        assert metainfo['classes'] == list(meta.CLASSES)
        assert metainfo['part_names'] == list(meta.PART_NAMES)


def test_part_boxes_and_labels_follow_the_annotations(converted, release):
    out_dir, _ = converted
    coco = load_json(osp.join(release, 'annotations', 'val', 'val.json'))
    image = coco['images'][0]
    anns = [ann for ann in coco['annotations'] if ann['image_id'] == image['id']]
    info = next(info for info in load_list(out_dir, 'official', 'val')
                if info['img_path'].endswith(image['file_name']))
    assert info['part_labels'] == [meta.OFFICIAL_ID_TO_LABEL[a['category_id']] for a in anns]
    assert info['part_boxes'] == [[x, y, x + w, y + h] for x, y, w, h in
                                  (a['bbox'] for a in anns)]


def test_jsons_at_root_and_wnid_folders(release, tmp_path):
    def nest_file_names(split, coco):
        for image in coco['images']:
            image['file_name'] = f'{image["file_name"].split("_")[0]}/{image["file_name"]}'

    root = release_copy(release, tmp_path / 'root', nest_file_names, json_at_root=True)
    summary = convert_partimagenet(root)
    assert summary['splits']['official'] == {'train': 77, 'val': 77, 'test': 66}
    assert osp.isfile(osp.join(root, 'splits', 'paper', 'train.json'))


def test_rle_segmentation_gives_the_same_map(converted, release, tmp_path):
    def to_rle(split, coco):
        sizes = {image['id']: (image['height'], image['width']) for image in coco['images']}
        for ann in coco['annotations']:
            rle = mask_utils.merge(mask_utils.frPyObjects(ann['segmentation'],
                                                          *sizes[ann['image_id']]))
            ann['segmentation'] = dict(size=rle['size'], counts=rle['counts'].decode())

    root = release_copy(release, tmp_path / 'root', to_rle)
    convert_partimagenet(root)
    out_dir, _ = converted
    for name in os.listdir(osp.join(out_dir, 'part_maps')):
        np.testing.assert_array_equal(
            np.array(Image.open(osp.join(root, 'part_maps', name))),
            np.array(Image.open(osp.join(out_dir, 'part_maps', name))))


def test_missing_root_and_json(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere'):
        convert_partimagenet(str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match=r'train\.json.*tried'):
        convert_partimagenet(str(tmp_path))


def add_ghost_image(split, coco):
    """List an image (with one part) that does not exist on disk."""
    if split == 'val':
        coco['images'].append(dict(id=999, file_name='n90000001_999.JPEG', width=32, height=32))
        coco['annotations'].append(dict(
            id=999, image_id=999, category_id=33, segmentation=[[1, 1, 9, 1, 9, 9]],
            bbox=[1, 1, 8, 8], area=32.0, iscrowd=0))


def test_missing_image(release, tmp_path, caplog):
    root = release_copy(release, tmp_path / 'root', add_ghost_image)
    with pytest.raises(FileNotFoundError, match=r'val\.json.* 1 listed.*n90000001_999\.JPEG'):
        convert_partimagenet(root)
    with caplog.at_level(logging.WARNING):
        summary = convert_partimagenet(root, allow_missing=True)
    assert [osp.basename(p) for p in summary['skipped']['missing_images']] == [
        'n90000001_999.JPEG']
    assert summary['splits']['official']['val'] == 77
    assert 'missing on disk' in caplog.text and 'n90000001_999.JPEG' in caplog.text


def test_image_without_annotations_is_reported(release, tmp_path, caplog):
    def add_bare_image(split, coco):
        if split == 'test':
            coco['images'].append(dict(id=999, file_name='n90000002_999.JPEG', width=32,
                                       height=32))

    root = release_copy(release, tmp_path / 'root', add_bare_image)
    with caplog.at_level(logging.WARNING):
        summary = convert_partimagenet(root)
    assert summary['skipped']['no_annotations'] == ['test/n90000002_999.JPEG']
    assert 'without annotations' in caplog.text


@pytest.mark.parametrize('category_id', [40, -1])
def test_bad_category_id(release, tmp_path, category_id):
    def corrupt(split, coco):
        if split == 'train':
            coco['annotations'][3]['category_id'] = category_id

    root = release_copy(release, tmp_path / 'root', corrupt)
    with pytest.raises(ValueError, match=rf'train\.json: annotation 4 .*{category_id}'):
        convert_partimagenet(root)


def test_class_mismatch(release, tmp_path):
    def mix_classes(split, coco):
        if split == 'train':
            first = coco['annotations'][0]
            other = next(c['id'] for c in meta.OFFICIAL_CATEGORIES
                         if c['supercategory'] != meta.OFFICIAL_CATEGORIES[
                             first['category_id']]['supercategory'])
            coco['annotations'][1]['category_id'] = other
            assert coco['annotations'][1]['image_id'] == first['image_id']

    root = release_copy(release, tmp_path / 'root', mix_classes)
    with pytest.raises(ValueError, match=r'train\.json: image n9\d+_0\.JPEG has parts of several'):
        convert_partimagenet(root)


def test_unknown_categories(release, tmp_path):
    def rename(split, coco):
        coco['categories'][0]['name'] = 'Quadruped Snout'

    root = release_copy(release, tmp_path / 'root', rename)
    with pytest.raises(ValueError, match=r'train\.json: category id 0'):
        convert_partimagenet(root)


def test_bad_ratios(release):
    with pytest.raises(ValueError, match='val_ratio'):
        convert_partimagenet(release, val_ratio=0.6, test_ratio=0.5)


def test_release_is_left_alone(converted, release):
    assert sorted(os.listdir(release)) == [
        'annotations', 'images', 'partmm_manifest.synthetic_partimagenet.json']
