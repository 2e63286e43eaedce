"""PACO: synthetic release, converter (object rule, painting, splits, errors), dataset class."""
import copy
import hashlib
import json
import os
import os.path as osp
import re
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from helpers import load_tool, tiny_part_model
from mmengine.dataset import pseudo_collate
from PIL import Image
from pycocotools import mask as mask_utils

from partmm.datasets import paco_meta as meta
from partmm.datasets.converters.paco import (
    convert_paco,
    crop_output_size,
    expanded_crop_window,
)
from partmm.datasets.generators.synthetic_paco import CLASS_PARTS, generate_synthetic_paco
from partmm.datasets.output_guard import OutputExistsError
from partmm.datasets.paco import PacoDataset
from partmm.engine.hooks import DatasetMetaCheckHook
from partmm.registry import METRICS, TRANSFORMS
from partmm.structures import batch_ignore_index

CROP = 48
LOAD = [dict(type='LoadImageFromFile'), dict(type='LoadPartAnnotations')]


def load_json(path):
    with open(path) as f:
        return json.load(f)


def split_file(out_dir, split):
    return load_json(osp.join(out_dir, 'splits', 'paper', f'{split}.json'))


def tree_digest(folder):
    """SHA-256 over the relative paths and bytes of every file under ``folder``."""
    digest = hashlib.sha256()
    for dirpath, _, names in sorted(os.walk(folder)):
        for name in sorted(names):
            path = osp.join(dirpath, name)
            digest.update(osp.relpath(path, folder).encode())
            with open(path, 'rb') as f:
                digest.update(f.read())
    return digest.hexdigest()


@pytest.fixture(scope='module')
def release(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('synthetic_paco'))
    summary = generate_synthetic_paco(root, num_images=40, seed=0)
    return root, summary


@pytest.fixture(scope='module')
def converted(release, tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp('paco_converted'))
    return out_dir, convert_paco(release[0], out_dir=out_dir, crop_size=CROP)


def release_jsons(root):
    return {split: load_json(osp.join(root, 'annotations', meta.json_name('lvis', split)))
            for split in meta.SPLITS}


# ---------------------------------------------------------------------------------------------
# The synthetic release


def test_generator_writes_pacos_format(release):
    root, summary = release
    seen_ids, kinds = set(), set()
    for split, coco in release_jsons(root).items():
        assert {'images', 'annotations', 'categories', 'part_categories', 'attributes',
                'attr_type_to_attr_idxs'} <= set(coco)
        categories = {c['id']: c for c in coco['categories']}
        objects = {c['name'] for c in categories.values() if c['supercategory'] == 'OBJECT'}
        assert objects == set(CLASS_PARTS)
        images = {image['id']: image for image in coco['images']}
        for image in images.values():
            assert re.fullmatch(r'(train|val)2017/\d{12}\.jpg', image['file_name'])
            with Image.open(osp.join(root, 'coco', image['file_name'])) as picture:
                assert picture.size == (image['width'], image['height']) == (160, 120)
        anns = {ann['id']: ann for ann in coco['annotations']}
        assert not seen_ids & set(anns)  # ids are unique over the release
        seen_ids |= set(anns)
        with_parts = set()
        for ann in anns.values():
            category = categories[ann['category_id']]
            if ann['id'] == ann['obj_ann_id']:
                assert category['supercategory'] == 'OBJECT'
                assert isinstance(ann['segmentation'], list)
                kinds.add('tiny' if ann['bbox'][2] * ann['bbox'][3] < 0.01 * 160 * 120
                          else 'kept')
                continue
            parent = anns[ann['obj_ann_id']]
            with_parts.add(parent['id'])
            assert parent['image_id'] == ann['image_id']
            assert category['supercategory'] == 'PART'
            assert category['name'] == f'{categories[parent["category_id"]]["name"]}:' + \
                category['name'].split(':')[1]
            segmentation = ann['segmentation']
            kinds.add('rle' if isinstance(segmentation, dict) else 'polygons')
            if isinstance(segmentation, dict):
                assert isinstance(segmentation['counts'], str)
                assert segmentation['size'] == [120, 160]
        objects_without_parts = {i for i, a in anns.items() if a['id'] == a['obj_ann_id']} \
            - with_parts
        assert len(objects_without_parts) == summary['splits'][split]['objects_without_parts']
    assert kinds == {'tiny', 'kept', 'rle', 'polygons'}


