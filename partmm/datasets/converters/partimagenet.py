"""Convert an official PartImageNet release (real or synthetic) into partmm part maps and splits.

Input layout (``root``):

* images: ``images/<split>/<file_name>``; a ``<wnid>/`` folder level is accepted too
  (``images/<split>/<wnid>/<wnid>_<n>.JPEG``), as is the original code's
  ``JPEGImages/<wnid>/<wnid>_<n>.JPEG``;
* COCO-style JSONs: ``annotations/<split>/<split>.json`` or ``<split>.json`` at the root.

Output (``out_dir``, the release root by default):

* ``part_maps/<stem>.png``: uint8 label map, 0 = background, 1..40 = part label
  (``partimagenet_meta.OFFICIAL_ID_TO_LABEL``), painted in annotation order, later over earlier;
* ``splits/official/<split>.json``: the release's own class-disjoint split;
* ``splits/paper/<split>.json``: the paper's per-class re-split of the pooled images;
* ``splits/original/<split>.json`` (only when given ``split_from``): the split that the original
  preparation code (``prepare_part_imagenet.py``) wrote, read from its
  ``PartSegmentations/<name>/<split>/<Class>.txt`` lists (lines ``<wnid>/<wnid>_<n>``); the
  papers' models were trained and tested on it, and its seeded shuffle cannot be re-made;
* ``partmm_manifest.partimagenet.json``: settings and input hashes, written last.

Split lists use MMEngine's ``BaseDataset`` format (``metainfo`` + ``data_list``); paths in them
are relative to ``out_dir``. All kinds list the same entries (made from the release's JSONs,
part maps included); they differ only in which images go to which split. Annotations with zero
``area`` are ignored, as in the original preparation code. Images without annotations, and
(with ``allow_missing``) images missing on disk, are skipped and reported in the returned
summary and a logged warning.
"""
import hashlib
import json
import logging
import os
import os.path as osp
import re
from dataclasses import dataclass
from multiprocessing import Pool
from numbers import Real
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image
from pycocotools import mask as mask_utils

from partmm.datasets import partimagenet_meta as meta
from partmm.datasets.converters.split_list import write_split_list
from partmm.datasets.output_guard import file_digest, write_output
from partmm.utils import format_examples

logger = logging.getLogger(__name__)

SPLITS = ('train', 'val', 'test')
SPLIT_KINDS = ('official', 'paper', 'original')
SPLIT_DIR = 'splits'
# Where prepare_part_imagenet.py writes its split lists under the release root (its scripts name
# the preparation "All").
ORIGINAL_SPLIT_SUBDIR = osp.join('PartSegmentations', 'All')
_ORIGINAL_LINE = re.compile(r'(?P<wnid>[^/_\s]+)/(?P=wnid)_\d+')
PRODUCER = 'partimagenet'  # names the manifest of the part maps and splits


@dataclass
class _Image:
    """One usable image of the release and its non-zero-area parts, in annotation order."""
    split: str
    json_path: str
    file_name: str
    img_file: str
    stem: str
    wnid: str
    class_index: int
    height: int
    width: int
    labels: List[int]
    segmentations: List[object]
    boxes: List[List[float]]  # x1, y1, x2, y2


@dataclass
class _SplitScan:
    """What reading one official split JSON found."""
    images: List[_Image]
    no_annotations: List[str]
    missing: List[str]
    zero_area_annotations: int


@dataclass
class _Listing:
    """Where the original preparation's split lists put one image."""
    split: str
    class_index: int
    txt_file: str
    line_number: int
    line: str

    def where(self) -> str:
        return f'{self.txt_file}:{self.line_number}'


@dataclass
class _OriginalLists:
    """The original preparation's split lists, read and checked but not yet matched."""
    dir: str
    listings: Dict[str, _Listing]  # image stem -> where it is listed
    sha256: str  # of the txt files' names and content


