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
from partmm.datasets.converters.partimagenet import find_original_split_dir
from partmm.datasets.generators import generate_synthetic_partimagenet
from partmm.datasets.output_guard import OutputExistsError

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
    # The converter rounds the corners to 4 decimals (x + w in floats can be 20.759999999999998).
    assert info['part_boxes'] == [[round(x, 4), round(y, 4), round(x + w, 4), round(y + h, 4)]
                                  for x, y, w, h in (a['bbox'] for a in anns)]


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


# ---------------------------------------------------------------------------------------------
# The original preparation's split (--split-from)


@pytest.fixture(scope='module')
def original_lists(converted):
    """Split -> class -> sorted ``<wnid>/<wnid>_<n>`` lines, as prepare_part_imagenet.py writes
    them: every 10th image of a class to val, the next to test, the rest to train, except one
    image of the release that no list names."""
    out_dir, _ = converted
    by_class = {}
    for split in SPLITS:
        for info in load_list(out_dir, 'official', split):
            by_class.setdefault(info['class_name'], []).append(
                f'{info["wnid"]}/{stem_of_path(info["img_path"])}')
    lists = {split: {name: [] for name in meta.CLASSES} for split in SPLITS}
    for name, lines in by_class.items():
        for i, line in enumerate(sorted(lines)):
            lists[('val', 'test', *['train'] * 8)[i % 10]][name].append(line)
    lists['train']['Bird'].pop()
    return lists


def write_original_tree(folder, lists):
    """``folder/<split>/<Class>.txt`` for the splits and classes of ``lists``, with the (here
    empty) mask folder beside each, like the original preparation's output."""
    for split, classes in lists.items():
        for name, lines in classes.items():
            os.makedirs(osp.join(folder, split, name))
            with open(osp.join(folder, split, f'{name}.txt'), 'w') as f:
                f.write(''.join(f'{line}\n' for line in sorted(lines)))
    return str(folder)


def edited(lists, edit):
    """A copy of ``lists`` changed by ``edit(copy)``."""
    copy = {split: {name: list(lines) for name, lines in classes.items()}
            for split, classes in lists.items()}
    edit(copy)
    return copy


def stem_of(line):
    """``<wnid>_<n>`` of a txt line ``<wnid>/<wnid>_<n>``."""
    return line.split('/')[1]


def stem_of_path(path):
    return osp.splitext(osp.basename(path))[0]


@pytest.fixture(scope='module')
def prepared_root(original_lists, tmp_path_factory):
    """A folder laid out as the original code leaves a release root: PartSegmentations/All."""
    root = tmp_path_factory.mktemp('prepared')
    write_original_tree(root / 'PartSegmentations' / 'All', original_lists)
    return str(root)


@pytest.fixture(scope='module')
def converted_original(release, prepared_root, tmp_path_factory):
    out_dir = str(tmp_path_factory.mktemp('original'))  # a sibling of `converted`
    split_dir = osp.join(prepared_root, 'PartSegmentations', 'All')
    return out_dir, convert_partimagenet(release, out_dir=out_dir, seed=0, split_from=split_dir)


def test_original_split_lists_exactly_the_txt_files(converted_original, converted,
                                                    original_lists):
    out_dir, summary = converted_original
    official = {info['img_path']: info for split in SPLITS
                for info in load_list(converted[0], 'official', split)}
    for split in SPLITS:
        content = load_json(osp.join(out_dir, 'splits', 'original', f'{split}.json'))
        assert content['metainfo'] == dict(
            dataset='PartImageNet', split='original', seed=0, classes=list(meta.CLASSES),
            part_names=list(meta.PART_NAMES))
        infos = content['data_list']
        assert infos == sorted(infos, key=lambda info: info['img_path'])
        expected = {(stem_of(line), meta.CLASSES.index(name), f'part_maps/{stem_of(line)}.png')
                    for name, lines in original_lists[split].items() for line in lines}
        assert len(infos) == len(expected) == summary['splits']['original'][split]
        assert {(stem_of_path(info['img_path']), info['gt_label'], info['seg_map_path'])
                for info in infos} == expected
        # Entries are those of the other kinds (same fields, boxes, official_split).
        assert all(info == official[info['img_path']] for info in infos)
        for info in infos:
            assert osp.isfile(osp.join(out_dir, info['seg_map_path']))
    assert summary['splits']['original'] == {'train': 175, 'val': 22, 'test': 22}
    assert summary['original_split']['missing_images'] == []
    listed = {stem_of(line) for classes in original_lists.values()
              for lines in classes.values() for line in lines}
    unlisted = [osp.basename(path) for path in official if stem_of_path(path) not in listed]
    assert len(unlisted) == 1
    assert [osp.basename(f) for f in summary['original_split']['unlisted']] == unlisted