def test_generator_is_deterministic_and_guarded(release, tmp_path):
    root, _ = release
    again = str(tmp_path / 'again')
    generate_synthetic_paco(again, num_images=40, seed=0)
    manifest = 'partmm_manifest.synthetic_paco.json'
    for name in ('annotations', 'coco'):
        assert tree_digest(osp.join(again, name)) == tree_digest(osp.join(root, name))
    assert load_json(osp.join(again, manifest))['settings'] == \
        load_json(osp.join(root, manifest))['settings']
    assert generate_synthetic_paco(again, num_images=40, seed=0)['reused']
    with pytest.raises(OutputExistsError, match='seed 0 \\(you asked for 1\\)'):
        generate_synthetic_paco(again, num_images=40, seed=1)
    with pytest.raises(ValueError, match='num_images'):
        generate_synthetic_paco(str(tmp_path / 'few'), num_images=5)


# ---------------------------------------------------------------------------------------------
# Conversion of the synthetic release


def pooled_objects(root):
    """(stem, class name, has parts, kept) of every object, in the converter's pooling order."""
    pooled = []
    for split, coco in release_jsons(root).items():
        names = {c['id']: c['name'] for c in coco['categories']}
        images = {image['id']: image for image in coco['images']}
        parents = {ann['obj_ann_id'] for ann in coco['annotations']
                   if ann['id'] != ann['obj_ann_id']}
        for ann in coco['annotations']:
            if ann['id'] == ann['obj_ann_id']:
                image = images[ann['image_id']]
                kept = ann['bbox'][2] * ann['bbox'][3] >= 0.01 * image['width'] * image['height']
                pooled.append((f'lvis_{split}_{ann["id"]}', names[ann['category_id']],
                               ann['id'] in parents, kept))
    return pooled


def test_label_spaces_come_from_the_categories(release, converted):
    out_dir, summary = converted
    categories = sorted(release_jsons(release[0])['train']['categories'], key=lambda c: c['id'])
    classes = [c['name'] for c in categories if c['supercategory'] == 'OBJECT']
    parts = [c['name'] for c in categories if c['supercategory'] == 'PART']
    metainfos = [split_file(out_dir, split)['metainfo'] for split in meta.SPLITS]
    assert metainfos[0] == metainfos[1] == metainfos[2]
    info = metainfos[0]
    assert info['classes'] == classes
    assert info['part_names'] == ['background', *parts]
    assert info['part_to_class'] == [-1] + [classes.index(p.split(':')[0]) for p in parts]
    assert 'mug:text' in info['part_names']  # a category no annotation uses still has a label
    assert info['ignore_index'] == 255 and summary['part_map_dtype'] == 'uint8'
    assert summary['num_part_labels'] == len(parts) + 1


def test_one_sample_per_object_of_at_least_one_percent(release, converted):
    out_dir, summary = converted
    pooled = pooled_objects(release[0])
    samples = {info['img_path'].split('/')[-1][:-4]: info for split in meta.SPLITS
               for info in split_file(out_dir, split)['data_list']}
    kept = {stem: (name, has_parts) for stem, name, has_parts, ok in pooled if ok}
    assert set(samples) == set(kept)
    assert summary['skipped']['small_objects'] == len(pooled) - len(kept) > 0
    assert summary['objects_without_parts'] == sum(not p for _, p in kept.values()) > 0
    classes = split_file(out_dir, 'train')['metainfo']['classes']
    for stem, info in samples.items():
        assert (info['class_name'], info['has_part_annotations']) == kept[stem]
        assert classes[info['gt_label']] == info['class_name']
        with Image.open(osp.join(out_dir, info['img_path'])) as crop:
            assert crop.size == (info['width'], info['height'])
            assert max(crop.size) == CROP
        part_map = np.asarray(Image.open(osp.join(out_dir, info['seg_map_path'])))
        assert part_map.shape == (info['height'], info['width'])
        if not info['has_part_annotations']:  # its own pixels, around the crop's centre
            assert (part_map == 255).any()