def convert_partimagenet(root: str,
                         out_dir: Optional[str] = None,
                         seed: int = 0,
                         val_ratio: float = 0.1,
                         test_ratio: float = 0.1,
                         allow_missing: bool = False,
                         nproc: int = 1,
                         overwrite: bool = False,
                         split_from: Optional[str] = None) -> dict:
    """Write part maps and the official, paper and (optionally) original split lists of a
    PartImageNet release.

    Paper split: the three official splits are pooled (train JSON order, then val, then test);
    per class, in alphabetical class order, the class's images are shuffled by one
    ``numpy.random.RandomState(seed)``; the first ``round(val_ratio * n)`` go to val, the next
    ``round(test_ratio * n)`` to test and the rest to train. Split lists are sorted by
    ``img_path``. The result does not depend on ``nproc``.

    Original split (only with ``split_from``): each split holds exactly the images that the
    original preparation's ``<split>/<Class>.txt`` files list. Every listed image must be an
    annotated image of the release whose parts are of the listed class, listed once. A listed
    image missing on disk is, like everywhere else, an error unless ``allow_missing`` (then it
    is skipped and reported); images of the release that the folder does not list (the
    original code skips images missing on its disk) are reported, not added.

    The output is ``part_maps/`` and ``splits/`` of ``out_dir`` (the release itself is never
    touched), replaced as a unit through :mod:`partmm.datasets.output_guard`; the manifest
    ``partmm_manifest.partimagenet.json`` records the seed, ratios, ``allow_missing``, where
    the release is, a hash of each split JSON and, with ``split_from``, a hash of the txt
    files' content (not of where they are). An output of the same settings and release
    is reused as it is; any other is an error unless ``overwrite``: re-splitting with another
    seed would put images of the old test split into training.

    Args:
        root: Release folder (see the module docstring for the accepted layouts).
        out_dir: Output folder; defaults to ``root``.
        seed: Seed of the paper split's shuffle.
        val_ratio: Fraction of each class that goes to the paper val split.
        test_ratio: Fraction of each class that goes to the paper test split.
        allow_missing: Skip (and report) images listed in a JSON but missing on disk instead
            of raising.
        nproc: Processes that write part maps.
        overwrite: Replace part maps and splits of other settings, another release or unknown
            origin.
        split_from: The original preparation's split folder, ``PartSegmentations/<name>``
            (holding ``{train,val,test}/<Class>.txt``), or a folder holding
            ``PartSegmentations/All`` (the release root it was prepared in); None writes no
            original split.

    Returns:
        Summary: ``out_dir``, ``num_images`` (converted), ``splits`` (kind -> split -> number
        of images), ``split_files`` (kind -> split -> path), ``skipped`` (``no_annotations``
        -> list of ``<split>/<file_name>``; ``missing_images`` -> list of the paths expected
        on disk), ``zero_area_annotations`` (count of ignored annotations) and ``reused``
        (True when the output was already there). With ``split_from`` also
        ``original_split``: ``dir`` (the folder read), ``missing_images`` (``<txt>:<line>:
        <listed image>`` of listed images skipped as missing on disk) and ``unlisted`` (the
        release's ``<split>/<file_name>`` that the folder does not list).

    Raises:
        FileNotFoundError: If ``root``, a split JSON or (without ``allow_missing``) a listed
            image does not exist; with ``split_from``, if the folder, one of its split
            folders or one of the 11 ``<Class>.txt`` of a split does not exist.
        ValueError: If an argument is out of range or a JSON is malformed: unknown categories,
            a category id outside 0..39, parts of several classes in one image, a file name
            that is not ``<wnid>_<n>.<ext>``, an image whose size differs from its JSON entry.
            With ``split_from``: a txt file not named after a class, a line that is not
            ``<wnid>/<wnid>_<n>``, an image listed twice, one not in the release's JSONs or
            without part annotations there, or one whose parts are of another class than its
            txt file's.
        OutputExistsError: If ``out_dir`` holds part maps or splits of other settings or
            origin and ``overwrite`` is False.
    """
    _check_arguments(val_ratio, test_ratio, nproc)
    if not osp.isdir(root):
        raise FileNotFoundError(f'PartImageNet root {root} does not exist')
    out_dir = root if out_dir is None else out_dir
    json_paths = {split: find_split_json(root, split) for split in SPLITS}
    # Read before any work, so that a bad folder fails fast; matched to the release in write().
    original = None if split_from is None else _read_original_lists(split_from)

    def write(work_dir: str) -> dict:
        scans = {split: _scan_split(root, json_paths[split], split, allow_missing)
                 for split in SPLITS}
        images = [image for split in SPLITS for image in scans[split].images]
        _check_unique_stems(images)
        members = dict(official={s: scans[s].images for s in SPLITS},
                       paper=_paper_split(images, seed, val_ratio, test_ratio))
        if original is not None:
            members['original'], original_report = _original_split(images, scans,
                                                                   original.listings)
        _write_part_maps(images, work_dir, nproc)
        kinds = [kind for kind in SPLIT_KINDS if kind in members]
        split_files = {kind: {split: _write_split_list(members[kind][split], work_dir, out_dir,
                                                       kind, split, seed)
                              for split in SPLITS} for kind in kinds}
        summary = dict(
            out_dir=out_dir,
            num_images=len(images),
            splits={kind: {s: len(members[kind][s]) for s in SPLITS} for kind in kinds},
            split_files=split_files,
            skipped=dict(no_annotations=[f for s in SPLITS for f in scans[s].no_annotations],
                         missing_images=[f for s in SPLITS for f in scans[s].missing]),
            zero_area_annotations=sum(scans[s].zero_area_annotations for s in SPLITS))
        if original is not None:
            summary['original_split'] = dict(dir=original.dir, **original_report)
        return summary

    settings = dict(
        seed=seed, val_ratio=val_ratio, test_ratio=test_ratio, allow_missing=allow_missing,
        # Split lists hold image paths relative to out_dir, so where the release is matters.
        root=osp.relpath(osp.abspath(root), osp.abspath(out_dir)),
        split_json_sha256={split: file_digest(json_paths[split]) for split in SPLITS})
    if original is not None:
        # Only when given, so that outputs made without it keep their settings and are reused.
        settings['original_split_sha256'] = original.sha256
    resplit = ('Re-splitting would move images of the old paper test split into training, '
               'and checkpoints trained on the old split would be tested on their own '
               'training data.')
    other_lists = ('splits/original/ is made from the txt files of split_from (--split-from) '
                   'and would change with them (made, re-made or removed); checkpoints trained '
                   'on old lists could then be tested on their own training data.')
    return write_output(out_dir, PRODUCER, settings, write, entries=(meta.PART_MAP_DIR, SPLIT_DIR),
                        overwrite=overwrite, notes=dict(seed=resplit, val_ratio=resplit,
                                                        test_ratio=resplit,
                                                        original_split_sha256=other_lists))