def test_original_split_leaves_the_other_kinds_alone(converted_original, converted):
    out_dir, summary = converted_original
    for kind in ('official', 'paper'):
        for split in SPLITS:
            assert load_list(out_dir, kind, split) == load_list(converted[0], kind, split)
        assert summary['splits'][kind] == converted[1]['splits'][kind]
    assert sorted(os.listdir(osp.join(out_dir, 'part_maps'))) == sorted(
        os.listdir(osp.join(converted[0], 'part_maps')))
    # Without --split-from nothing of the original kind is written or recorded.
    assert sorted(os.listdir(osp.join(converted[0], 'splits'))) == ['official', 'paper']
    assert 'original_split' not in converted[1]
    manifest = load_json(osp.join(converted[0], 'partmm_manifest.partimagenet.json'))
    assert 'original_split_sha256' not in manifest['settings']


def test_split_from_takes_the_prepared_root_and_hashes_content(converted_original,
                                                               prepared_root, release):
    out_dir, _ = converted_original
    split_dir = osp.join(prepared_root, 'PartSegmentations', 'All')
    assert find_original_split_dir(prepared_root) == split_dir
    assert find_original_split_dir(split_dir) == split_dir
    # The release root the original code prepared holds PartSegmentations/All: same lists, so
    # the output is reused although the folder is named another way.
    summary = convert_partimagenet(release, out_dir=out_dir, seed=0, split_from=prepared_root)
    assert summary['reused']


def test_other_split_folder_is_refused(release, original_lists, tmp_path):
    def move_one_test_image_to_train(lists):
        lists['train']['Car'].append(lists['test']['Car'].pop())

    first = write_original_tree(tmp_path / 'first', original_lists)
    other = write_original_tree(tmp_path / 'other',
                                edited(original_lists, move_one_test_image_to_train))
    out_dir = str(tmp_path / 'out')
    convert_partimagenet(release, out_dir=out_dir, split_from=first)
    with pytest.raises(OutputExistsError, match=r'original_split_sha256 .*txt files of split_from'):
        convert_partimagenet(release, out_dir=out_dir, split_from=other)
    # Converting without the folder would drop splits/original/: refused as well.
    with pytest.raises(OutputExistsError, match='original_split_sha256'):
        convert_partimagenet(release, out_dir=out_dir)
    summary = convert_partimagenet(release, out_dir=out_dir, split_from=other, overwrite=True)
    assert summary['splits']['original']['test'] == 21


def remove_split(lists):
    del lists['test']


def remove_class_file(lists):
    del lists['val']['Snake']


def add_unknown_class(lists):
    lists['train']['Dog'] = []


def add_line_without_folder(lists):
    lists['val']['Bird'].append(stem_of(lists['val']['Bird'][0]))


def add_line_of_two_wnids(lists):
    lists['val']['Bird'].append('n90000301/n90000302_1')


def list_in_two_splits(lists):
    lists['test']['Fish'].append(lists['train']['Fish'][0])


def list_in_two_classes(lists):
    lists['train']['Car'].append(lists['train']['Fish'][0])


def move_to_another_class(lists):
    lists['train']['Car'].append(lists['train']['Fish'].pop(0))


def add_image_not_in_release(lists):
    lists['test']['Aeroplane'].append('n90000001/n90000001_9999')


