"""Synthetic PartImageNet generator: file format, consistency, determinism, minimum part size,
versioned manifests and no class given away by global colour."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from helpers import load_tool
from PIL import Image

from partmm.datasets import partimagenet_meta as meta
from partmm.datasets.converters.partimagenet import rasterise
from partmm.datasets.generators import generate_synthetic_partimagenet
from partmm.datasets.generators import synthetic_partimagenet as synthetic
from partmm.datasets.output_guard import OutputExistsError

SPLITS = ('train', 'val', 'test')
NUM_IMAGES = 70  # 2 images per synset, 4 synsets get a third
IMAGE_SIZE = 40


@pytest.fixture(scope='module')
def release(tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp('release'))
    summary = generate_synthetic_partimagenet(out_dir, num_images=NUM_IMAGES,
                                              image_size=IMAGE_SIZE, seed=0)
    return out_dir, summary


def load_split(out_dir, split):
    with open(osp.join(out_dir, 'annotations', split, f'{split}.json')) as f:
        return json.load(f)


def wnid_class(summary):
    return {w: name for name, wnids in summary['wnids'].items() for w in wnids}


def read_tree(out_dir):
    """Relative path -> bytes of every file under ``out_dir`` but the manifest (which names
    ``out_dir``)."""
    files = {}
    for folder, _, names in os.walk(out_dir):
        for name in names:
            if name == 'partmm_manifest.synthetic_partimagenet.json':
                continue
            path = osp.join(folder, name)
            with open(path, 'rb') as f:
                files[osp.relpath(path, out_dir)] = f.read()
    return files


def test_deterministic_by_seed(release, tmp_path):
    out_dir, _ = release
    generate_synthetic_partimagenet(str(tmp_path / 'same'), num_images=NUM_IMAGES,
                                    image_size=IMAGE_SIZE, seed=0)
    generate_synthetic_partimagenet(str(tmp_path / 'other'), num_images=NUM_IMAGES,
                                    image_size=IMAGE_SIZE, seed=1)
    reference, same, other = (read_tree(d) for d in
                              (out_dir, tmp_path / 'same', tmp_path / 'other'))
    assert same == reference
    assert other.keys() == reference.keys()
    for path in reference:
        assert other[path] != reference[path], path


def test_json_schema(release):
    out_dir, summary = release
    for split in SPLITS:
        coco = load_split(out_dir, split)
        assert set(coco) == {'images', 'annotations', 'categories'}
        assert coco['categories'] == [dict(c) for c in meta.OFFICIAL_CATEGORIES]
        image_ids = [image['id'] for image in coco['images']]
        assert len(set(image_ids)) == len(image_ids)
        for image in coco['images']:
            assert set(image) == {'id', 'file_name', 'width', 'height'}
            assert (image['height'], image['width']) == (IMAGE_SIZE, IMAGE_SIZE)
            with Image.open(osp.join(out_dir, 'images', split, image['file_name'])) as picture:
                assert picture.format == 'JPEG' and picture.mode == 'RGB'
                assert picture.size == (image['width'], image['height'])
        ann_ids = [ann['id'] for ann in coco['annotations']]
        assert len(set(ann_ids)) == len(ann_ids)
        for ann in coco['annotations']:
            assert set(ann) == {'id', 'image_id', 'category_id', 'segmentation', 'bbox',
                                'area', 'iscrowd'}
            assert ann['image_id'] in image_ids and ann['iscrowd'] == 0 and ann['area'] > 0
            assert all(len(p) >= 6 and len(p) % 2 == 0 for p in ann['segmentation'])


def test_parts_belong_to_the_image_class(release):
    out_dir, summary = release
    classes = wnid_class(summary)
    categories = {c['id']: c for c in meta.OFFICIAL_CATEGORIES}
    parts_of_class = {name: set() for name in meta.CLASSES}
    for split in SPLITS:
        coco = load_split(out_dir, split)
        files = {image['id']: image['file_name'] for image in coco['images']}
        seen = {image_id: set() for image_id in files}
        for ann in coco['annotations']:
            assert 0 <= ann['category_id'] <= 39
            class_name = classes[files[ann['image_id']].split('_')[0]]
            assert categories[ann['category_id']]['supercategory'] == class_name
            seen[ann['image_id']].add(categories[ann['category_id']]['name'])
            parts_of_class[class_name].add(categories[ann['category_id']]['name'])
        # Every image is annotated with at least two different parts of its class.
        for names in seen.values():
            assert len(names) >= 2
    # Every part of every class is drawn somewhere.
    for class_name, names in parts_of_class.items():
        assert names == {f'{class_name} {part}' for part in meta.class_parts(class_name)}


def test_boxes_are_tight_and_inside_the_image(release):
    out_dir, _ = release
    for split in SPLITS:
        for ann in load_split(out_dir, split)['annotations']:
            x, y, w, h = ann['bbox']
            assert 0 <= x and 0 <= y and x + w <= IMAGE_SIZE and y + h <= IMAGE_SIZE
            points = np.concatenate([np.reshape(p, (-1, 2)) for p in ann['segmentation']])
            assert points.min() >= 0 and points.max() <= IMAGE_SIZE
            np.testing.assert_allclose(points.min(0), [x, y], atol=0.011)
            np.testing.assert_allclose(points.max(0), [x + w, y + h], atol=0.011)


def test_splits_are_disjoint_in_wnids(release):
    out_dir, summary = release
    wnids = {split: {image['file_name'].split('_')[0]
                     for image in load_split(out_dir, split)['images']} for split in SPLITS}
    assert not (wnids['train'] & wnids['val'] or wnids['train'] & wnids['test']
                or wnids['val'] & wnids['test'])
    for class_wnids in summary['wnids'].values():
        assert len(class_wnids) == 3
        assert all(w.startswith('n9') and len(w) == 9 for w in class_wnids)
        assert class_wnids[-1] in wnids['test'] and class_wnids[-2] in wnids['val']
        assert class_wnids[0] in wnids['train']


def test_counts(release):
    out_dir, summary = release
    per_synset = {}
    for split in SPLITS:
        coco = load_split(out_dir, split)
        assert summary['splits'][split]['num_images'] == len(coco['images'])
        assert summary['splits'][split]['num_annotations'] == len(coco['annotations'])
        for image in coco['images']:
            wnid = image['file_name'].split('_')[0]
            per_synset[wnid] = per_synset.get(wnid, 0) + 1
    assert sum(per_synset.values()) == summary['num_images'] == NUM_IMAGES
    assert len(per_synset) == 33 and set(per_synset.values()) == {2, 3}


def test_non_square_images(tmp_path):
    generate_synthetic_partimagenet(str(tmp_path), num_images=33, image_size=(32, 48))
    coco = load_split(str(tmp_path), 'val')
    image = coco['images'][0]
    assert (image['height'], image['width']) == (32, 48)
    with Image.open(tmp_path / 'images' / 'val' / image['file_name']) as picture:
        assert picture.size == (48, 32)
    for ann in coco['annotations']:
        x, y, w, h = ann['bbox']
        assert x + w <= 48 and y + h <= 32


@pytest.mark.parametrize('kwargs, message', [
    (dict(wnids_per_class=2), 'wnids_per_class'),
    (dict(num_images=32), 'num_images'),
    (dict(image_size=4), 'image_size'),
    (dict(image_size=(32, 32, 3)), 'image_size'),
])
def test_bad_arguments(tmp_path, kwargs, message):
    args = dict(num_images=33, image_size=32)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        generate_synthetic_partimagenet(str(tmp_path), **args)


def crop_label_counts(coco, image, size):
    """Label -> pixels in the configs' central test crop of the part map the converter paints
    from ``image``'s annotations (later over earlier)."""
    height, width = size
    label_map = np.zeros(size, dtype=np.int32)
    for ann in coco['annotations']:
        if ann['image_id'] == image['id']:
            label_map[rasterise(ann['segmentation'], height, width)] = ann['category_id'] + 1
    top, left, crop_h, crop_w = synthetic.central_crop(size)
    counts = np.bincount(label_map[top:top + crop_h, left:left + crop_w].ravel(), minlength=41)
    return {label - 1: int(counts[label]) for label in np.unique(label_map) if label > 0}