def test_split_sizes_seed_nproc_and_reuse(release, converted, tmp_path):
    root, _ = release
    out_dir, summary = converted
    stems = [stem for stem, _, _, kept in pooled_objects(root) if kept]
    n = len(stems)
    order = [stems[i] for i in np.random.RandomState(0).permutation(n)]
    num_val = num_test = int(0.1 * n)
    expected = dict(val=set(order[:num_val]), test=set(order[num_val:num_val + num_test]),
                    train=set(order[num_val + num_test:]))
    for split in meta.SPLITS:
        listed = {info['img_path'] for info in split_file(out_dir, split)['data_list']}
        assert listed == {f'images/{split}/{stem}.png' for stem in expected[split]}
    assert summary['splits'] == {split: len(expected[split]) for split in meta.SPLITS}

    parallel = str(tmp_path / 'nproc2')
    convert_paco(root, out_dir=parallel, crop_size=CROP, nproc=2)
    for name in ('images', 'part_maps', 'splits'):
        assert tree_digest(osp.join(parallel, name)) == tree_digest(osp.join(out_dir, name))
    assert convert_paco(root, out_dir=parallel, crop_size=CROP, nproc=2)['reused']
    with pytest.raises(OutputExistsError, match='seed 0 \\(you asked for 1\\).*Re-splitting'):
        convert_paco(root, out_dir=parallel, crop_size=CROP, seed=1)
    convert_paco(root, out_dir=parallel, crop_size=CROP, seed=1, overwrite=True)
    reseeded = {info['img_path'] for info in split_file(parallel, 'val')['data_list']}
    assert len(reseeded) == num_val and reseeded != {f'images/val/{s}.png'
                                                     for s in expected['val']}


# ---------------------------------------------------------------------------------------------
# The dataset class


def to_label(image_map, results):
    """Replace the image by its part map in every channel (nearest resampling everywhere
    keeps them equal only while image and map stay aligned)."""
    results['img'] = np.repeat(image_map[..., None], 3, axis=2).copy()
    return results


def assert_aligned(results):
    part_map = results['gt_seg_map']
    np.testing.assert_array_equal(results['img'][..., 0], part_map)
    boxes, labels = results['gt_bboxes'], results['gt_bboxes_labels']
    tol = 0.5 * max(results.get('scale_factor', (1.0, 1.0))) + 1
    for label in set(np.unique(part_map).tolist()) - {0, 255}:
        ys, xs = np.nonzero(part_map == label)
        x1, y1, x2, y2 = boxes[labels == label][0]
        assert (xs >= x1 - tol).all() and (xs + 1 <= x2 + tol).all()
        assert (ys >= y1 - tol).all() and (ys + 1 <= y2 + tol).all()


def test_training_transforms_keep_crops_part_maps_and_boxes_aligned(converted):
    out_dir, _ = converted
    dataset = PacoDataset(ann_file='splits/paper/train.json', data_root=out_dir, pipeline=[])
    load = [TRANSFORMS.build(t) for t in LOAD]
    train = [TRANSFORMS.build(dict(type='RandomResizedCrop', scale=32, crop_scale=(0.3, 1.0),
                                   interpolation='nearest')),
             TRANSFORMS.build(dict(type='RandomFlip', prob=1.0))]
    pack = TRANSFORMS.build(dict(type='PackPartInputs'))
    np.random.seed(0)
    for index in range(0, len(dataset), 3):
        results = copy.deepcopy(dataset.get_data_info(index))
        for transform in load:
            results = transform(results)
        results = to_label(results['gt_seg_map'], results)
        assert_aligned(results)
        for transform in train:
            results = transform(results)
            assert_aligned(results)
        sample = pack(results)['data_samples']
        assert sample.gt_sem_seg.data.shape == (1, 32, 32)
        assert sample.gt_label.item() == dataset.get_data_info(index)['gt_label']
        present = set(sample.gt_sem_seg.data.unique().tolist()) - {0, 255}
        assert present <= set(sample.gt_instances.labels.tolist())


def test_part_object_and_fg_labels(converted):
    out_dir, _ = converted
    samples = {}
    for label_type in ('part', 'object', 'fg'):
        dataset = PacoDataset(ann_file='splits/paper/val.json', data_root=out_dir,
                              label_type=label_type, pipeline=LOAD)
        samples[label_type] = [dataset[i] for i in range(len(dataset))]
        if label_type == 'object':
            assert dataset.metainfo['part_names'] == ('background', *dataset.metainfo['classes'])
    info = split_file(out_dir, 'val')['metainfo']
    to_class = np.array(info['part_to_class'])
    assert info['classes'] == list(PacoDataset(ann_file='splits/paper/val.json',
                                               data_root=out_dir).metainfo['classes'])
    for part, obj, fg in zip(samples['part'], samples['object'], samples['fg']):
        part_map = part['gt_seg_map']
        labelled = (part_map > 0) & (part_map < 255)
        for other in (obj, fg):
            np.testing.assert_array_equal(other['gt_seg_map'][~labelled], part_map[~labelled])
        np.testing.assert_array_equal(obj['gt_seg_map'][labelled],
                                      to_class[part_map[labelled]] + 1)
        assert (fg['gt_seg_map'][labelled] == 1).all()
        np.testing.assert_array_equal(obj['gt_bboxes_labels'],
                                      to_class[part['gt_bboxes_labels']] + 1)


