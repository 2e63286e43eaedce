"""Cityscapes-Panoptic-Parts: uid format, label tables, synthetic release, converter, dataset."""
import copy
import json
import os
import os.path as osp
import sys

import numpy as np
import pytest
from helpers import load_tool
from PIL import Image

from partmm.datasets import cityscapes_parts_meta as meta
from partmm.datasets.cityscapes_parts import CityscapesPartsDataset
from partmm.datasets.converters.cityscapes_parts import convert_cityscapes_parts
from partmm.datasets.generators.synthetic_cityscapes_parts import (
    CITIES,
    generate_synthetic_cityscapes_parts,
    image_stem,
)
from partmm.datasets.output_guard import OutputExistsError
from partmm.registry import TRANSFORMS

SPLITS = ('train', 'val', 'test')
NUM_IMAGES = 15
# The reference's label table (section 3.2), uid by uid for the hand-written release below.
HAND_LABELS = {7: 0, 23: 0, 24: 0, 33001: 0, 24000: 0, 2400000: 0, 2400005: 0,
               2400001: 1, 2400002: 2, 2400003: 3, 2400004: 4, 2400101: 1, 2500001: 1,
               2600105: 9, 2600301: 5, 2600302: 6, 2600303: 7, 2600304: 8, 2600305: 9,
               2700005: 9}


# ---------------------------------------------------------------------------------------------
# Releases


def write_release(root, files, val_files=None, image_size=None):
    """A release in the real format: ``files`` maps ``(city, stem)`` to int uids [H, W] of
    the train split (``val_files`` those of val); images are seeded noise of the same size,
    or of ``image_size`` (h, w) to make them disagree."""
    for split, entries in (('train', files), ('val', val_files or {})):
        os.makedirs(osp.join(root, meta.LABEL_DIR, split), exist_ok=True)
        for (city, stem), uids in entries.items():
            for folder in (meta.LABEL_DIR, meta.IMAGE_DIR):
                os.makedirs(osp.join(root, folder, split, city), exist_ok=True)
            Image.fromarray(np.asarray(uids, dtype=np.int32)).save(
                osp.join(root, meta.LABEL_DIR, split, city, stem + meta.LABEL_SUFFIX),
                compression='tiff_adobe_deflate')
            Image.fromarray(hand_image(image_size or uids.shape)).save(
                osp.join(root, meta.IMAGE_DIR, split, city, stem + meta.IMAGE_SUFFIX))
    return str(root)


def hand_image(shape):
    return np.random.default_rng(0).integers(0, 256, (*shape, 3), dtype=np.uint8)


def hand_uids():
    """200 x 100 scene whose crops the tests know exactly (pad 0.2, centred, min_area 50).

    Kept: person 0 (1000 px, with void-part, instance-only and artefact pid-5 pixels),
    person 1 at the left border (500 px), rider 0 (2000 px) and car 3 at the right border.
    Skipped: car 1 (hidden by the rider: occluded), truck 0 (20 px: small). Not instances:
    a crowd (sid 24 only) and a bicycle (sid 33).
    """
    uids = np.full((100, 200), 23, dtype=np.int64)
    uids[50:] = 7
    uids[30:40, 20:40] = 2400002
    uids[40:60, 20:40] = 2400001
    uids[60:80, 20:40] = 2400004
    uids[40:60, 20:24] = 2400003
    uids[50:54, 36:40] = 2400000
    uids[70:73, 30:34] = 24000
    uids[75:77, 24:26] = 2400005
    uids[40:90, 0:10] = 2400101
    uids[50:80, 100:160] = 2600105
    uids[40:90, 110:150] = 2500001
    uids[60:70, 165:200] = 2600301
    uids[70:85, 165:200] = 2600305
    uids[85:90, 165:200] = 2600302
    uids[75:78, 165:168] = 2600304
    uids[72:75, 197:200] = 2600303
    uids[55:59, 60:65] = 2700005
    uids[20:46, 70:96] = 24
    uids[85:96, 45:56] = 33001
    return uids