def test_min_part_pixels_at_the_default_crop():
    # The demo's 72 px images and 64 px crops: every part covers 24 px of the crop.
    assert synthetic.central_crop((72, 72)) == (4, 4, 64, 64)
    assert synthetic.min_part_pixels((72, 72)) == 24
    assert synthetic.central_crop((40, 60)) == (2, 3, 36, 53)


@pytest.mark.parametrize('image_size', [IMAGE_SIZE, 72])
def test_every_part_label_covers_the_minimum_in_the_crop(release, tmp_path, image_size):
    if image_size == IMAGE_SIZE:
        out_dir = release[0]
    else:
        out_dir = str(tmp_path / 'release')
        generate_synthetic_partimagenet(out_dir, num_images=66, image_size=image_size, seed=3)
    size = (image_size, image_size)
    fewest = synthetic.min_part_pixels(size)
    for split in SPLITS:
        coco = load_split(out_dir, split)
        for image in coco['images']:
            counts = crop_label_counts(coco, image, size)
            annotated = {ann['category_id'] for ann in coco['annotations']
                         if ann['image_id'] == image['id']}
            # Every annotated part is visible in the crop, with at least `fewest` pixels.
            assert set(counts) == annotated, image['file_name']
            assert min(counts.values()) >= fewest, (image['file_name'], counts)