# ---------------------------------------------------------------------------------------------
# A hand-made release in PACO's format: painting, layouts, errors


def rle(mask):
    encoded = mask_utils.encode(np.asfortranarray(mask.astype(np.uint8)))
    return dict(size=list(mask.shape), counts=encoded['counts'].decode('ascii'))


def box_mask(height, width, x0, y0, x1, y1):
    mask = np.zeros((height, width), dtype=bool)
    mask[y0:y1, x0:x1] = True
    return mask


def decode_polygons(polygons, height, width):
    return mask_utils.decode(mask_utils.merge(
        mask_utils.frPyObjects(polygons, height, width))).astype(bool)


# Non-contiguous ids out of order: labels follow the ids, not the list order.
CATEGORIES = [dict(id=3, name='mug', supercategory='OBJECT'),
              dict(id=1, name='bottle', supercategory='OBJECT'),
              dict(id=10, name='mug:body', supercategory='PART'),
              dict(id=7, name='mug:handle', supercategory='PART'),
              dict(id=12, name='bottle:cap', supercategory='PART'),
              dict(id=11, name='bottle:body', supercategory='PART')]
LABEL = {'mug:handle': 1, 'mug:body': 2, 'bottle:body': 3, 'bottle:cap': 4}
H, W = 80, 100
MUG = [[20, 20, 60, 20, 60, 60, 20, 60]]
MUG_BODY = [[20, 20, 50, 20, 50, 60, 20, 60]]
HANDLE = box_mask(H, W, 52, 30, 60, 50)
BOTTLE = box_mask(H, W, 62, 10, 80, 40)
TINY = [[12, 12, 16, 12, 16, 16, 12, 16]]
CAP = box_mask(H, W, 12, 12, 16, 16)


def annotation(ann_id, obj_ann_id, image_id, category_id, bbox, segmentation):
    return dict(id=ann_id, obj_ann_id=obj_ann_id, image_id=image_id, category_id=category_id,
                bbox=bbox, segmentation=segmentation, area=0.0, iscrowd=0, attribute_ids=[])


def handmade_contents():
    """PACO-LVIS train (one image, found by its coco_url) and PACO-EGO4D train (one frame)."""
    lvis = dict(
        images=[dict(id=5, width=W, height=H,
                     coco_url='http://images.cocodataset.org/val2017/000000000005.jpg')],
        annotations=[
            annotation(100, 100, 5, 3, [20, 20, 40, 40], MUG),
            annotation(102, 100, 5, 7, [52, 30, 8, 20], rle(HANDLE)),
            annotation(101, 100, 5, 10, [20, 20, 30, 40], MUG_BODY),
            annotation(103, 103, 5, 1, [62, 10, 18, 30], rle(BOTTLE)),
            annotation(105, 104, 5, 12, [12, 12, 4, 4], rle(CAP)),  # before its object
            annotation(104, 104, 5, 1, [12, 12, 4, 4], TINY)],
        categories=copy.deepcopy(CATEGORIES))
    ego4d = dict(
        images=[dict(id=5, width=64, height=64, file_name='clip_a/frame_0001.jpg')],
        annotations=[annotation(200, 200, 5, 3, [16, 16, 32, 32], [])],  # no mask, no parts
        categories=copy.deepcopy(CATEGORIES))
    return {meta.json_name('lvis', 'train'): lvis, meta.json_name('ego4d', 'train'): ego4d}


def handmade(root, edit=None):
    contents = handmade_contents()
    if edit is not None:
        edit(contents)
    os.makedirs(osp.join(root, 'annotations'))
    for name, content in contents.items():
        with open(osp.join(root, 'annotations', name), 'w') as f:
            json.dump(content, f)
    rng = np.random.default_rng(0)
    for path, (h, w) in ((osp.join(root, 'coco', 'val2017', '000000000005.jpg'), (H, W)),
                         (osp.join(root, 'ego4d', 'clip_a', 'frame_0001.jpg'), (64, 64))):
        os.makedirs(osp.dirname(path))
        Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(path)
    return str(root)