def _check_arguments(val_ratio: float, test_ratio: float, nproc: int) -> None:
    if not (0.0 <= val_ratio < 1.0 and 0.0 <= test_ratio < 1.0
            and val_ratio + test_ratio < 1.0):
        raise ValueError(f'val_ratio ({val_ratio}) and test_ratio ({test_ratio}) must be in '
                         '[0, 1) and sum to less than 1')
    if not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f'nproc must be a positive int, got {nproc!r}')


# ---------------------------------------------------------------------------------------------
# Reading the release


def find_split_json(root: str, split: str) -> str:
    """Path of ``<split>.json``: ``annotations/<split>/<split>.json`` or ``<split>.json``.

    Raises:
        FileNotFoundError: If neither exists; the message lists both paths.
    """
    candidates = [osp.join(root, 'annotations', split, f'{split}.json'),
                  osp.join(root, f'{split}.json')]
    for path in candidates:
        if osp.isfile(path):
            return path
    raise FileNotFoundError(f'no {split}.json in PartImageNet root {root}; tried '
                            + ', '.join(candidates))


def _scan_split(root: str, json_path: str, split: str, allow_missing: bool) -> _SplitScan:
    """Read and validate one split JSON; find its images on disk."""
    coco = load_coco_json(json_path)
    _check_categories(coco['categories'], json_path)
    images_by_id = _index_images(coco['images'], json_path)
    annotations = _group_annotations(coco['annotations'], images_by_id, json_path)
    scan = _SplitScan(images=[], no_annotations=[], missing=[], zero_area_annotations=0)
    for entry in coco['images']:
        anns = annotations.get(entry['id'], [])
        if not anns:
            scan.no_annotations.append(f'{split}/{entry["file_name"]}')
            continue
        img_file = _find_image(root, split, entry['file_name'])
        if img_file is None:
            scan.missing.append(osp.join(root, 'images', split, entry['file_name']))
            continue
        image = _make_image(entry, anns, split, json_path, img_file)
        scan.zero_area_annotations += len(anns) - len(image.labels)
        scan.images.append(image)
    _report_skipped(scan, json_path, allow_missing)
    return scan