@pytest.fixture(scope='module')
def release(tmp_path_factory) -> str:
    """A small synthetic release (never written into: conversions go to their own out_dir)."""
    root = str(tmp_path_factory.mktemp('release'))
    generate_synthetic_cityscapes_parts(root, num_images=NUM_IMAGES, seed=0)
    return root


@pytest.fixture(scope='module')
def converted(release, tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp('converted'))
    return out_dir, convert_cityscapes_parts(release, out_dir=out_dir, seed=0)


@pytest.fixture(scope='module')
def hand(tmp_path_factory):
    root = write_release(tmp_path_factory.mktemp('hand'), {('aachen', 'aachen_000000_000019'):
                                                           hand_uids()})
    return root, convert_cityscapes_parts(root, min_area=50, rand_pad=False)


def load_list(out_dir, split):
    with open(osp.join(out_dir, 'splits', 'paper', f'{split}.json')) as f:
        return json.load(f)


def read(path):
    with Image.open(path) as image:
        return np.asarray(image)


def raw_uids(root, info):
    return read(osp.join(root, meta.LABEL_DIR, info['raw_split'], info['city'],
                         info['image_stem'] + meta.LABEL_SUFFIX)).astype(np.int64)


def cut(array, box):
    """The window [x1, y1, x2, y2) of ``array``, zeros outside it."""
    x1, y1, x2, y2 = box
    margin = max(0, -x1, -y1, x2 - array.shape[1], y2 - array.shape[0])
    padded = np.pad(array, [(margin, margin), (margin, margin)] + [(0, 0)] * (array.ndim - 2))
    return padded[y1 + margin:y2 + margin, x1 + margin:x2 + margin]


# ---------------------------------------------------------------------------------------------
# Label format and tables


def test_uid_format():
    # The label format's own examples, and iid 0 / void-part uids.
    uids = np.array([23, 26, 26002, 2401002, 2600000, 24000, 0])
    sids, iids, pids = meta.decode_uids(uids)
    assert sids.tolist() == [23, 26, 26, 24, 26, 24, 0]
    assert iids.tolist() == [-1, -1, 2, 10, 0, 0, -1]
    assert pids.tolist() == [-1, -1, -1, 2, 0, -1, -1]
    np.testing.assert_array_equal(meta.encode_uids(sids, iids, pids), uids)
    problems = meta.invalid_uids(np.array([23, 123, -1, 10_000_000, 3500000, 700101, 2600306,
                                           2400105, 2400106, 2600305]))
    assert sorted(problems) == [-1, 123, 700101, 2400106, 2600306, 3500000, 10_000_000]
    with pytest.raises(ValueError, match='part id needs an instance id'):
        meta.encode_uids(np.array([24]), np.array([-1]), np.array([1]))


def test_label_tables_match_the_reference():
    assert meta.CLASSES == ('human', 'vehicle')
    assert meta.PART_NAMES == (
        'background', 'human torso', 'human head', 'human arms', 'human legs',
        'vehicle windows', 'vehicle wheels', 'vehicle lights', 'vehicle license plate',
        'vehicle chassis')
    assert meta.PART_TO_CLASS_INDEX == (-1, 0, 0, 0, 0, 1, 1, 1, 1, 1)
    for sid in (24, 25):
        assert [meta.part_label(sid, pid) for pid in range(-1, 7)] == [0, 0, 1, 2, 3, 4, 0, 0]
    for sid in (26, 27, 28):
        assert [meta.part_label(sid, pid) for pid in range(-1, 7)] == [0, 0, 5, 6, 7, 8, 9, 0]
    for sid in (0, 7, 23, 29, 33):
        assert all(meta.part_label(sid, pid) == 0 for pid in range(-1, 7))
    table = meta.part_label_lut()
    sids, _, pids = meta.decode_uids(np.array(list(HAND_LABELS)))
    assert table[sids, pids + 1].tolist() == list(HAND_LABELS.values())
    info = meta.metainfo()
    assert info['classes'] == meta.CLASSES and len(info['part_names']) == 10