def test_part_maps_follow_the_painting_rule(tmp_path):
    root = handmade(tmp_path / 'release')
    out_dir = str(tmp_path / 'out')
    summary = convert_paco(root, out_dir=out_dir, crop_size=60)
    info = split_file(out_dir, 'train')
    assert info['metainfo']['classes'] == ['bottle', 'mug']
    assert info['metainfo']['part_names'] == ['background', *LABEL]
    assert info['metainfo']['part_to_class'] == [-1, 1, 1, 0, 0]
    assert summary['skipped']['small_objects'] == 1 and summary['objects_without_parts'] == 2
    samples = {entry['obj_ann_id'] if entry['source'] == 'lvis' else 'ego4d': entry
               for entry in info['data_list']}
    assert samples['ego4d']['img_path'] == 'images/train/ego4d_train_200.png'
    assert samples[100]['source_image'] == 'val2017/000000000005.jpg'

    # Whole image, in annotation order: object region unlabelled, then its parts.
    expected = np.zeros((H, W), dtype=np.uint8)
    expected[decode_polygons(MUG, H, W)] = 255
    expected[HANDLE] = LABEL['mug:handle']
    expected[decode_polygons(MUG_BODY, H, W)] = LABEL['mug:body']
    expected[BOTTLE] = 255
    expected[decode_polygons(TINY, H, W)] = 255  # the tiny bottle is no sample but is painted
    expected[CAP] = LABEL['bottle:cap']
    # The mug's box [20, 20, 40, 40] grown 1.5x: [10, 70) x [10, 70), 60 px: no resizing.
    crop = expected[10:70, 10:70]
    mug = samples[100]
    part_map = np.asarray(Image.open(osp.join(out_dir, mug['seg_map_path'])))
    np.testing.assert_array_equal(part_map, crop)
    assert (part_map == 255).any() and (part_map == LABEL['bottle:cap']).any()
    assert mug['part_labels'] == [1, 2, 4]
    for label, box in zip(mug['part_labels'], mug['part_boxes']):
        ys, xs = np.nonzero(crop == label)
        assert box == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
    with Image.open(osp.join(root, 'coco', 'val2017', '000000000005.jpg')) as picture:
        np.testing.assert_array_equal(
            np.asarray(Image.open(osp.join(out_dir, mug['img_path']))),
            np.asarray(picture.convert('RGB'))[10:70, 10:70])
    # The bottle without parts: its own pixels unlabelled, the mug's parts beside it.
    bottle = np.asarray(Image.open(osp.join(out_dir, samples[103]['seg_map_path'])))
    assert max(bottle.shape) == 60 and set(np.unique(bottle)) <= {0, 1, 2, 255}
    assert bottle[bottle.shape[0] // 2, bottle.shape[1] // 2] == 255
    # The EGO4D object has no mask: its box is unlabelled.
    ego = np.asarray(Image.open(osp.join(out_dir, samples['ego4d']['seg_map_path'])))
    assert ego.shape == (60, 60) and ego[30, 30] == 255 and ego[0, 0] == 0
    assert samples['ego4d']['part_labels'] == []


def test_the_label_spaces_are_the_union_of_all_jsons_categories(tmp_path):
    def extra(contents):
        contents[meta.json_name('ego4d', 'train')]['categories'] += [
            dict(id=2, name='bottle:label', supercategory='PART'),
            dict(id=4, name='vase', supercategory='OBJECT')]

    out_dir = str(tmp_path / 'out')
    convert_paco(handmade(tmp_path / 'release', edit=extra), out_dir=out_dir, crop_size=60)
    for split in meta.SPLITS:
        info = split_file(out_dir, split)['metainfo']
        assert info['classes'] == ['bottle', 'mug', 'vase']
        assert info['class_category_ids'] == [1, 3, 4]
        assert info['part_names'] == ['background', 'bottle:label', *LABEL]
        assert info['part_category_ids'] == [2, 7, 10, 11, 12]
    mug = next(entry for entry in split_file(out_dir, 'train')['data_list']
               if entry['obj_ann_id'] == 100)
    assert mug['part_labels'] == [LABEL[name] + 1 for name in ('mug:handle', 'mug:body',
                                                               'bottle:cap')]


def test_crop_window_and_output_size():
    assert expanded_crop_window([20, 20, 40, 40], 1.5, 80, 100) == (10, 10, 70, 70)
    assert expanded_crop_window([0, 0, 10, 20], 1.5, 80, 100) == (0, 0, 13, 25)
    assert expanded_crop_window([90.5, 70.5, 9.5, 9.5], 1.5, 80, 100) == (88, 68, 100, 80)
    assert crop_output_size(60, 30, 256) == (256, 128)
    assert crop_output_size(1, 500, 256) == (1, 256)


@pytest.fixture(scope='module')
def uint16_release(tmp_path_factory):
    """A hand-made release with 300 more part categories (305 part labels, so uint16 maps with
    65535 unlabelled), converted into one train split: (out_dir, summary)."""
    def many_parts(contents):
        for content in contents.values():
            content['categories'] += [dict(id=1000 + i, name=f'mug:part_{i:03d}',
                                           supercategory='PART') for i in range(300)]
        annotations = contents[meta.json_name('lvis', 'train')]['annotations']
        annotations[1]['category_id'] = 1299  # the handle becomes the last label

    out_dir = str(tmp_path_factory.mktemp('uint16_out'))
    summary = convert_paco(handmade(tmp_path_factory.mktemp('uint16_release'), edit=many_parts),
                           out_dir=out_dir, crop_size=60, val_ratio=0.0, test_ratio=0.0)
    return out_dir, summary


def test_more_than_254_part_labels_use_uint16_maps(uint16_release):
    out_dir, summary = uint16_release
    assert summary['part_map_dtype'] == 'uint16' and summary['num_part_labels'] == 305
    info = split_file(out_dir, 'train')
    assert info['metainfo']['ignore_index'] == 65535
    mug = next(entry for entry in info['data_list'] if entry['obj_ann_id'] == 100)
    part_map = np.asarray(Image.open(osp.join(out_dir, mug['seg_map_path'])))
    assert part_map.dtype == np.uint16
    assert set(np.unique(part_map)) == {0, 2, 4, 304, 65535}


UINT16_PIPELINE = [
    *LOAD,
    dict(type='RandomResizedCrop', scale=40, crop_scale=(0.9, 1.0), antialias=True),
    dict(type='RandomFlip', prob=1.0),
    dict(type='PackPartInputs'),
]


def test_uint16_part_maps_keep_their_labels_through_the_pipeline(uint16_release):
    samples = {}
    for label_type in ('part', 'object'):
        np.random.seed(0)  # the same crops for both label types
        dataset = PacoDataset(ann_file='splits/paper/train.json', data_root=uint16_release[0],
                              label_type=label_type, pipeline=UINT16_PIPELINE)
        assert dataset.metainfo['ignore_index'] == 65535
        samples[label_type] = [dataset[i]['data_samples'] for i in range(len(dataset))]
    mug = next(sample for sample in samples['part']
               if 304 in sample.gt_sem_seg.data.unique().tolist())
    assert batch_ignore_index([mug]) == 65535
    assert set(mug.gt_sem_seg.data.unique().tolist()) <= {0, 2, 4, 304, 65535}
    assert 304 in mug.gt_instances.labels.tolist()
    to_class = np.array(split_file(uint16_release[0], 'train')['metainfo']['part_to_class'])
    for part, obj in zip(samples['part'], samples['object']):
        part_map, obj_map = part.gt_sem_seg.data.numpy(), obj.gt_sem_seg.data.numpy()
        labelled = (part_map > 0) & (part_map != 65535)
        np.testing.assert_array_equal(obj_map[~labelled], part_map[~labelled])
        np.testing.assert_array_equal(obj_map[labelled], to_class[part_map[labelled]] + 1)


def test_a_loader_or_metric_told_another_unlabelled_value_is_refused(uint16_release):
    dataset = PacoDataset(ann_file='splits/paper/train.json', data_root=uint16_release[0],
                          pipeline=[dict(type='LoadImageFromFile'),
                                    dict(type='LoadPartAnnotations', ignore_index=255)])
    with pytest.raises(ValueError, match='LoadPartAnnotations.ignore_index = 255, but the '
                       'part maps of this dataset mark unlabelled pixels with 65535'):
        dataset[0]
    metric = METRICS.build(dict(type='PartIoUMetric', ignore_index=255))
    with pytest.raises(ValueError, match='PartIoUMetric.ignore_index = 255, but the dataset '
                       'marks unlabelled pixels with 65535'):
        metric.dataset_meta = dataset.metainfo
    metric = METRICS.build(dict(type='PartIoUMetric'))
    metric.dataset_meta = dataset.metainfo
    assert metric.ignore_index == 65535


def test_a_part_model_trains_on_uint16_part_maps_only_with_their_ignore_index(uint16_release):
    dataset = PacoDataset(ann_file='splits/paper/train.json', data_root=uint16_release[0],
                          pipeline=UINT16_PIPELINE)
    num_classes, num_parts = len(dataset.metainfo['classes']), len(dataset.metainfo['part_names'])
    batch = pseudo_collate([dataset[i] for i in range(len(dataset))])
    runner = SimpleNamespace(train_dataloader=SimpleNamespace(dataset=dataset),
                             val_dataloader=None, test_dataloader=None)
    torch.manual_seed(0)
    runner.model = tiny_part_model(num_classes=num_classes, num_part_labels=num_parts)
    with pytest.raises(ValueError, match='model.segmentor.decode_head.ignore_index = 255, but '
                       'the part maps of train_dataloader.dataset .* set '
                       'model.segmentor.decode_head.ignore_index = 65535'):
        DatasetMetaCheckHook().before_train(runner)
    runner.model = tiny_part_model(num_classes=num_classes, num_part_labels=num_parts,
                                   ignore_index=65535)
    DatasetMetaCheckHook().before_train(runner)
    assert runner.model.data_preprocessor.seg_pad_val == 65535
    data = runner.model.data_preprocessor(batch, training=True)
    losses = runner.model(**data, mode='loss')
    assert all(torch.isfinite(value).all() for value in losses.values())
    # 65535 pixels count in no loss: a batch with only unlabelled pixels has a part loss of 0.
    for sample in data['data_samples']:
        sample.gt_sem_seg.data[:] = 65535
    assert runner.model(**data, mode='loss')['decode.loss_ce'].item() == 0.0


def edit_lvis(change):
    def edit(contents):
        change(contents[meta.json_name('lvis', 'train')])
    return edit


def edit_categories(change):
    """Apply ``change`` to the categories of every JSON, so that they still agree."""
    def edit(contents):
        for content in contents.values():
            change(content['categories'])
    return edit


BAD_RELEASES = {
    'unknown image': (edit_lvis(lambda c: c['annotations'][0].update(image_id=6)),
                      ValueError, 'annotation 100 refers to image id 6'),
    'unknown object category': (edit_lvis(lambda c: c['annotations'][0].update(category_id=99)),
                                ValueError, 'annotation 100 has category_id 99, which is no '
                                'OBJECT'),
    'part of another object': (edit_lvis(lambda c: c['annotations'][1].update(category_id=12)),
                               ValueError, "part annotation 102 is a 'bottle:cap' but its "
                               "object 100 is a 'mug'"),
    'part without object': (edit_lvis(lambda c: c['annotations'][1].update(obj_ann_id=999)),
                            ValueError, 'obj_ann_id 999, which is not an object annotation'),
    'part name without object': (edit_categories(lambda c: c[2].update(name='body')),
                                 ValueError, "'body' is not <object>:<part>"),
    'part of no object category': (edit_categories(lambda c: c[2].update(name='cup:body')),
                                   ValueError, "names object 'cup'"),
    'other supercategory': (edit_categories(lambda c: c[0].update(supercategory='ATTR')),
                            ValueError, "supercategory 'ATTR'"),
    'not a PACO JSON': (edit_lvis(lambda c: c['annotations'][0].pop('obj_ann_id')),
                        ValueError, 'has no "obj_ann_id"'),
    'no annotations': (edit_lvis(lambda c: c.pop('annotations')), ValueError,
                       'key "annotations" is missing'),
    'RLE of another size': (edit_lvis(lambda c: c['images'][0].update(width=101)), ValueError,
                            'RLE size \\[80, 100\\] differs'),
    'JSONs disagree': (lambda contents: contents[meta.json_name('ego4d', 'train')][
        'categories'][0].update(name='cup'), ValueError, "category 3 is .*'mug'.* but .*'cup'"),
}


@pytest.mark.parametrize('case', sorted(BAD_RELEASES))
def test_a_malformed_release_is_refused_and_nothing_is_written(tmp_path, case):
    edit, error, message = BAD_RELEASES[case]
    root = handmade(tmp_path / 'release', edit=edit)
    out_dir = str(tmp_path / 'out')
    with pytest.raises(error, match=message) as raised:
        convert_paco(root, out_dir=out_dir)
    assert 'paco_lvis_v1_train.json' in str(raised.value)
    assert not osp.exists(out_dir) or not set(os.listdir(out_dir)) & {'images', 'part_maps',
                                                                     'splits'}


def test_missing_files_and_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match='PACO root .* does not exist'):
        convert_paco(str(tmp_path / 'nowhere'))
    os.makedirs(tmp_path / 'empty')
    with pytest.raises(FileNotFoundError, match='no PACO JSON in .*paco_lvis_v1_train.json'):
        convert_paco(str(tmp_path / 'empty'))
    root = handmade(tmp_path / 'release')
    with pytest.raises(FileNotFoundError, match='image root .*nowhere.* --ego4d-root'):
        convert_paco(root, ego4d_root=str(tmp_path / 'nowhere'))
    with open(osp.join(root, 'annotations', meta.json_name('lvis', 'val')), 'w') as f:
        f.write('{"images": [')
    with pytest.raises(ValueError, match='paco_lvis_v1_val.json is not valid JSON'):
        convert_paco(root)
    os.remove(osp.join(root, 'annotations', meta.json_name('lvis', 'val')))

    Image.new('RGB', (64, 60)).save(osp.join(root, 'ego4d', 'clip_a', 'frame_0001.jpg'))
    with pytest.raises(ValueError, match='frame_0001.jpg is 64x60 but .*says 64x64'):
        convert_paco(root, out_dir=str(tmp_path / 'out'))
    os.remove(osp.join(root, 'ego4d', 'clip_a', 'frame_0001.jpg'))
    with pytest.raises(FileNotFoundError, match='paco_ego4d_v1_train.json: 1 image.* missing '
                       '.*frame_0001.jpg .*allow-missing'):
        convert_paco(root, out_dir=str(tmp_path / 'out'))
    summary = convert_paco(root, out_dir=str(tmp_path / 'out'), allow_missing=True)
    assert summary['skipped']['missing_images'] == [
        osp.join(root, 'ego4d', 'clip_a', 'frame_0001.jpg')]
    assert summary['num_samples'] == 2


