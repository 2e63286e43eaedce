"""PASCAL-Part: label tables, the .mat format, the converter's rules, splits, dataset and errors.

Runs on a small synthetic release (the generator) and on annotation files written by hand in
PASCAL-Part's MATLAB struct format.
"""
import copy
import json
import logging
import os
import os.path as osp
import shutil

import numpy as np
import pytest
import scipy.io
from PIL import Image

from partmm.datasets import pascal_part_meta as meta
from partmm.datasets.converters.pascal_part import convert_pascal_part, load_annotation
from partmm.datasets.generators.synthetic_pascal_part import (
    OTHER_CLASSES,
    generate_synthetic_pascal_part,
    save_annotation,
)
from partmm.datasets.output_guard import OutputExistsError
from partmm.datasets.pascal_part import PascalPartDataset
from partmm.registry import DATASETS, TRANSFORMS

SPLITS = ('train', 'val', 'test')
NUM_IMAGES = 60  # 10 per class kept, 10 of other classes dropped
SIZE = (40, 56)


@pytest.fixture(scope='module')
def release(tmp_path_factory) -> str:
    """A synthetic release (never written into: conversions go to their own out_dir)."""
    root = str(tmp_path_factory.mktemp('release'))
    generate_synthetic_pascal_part(root, num_images=NUM_IMAGES, image_size=SIZE, seed=0)
    return root


@pytest.fixture(scope='module')
def converted(release, tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp('converted'))
    return out_dir, convert_pascal_part(release, out_dir=out_dir, seed=0)


def load_list(out_dir, split):
    with open(osp.join(out_dir, 'splits', 'paper', f'{split}.json')) as f:
        return json.load(f)


def stem(info):
    return osp.splitext(osp.basename(info['img_path']))[0]


def masks(shape, *boxes):
    """uint8 mask with the [y0:y1, x0:x1] boxes set."""
    mask = np.zeros(shape, np.uint8)
    for y0, y1, x0, x1 in boxes:
        mask[y0:y1, x0:x1] = 1
    return mask


def write_release(root, annotations, sizes=None):
    """A hand-made release: ``annotations`` maps id -> objects as ``save_annotation`` takes
    them; every id gets a grey JPEG of its masks' size (or ``sizes[id]``)."""
    for folder in (meta.IMAGE_DIR, meta.ANNOTATION_DIR):
        os.makedirs(osp.join(root, folder), exist_ok=True)
    for image_id, objects in annotations.items():
        height, width = (sizes or {}).get(image_id, objects[0][1].shape)
        Image.new('RGB', (width, height), (128, 128, 128)).save(
            osp.join(root, meta.IMAGE_DIR, f'{image_id}.jpg'))
        save_annotation(osp.join(root, meta.ANNOTATION_DIR, f'{image_id}.mat'), image_id,
                        objects)
    return str(root)


def release_copy(release, dst):
    """Copy of ``release``'s annotations sharing its images (a test may edit the copy)."""
    os.makedirs(dst)
    os.symlink(osp.join(release, meta.IMAGE_DIR), osp.join(dst, meta.IMAGE_DIR))
    shutil.copytree(osp.join(release, meta.ANNOTATION_DIR), osp.join(dst, meta.ANNOTATION_DIR))
    return str(dst)


# ---------------------------------------------------------------------------------------------
# Label tables and the .mat format