# ---------------------------------------------------------------------------------------------
# Synthetic release


def test_synthetic_release_has_the_real_format(release):
    with open(osp.join(release, 'partmm_manifest.synthetic_cityscapes_parts.json')) as f:
        summary = json.load(f)['summary']
    seen = set()
    for split, cities in CITIES.items():
        assert sorted(os.listdir(osp.join(release, meta.LABEL_DIR, split))) == sorted(cities)
        count = 0
        for city in cities:
            names = sorted(os.listdir(osp.join(release, meta.LABEL_DIR, split, city)))
            count += len(names)
            for name in names:
                stem = name[:-len(meta.LABEL_SUFFIX)]
                assert name.endswith(meta.LABEL_SUFFIX) and stem.startswith(f'{city}_')
                assert stem in {image_stem(city, n) for n in range(NUM_IMAGES)}
                with Image.open(osp.join(release, meta.LABEL_DIR, split, city, name)) as label:
                    assert label.format == 'TIFF' and label.mode == 'I'
                    assert label.info['compression'] == 'tiff_adobe_deflate'
                    uids = np.asarray(label)
                assert uids.dtype == np.int32 and uids.shape == (128, 256)
                with Image.open(osp.join(release, meta.IMAGE_DIR, split, city,
                                         stem + meta.IMAGE_SUFFIX)) as image:
                    assert image.format == 'PNG' and image.mode == 'RGB'
                    assert image.size == (256, 128)
                assert not meta.invalid_uids(uids)
                seen.update(np.unique(uids).tolist())
        assert count == summary['splits'][split]['num_images']
    sids, iids, pids = meta.decode_uids(np.array(sorted(seen)))
    # Stuff as sid-only uids, crowds (sid-only humans), iid 0, void parts, instance-only
    # labels, every part of both classes and a class with instances but no parts.
    assert {7, 8, 11, 23, 24}.issubset(seen)
    assert (iids == 0).any() and ((pids == 0) & (iids >= 0)).any()
    assert ((iids >= 0) & (pids < 0) & np.isin(sids, (24, 25, 26, 27, 28))).any()
    for sid_group, parts in zip(meta.CLASS_SIDS, meta.CLASS_PARTS):
        present = set(pids[np.isin(sids, sid_group)].tolist())
        assert set(range(1, len(parts) + 1)) <= present
    assert set(meta.CLASS_SIDS[0] + meta.CLASS_SIDS[1]) <= set(sids.tolist())
    assert 33 in sids[iids >= 0]


def test_synthetic_release_is_deterministic(release, tmp_path):
    again = str(tmp_path / 'again')
    assert generate_synthetic_cityscapes_parts(again, num_images=NUM_IMAGES, seed=0)
    for folder, _, names in os.walk(release):
        for name in names:
            if name.startswith('partmm_manifest') or folder == release:
                continue
            relative = osp.relpath(osp.join(folder, name), release)
            with open(osp.join(release, relative), 'rb') as a, \
                    open(osp.join(again, relative), 'rb') as b:
                assert a.read() == b.read(), relative
    assert generate_synthetic_cityscapes_parts(again, num_images=NUM_IMAGES)['reused']
    with pytest.raises(OutputExistsError):
        generate_synthetic_cityscapes_parts(again, num_images=NUM_IMAGES, seed=1)