def load_coco_json(json_path: str) -> dict:
    """Parsed JSON with list-valued ``images``, ``annotations`` and ``categories``."""
    try:
        with open(json_path) as f:
            coco = json.load(f)
    except json.JSONDecodeError as error:
        raise ValueError(f'{json_path} is not valid JSON: {error}') from error
    if not isinstance(coco, dict):
        raise ValueError(f'{json_path}: expected a COCO-style object at the top level')
    for key in ('images', 'annotations', 'categories'):
        if not isinstance(coco.get(key), list):
            raise ValueError(f'{json_path}: key "{key}" is missing or not a list')
    return coco


def _check_categories(categories: List[dict], json_path: str) -> None:
    """The categories must be exactly the 40 official ones (id, name, supercategory)."""
    expected = {c['id']: (c['name'], c['supercategory']) for c in meta.OFFICIAL_CATEGORIES}
    found = {}
    for category in categories:
        _require_keys(category, ('id', 'name', 'supercategory'), json_path, 'category')
        found[category['id']] = (category['name'], category['supercategory'])
    for category_id in sorted(set(expected) | set(found), key=str):
        if found.get(category_id) != expected.get(category_id):
            raise ValueError(
                f'{json_path}: category id {category_id!r} is {found.get(category_id)} '
                f'(name, supercategory) but the official PartImageNet category is '
                f'{expected.get(category_id)}')


def _index_images(entries: List[dict], json_path: str) -> Dict[int, dict]:
    """Image id -> image entry, after checking ids are unique and sizes positive ints."""
    images_by_id: Dict[int, dict] = {}
    for entry in entries:
        _require_keys(entry, ('id', 'file_name', 'width', 'height'), json_path, 'image')
        if entry['id'] in images_by_id:
            raise ValueError(f'{json_path}: image id {entry["id"]} is used twice')
        for key in ('width', 'height'):
            if not isinstance(entry[key], int) or entry[key] < 1:
                raise ValueError(f'{json_path}: image {entry["file_name"]} has {key} '
                                 f'{entry[key]!r}, expected a positive int')
        images_by_id[entry['id']] = entry
    return images_by_id


def _group_annotations(annotations: List[dict], images_by_id: Dict[int, dict],
                       json_path: str) -> Dict[int, List[dict]]:
    """Validate the annotations and group them by image id, keeping JSON order."""
    grouped: Dict[int, List[dict]] = {}
    for ann in annotations:
        _require_keys(ann, ('id', 'image_id', 'category_id', 'segmentation', 'bbox'), json_path,
                      'annotation')
        image = images_by_id.get(ann['image_id'])
        if image is None:
            raise ValueError(f'{json_path}: annotation {ann["id"]} refers to image id '
                             f'{ann["image_id"]!r}, which is not in "images"')
        _check_annotation(ann, image, json_path)
        grouped.setdefault(ann['image_id'], []).append(ann)
    return grouped