def test_label_ids_follow_the_reference_table():
    assert meta.CLASSES == ('aeroplane', 'bird', 'car', 'cat', 'dog')
    assert meta.PART_NAMES == (
        'background', 'aeroplane tail', 'aeroplane wing', 'aeroplane body', 'bird head',
        'bird legs', 'bird body', 'car wheel', 'car window', 'car body', 'cat head', 'cat legs',
        'cat body', 'dog head', 'dog legs', 'dog body')
    assert meta.PART_TO_CLASS_INDEX == (-1, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4)
    expected = {('aeroplane', 'stern'): 1, ('aeroplane', 'engine_3'): 2,
                ('aeroplane', 'wheel_1'): 3, ('bird', 'beak'): 4, ('bird', 'rfoot'): 5,
                ('bird', 'lwing'): 6, ('bird', 'tail'): 6, ('car', 'wheel_2'): 7,
                ('car', 'window_12'): 8, ('car', 'door_1'): 9, ('car', 'headlight_2'): 9,
                ('car', 'leftside'): 9, ('cat', 'rear'): 10, ('cat', 'lbpa'): 11,
                ('cat', 'tail'): 12, ('dog', 'muzzle'): 13, ('dog', 'rfleg'): 14,
                ('dog', 'torso'): 15, ('cat', 'muzzle'): None, ('person', 'head'): None}
    for (class_name, sub_part), label in expected.items():
        assert meta.sub_part_label(class_name, sub_part) == label, (class_name, sub_part)
    assert meta.voc_class_index('table') == meta.voc_class_index('diningtable') == 11
    assert PascalPartDataset.METAINFO['part_names'] == meta.PART_NAMES
    assert DATASETS.get('PascalPartDataset') is PascalPartDataset


def test_mat_files_have_the_real_struct_layout(release, tmp_path):
    raw = scipy.io.loadmat(osp.join(release, meta.ANNOTATION_DIR, '2010_000003.mat'))
    anno = raw['anno'][0, 0]
    assert anno['imname'][0] == '2010_000003'
    obj = anno['objects'][0, 0]
    assert obj['class'][0] == 'car'
    assert obj['class_ind'].dtype == np.uint8 and obj['class_ind'][0, 0] == 7
    assert obj['mask'].dtype == np.uint8 and obj['mask'].ndim == 2
    assert set(np.unique(obj['mask'])) == {0, 1}
    names = [obj['parts'][0, j]['part_name'][0] for j in range(obj['parts'].shape[1])]
    assert {'leftside', 'wheel_1', 'wheel_2', 'window_1', 'door_1'} <= set(names)
    assert obj['parts'][0, 0]['mask'].shape == obj['mask'].shape

    # The same struct built by hand, as MATLAB's save would store it: the converter reads both.
    parts = np.empty((1, 2), dtype=[('part_name', 'O'), ('mask', 'O')])
    parts[0, 0] = ('torso', masks((6, 8), (1, 5, 1, 6)))
    parts[0, 1] = ('head', masks((6, 8), (0, 3, 5, 8)))
    objects = np.empty((1, 2), dtype=[('class', 'O'), ('class_ind', 'O'), ('mask', 'O'),
                                      ('parts', 'O')])
    objects[0, 0] = ('cat', np.array([[8]], np.uint8), masks((6, 8), (0, 5, 1, 8)), parts)
    objects[0, 1] = ('chair', np.array([[9]], np.uint8), masks((6, 8), (5, 6, 0, 8)),
                     np.zeros((0, 0)))
    anno = np.empty((1, 1), dtype=[('imname', 'O'), ('objects', 'O')])
    anno[0, 0] = ('x', objects)
    scipy.io.savemat(tmp_path / 'x.mat', dict(anno=anno))
    save_annotation(str(tmp_path / 'y.mat'), 'y', [
        ('cat', masks((6, 8), (0, 5, 1, 8)), [('torso', masks((6, 8), (1, 5, 1, 6))),
                                              ('head', masks((6, 8), (0, 3, 5, 8)))]),
        ('chair', masks((6, 8), (5, 6, 0, 8)), [])])
    by_hand, generated = load_annotation(str(tmp_path / 'x.mat')), load_annotation(
        str(tmp_path / 'y.mat'))
    assert [o.class_name for o in by_hand] == [o.class_name for o in generated] == ['cat',
                                                                                    'chair']
    for a, b in zip(by_hand, generated):
        np.testing.assert_array_equal(a.mask, b.mask)
        assert [n for n, _ in a.parts] == [n for n, _ in b.parts]
        for (_, mask_a), (_, mask_b) in zip(a.parts, b.parts):
            np.testing.assert_array_equal(mask_a, mask_b)
    assert by_hand[1].parts == [] and by_hand[0].mask.dtype == bool