BAD_SPLIT_FOLDERS = [
    (remove_split, FileNotFoundError, r'has no test/ folder'),
    (remove_class_file, FileNotFoundError, r'has no val/Snake\.txt'),
    (add_unknown_class, ValueError, r'train/Dog\.txt: \'Dog\' is not a PartImageNet class'),
    (add_line_without_folder, ValueError, r'val/Bird\.txt:\d+: \'n9\d+_\d+\' is not <wnid>/'),
    (add_line_of_two_wnids, ValueError, r'val/Bird\.txt:\d+: \'n90000301/n90000302_1\' is not'),
    (list_in_two_splits, ValueError, r'n9\d+/n9\d+_\d+ is listed twice: .*train/Fish\.txt:1 '
     r'and .*test/Fish\.txt:\d+'),
    (list_in_two_classes, ValueError, r'listed twice: .*train/Car\.txt:\d+ and .*train/'
     r'Fish\.txt:1'),
    (move_to_another_class, ValueError, r'train/Car\.txt:\d+: n9\d+/n9\d+_\d+ is listed as Car '
     r'but its parts in .*\.json are Fish parts'),
    (add_image_not_in_release, ValueError, r'test/Aeroplane\.txt:\d+: n90000001/n90000001_9999 '
     r'is not an image of the release'),
]


@pytest.mark.parametrize('edit, error, message', BAD_SPLIT_FOLDERS,
                         ids=[edit.__name__ for edit, _, _ in BAD_SPLIT_FOLDERS])
def test_bad_split_folder(release, original_lists, tmp_path, edit, error, message):
    folder = write_original_tree(tmp_path / 'All', edited(original_lists, edit))
    with pytest.raises(error, match=message):
        convert_partimagenet(release, out_dir=str(tmp_path / 'out'), split_from=folder)
    assert not osp.exists(tmp_path / 'out' / 'splits')


def test_split_folder_not_found(release, tmp_path):
    with pytest.raises(FileNotFoundError, match=r'nowhere does not exist'):
        convert_partimagenet(release, out_dir=str(tmp_path), split_from=str(tmp_path / 'nowhere'))
    with pytest.raises(FileNotFoundError, match=r'neither it nor .*PartSegmentations/All'):
        convert_partimagenet(release, out_dir=str(tmp_path), split_from=release)


def test_listed_image_without_annotations(release, original_lists, tmp_path):
    def add_bare_image(split, coco):
        if split == 'test':
            coco['images'].append(dict(id=999, file_name='n90000002_999.JPEG', width=32,
                                       height=32))

    def list_bare_image(lists):
        lists['test']['Aeroplane'].append('n90000002/n90000002_999')

    root = release_copy(release, tmp_path / 'root', add_bare_image)
    folder = write_original_tree(tmp_path / 'All', edited(original_lists, list_bare_image))
    with pytest.raises(ValueError, match=r'Aeroplane\.txt:\d+: n90000002/n90000002_999 is '
                       r'test/n90000002_999\.JPEG of the release, which has no part annot'):
        convert_partimagenet(root, split_from=folder)


def test_listed_image_missing_on_disk(release, original_lists, tmp_path, caplog):
    def list_ghost_image(lists):
        lists['val']['Aeroplane'].append('n90000001/n90000001_999')

    root = release_copy(release, tmp_path / 'root', add_ghost_image)
    folder = write_original_tree(tmp_path / 'All', edited(original_lists, list_ghost_image))
    with pytest.raises(FileNotFoundError, match=r'val\.json.* 1 listed.*n90000001_999\.JPEG'):
        convert_partimagenet(root, split_from=folder)
    with caplog.at_level(logging.WARNING):
        summary = convert_partimagenet(root, split_from=folder, allow_missing=True)
    assert summary['original_split']['missing_images'] == [
        osp.join(folder, 'val', 'Aeroplane.txt') + ':3: n90000001/n90000001_999']
    assert summary['splits']['original']['val'] == 22
    assert 'original split: skipped 1 listed image(s) missing on disk' in caplog.text