def _check_annotation(ann: dict, image: dict, json_path: str) -> None:
    where = f'{json_path}: annotation {ann["id"]} of image {image["file_name"]}'
    category_id = ann['category_id']
    if (not isinstance(category_id, int) or isinstance(category_id, bool)
            or category_id not in meta.OFFICIAL_ID_TO_LABEL):
        raise ValueError(f'{where} has category_id {category_id!r}, expected an int in '
                         f'0..{meta.NUM_PARTS - 1}')
    bbox = ann['bbox']
    if not (isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(b) for b in bbox)):
        raise ValueError(f'{where} has bbox {bbox!r}, expected [x, y, w, h]')
    if 'area' in ann and not _is_number(ann['area']):
        raise ValueError(f'{where} has area {ann["area"]!r}, expected a number')
    _check_segmentation(ann['segmentation'], image, where)


def _check_segmentation(segmentation: object, image: dict, where: str) -> None:
    """Polygons ``[[x1, y1, ...], ...]`` or an RLE dict of the image's size."""
    if isinstance(segmentation, dict):
        if 'counts' not in segmentation or 'size' not in segmentation:
            raise ValueError(f'{where}: RLE segmentation needs "counts" and "size"')
        if list(segmentation['size']) != [image['height'], image['width']]:
            raise ValueError(f'{where}: RLE size {segmentation["size"]} differs from the '
                             f'image size [{image["height"]}, {image["width"]}]')
        return
    if not isinstance(segmentation, list) or not all(
            isinstance(p, list) and len(p) % 2 == 0 and all(_is_number(c) for c in p)
            for p in segmentation):
        raise ValueError(f'{where}: segmentation must be a list of polygons '
                         '[x1, y1, x2, y2, ...] or an RLE dict')


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _require_keys(item: object, keys: Sequence[str], json_path: str, what: str) -> None:
    """Raise a ValueError naming the JSON unless ``item`` is a dict with all ``keys``."""
    if not isinstance(item, dict):
        raise ValueError(f'{json_path}: a {what} entry is not an object: {item!r}')
    for key in keys:
        if key not in item:
            raise ValueError(f'{json_path}: {what} {item.get("id", item)!r} has no "{key}"')


def _find_image(root: str, split: str, file_name: str) -> Optional[str]:
    """First existing path of the image among the accepted layouts, else None."""
    base = osp.basename(file_name)
    wnid = base.split('_')[0]
    split_dir = osp.join(root, 'images', split)
    for path in (osp.join(split_dir, file_name), osp.join(split_dir, base),
                 osp.join(split_dir, wnid, base), osp.join(root, 'JPEGImages', wnid, base)):
        if osp.isfile(path):
            return path
    return None


def _stem(file_name: str) -> str:
    """``<wnid>_<n>`` of an image path or file name: what names its part map."""
    return osp.splitext(osp.basename(file_name))[0]


def _make_image(entry: dict, anns: List[dict], split: str, json_path: str,
                img_file: str) -> _Image:
    """Class, wnid and non-zero-area parts of one annotated image."""
    file_name = entry['file_name']
    stem = _stem(file_name)
    wnid, sep, number = stem.partition('_')
    if not (wnid and sep and number):
        raise ValueError(f'{json_path}: image file name {file_name} is not <wnid>_<n>.<ext>')
    labels = [meta.OFFICIAL_ID_TO_LABEL[ann['category_id']] for ann in anns]
    class_indices = sorted({meta.PART_TO_CLASS_INDEX[label] for label in labels})
    if len(class_indices) > 1:
        raise ValueError(f'{json_path}: image {file_name} has parts of several classes: '
                         + ', '.join(meta.CLASSES[c] for c in class_indices))
    height, width = entry['height'], entry['width']
    kept = [i for i, ann in enumerate(anns) if _annotation_area(ann, height, width) > 0]
    return _Image(
        split=split, json_path=json_path, file_name=file_name, img_file=img_file, stem=stem,
        wnid=wnid, class_index=class_indices[0], height=height, width=width,
        labels=[labels[i] for i in kept],
        segmentations=[anns[i]['segmentation'] for i in kept],
        boxes=[_xywh_to_xyxy(anns[i]['bbox']) for i in kept])