# ---------------------------------------------------------------------------------------------
# The converter on the synthetic release


def test_class_rule_part_maps_and_boxes(converted, release):
    out_dir, summary = converted
    infos = [info for split in SPLITS for info in load_list(out_dir, split)['data_list']]
    assert summary['num_images'] == len(infos) == 50
    assert sum(summary['skipped']['other_class'].values()) == 10
    assert set(summary['skipped']['other_class']) <= set(OTHER_CLASSES)
    assert summary['unmatched_sub_parts'] == {}
    for info in infos:
        objects = load_annotation(osp.join(release, meta.ANNOTATION_DIR, f'{stem(info)}.mat'))
        areas = [obj.mask.sum() for obj in objects]
        main = objects[int(np.argmax(areas))]
        assert info['class_name'] == main.class_name == meta.CLASSES[info['gt_label']]
        part_map = np.array(Image.open(osp.join(out_dir, info['seg_map_path'])))
        with Image.open(osp.join(out_dir, info['img_path'])) as image:
            assert image.size == (info['width'], info['height'])
        assert part_map.dtype == np.uint8 and part_map.shape == (info['height'], info['width'])
        present = sorted(set(np.unique(part_map).tolist()) - {0})
        assert info['part_labels'] == present and max(present) <= 15
        for label, (x1, y1, x2, y2) in zip(info['part_labels'], info['part_boxes']):
            ys, xs = np.nonzero(part_map == label)
            assert [x1, y1, x2, y2] == [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1]
        # Main object first: every pixel of its grouped sub-parts carries one of its labels.
        own = [label for label, c in enumerate(meta.PART_TO_CLASS_INDEX)
               if c == info['gt_label']]
        for name, mask in main.parts:
            assert np.isin(part_map[mask], own).all(), (info['img_path'], name)
        if main.class_name == 'car':  # windows and wheels win over the side drawn under them
            sides = dict(main.parts)['leftside']
            for name, mask in main.parts:
                if name.startswith(('window', 'wheel')):
                    assert (mask & sides).any()
                    assert (part_map[mask] == meta.sub_part_label('car', name)).all()


def test_second_objects_exercise_the_rules(release):
    with open(osp.join(release, 'partmm_manifest.synthetic_pascal_part.json')) as f:
        summary = json.load(f)['summary']
    assert summary['second_objects'] > summary['second_first'] > 0
    overlapping_kept = 0
    for name in sorted(os.listdir(osp.join(release, meta.ANNOTATION_DIR))):
        objects = load_annotation(osp.join(release, meta.ANNOTATION_DIR, name))
        areas = [int(obj.mask.sum()) for obj in objects]
        assert len(set(areas)) == len(areas)  # no tie: the largest object is unambiguous
        if len(objects) == 2:
            main, other = objects[int(np.argmax(areas))], objects[int(np.argmin(areas))]
            overlapping_kept += bool(other.class_name in meta.CLASSES and (main.mask
                                                                          & other.mask).any())
    assert overlapping_kept > 0