def test_crop_part_pixels_counts_labels_after_occlusion():
    square = np.array([[0, 0], [20, 0], [20, 20], [0, 20]], dtype=float)
    parts = [('Body', [square + 10]), ('Head', [square[:, :] * 0.5 + 20]),
             ('Body', [square * 0.25 + 50])]
    counts = synthetic.crop_part_pixels(parts, (72, 72))
    # Head (10x10 at 20..30) lies on Body (20x20 at 10..30); the second Body square (5x5 at
    # 50..55) adds to the first; the crop (4..68) holds all of them.
    assert counts == {'Body': 400 - 100 + 25, 'Head': 100}


def test_a_release_of_an_older_generator_is_not_reused(tmp_path):
    out_dir = str(tmp_path / 'release')
    generate_synthetic_partimagenet(out_dir, num_images=33, image_size=IMAGE_SIZE)
    manifest = osp.join(out_dir, 'partmm_manifest.synthetic_partimagenet.json')
    with open(manifest) as f:
        record = json.load(f)
    assert record['settings']['generator_version'] == synthetic.GENERATOR_VERSION
    assert generate_synthetic_partimagenet(out_dir, num_images=33,
                                           image_size=IMAGE_SIZE)['reused']
    # A release drawn before the version was recorded (or by another version) is other data.
    del record['settings']['generator_version']
    with open(manifest, 'w') as f:
        json.dump(record, f)
    with pytest.raises(OutputExistsError, match='generator_version'):
        generate_synthetic_partimagenet(out_dir, num_images=33, image_size=IMAGE_SIZE)
    summary = generate_synthetic_partimagenet(out_dir, num_images=33, image_size=IMAGE_SIZE,
                                              overwrite=True)
    assert not summary['reused']


def test_global_colour_does_not_give_the_class_away(tmp_path):
    probe = load_tool('tools/analysis_tools/colour_probe.py')
    out_dir = str(tmp_path / 'release')
    generate_synthetic_partimagenet(out_dir, num_images=440, image_size=72, seed=1)
    results = probe.probe(out_dir)
    assert results['chance'] == pytest.approx(100 / 11)
    # Fits its training images (the probe works) but is far from reading the class off the
    # colours of images of unseen synsets (16 % on the default release's test split).
    assert results['train'] > 2 * results['chance']
    assert results['val'] < 35 and results['test'] < 35, results