def _annotation_area(ann: dict, height: int, width: int) -> float:
    """The annotation's ``area``, or its mask's pixel count when the JSON has none."""
    if 'area' in ann:
        return float(ann['area'])
    return float(rasterise(ann['segmentation'], height, width).sum())


def _xywh_to_xyxy(bbox: Sequence[float]) -> List[float]:
    x, y, w, h = (float(b) for b in bbox)
    # Rounded so float noise of the sum (30.439999999999998) does not reach the split lists.
    return [round(x, 4), round(y, 4), round(x + w, 4), round(y + h, 4)]


def _report_skipped(scan: _SplitScan, json_path: str, allow_missing: bool) -> None:
    """Warn about skipped images; without ``allow_missing`` missing images are an error."""
    if scan.missing and not allow_missing:
        raise FileNotFoundError(
            f'{json_path}: {len(scan.missing)} listed image(s) are missing on disk, e.g. '
            f'{format_examples(scan.missing)} (pass allow_missing=True / --allow-missing to skip '
            'them)')
    if scan.missing:
        logger.warning('%s: skipped %d image(s) missing on disk, e.g. %s', json_path,
                       len(scan.missing), format_examples(scan.missing))
    if scan.no_annotations:
        logger.warning('%s: skipped %d image(s) without annotations, e.g. %s', json_path,
                       len(scan.no_annotations), format_examples(scan.no_annotations))


def _check_unique_stems(images: Iterable[_Image]) -> None:
    """Part maps are named by file stem, so two images must not share one."""
    seen: Dict[str, _Image] = {}
    for image in images:
        other = seen.setdefault(image.stem, image)
        if other is not image:
            raise ValueError(f'image {image.file_name} is listed in both {other.json_path} '
                             f'and {image.json_path}')


# ---------------------------------------------------------------------------------------------
# Part maps


def rasterise(segmentation: object, height: int, width: int) -> np.ndarray:
    """Boolean [H, W] mask of COCO polygons or an RLE dict (rasterised by pycocotools)."""
    if isinstance(segmentation, dict):
        rle = segmentation
        if isinstance(rle['counts'], list):  # uncompressed RLE
            rle = mask_utils.frPyObjects(rle, height, width)
    else:
        # pycocotools reads a 4-number "polygon" as a box; polygons under 3 points have no area.
        polygons = [[float(c) for c in p] for p in segmentation if len(p) >= 6]
        if not polygons:
            return np.zeros((height, width), dtype=bool)
        rle = mask_utils.merge(mask_utils.frPyObjects(polygons, height, width))
    return mask_utils.decode(rle).astype(bool)


def _write_part_maps(images: List[_Image], work_dir: str, nproc: int) -> None:
    os.makedirs(osp.join(work_dir, meta.PART_MAP_DIR), exist_ok=True)
    tasks = [(image, osp.join(work_dir, _part_map_path(image))) for image in images]
    if nproc == 1:
        for task in tasks:
            _write_part_map(task)
        return
    with Pool(nproc) as pool:
        for _ in pool.imap_unordered(_write_part_map, tasks, chunksize=32):
            pass


def _write_part_map(task: Tuple[_Image, str]) -> None:
    """Paint the parts of one image, later over earlier, and save the uint8 PNG."""
    image, path = task
    with Image.open(image.img_file) as picture:
        if picture.size != (image.width, image.height):
            raise ValueError(f'{image.img_file} is {picture.size[0]}x{picture.size[1]} but '
                             f'{image.json_path} says {image.width}x{image.height}')
    label_map = np.zeros((image.height, image.width), dtype=np.uint8)
    for label, segmentation in zip(image.labels, image.segmentations):
        label_map[rasterise(segmentation, image.height, image.width)] = label
    Image.fromarray(label_map).save(path)


def _part_map_path(image: _Image) -> str:
    return f'{meta.PART_MAP_DIR}/{image.stem}.png'


# ---------------------------------------------------------------------------------------------
# Split lists