def test_command_lines(tmp_path, capsys, monkeypatch):
    root, out_dir = str(tmp_path / 'synthetic'), str(tmp_path / 'converted')
    monkeypatch.setattr('sys.argv', ['synthetic_paco.py', root, '--num-images', '10',
                                     '--image-size', '48', '64'])
    load_tool('tools/dataset_converters/synthetic_paco.py').main()
    monkeypatch.setattr('sys.argv', ['paco.py', root, '--out-dir', out_dir, '--crop-size', '32',
                                     '--nproc', '2'])
    converter = load_tool('tools/dataset_converters/paco.py')
    converter.main()
    printed = capsys.readouterr().out
    assert 'wrote 10 images' in printed and 'train: ' in printed
    assert re.search(r'converted \d+ objects \(6 classes, 27 part labels', printed)
    monkeypatch.setattr('sys.argv', ['paco.py', root, '--out-dir', out_dir, '--seed', '1'])
    with pytest.raises(SystemExit, match='error: .*seed 0 \\(you asked for 1\\)'):
        converter.main()


def test_the_full_label_space_pads_the_categories_to_pacos(release, tmp_path, monkeypatch):
    root, _ = release
    full = str(tmp_path / 'full')
    monkeypatch.setattr('sys.argv', ['synthetic_paco.py', full, '--num-images', '40',
                                     '--full-label-space'])
    load_tool('tools/dataset_converters/synthetic_paco.py').main()
    contents = release_jsons(full)
    for name, content in release_jsons(root).items():
        categories = contents[name]['categories']
        kinds = [c['supercategory'] for c in categories]
        assert kinds.count('OBJECT') == meta.RELEASE_NUM_OBJECTS
        assert kinds.count('PART') == meta.RELEASE_NUM_OBJECT_PARTS
        assert len({c['name'] for c in categories}) == len(categories)
        # The drawn categories keep their ids, so the annotations are the same.
        assert categories[:len(content['categories'])] == content['categories']
        assert contents[name]['annotations'] == content['annotations']
    summary = convert_paco(full, crop_size=CROP)
    assert summary['num_part_labels'] == 457 and summary['part_map_dtype'] == 'uint16'
    dataset = PacoDataset(ann_file='splits/paper/train.json', data_root=summary['out_dir'])
    assert len(dataset.metainfo['classes']) == 75 and dataset.metainfo['ignore_index'] == 65535