def test_split_sizes_and_the_original_shuffle(converted):
    out_dir, summary = converted
    lists = {split: load_list(out_dir, split) for split in SPLITS}
    assert summary['classes'] == {c: dict(train=8, val=1, test=1) for c in meta.CLASSES}
    assert summary['splits'] == dict(paper=dict(train=40, val=5, test=5))
    for split in SPLITS:
        metainfo, data = lists[split]['metainfo'], lists[split]['data_list']
        assert metainfo['classes'] == list(meta.CLASSES) and metainfo['split'] == 'paper'
        assert metainfo['part_to_class'] == list(meta.PART_TO_CLASS_INDEX)
        assert data == sorted(data, key=lambda info: info['img_path'])
    # What prepare_pascal_part.py does: labels in file order, np.unique's class order, the
    # global NumPy RNG seeded once, np.random.shuffle of each class's index array.
    infos = sorted((info for split in SPLITS for info in lists[split]['data_list']), key=stem)
    labels = np.array([info['class_name'] for info in infos])
    np.random.seed(0)
    expected = {split: set() for split in SPLITS}
    for label in np.unique(labels):
        idx = np.where(labels == label)[0]
        np.random.shuffle(idx)
        num = round(0.1 * len(idx))
        for split, part in (('val', idx[:num]), ('test', idx[num:2 * num]),
                            ('train', idx[2 * num:])):
            expected[split] |= {stem(infos[i]) for i in part}
    assert {s: {stem(i) for i in lists[s]['data_list']} for s in SPLITS} == expected


def test_output_depends_on_seed_only(release, converted, tmp_path):
    out_dir, _ = converted
    again, other = str(tmp_path / 'again'), str(tmp_path / 'other')
    convert_pascal_part(release, out_dir=again, seed=0, nproc=2)
    convert_pascal_part(release, out_dir=other, seed=1)
    def entries(folder, split):  # img_path is relative to the out_dir, which differs here
        return [dict(info, img_path=osp.basename(info['img_path']))
                for info in load_list(folder, split)['data_list']]

    for split in SPLITS:
        assert entries(again, split) == entries(out_dir, split)
        assert entries(other, split) != entries(out_dir, split)
    for name in os.listdir(osp.join(out_dir, 'part_maps')):
        with open(osp.join(out_dir, 'part_maps', name), 'rb') as a, \
                open(osp.join(again, 'part_maps', name), 'rb') as b:
            assert a.read() == b.read(), name
    assert convert_pascal_part(release, out_dir=again, seed=0)['reused']
    with pytest.raises(OutputExistsError, match='seed 0 .you asked for 1.*Re-splitting'):
        convert_pascal_part(release, out_dir=again, seed=1)
    assert not convert_pascal_part(release, out_dir=again, seed=1, overwrite=True)['reused']


# ---------------------------------------------------------------------------------------------
# The rules on hand-made annotations


def test_painting_order_and_class_rule_by_hand(tmp_path):
    shape = (10, 12)
    cat = ('cat', masks(shape, (0, 8, 0, 8)), [
        ('torso', masks(shape, (2, 8, 0, 8))), ('head', masks(shape, (0, 4, 4, 8))),
        ('lfleg', masks(shape, (6, 8, 0, 2)))])  # head and leg overlap the torso
    dog = ('dog', masks(shape, (4, 10, 6, 12)), [('muzzle', masks(shape, (4, 10, 6, 12)))])
    person = ('person', masks(shape, (8, 10, 0, 6)), [('head', masks(shape, (8, 10, 0, 6)))])
    root = write_release(tmp_path / 'root', {
        # the smaller dog first in the file: the main cat must still win the overlap
        'a': [dog, person, cat],
        'b': [('car', masks(shape, (0, 10, 0, 12)), [
            ('leftside', masks(shape, (0, 10, 0, 12))), ('window_1', masks(shape, (0, 3, 0, 4))),
            ('wheel_1', masks(shape, (7, 10, 0, 3))), ('plate', masks(shape, (4, 5, 4, 5)))])],
        'c': [cat, ('table', masks(shape, (0, 10, 0, 10)), [])],  # largest: the dining table
        'd': [('bird', masks(shape, (0, 5, 0, 12)), []),  # a tie: the first object wins
              ('aeroplane', masks(shape, (5, 10, 0, 12)), [('body', masks(shape, (5, 10, 0,
                                                                                  12)))])],
        'e': [('dog', masks(shape, (0, 2, 0, 2)), [])],  # 4 % of the image
    })
    summary = convert_pascal_part(root, min_area=0.03, val_ratio=0.0, test_ratio=0.0)
    infos = {stem(info): info for info in load_list(root, 'train')['data_list']}
    assert sorted(infos) == ['a', 'b', 'd', 'e']
    assert summary['skipped']['other_class'] == {'diningtable': 1}
    assert summary['unmatched_sub_parts'] == {'car': {'plate': 1}}

    def part_map(image_id):
        return np.array(Image.open(osp.join(root, infos[image_id]['seg_map_path'])))

    expected = np.zeros(shape, np.uint8)
    expected[2:8, 0:8] = 12  # cat torso, painted last of the cat's groups; rows 0-1 have no part
    expected[6:8, 0:2] = 11  # legs before body
    expected[0:4, 4:8] = 10  # head before legs and body
    expected[4:10, 8:12] = 13  # the dog only where the cat left background
    expected[8:10, 6:8] = 13
    np.testing.assert_array_equal(part_map('a'), expected)
    assert infos['a']['class_name'] == 'cat' and infos['a']['part_labels'] == [10, 11, 12, 13]
    assert infos['a']['part_boxes'][3] == [6.0, 4.0, 12.0, 10.0]
    car = part_map('b')
    assert (car[0:3, 0:4] == 8).all() and (car[7:10, 0:3] == 7).all()
    assert (car == 9).sum() == 120 - 12 - 9  # the plate matches no group: still body
    assert infos['d']['class_name'] == 'bird' and infos['d']['part_labels'] == [3]
    assert infos['e']['part_labels'] == [] and not part_map('e').any()
    again = convert_pascal_part(root, out_dir=str(tmp_path / 'strict'), min_area=0.05)
    assert again['skipped']['too_small'] == ['e']