def _paper_split(images: List[_Image], seed: int, val_ratio: float,
                 test_ratio: float) -> Dict[str, List[_Image]]:
    """The paper's per-class 80/10/10 re-split of the pooled official splits."""
    rng = np.random.RandomState(seed)
    split: Dict[str, List[_Image]] = {s: [] for s in SPLITS}
    for class_index in range(meta.NUM_CLASSES):
        members = [image for image in images if image.class_index == class_index]
        order = [members[i] for i in rng.permutation(len(members))]
        num_val = round(val_ratio * len(members))
        num_test = round(test_ratio * len(members))
        split['val'] += order[:num_val]
        split['test'] += order[num_val:num_val + num_test]
        split['train'] += order[num_val + num_test:]
    return split


# ---------------------------------------------------------------------------------------------
# The original preparation's split


def find_original_split_dir(path: str) -> str:
    """The folder of the original preparation's split lists named by ``--split-from``.

    Args:
        path: Either that folder (``PartSegmentations/<name>``, holding ``train/``, ``val/``
            and ``test/``) or a folder holding ``PartSegmentations/All`` (the scripts' name),
            such as the release root the original code prepared.

    Returns:
        ``path`` when it holds a ``train``, ``val`` or ``test`` folder, else
        ``path/PartSegmentations/All``.

    Raises:
        FileNotFoundError: If ``path`` does not exist or is neither; the message names the
            places looked at.
    """
    if not osp.isdir(path):
        raise FileNotFoundError(f'split folder {path} does not exist')
    if any(osp.isdir(osp.join(path, split)) for split in SPLITS):
        return path
    nested = osp.join(path, ORIGINAL_SPLIT_SUBDIR)
    if osp.isdir(nested):
        return nested
    raise FileNotFoundError(
        f'split folder {path}: neither it nor {nested} holds the train/val/test folders of '
        'the original preparation (prepare_part_imagenet.py)')


def _read_original_lists(split_from: str) -> _OriginalLists:
    """Find, read and check the split folder named by ``split_from``."""
    split_dir = find_original_split_dir(split_from)
    files = _original_split_files(split_dir)
    return _OriginalLists(split_dir, _read_original_split(files), _original_split_digest(files))


def _original_split_files(split_dir: str) -> Dict[Tuple[str, int], str]:
    """(split, class index) -> ``<split_dir>/<split>/<Class>.txt``, all 33 of them.

    Other files and the mask folders beside the txt files are not read.
    """
    files: Dict[Tuple[str, int], str] = {}
    for split in SPLITS:
        folder = osp.join(split_dir, split)
        if not osp.isdir(folder):
            raise FileNotFoundError(f'split folder {split_dir} has no {split}/ folder')
        for name in sorted(os.listdir(folder)):
            class_name, ext = osp.splitext(name)
            if ext == '.txt' and class_name not in meta.CLASSES:
                raise ValueError(f'{osp.join(folder, name)}: {class_name!r} is not a '
                                 f'PartImageNet class ({", ".join(meta.CLASSES)})')
        for class_index, class_name in enumerate(meta.CLASSES):
            path = osp.join(folder, f'{class_name}.txt')
            if not osp.isfile(path):
                raise FileNotFoundError(f'split folder {split_dir} has no {split}/'
                                        f'{class_name}.txt (the original preparation writes '
                                        'one per class and split)')
            files[split, class_index] = path
    return files


def _read_original_split(files: Dict[Tuple[str, int], str]) -> Dict[str, _Listing]:
    """Image stem -> where the txt files list it, after checking each line and that no image
    is listed twice."""
    listings: Dict[str, _Listing] = {}
    for (split, class_index), path in files.items():
        with open(path) as f:
            lines = f.read().splitlines()
        for number, line in enumerate(lines, start=1):
            line = line.strip()
            listing = _Listing(split, class_index, path, number, line)
            if not _ORIGINAL_LINE.fullmatch(line):
                raise ValueError(f'{listing.where()}: {line!r} is not <wnid>/<wnid>_<n>')
            other = listings.setdefault(line.split('/')[1], listing)
            if other is not listing:
                raise ValueError(f'{line} is listed twice: {other.where()} and '
                                 f'{listing.where()}')
    return listings