@pytest.mark.parametrize('kwargs, message', [
    (dict(num_images=4), 'num_images must be an int >= 5'),
    (dict(image_size=(32, 256)), 'image_size must be'),
    (dict(image_size=(128, 64, 3)), 'image_size must be'),
])
def test_synthetic_bad_arguments(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        generate_synthetic_cityscapes_parts(str(tmp_path / 'out'), **kwargs)


# ---------------------------------------------------------------------------------------------
# Converter


def test_hand_written_release_gives_the_known_crops(hand):
    root, summary = hand
    infos = {info['image_stem'] + f'_{info["sid"] * 1000 + info["iid"]}': info
             for split in SPLITS for info in load_list(root, split)['data_list']}
    boxes = {'aachen_000000_000019_24000': [-5, 20, 65, 90],
             'aachen_000000_000019_24001': [-20, 30, 50, 100],  # shifted into the padding
             'aachen_000000_000019_25000': [95, 30, 165, 100],
             'aachen_000000_000019_26003': [158, 51, 207, 100]}
    assert {stem: info['crop_box'] for stem, info in infos.items()} == boxes
    assert summary['skipped']['small_instances'] == dict(human=0, vehicle=1)
    assert summary['skipped']['occluded_instances'] == dict(human=0, vehicle=1)
    assert summary['num_crops'] == 4 and summary['num_images'] == 1
    uids, image = hand_uids(), hand_image((100, 200))
    expected_labels = np.vectorize(HAND_LABELS.get)(uids).astype(np.uint8)
    for stem, info in infos.items():
        assert info['gt_label'] == meta.sid_class(info['sid'])
        assert info['class_name'] == meta.CLASSES[info['gt_label']]
        assert info['img_path'] == f'images/train/{stem}.png'
        part_map = read(osp.join(root, info['seg_map_path']))
        np.testing.assert_array_equal(part_map, cut(expected_labels, info['crop_box']))
        np.testing.assert_array_equal(read(osp.join(root, info['img_path'])),
                                      cut(image, info['crop_box']))
        assert info['height'] == info['width'] == part_map.shape[0] == part_map.shape[1]
        labels = sorted(set(np.unique(part_map).tolist()) - {0})
        assert info['part_labels'] == labels
        for label, (x1, y1, x2, y2) in zip(labels, info['part_boxes']):
            ys, xs = np.nonzero(part_map == label)
            assert [x1, y1, x2, y2] == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
    # Every instance in a crop is labelled: the rider's crop shows the occluded car.
    assert 9 in infos['aachen_000000_000019_25000']['part_labels']
    # The padding is black and background; the artefact pid 5 is a void part.
    person = read(osp.join(root, infos['aachen_000000_000019_24001']['img_path']))
    assert (person[:, :20] == 0).all()
    assert read(osp.join(root, infos['aachen_000000_000019_24000']['seg_map_path']))[
        55:57, 29:31].tolist() == [[0, 0], [0, 0]]


def test_synthetic_crops(converted, release):
    out_dir, summary = converted
    infos = [info for split in SPLITS for info in load_list(out_dir, split)['data_list']]
    assert len(infos) == summary['num_crops'] > 10
    # Every human or vehicle instance of the release is cropped, small or occluded.
    instances = 0
    for split, cities in CITIES.items():
        for city in cities:
            for name in os.listdir(osp.join(release, meta.LABEL_DIR, split, city)):
                sids, iids, _ = meta.decode_uids(read(osp.join(release, meta.LABEL_DIR, split,
                                                               city, name)))
                keys = np.unique((sids * 1000 + iids)[(iids >= 0) & np.isin(sids, range(24, 29))])
                instances += len(keys)
    skipped = summary['skipped']
    assert instances == len(infos) + sum(skipped['small_instances'].values()) + sum(
        skipped['occluded_instances'].values())
    assert all(skipped['small_instances'].values())
    assert sum(skipped['occluded_instances'].values()) > 0
    centred = 0
    for info in infos:
        uids = raw_uids(release, info)
        sids, iids, pids = meta.decode_uids(uids)
        own = (sids == info['sid']) & (iids == info['iid'])
        assert own.sum() >= 1000 and info['gt_label'] == meta.sid_class(info['sid'])
        ys, xs = np.nonzero(own)
        x1, y1, x2, y2 = info['crop_box']
        assert x2 - x1 == y2 - y1 == info['width'] == info['height']
        assert x1 <= xs.min() and xs.max() < x2 and y1 <= ys.min() and ys.max() < y2
        width, height = xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()
        size = max(width, height)
        centred += (xs.min() - x1, ys.min() - y1) == (
            int(0.2 * size) + (size - width) // 2, int(0.2 * size) + (size - height) // 2)
        labels = meta.part_label_lut()[sids, pids + 1]
        np.testing.assert_array_equal(read(osp.join(out_dir, info['seg_map_path'])),
                                      cut(labels, info['crop_box']))
    assert centred < len(infos) // 4  # random offsets


def test_split_sizes_seed_and_nproc(converted, release, tmp_path):
    out_dir, summary = converted
    lists = {split: load_list(out_dir, split) for split in SPLITS}
    n = summary['num_crops']
    counts = {split: len(lists[split]['data_list']) for split in SPLITS}
    assert counts == dict(train=n - 2 * int(0.1 * n), val=int(0.1 * n), test=int(0.1 * n))
    assert summary['splits'] == dict(paper=counts)
    paths = [info['img_path'] for split in SPLITS for info in lists[split]['data_list']]
    assert len(set(paths)) == n
    assert {info['raw_split'] for info in lists['train']['data_list']} == {'train', 'val'}
    for split in SPLITS:
        assert lists[split]['metainfo'] == dict(
            dataset='CityscapesPanopticParts', split='paper', seed=0,
            classes=list(meta.CLASSES), part_names=list(meta.PART_NAMES),
            part_to_class=list(meta.PART_TO_CLASS_INDEX))
        assert sum(summary['classes'][split].values()) == counts[split]
    again, other = str(tmp_path / 'again'), str(tmp_path / 'other')
    convert_cityscapes_parts(release, out_dir=again, seed=0, nproc=2)
    convert_cityscapes_parts(release, out_dir=other, seed=1)
    for split in SPLITS:
        assert load_list(again, split) == lists[split]
        assert load_list(other, split)['data_list'] != lists[split]['data_list']
    for folder, _, names in os.walk(out_dir):
        for name in names:
            if name.endswith('.png'):
                relative = osp.relpath(osp.join(folder, name), out_dir)
                with open(osp.join(out_dir, relative), 'rb') as a, \
                        open(osp.join(again, relative), 'rb') as b:
                    assert a.read() == b.read(), relative


def test_output_guard(converted, release):
    out_dir, _ = converted
    assert convert_cityscapes_parts(release, out_dir=out_dir, seed=0)['reused']
    with pytest.raises(OutputExistsError, match='seed 0 \\(you asked for 1\\)'):
        convert_cityscapes_parts(release, out_dir=out_dir, seed=1)
    with pytest.raises(OutputExistsError, match='pad'):
        convert_cityscapes_parts(release, out_dir=out_dir, pad=0.1)


# ---------------------------------------------------------------------------------------------
# Bad input


def test_missing_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match='does not exist'):
        convert_cityscapes_parts(str(tmp_path / 'nowhere'))
    os.makedirs(tmp_path / meta.LABEL_DIR / 'train')
    with pytest.raises(FileNotFoundError, match='has no leftImg8bit/ folder'):
        convert_cityscapes_parts(str(tmp_path))
    os.makedirs(tmp_path / meta.IMAGE_DIR)
    with pytest.raises(FileNotFoundError, match='gtFinePanopticParts/val does not exist'):
        convert_cityscapes_parts(str(tmp_path))
    os.makedirs(tmp_path / meta.LABEL_DIR / 'val')
    with pytest.raises(ValueError, match='no \\*_gtFinePanopticParts.tif file'):
        convert_cityscapes_parts(str(tmp_path))


@pytest.mark.parametrize('uid, message', [
    (123, '123 \\(not a uid'),
    (700101, 'part id 1 on semantic id 7'),
    (2600306, 'part id 6 of semantic id 26 \\(car\\)'),
    (3600001, 'semantic id 36'),
])
def test_unknown_ids(tmp_path, uid, message):
    uids = hand_uids()
    uids[0, 0] = uid
    root = write_release(tmp_path, {('aachen', 'aachen_000000_000019'): uids})
    with pytest.raises(ValueError, match=f'aachen_000000_000019_gtFinePanopticParts.tif .*'
                                         f'{message}'):
        convert_cityscapes_parts(root, min_area=50)
    assert not osp.exists(osp.join(root, 'splits'))


def test_malformed_label_files(tmp_path):
    root = write_release(tmp_path, {('aachen', 'aachen_000000_000019'): hand_uids()})
    label = osp.join(root, meta.LABEL_DIR, 'train', 'aachen',
                     'aachen_000000_000019' + meta.LABEL_SUFFIX)
    Image.fromarray(hand_image((100, 200))).save(label)
    with pytest.raises(ValueError, match="gtFinePanopticParts.tif has PIL mode 'RGB'"):
        convert_cityscapes_parts(root, min_area=50)
    with open(label, 'w') as f:
        f.write('not a tiff')
    with pytest.raises(ValueError, match='gtFinePanopticParts.tif cannot be read'):
        convert_cityscapes_parts(root, min_area=50)


def test_image_of_another_size(tmp_path):
    root = write_release(tmp_path, {('aachen', 'aachen_000000_000019'): hand_uids()},
                         image_size=(100, 100))
    with pytest.raises(ValueError, match='leftImg8bit.png is 100x100 but its label file .* '
                                         'is 200x100'):
        convert_cityscapes_parts(root, min_area=50)


def test_missing_image(tmp_path, caplog):
    files = {('aachen', 'aachen_000000_000019'): hand_uids(),
             ('bochum', 'bochum_000000_000019'): hand_uids()}
    root = write_release(tmp_path, files, val_files={('lindau', 'lindau_000000_000019'):
                                                     hand_uids()})
    image = osp.join(root, meta.IMAGE_DIR, 'train', 'bochum',
                     'bochum_000000_000019' + meta.IMAGE_SUFFIX)
    os.remove(image)
    with pytest.raises(FileNotFoundError, match='bochum_000000_000019_leftImg8bit.png'):
        convert_cityscapes_parts(root, min_area=50)
    summary = convert_cityscapes_parts(root, min_area=50, allow_missing=True)
    assert summary['skipped']['missing_images'] == [image]
    assert summary['num_images'] == 2 and summary['num_crops'] == 8
    assert 'skipping 1 label file(s) whose image is missing' in caplog.text


@pytest.mark.parametrize('kwargs, message', [
    (dict(pad=-0.1), 'pad must be'), (dict(min_area=0), 'min_area must be'),
    (dict(val_ratio=0.6, test_ratio=0.5), 'sum to less than 1'), (dict(nproc=0), 'nproc'),
])
def test_bad_arguments(hand, kwargs, message):
    with pytest.raises(ValueError, match=message):
        convert_cityscapes_parts(hand[0], **kwargs)


def test_nothing_kept(tmp_path):
    root = write_release(tmp_path, {('aachen', 'aachen_000000_000019'): hand_uids()})
    with pytest.raises(ValueError, match='no instance .* was kept: .*fewer than 5000 pixels'):
        convert_cityscapes_parts(root, min_area=5000)


# ---------------------------------------------------------------------------------------------
# Dataset and training pipeline


def load(dataset, index):
    """A sample after loading, its image replaced by its part map in every channel, so that
    any misalignment after a transform shows as a pixel where the two differ."""
    results = copy.deepcopy(dataset.get_data_info(index))
    results = TRANSFORMS.build(dict(type='LoadImageFromFile'))(results)
    results = TRANSFORMS.build(dict(type='LoadPartAnnotations'))(results)
    results['img'] = np.repeat(results['gt_seg_map'][..., None], 3, axis=2).copy()
    return results


def assert_aligned(results):
    part_map, boxes, labels = results['gt_seg_map'], results['gt_bboxes'], \
        results['gt_bboxes_labels']
    np.testing.assert_array_equal(results['img'][..., 0], part_map)
    tol = max(results.get('scale_factor', (1.0, 1.0))) + 1  # nearest sampling
    for label in set(np.unique(part_map).tolist()) - {0, 255}:
        ys, xs = np.nonzero(part_map == label)
        (x1, y1, x2, y2), = boxes[labels == label]
        assert xs.min() >= x1 - tol and xs.max() + 1 <= x2 + tol
        assert ys.min() >= y1 - tol and ys.max() + 1 <= y2 + tol


def test_training_transforms_keep_alignment(converted):
    out_dir, _ = converted
    dataset = CityscapesPartsDataset(ann_file='splits/paper/train.json', data_root=out_dir,
                                     pipeline=[])
    crop = TRANSFORMS.build(dict(type='RandomResizedCrop', scale=64, crop_scale=(0.3, 1.0),
                                 interpolation='nearest'))
    flip = TRANSFORMS.build(dict(type='RandomFlip', prob=1.0, direction='horizontal'))
    pack = TRANSFORMS.build(dict(type='PackPartInputs'))
    np.random.seed(0)
    for index in range(len(dataset)):
        results = load(dataset, index)
        assert_aligned(results)
        results = flip(crop(results))
        assert_aligned(results)
        packed = pack(results)
        sample = packed['data_samples']
        assert packed['inputs'].shape == (3, 64, 64)
        assert sample.gt_label.item() == dataset.get_data_info(index)['gt_label']
        present = set(sample.gt_sem_seg.data.unique().tolist()) - {0}
        assert present <= set(sample.gt_instances.labels.tolist())


@pytest.mark.parametrize('label_type', ['part', 'object', 'fg'])
def test_label_types(converted, label_type):
    out_dir, _ = converted
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadPartAnnotations')]
    kwargs = dict(ann_file='splits/paper/val.json', data_root=out_dir, pipeline=pipeline)
    parts = CityscapesPartsDataset(**kwargs)
    dataset = CityscapesPartsDataset(label_type=label_type, **kwargs)
    names = dict(part=meta.PART_NAMES, object=('background', 'human', 'vehicle'),
                 fg=('background', 'foreground'))[label_type]
    assert dataset.metainfo['part_names'] == names
    assert dataset.metainfo['classes'] == meta.CLASSES
    to_label = np.array(dict(part=range(10), object=[0] + [1] * 4 + [2] * 5,
                             fg=[0] + [1] * 9)[label_type])
    for index in range(len(dataset)):
        part_map = parts[index]['gt_seg_map']
        sample = dataset[index]
        np.testing.assert_array_equal(sample['gt_seg_map'], to_label[part_map])
        np.testing.assert_array_equal(sample['gt_bboxes_labels'],
                                      to_label[parts[index]['gt_bboxes_labels']])


def test_missing_split_list_names_the_converter(converted):
    with pytest.raises(FileNotFoundError, match='run tools/dataset_converters/'
                                                'cityscapes_parts.py'):
        CityscapesPartsDataset(ann_file='splits/paper/nope.json', data_root=converted[0])


# ---------------------------------------------------------------------------------------------
# Command lines


def test_command_lines(tmp_path, monkeypatch, capsys):
    root = str(tmp_path / 'release')
    generator = load_tool('tools/dataset_converters/synthetic_cityscapes_parts.py')
    converter = load_tool('tools/dataset_converters/cityscapes_parts.py')
    monkeypatch.setattr(sys, 'argv', ['synthetic', root, '--num-images', '5'])
    generator.main()
    assert 'wrote 5 images' in capsys.readouterr().out
    monkeypatch.setattr(sys, 'argv', ['convert', root, '--min-area', '500', '--no-rand-pad'])
    converter.main()
    out = capsys.readouterr().out
    assert 'paper/train:' in out and 'instances of 5 images' in out
    monkeypatch.setattr(sys, 'argv', ['convert', root, '--seed', '1'])
    with pytest.raises(SystemExit, match='Pass --overwrite'):
        converter.main()