# ---------------------------------------------------------------------------------------------
# The dataset class: label types and alignment through the training transforms


@pytest.mark.parametrize('label_type', ['part', 'object', 'fg'])
def test_label_types(converted, label_type):
    out_dir, _ = converted
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadPartAnnotations')]
    parts = PascalPartDataset(ann_file='splits/paper/train.json', data_root=out_dir,
                              pipeline=pipeline)
    dataset = PascalPartDataset(ann_file='splits/paper/train.json', data_root=out_dir,
                                pipeline=pipeline, label_type=label_type)
    names = dict(part=meta.PART_NAMES, object=('background', *meta.CLASSES),
                 fg=('background', 'foreground'))[label_type]
    assert dataset.metainfo['part_names'] == names
    to_class = np.array(meta.PART_TO_CLASS_INDEX)
    for index in range(0, len(dataset), 7):
        part, sample = parts[index], dataset[index]
        labelled = part['gt_seg_map'] > 0
        assert (sample['gt_seg_map'][~labelled] == 0).all()
        expected = dict(part=part['gt_seg_map'], object=to_class[part['gt_seg_map']] + 1,
                        fg=np.ones_like(part['gt_seg_map']))[label_type]
        np.testing.assert_array_equal(sample['gt_seg_map'][labelled], expected[labelled])
        assert sample['gt_label'] == part['gt_label']
        np.testing.assert_array_equal(sample['gt_bboxes'], part['gt_bboxes'])