def _original_split_digest(files: Dict[Tuple[str, int], str]) -> str:
    """One SHA-256 of the txt files' names and content, whatever folder holds them."""
    digest = hashlib.sha256()
    for (split, class_index), path in sorted(files.items()):
        digest.update(f'{split}/{meta.CLASSES[class_index]}.txt {file_digest(path)}\n'.encode())
    return digest.hexdigest()


def _original_split(images: List[_Image], scans: Dict[str, _SplitScan],
                    listings: Dict[str, _Listing]) -> Tuple[Dict[str, List[_Image]], dict]:
    """The release's images, split as the original preparation's txt files list them.

    Returns:
        Split -> images, and the report: ``missing_images`` (listings of images skipped as
        missing on disk, which only ``allow_missing`` lets through the scans) and
        ``unlisted`` (``<split>/<file_name>`` of release images no txt file lists).
    """
    by_stem = {image.stem: image for image in images}
    missing = {_stem(path) for scan in scans.values() for path in scan.missing}
    bare = {_stem(name): name for scan in scans.values() for name in scan.no_annotations}
    split: Dict[str, List[_Image]] = {s: [] for s in SPLITS}
    skipped = []
    for stem, listing in listings.items():
        image = by_stem.get(stem)
        if image is None and stem in missing:
            skipped.append(f'{listing.where()}: {listing.line}')
            continue
        if image is None and stem in bare:
            raise ValueError(f'{listing.where()}: {listing.line} is {bare[stem]} of the release, '
                             'which has no part annotations, so it has no part map; the '
                             'split folder was not prepared from this release')
        if image is None:
            raise ValueError(f'{listing.where()}: {listing.line} is not an image of the '
                             'release\'s JSONs; the split folder was not prepared from this '
                             'release')
        if image.class_index != listing.class_index:
            raise ValueError(f'{listing.where()}: {listing.line} is listed as '
                             f'{meta.CLASSES[listing.class_index]} but its parts in '
                             f'{image.json_path} are {meta.CLASSES[image.class_index]} parts')
        split[listing.split].append(image)
    unlisted = [f'{image.split}/{image.file_name}' for image in images
                if image.stem not in listings]
    if skipped:
        logger.warning('original split: skipped %d listed image(s) missing on disk, e.g. %s',
                       len(skipped), format_examples(skipped))
    if unlisted:
        logger.warning('original split: %d image(s) of the release are in no txt file of the '
                       'split folder, so in no original split, e.g. %s', len(unlisted),
                       format_examples(unlisted))
    return split, dict(missing_images=skipped, unlisted=unlisted)


def _write_split_list(images: List[_Image], work_dir: str, out_dir: str, kind: str, split: str,
                      seed: int) -> str:
    """Write one MMEngine-style split list into ``work_dir``; return its path in ``out_dir``.

    Image paths in it are relative to ``out_dir``, where ``work_dir`` will be moved.
    """
    data_list = sorted((_data_info(image, out_dir) for image in images),
                       key=lambda info: info['img_path'])
    metainfo = dict(dataset='PartImageNet', split=kind, seed=seed, classes=list(meta.CLASSES),
                    part_names=list(meta.PART_NAMES))
    return write_split_list(work_dir, out_dir, osp.join(SPLIT_DIR, kind, f'{split}.json'),
                            metainfo, data_list)


def _data_info(image: _Image, out_dir: str) -> dict:
    """The split-list entry of one image (paths relative to ``out_dir``)."""
    return dict(
        img_path=osp.relpath(image.img_file, out_dir).replace(os.sep, '/'),
        seg_map_path=_part_map_path(image),
        gt_label=image.class_index,
        class_name=meta.CLASSES[image.class_index],
        wnid=image.wnid,
        official_split=image.split,
        height=image.height,
        width=image.width,
        part_boxes=image.boxes,
        part_labels=image.labels)