def test_image_part_map_and_boxes_stay_aligned(converted):
    out_dir, _ = converted
    dataset = PascalPartDataset(ann_file='splits/paper/train.json', data_root=out_dir,
                                pipeline=[])
    load = [TRANSFORMS.build(dict(type='LoadImageFromFile')),
            TRANSFORMS.build(dict(type='LoadPartAnnotations'))]
    augment = [TRANSFORMS.build(dict(type='RandomResizedCrop', scale=32, crop_scale=(0.3, 1.0),
                                     interpolation='nearest')),
               TRANSFORMS.build(dict(type='RandomFlip', prob=0.5, direction='horizontal')),
               TRANSFORMS.build(dict(type='PackPartInputs'))]
    np.random.seed(0)
    for index in range(len(dataset)):
        results = copy.deepcopy(dataset.get_data_info(index))
        for transform in load:
            results = transform(results)
        assert results['img'].shape[:2] == results['gt_seg_map'].shape
        # The image replaced by its part map: nearest resampling keeps them equal if aligned.
        results['img'] = np.repeat(results['gt_seg_map'][..., None], 3, axis=2).copy()
        for transform in augment:
            results = transform(results)
        part_map = results['data_samples'].gt_sem_seg.data[0].numpy()
        np.testing.assert_array_equal(results['inputs'][0].numpy(), part_map)
        boxes = results['data_samples'].gt_instances.bboxes.numpy()
        labels = results['data_samples'].gt_instances.labels.numpy()
        assert results['data_samples'].gt_label.item() == dataset.get_data_info(index)[
            'gt_label']
        for label in set(np.unique(part_map).tolist()) - {0}:
            ys, xs = np.nonzero(part_map == label)
            (x1, y1, x2, y2), = boxes[labels == label]
            tol = 1 + 0.5 * max(results['data_samples'].scale_factor)  # nearest resampling
            assert (xs >= x1 - tol).all() and (xs + 1 <= x2 + tol).all()
            assert (ys >= y1 - tol).all() and (ys + 1 <= y2 + tol).all()


def test_dataset_names_the_converter(tmp_path, converted):
    with pytest.raises(FileNotFoundError, match='pascal_part.py'):
        PascalPartDataset(ann_file='splits/paper/train.json', data_root=str(tmp_path / 'no'))
    with pytest.raises(FileNotFoundError, match=r'run tools/dataset_converters/pascal_part\.py'):
        PascalPartDataset(ann_file='splits/paper/x.json', data_root=converted[0])


# ---------------------------------------------------------------------------------------------
# Bad input


def test_missing_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere does not exist'):
        convert_pascal_part(str(tmp_path / 'nowhere'))
    os.makedirs(tmp_path / 'root' / meta.IMAGE_DIR)
    with pytest.raises(FileNotFoundError, match='no Annotations_Part/'):
        convert_pascal_part(str(tmp_path / 'root'))
    os.makedirs(tmp_path / 'root' / meta.ANNOTATION_DIR)
    with pytest.raises(ValueError, match='Annotations_Part holds no .mat'):
        convert_pascal_part(str(tmp_path / 'root'))
    os.rmdir(tmp_path / 'root' / meta.IMAGE_DIR)
    with pytest.raises(FileNotFoundError, match='no JPEGImages/'):
        convert_pascal_part(str(tmp_path / 'root'))


def mat_content(case):
    """A variable dict that savemat writes into a malformed annotation file."""
    good_parts = np.empty((1, 1), dtype=[('part_name', 'O'), ('mask', 'O')])
    good_parts[0, 0] = ('head', np.ones((4, 4), np.uint8))
    fields = dict(no_mask=[('class', 'O'), ('parts', 'O')])
    objects = np.empty((1, 1), dtype=fields.get(case, [('class', 'O'), ('mask', 'O'),
                                                       ('parts', 'O')]))
    objects[0, 0] = dict(
        no_mask=('cat', good_parts),
        unknown_class=('unicorn', np.ones((4, 4), np.uint8), good_parts),
        mask_sizes=('cat', np.ones((4, 5), np.uint8), good_parts),
        text_mask=('cat', 'mask', good_parts),
    ).get(case, ('cat', np.ones((4, 4), np.uint8), good_parts))
    anno = np.empty((1, 1), dtype=[('imname', 'O'), ('objects', 'O')])
    anno[0, 0] = ('wrong_name' if case == 'imname' else '2010_000004', objects)
    return dict(no_anno=dict(annotation=anno)).get(case, dict(anno=anno))


@pytest.mark.parametrize('case, message', [
    ('garbage', r'2010_000004\.mat is not a readable MATLAB'),
    ('no_anno', r'2010_000004\.mat: expected a MATLAB struct "anno".*found variables annotation'),
    ('no_mask', r'2010_000004\.mat: anno\.objects should be a struct vector.*lacks mask'),
    ('unknown_class', r"2010_000004\.mat: anno\.objects\(1\)\.class is 'unicorn'"),
    ('mask_sizes', r'2010_000004\.mat: object and part masks differ in size: 4x4, 4x5'),
    ('text_mask', r'2010_000004\.mat: anno\.objects\(1\)\.mask should be a 2-D numeric mask'),
    ('imname', r"2010_000004\.mat: anno\.imname is 'wrong_name'"),
])
def test_malformed_annotation_is_named(release, tmp_path, case, message):
    root = release_copy(release, tmp_path / 'root')
    path = osp.join(root, meta.ANNOTATION_DIR, '2010_000004.mat')
    if case == 'garbage':
        with open(path, 'wb') as f:
            f.write(b'not a mat file')
    else:
        scipy.io.savemat(path, mat_content(case))
    with pytest.raises(ValueError, match=message):  # raised in a worker process, too
        convert_pascal_part(root, out_dir=str(tmp_path / 'out'),
                            nproc=2 if case == 'garbage' else 1)
    assert not osp.exists(tmp_path / 'out' / 'splits')  # nothing half-written


def test_image_size_mismatch_is_named(tmp_path):
    root = write_release(tmp_path / 'root', {'a': [('cat', masks((4, 6), (0, 4, 0, 6)), [])]},
                         sizes={'a': (5, 6)})
    with pytest.raises(ValueError, match=r'a\.jpg is 6x5 but the masks of .*a\.mat are 6x4'):
        convert_pascal_part(root)


def test_missing_image(release, converted, tmp_path, caplog):
    root = tmp_path / 'root'
    shutil.copytree(release, root)
    missing = stem(load_list(converted[0], 'train')['data_list'][0])
    os.remove(root / meta.IMAGE_DIR / f'{missing}.jpg')
    with pytest.raises(FileNotFoundError, match=rf'JPEGImages: 1 image.*{missing}\.jpg'):
        convert_pascal_part(str(root))
    with caplog.at_level(logging.WARNING):
        summary = convert_pascal_part(str(root), allow_missing=True)
    assert summary['skipped']['missing_images'] == [missing]
    assert 'missing on disk' in caplog.text and missing in caplog.text
    # The missing image keeps its place in the shuffle: the others stay in their splits.
    for split in SPLITS:
        before = {stem(i) for i in load_list(converted[0], split)['data_list']} - {missing}
        assert {stem(i) for i in load_list(str(root), split)['data_list']} == before


# ---------------------------------------------------------------------------------------------
# The generator


def test_generator_is_deterministic_and_checks_arguments(release, tmp_path):
    small = str(tmp_path / 'small')
    generate_synthetic_pascal_part(small, num_images=8, image_size=SIZE, seed=0)
    for folder in (meta.IMAGE_DIR, meta.ANNOTATION_DIR):
        names = sorted(os.listdir(osp.join(small, folder)))
        assert len(names) == 8
        for name in names:
            with open(osp.join(small, folder, name), 'rb') as a, \
                    open(osp.join(release, folder, name), 'rb') as b:
                assert a.read() == b.read(), name
    other = str(tmp_path / 'other')
    generate_synthetic_pascal_part(other, num_images=8, image_size=SIZE, seed=1)
    with open(osp.join(other, meta.IMAGE_DIR, '2010_000001.jpg'), 'rb') as a, \
            open(osp.join(small, meta.IMAGE_DIR, '2010_000001.jpg'), 'rb') as b:
        assert a.read() != b.read()
    with pytest.raises(OutputExistsError):
        generate_synthetic_pascal_part(small, num_images=9, image_size=SIZE)
    for kwargs in (dict(num_images=0), dict(image_size=16), dict(image_size=(80, 64))):
        with pytest.raises(ValueError):
            generate_synthetic_pascal_part(str(tmp_path / 'bad'), **kwargs)
