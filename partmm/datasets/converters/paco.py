"""Convert a PACO release (real or synthetic) into object crops, part maps and split lists.

Input (``root``):

* JSONs ``paco_{lvis,ego4d}_v1_{train,val,test}.json`` in ``root/annotations/`` or in ``root``
  itself; every one of the six that exists is read (at least one must);
* PACO-LVIS images under a COCO 2017 root (``root/coco`` by default): an image's
  ``file_name`` (``train2017/000000123456.jpg``) is relative to it; an image without
  ``file_name`` (the plain LVIS schema) is found by the path of its ``coco_url``;
* PACO-EGO4D frames under ``root/ego4d`` by default, read only when an ego4d JSON is there.

Preparation (that of paper b's ``prepare_paco.py``, section 3.3 of the reference):

1. Every object annotation (``id == obj_ann_id``) whose box covers at least
   ``min_object_area`` (1 %) of its image is one sample; smaller ones are counted and skipped.
2. The part map is painted over the whole image, for every object of the image (small ones
   included: their parts are as real in the crops of their neighbours), in annotation order,
   later over earlier: first the object's region (its mask, or its box when it has none) as
   unlabelled, then its part masks (later over earlier) with their labels. So the pixels of
   objects without part annotations, and those of annotated objects that none of their parts
   covers, are unlabelled, not background.
3. The object's box is enlarged ``bbox_expand_factor`` (1.5) times about its centre, clipped
   to the image and widened to whole pixels; the image and the part map are cropped to it and
   resized so that the long side is ``crop_size`` (256): the image with Pillow's bilinear
   filter (antialiased when shrinking; the original resizes images with nearest too), the
   part map with nearest.
4. All samples are pooled (JSON order lvis train, val, test, then ego4d; annotation order
   within a JSON), shuffled with ``numpy.random.RandomState(seed)`` and re-split: the first
   ``int(val_ratio * n)`` go to val, the next ``int(test_ratio * n)`` to test, the rest
   (the original drops the up to two left over by its rounding) to train.

Label spaces come from the JSONs' ``categories`` (all JSONs' union, checked for agreement):
classes are the ``OBJECT`` categories and part labels 1..P-1 the ``PART`` categories
(``<object>:<part>``), each in id order; a part's class is that of its ``<object>``. Every
split file of a conversion thus has the same C and P, whether or not a part occurs.

Output (``out_dir``, ``root/partmm`` by default), replaced as a unit through
:mod:`partmm.datasets.output_guard` (manifest ``partmm_manifest.paco.json``):

* ``images/<split>/<stem>.png``: RGB crops; ``<stem>`` = ``<source>_<json split>_<object
  annotation id>``, e.g. ``lvis_train_1234``;
* ``part_maps/<stem>.png``: 0 = background, 1..P-1 = part labels, unlabelled = 255 (uint8
  maps, P <= 255) or 65535 (uint16 maps, for more labels: the real release has P = 457);
* ``splits/paper/<split>.json``: MMEngine ``BaseDataset`` lists; ``metainfo`` holds
  ``classes``, ``part_names``, ``part_to_class``, the categories' ids and ``ignore_index``
  (the unlabelled value); ``part_boxes`` are the tight boxes of each part label present in
  the crop's part map (pixel (x, y) spans [x, x + 1)).
"""
import logging
import math
import os
import os.path as osp
from dataclasses import dataclass, field
from multiprocessing import Pool
from numbers import Real
from typing import Dict, Iterator, List, Optional, Sequence, Tuple
from urllib.parse import urlparse

import numpy as np
from PIL import Image

from partmm.datasets import paco_meta as meta
from partmm.datasets.converters.partimagenet import load_coco_json, rasterise
from partmm.datasets.converters.split_list import write_split_list
from partmm.datasets.output_guard import file_digest, write_output
from partmm.utils import format_examples

logger = logging.getLogger(__name__)

PRODUCER = 'paco'  # names the manifest of the crops, part maps and splits
DEFAULT_OUT_SUBDIR = 'partmm'  # out_dir when none is given: <root>/partmm
DEFAULT_IMAGE_ROOTS = {'lvis': 'coco', 'ego4d': 'ego4d'}  # relative to root


@dataclass
class _Object:
    """One object annotation of an image and its part annotations, in JSON order."""
    ann_id: int
    position: int  # index in the JSON's annotation list: the pooling order
    category_id: int
    bbox: List[float]  # x, y, w, h
    segmentation: Optional[object]  # polygons or RLE; None when the annotation has none
    # (annotation id, category id, segmentation) of each part; _resolve adds the labels.
    parts: List[Tuple[int, int, Optional[object]]] = field(default_factory=list)
    class_index: int = -1
    labels: List[int] = field(default_factory=list)  # part labels, as ``parts``


@dataclass
class _Sample:
    """An object kept as a sample: where it is in its image task and where it goes."""
    stem: str
    object_index: int
    order: Tuple[int, int]  # (JSON index, annotation position): the pooling order
    split: str = ''


@dataclass
class _ImageTask:
    """One image: all its objects (painted) and the samples cropped from it."""
    source: str
    source_split: str
    json_path: str
    image_id: int
    file_name: str  # relative to the source's image root
    img_file: str
    height: int
    width: int
    objects: List[_Object]
    samples: List[_Sample]


@dataclass
class _Scan:
    """What reading one release JSON found."""
    source: str
    split: str
    json_path: str
    categories: Dict[int, Tuple[str, str]]  # id -> (supercategory, name)
    objects: List[_Object]  # all of them, samples or not
    tasks: List[_ImageTask]
    small_objects: int
    missing: List[str]


@dataclass(frozen=True)
class _LabelSpace:
    """Classes and part labels of a conversion, with the category ids they stand for."""
    classes: Tuple[str, ...]
    class_category_ids: Tuple[int, ...]
    part_names: Tuple[str, ...]  # background first
    part_category_ids: Tuple[int, ...]  # of labels 1..P-1
    part_to_class: Tuple[int, ...]  # -1 for background


@dataclass(frozen=True)
class _CropSettings:
    """What a worker needs besides its image task."""
    work_dir: str
    bbox_expand_factor: float
    crop_size: int
    unlabelled: int
    dtype: type


def convert_paco(root: str,
                 out_dir: Optional[str] = None,
                 coco_root: Optional[str] = None,
                 ego4d_root: Optional[str] = None,
                 seed: int = 0,
                 val_ratio: float = 0.1,
                 test_ratio: float = 0.1,
                 bbox_expand_factor: float = 1.5,
                 crop_size: int = 256,
                 min_object_area: float = 0.01,
                 allow_missing: bool = False,
                 nproc: int = 1,
                 overwrite: bool = False) -> dict:
    """Write the object crops, part maps and paper split of a PACO release (module docstring).

    The result does not depend on ``nproc``. An output of the same settings and JSONs is
    reused as it is; any other is an error unless ``overwrite``: re-splitting with another
    seed would put objects of the old test split into training.

    Args:
        root: Release folder (see the module docstring for the layout).
        out_dir: Output folder; defaults to ``root/partmm``.
        coco_root: Root of the COCO 2017 images (``train2017/``, ``val2017/``) of PACO-LVIS;
            defaults to ``root/coco``.
        ego4d_root: Root of the PACO-EGO4D frames; defaults to ``root/ego4d``.
        seed: Seed of the re-split's shuffle.
        val_ratio: Fraction of the pooled samples that goes to val (rounded down).
        test_ratio: Fraction that goes to test (rounded down); the rest goes to train.
        bbox_expand_factor: Growth of the object box about its centre before cropping.
        crop_size: Long side of the crops, in pixels.
        min_object_area: Smallest box area of a sample, as a fraction of its image's area.
        allow_missing: Skip (and report) the objects of images missing on disk instead of
            raising.
        nproc: Processes that crop and write.
        overwrite: Replace an output of other settings, another release or unknown origin.

    Returns:
        Summary: ``out_dir``, ``json_files`` (read, in pooling order), ``num_samples``,
        ``num_classes``, ``num_part_labels`` (P, background included), ``part_map_dtype``
        (``'uint8'`` or ``'uint16'``), ``ignore_index``, ``splits`` (split -> number of
        samples), ``split_files`` (split -> path), ``classes_per_split`` (split -> class name
        -> number of samples, classes without samples left out), ``objects_without_parts``
        (samples whose object has no part annotation), ``skipped`` (``small_objects``: count;
        ``missing_images``: the paths looked for) and ``reused``.

    Raises:
        FileNotFoundError: If ``root``, every JSON, an image root of a source with a JSON or
            (without ``allow_missing``) an image of a sample does not exist.
        ValueError: If an argument is out of range or a JSON is malformed: not JSON, missing
            keys, duplicate ids, an annotation of an unknown image or category, a part of no
            object annotation, of another image or of another object's category, a category
            that is neither ``OBJECT`` nor ``PART`` or a part not named
            ``<object>:<part>`` after one of the objects, JSONs that disagree on a category,
            or an image whose size on disk differs from its JSON entry.
        OutputExistsError: If ``out_dir`` holds another output and ``overwrite`` is False.
    """
    _check_arguments(val_ratio, test_ratio, bbox_expand_factor, crop_size, min_object_area,
                     nproc)
    if not osp.isdir(root):
        raise FileNotFoundError(f'PACO root {root} does not exist')
    out_dir = osp.join(root, DEFAULT_OUT_SUBDIR) if out_dir is None else out_dir
    json_files = find_json_files(root)
    image_roots = _image_roots(root, coco_root, ego4d_root, {s for s, _, _ in json_files})

    def write(work_dir: str) -> dict:
        scans = [_scan_json(path, index, source, split, image_roots[source], min_object_area,
                            allow_missing)
                 for index, (source, split, path) in enumerate(json_files)]
        space = _label_space(scans)
        for scan in scans:
            _resolve(scan, space)
        samples = sorted(((task, sample) for scan in scans for task in scan.tasks
                          for sample in task.samples), key=lambda pair: pair[1].order)
        _assign_splits([sample for _, sample in samples], seed, val_ratio, test_ratio)
        unlabelled = meta.unlabelled_value(len(space.part_names))
        crop = _CropSettings(work_dir, bbox_expand_factor, crop_size, unlabelled,
                             np.uint8 if unlabelled == meta.UNLABELLED_UINT8 else np.uint16)
        tasks = [task for scan in scans for task in scan.tasks]
        crops = dict(_crop_all(tasks, crop, nproc))
        data = {split: [] for split in meta.SPLITS}
        for task, sample in samples:
            data[sample.split].append(_data_info(task, sample, space, crops[sample.stem]))
        split_files = {split: _write_split_list(data[split], space, work_dir, out_dir, split,
                                                seed, unlabelled) for split in meta.SPLITS}
        return dict(
            out_dir=out_dir,
            json_files=[path for _, _, path in json_files],
            num_samples=len(samples),
            num_classes=len(space.classes),
            num_part_labels=len(space.part_names),
            part_map_dtype=np.dtype(crop.dtype).name,
            ignore_index=unlabelled,
            splits={split: len(data[split]) for split in meta.SPLITS},
            split_files=split_files,
            classes_per_split={split: _count_classes(data[split]) for split in meta.SPLITS},
            objects_without_parts=sum(not task.objects[s.object_index].parts
                                      for task, s in samples),
            skipped=dict(small_objects=sum(scan.small_objects for scan in scans),
                         missing_images=[p for scan in scans for p in scan.missing]))

    settings = dict(
        seed=seed, val_ratio=val_ratio, test_ratio=test_ratio,
        bbox_expand_factor=bbox_expand_factor, crop_size=crop_size,
        min_object_area=min_object_area, allow_missing=allow_missing,
        # The crops are made from the images found there.
        image_roots={source: osp.relpath(osp.abspath(path), osp.abspath(out_dir))
                     for source, path in image_roots.items()},
        json_sha256={osp.basename(path): file_digest(path) for _, _, path in json_files})
    resplit = ('Re-splitting would move objects of the old test split into training, and '
               'checkpoints trained on the old split would be tested on their own training '
               'data.')
    return write_output(out_dir, PRODUCER, settings, write,
                        entries=(meta.IMAGE_DIR, meta.PART_MAP_DIR, meta.SPLIT_DIR),
                        overwrite=overwrite,
                        notes=dict(seed=resplit, val_ratio=resplit, test_ratio=resplit))


def _check_arguments(val_ratio: float, test_ratio: float, bbox_expand_factor: float,
                     crop_size: int, min_object_area: float, nproc: int) -> None:
    if not (0.0 <= val_ratio < 1.0 and 0.0 <= test_ratio < 1.0
            and val_ratio + test_ratio < 1.0):
        raise ValueError(f'val_ratio ({val_ratio}) and test_ratio ({test_ratio}) must be in '
                         '[0, 1) and sum to less than 1')
    if not bbox_expand_factor > 0:
        raise ValueError(f'bbox_expand_factor must be positive, got {bbox_expand_factor}')
    if not isinstance(crop_size, int) or crop_size < 1:
        raise ValueError(f'crop_size must be a positive int, got {crop_size!r}')
    if not 0.0 <= min_object_area < 1.0:
        raise ValueError(f'min_object_area must be in [0, 1), got {min_object_area}')
    if not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f'nproc must be a positive int, got {nproc!r}')


# ---------------------------------------------------------------------------------------------
# Finding the release


def find_json_files(root: str) -> List[Tuple[str, str, str]]:
    """``(source, split, path)`` of every release JSON, in pooling order.

    Looks in ``root/annotations`` when that folder exists, else in ``root``.

    Raises:
        FileNotFoundError: If none of the six ``paco_{lvis,ego4d}_v1_{split}.json`` is there;
            the message names the folder and the names looked for.
    """
    folder = osp.join(root, 'annotations')
    folder = folder if osp.isdir(folder) else root
    found = [(source, split, osp.join(folder, meta.json_name(source, split)))
             for source in meta.SOURCES for split in meta.SPLITS]
    found = [entry for entry in found if osp.isfile(entry[2])]
    if not found:
        raise FileNotFoundError(
            f'no PACO JSON in {folder}; expected some of '
            + ', '.join(meta.json_name(source, split) for source in meta.SOURCES
                        for split in meta.SPLITS))
    logger.info('PACO: reading %s', ', '.join(osp.basename(path) for _, _, path in found))
    return found


def _image_roots(root: str, coco_root: Optional[str], ego4d_root: Optional[str],
                 sources: set) -> Dict[str, str]:
    """Source -> image root, for the sources that have a JSON; each must exist."""
    given = dict(lvis=coco_root, ego4d=ego4d_root)
    roots = {}
    for source in meta.SOURCES:
        if source not in sources:
            continue
        path = given[source] or osp.join(root, DEFAULT_IMAGE_ROOTS[source])
        if not osp.isdir(path):
            option = '--coco-root' if source == 'lvis' else '--ego4d-root'
            raise FileNotFoundError(f'image root {path} of the PACO-{source.upper()} JSONs does '
                                    f'not exist (pass it with {option})')
        roots[source] = path
    return roots


# ---------------------------------------------------------------------------------------------
# Reading one JSON


def _scan_json(json_path: str, json_index: int, source: str, split: str, image_root: str,
               min_object_area: float, allow_missing: bool) -> _Scan:
    """Read and check one release JSON (the ``json_index``-th); find the images of its
    samples on disk."""
    coco = load_coco_json(json_path)
    categories = _read_categories(coco['categories'], json_path)
    images = _index_images(coco['images'], json_path)
    objects = _group_objects(coco['annotations'], images, json_path)
    scan = _Scan(source, split, json_path, categories,
                 objects=[obj for image_objects in objects.values() for obj in image_objects],
                 tasks=[], small_objects=0, missing=[])
    for image_id, image_objects in objects.items():
        entry = images[image_id]
        height, width = entry['height'], entry['width']
        samples = []
        for index, obj in enumerate(image_objects):
            if obj.bbox[2] * obj.bbox[3] < min_object_area * height * width:
                scan.small_objects += 1
            else:
                samples.append(_Sample(f'{source}_{split}_{obj.ann_id}', index,
                                       (json_index, obj.position)))
        if not samples:
            continue  # no sample needs the image
        file_name = _image_file_name(entry, json_path)
        img_file = osp.join(image_root, file_name)
        if not osp.isfile(img_file):
            scan.missing.append(img_file)
            continue
        scan.tasks.append(_ImageTask(source, split, json_path, image_id, file_name, img_file,
                                     height, width, image_objects, samples))
    if scan.missing and not allow_missing:
        raise FileNotFoundError(
            f'{json_path}: {len(scan.missing)} image(s) of objects to convert are missing on '
            f'disk, e.g. {format_examples(scan.missing)} (pass allow_missing=True / '
            '--allow-missing to skip their objects)')
    if scan.missing:
        logger.warning('%s: skipped the objects of %d image(s) missing on disk, e.g. %s',
                       json_path, len(scan.missing), format_examples(scan.missing))
    logger.info('PACO: %s: %d objects, %d samples in %d images, %d objects under the minimum '
                'area', osp.basename(json_path), len(scan.objects),
                sum(len(task.samples) for task in scan.tasks), len(scan.tasks),
                scan.small_objects)
    return scan


def _read_categories(categories: List[dict], json_path: str) -> Dict[int, Tuple[str, str]]:
    """Category id -> (supercategory, name), after checking keys and unique ids."""
    found: Dict[int, Tuple[str, str]] = {}
    for category in categories:
        _require_keys(category, ('id', 'name', 'supercategory'), json_path, 'category')
        if not _is_int(category['id']) or category['id'] in found:
            raise ValueError(f'{json_path}: category id {category["id"]!r} is not an int or is '
                             'used twice')
        found[category['id']] = (category['supercategory'], category['name'])
    return found


def _index_images(entries: List[dict], json_path: str) -> Dict[int, dict]:
    """Image id -> image entry, after checking ids are unique and sizes positive ints."""
    images: Dict[int, dict] = {}
    for entry in entries:
        _require_keys(entry, ('id', 'width', 'height'), json_path, 'image')
        if entry['id'] in images:
            raise ValueError(f'{json_path}: image id {entry["id"]!r} is used twice')
        for key in ('width', 'height'):
            if not _is_int(entry[key]) or entry[key] < 1:
                raise ValueError(f'{json_path}: image {entry["id"]} has {key} {entry[key]!r}, '
                                 'expected a positive int')
        images[entry['id']] = entry
    return images


def _group_objects(annotations: List[dict], images: Dict[int, dict],
                   json_path: str) -> Dict[int, List[_Object]]:
    """Image id -> its object annotations with their parts attached, in JSON order."""
    by_image: Dict[int, List[_Object]] = {}
    objects: Dict[int, _Object] = {}
    image_of: Dict[int, int] = {}
    for position, ann in enumerate(annotations):
        _require_keys(ann, ('id', 'image_id', 'category_id', 'bbox', 'obj_ann_id'), json_path,
                      'annotation')
        where = f'{json_path}: annotation {ann["id"]!r}'
        if not _is_int(ann['id']) or ann['id'] in image_of:
            raise ValueError(f'{where}: its id is not an int or is used twice')
        image = images.get(ann['image_id'])
        if image is None:
            raise ValueError(f'{where} refers to image id {ann["image_id"]!r}, which is not in '
                             '"images"')
        image_of[ann['id']] = ann['image_id']
        bbox = ann['bbox']
        if not (isinstance(bbox, list) and len(bbox) == 4 and all(_is_number(b) for b in bbox)
                and bbox[2] >= 0 and bbox[3] >= 0):
            raise ValueError(f'{where} has bbox {bbox!r}, expected [x, y, w, h] with w, h >= 0')
        segmentation = _checked_segmentation(ann.get('segmentation'), image, where)
        if ann['id'] == ann['obj_ann_id']:
            obj = _Object(ann['id'], position, ann['category_id'], [float(b) for b in bbox],
                          segmentation)
            objects[ann['id']] = obj
            by_image.setdefault(ann['image_id'], []).append(obj)
    for ann in annotations:  # parts, once every object is known
        if ann['id'] == ann['obj_ann_id']:
            continue
        parent = objects.get(ann['obj_ann_id'])
        where = f'{json_path}: part annotation {ann["id"]}'
        if parent is None:
            raise ValueError(f'{where} has obj_ann_id {ann["obj_ann_id"]!r}, which is not an '
                             'object annotation (id == obj_ann_id) of the file')
        if image_of[parent.ann_id] != ann['image_id']:
            raise ValueError(f'{where} is in image {ann["image_id"]} but its object '
                             f'{parent.ann_id} in image {image_of[parent.ann_id]}')
        segmentation = _checked_segmentation(ann.get('segmentation'), images[ann['image_id']],
                                             where)
        parent.parts.append((ann['id'], ann['category_id'], segmentation))
    return by_image


def _checked_segmentation(segmentation: object, image: dict, where: str) -> Optional[object]:
    """Polygons ``[[x1, y1, ...], ...]`` or an RLE dict of the image's size; None if empty."""
    if segmentation is None or segmentation == []:
        return None
    if isinstance(segmentation, dict):
        if 'counts' not in segmentation or 'size' not in segmentation:
            raise ValueError(f'{where}: RLE segmentation needs "counts" and "size"')
        if list(segmentation['size']) != [image['height'], image['width']]:
            raise ValueError(f'{where}: RLE size {segmentation["size"]} differs from its '
                             f'image\'s size [{image["height"]}, {image["width"]}]')
        return segmentation
    if not isinstance(segmentation, list) or not all(
            isinstance(p, list) and len(p) % 2 == 0 and all(_is_number(c) for c in p)
            for p in segmentation):
        raise ValueError(f'{where}: segmentation must be a list of polygons '
                         '[x1, y1, x2, y2, ...] or an RLE dict')
    return segmentation


def _image_file_name(entry: dict, json_path: str) -> str:
    """The image's path under its image root: ``file_name``, else ``coco_url``'s path."""
    if isinstance(entry.get('file_name'), str):
        return entry['file_name']
    if isinstance(entry.get('coco_url'), str):
        return urlparse(entry['coco_url']).path.lstrip('/')
    raise ValueError(f'{json_path}: image {entry["id"]} has neither "file_name" nor '
                     '"coco_url"')


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _require_keys(item: object, keys: Sequence[str], json_path: str, what: str) -> None:
    """Raise a ValueError naming the JSON unless ``item`` is a dict with all ``keys``."""
    if not isinstance(item, dict):
        raise ValueError(f'{json_path}: a {what} entry is not an object: {item!r}')
    for key in keys:
        if key not in item:
            raise ValueError(f'{json_path}: {what} {item.get("id", item)!r} has no "{key}"')


# ---------------------------------------------------------------------------------------------
# Label spaces


def _label_space(scans: List[_Scan]) -> _LabelSpace:
    """Classes and part labels from the union of the JSONs' categories, in id order."""
    merged: Dict[int, Tuple[str, str]] = {}
    source: Dict[int, str] = {}
    for scan in scans:
        for category_id, value in scan.categories.items():
            if merged.setdefault(category_id, value) != value:
                raise ValueError(
                    f'category {category_id} is {merged[category_id]} (supercategory, name) in '
                    f'{source[category_id]} but {value} in {scan.json_path}')
            source.setdefault(category_id, scan.json_path)
    objects = sorted(i for i, (sup, _) in merged.items() if sup == meta.OBJECT_SUPERCATEGORY)
    parts = sorted(i for i, (sup, _) in merged.items() if sup == meta.PART_SUPERCATEGORY)
    for category_id, (supercategory, name) in merged.items():
        if supercategory not in (meta.OBJECT_SUPERCATEGORY, meta.PART_SUPERCATEGORY):
            raise ValueError(f'{source[category_id]}: category {category_id} ({name!r}) has '
                             f'supercategory {supercategory!r}, expected '
                             f'{meta.OBJECT_SUPERCATEGORY!r} or {meta.PART_SUPERCATEGORY!r}')
    classes = [merged[i][1] for i in objects]
    if len(set(classes)) != len(classes):
        raise ValueError(f'two OBJECT categories share a name: {sorted(classes)}')
    part_to_class = [-1]
    for category_id in parts:
        name = merged[category_id][1]
        try:
            object_name = meta.split_part_name(name)[0]
        except ValueError as error:
            raise ValueError(f'{source[category_id]}: category {category_id}: {error}') from None
        if object_name not in classes:
            raise ValueError(f'{source[category_id]}: part category {category_id} ({name!r}) '
                             f'names object {object_name!r}, which is no OBJECT category')
        part_to_class.append(classes.index(object_name))
    if not classes:
        raise ValueError('the JSONs have no OBJECT category: ' + ', '.join(
            scan.json_path for scan in scans))
    return _LabelSpace(
        classes=tuple(classes), class_category_ids=tuple(objects),
        part_names=(meta.BACKGROUND, *(merged[i][1] for i in parts)),
        part_category_ids=tuple(parts), part_to_class=tuple(part_to_class))


def _resolve(scan: _Scan, space: _LabelSpace) -> None:
    """Give every object of the scan its class and its parts their labels."""
    class_of = {category_id: i for i, category_id in enumerate(space.class_category_ids)}
    label_of = {category_id: i for i, category_id in enumerate(space.part_category_ids, 1)}
    for obj in scan.objects:
        if obj.category_id not in class_of:
            raise ValueError(f'{scan.json_path}: object annotation {obj.ann_id} has '
                             f'category_id {obj.category_id!r}, which is no OBJECT category')
        obj.class_index = class_of[obj.category_id]
        for ann_id, category_id, _ in obj.parts:
            if category_id not in label_of:
                raise ValueError(f'{scan.json_path}: part annotation {ann_id} has category_id '
                                 f'{category_id!r}, which is no PART category')
            label = label_of[category_id]
            if space.part_to_class[label] != obj.class_index:
                raise ValueError(
                    f'{scan.json_path}: part annotation {ann_id} is a '
                    f'{space.part_names[label]!r} but its object {obj.ann_id} is a '
                    f'{space.classes[obj.class_index]!r}')
            obj.labels.append(label)


# ---------------------------------------------------------------------------------------------
# Splits


def _assign_splits(samples: List[_Sample], seed: int, val_ratio: float,
                   test_ratio: float) -> None:
    """The seeded shuffle of the pooled samples: val first, then test, the rest train."""
    num_val = int(val_ratio * len(samples))
    num_test = int(test_ratio * len(samples))
    order = np.random.RandomState(seed).permutation(len(samples))
    for rank, index in enumerate(order):
        samples[index].split = ('val' if rank < num_val else
                                'test' if rank < num_val + num_test else 'train')


# ---------------------------------------------------------------------------------------------
# Crops and part maps


def expanded_crop_window(bbox: Sequence[float], factor: float, height: int,
                         width: int) -> Tuple[int, int, int, int]:
    """Pixel window ``(x0, y0, x1, y1)`` of a box ``[x, y, w, h]`` grown ``factor`` times about
    its centre, clipped to the image and widened to whole pixels (at least one)."""
    x, y, w, h = bbox
    cx, cy = x + w / 2, y + h / 2
    x0 = min(max(0, math.floor(cx - factor * w / 2)), width - 1)
    y0 = min(max(0, math.floor(cy - factor * h / 2)), height - 1)
    x1 = max(min(width, math.ceil(cx + factor * w / 2)), x0 + 1)
    y1 = max(min(height, math.ceil(cy + factor * h / 2)), y0 + 1)
    return x0, y0, x1, y1


def crop_output_size(crop_w: int, crop_h: int, crop_size: int) -> Tuple[int, int]:
    """``(w, h)`` of a crop resized so that its long side is ``crop_size``."""
    scale = crop_size / max(crop_w, crop_h)
    return max(1, round(crop_w * scale)), max(1, round(crop_h * scale))


def resize_nearest(label_map: np.ndarray, height: int, width: int) -> np.ndarray:
    """Nearest resize of an [h, w] map to [height, width], sampling each output pixel's centre
    (as Pillow's filters map pixels, so the map stays aligned with the bilinear image)."""
    rows = np.minimum(((np.arange(height) + 0.5) * (label_map.shape[0] / height)).astype(int),
                      label_map.shape[0] - 1)
    cols = np.minimum(((np.arange(width) + 0.5) * (label_map.shape[1] / width)).astype(int),
                      label_map.shape[1] - 1)
    return label_map[rows[:, None], cols[None, :]]


def part_boxes(label_map: np.ndarray, unlabelled: int) -> Tuple[List[List[float]], List[int]]:
    """Tight ``[x1, y1, x2, y2]`` box of every part label in the map, by label."""
    boxes, labels = [], []
    for label in np.unique(label_map).tolist():
        if label in (0, unlabelled):
            continue
        ys, xs = np.nonzero(label_map == label)
        boxes.append([float(xs.min()), float(ys.min()), float(xs.max() + 1),
                      float(ys.max() + 1)])
        labels.append(label)
    return boxes, labels


def _paint(task: _ImageTask, unlabelled: int, dtype: type) -> np.ndarray:
    """The part map of the whole image (see the module docstring, step 2)."""
    label_map = np.zeros((task.height, task.width), dtype=dtype)
    for obj in task.objects:
        if obj.segmentation is not None:
            label_map[rasterise(obj.segmentation, task.height, task.width)] = unlabelled
        else:  # no mask (some PACO-EGO4D objects): its box is all that is known
            x0, y0, x1, y1 = expanded_crop_window(obj.bbox, 1.0, task.height, task.width)
            label_map[y0:y1, x0:x1] = unlabelled
        for label, (_, _, segmentation) in zip(obj.labels, obj.parts):
            if segmentation is not None:
                label_map[rasterise(segmentation, task.height, task.width)] = label
    return label_map


def _crop_image(job: Tuple[_ImageTask, _CropSettings]) -> List[Tuple[str, dict]]:
    """Write the crops and part maps of one image's samples; return ``(stem, crop info)``."""
    task, settings = job
    with Image.open(task.img_file) as picture:
        if picture.size != (task.width, task.height):
            raise ValueError(f'{task.img_file} is {picture.size[0]}x{picture.size[1]} but '
                             f'{task.json_path} says {task.width}x{task.height}')
        picture = picture.convert('RGB')
    label_map = _paint(task, settings.unlabelled, settings.dtype)
    results = []
    for sample in task.samples:
        obj = task.objects[sample.object_index]
        x0, y0, x1, y1 = expanded_crop_window(obj.bbox, settings.bbox_expand_factor,
                                              task.height, task.width)
        out_w, out_h = crop_output_size(x1 - x0, y1 - y0, settings.crop_size)
        crop = picture.crop((x0, y0, x1, y1)).resize((out_w, out_h), Image.Resampling.BILINEAR)
        crop_map = resize_nearest(label_map[y0:y1, x0:x1], out_h, out_w)
        img_path, seg_map_path = _output_paths(sample)
        # Lossless PNG as the original; zlib level 1 takes a quarter of the default level's
        # time for files ~15 % larger.
        crop.save(osp.join(settings.work_dir, img_path), compress_level=1)
        Image.fromarray(crop_map).save(osp.join(settings.work_dir, seg_map_path),
                                       compress_level=1)
        boxes, labels = part_boxes(crop_map, settings.unlabelled)
        results.append((sample.stem, dict(height=out_h, width=out_w, part_boxes=boxes,
                                          part_labels=labels)))
    return results


def _crop_all(tasks: List[_ImageTask], settings: _CropSettings,
              nproc: int) -> Iterator[Tuple[str, dict]]:
    """Crop every task's samples (``nproc`` processes), logging progress."""
    for split in meta.SPLITS:
        os.makedirs(osp.join(settings.work_dir, meta.IMAGE_DIR, split), exist_ok=True)
    os.makedirs(osp.join(settings.work_dir, meta.PART_MAP_DIR), exist_ok=True)
    jobs = [(task, settings) for task in tasks]
    step = max(1, len(jobs) // 10)
    if nproc == 1:
        results = map(_crop_image, jobs)
        yield from _logged(results, len(jobs), step)
        return
    with Pool(nproc) as pool:
        yield from _logged(pool.imap(_crop_image, jobs, chunksize=16), len(jobs), step)


def _logged(results: Iterator[List[Tuple[str, dict]]], total: int,
            step: int) -> Iterator[Tuple[str, dict]]:
    num_crops = 0
    for done, image_results in enumerate(results, start=1):
        num_crops += len(image_results)
        yield from image_results
        if done % step == 0 or done == total:
            logger.info('PACO: %d/%d images, %d crops', done, total, num_crops)


def _output_paths(sample: _Sample) -> Tuple[str, str]:
    """Crop and part-map paths of a sample, relative to the output folder."""
    return (f'{meta.IMAGE_DIR}/{sample.split}/{sample.stem}.png',
            f'{meta.PART_MAP_DIR}/{sample.stem}.png')


# ---------------------------------------------------------------------------------------------
# Split lists


def _data_info(task: _ImageTask, sample: _Sample, space: _LabelSpace, crop: dict) -> dict:
    """The split-list entry of one sample."""
    obj = task.objects[sample.object_index]
    img_path, seg_map_path = _output_paths(sample)
    return dict(
        img_path=img_path, seg_map_path=seg_map_path, gt_label=obj.class_index,
        class_name=space.classes[obj.class_index], **crop,
        source=task.source, source_split=task.source_split, source_image=task.file_name,
        image_id=task.image_id, obj_ann_id=obj.ann_id, has_part_annotations=bool(obj.parts))


def _write_split_list(data_list: List[dict], space: _LabelSpace, work_dir: str, out_dir: str,
                      split: str, seed: int, unlabelled: int) -> str:
    """Write one split list into ``work_dir``; return its path in ``out_dir``."""
    metainfo = dict(dataset='PACO', split=meta.SPLIT_KIND, seed=seed,
                    classes=list(space.classes), part_names=list(space.part_names),
                    part_to_class=list(space.part_to_class),
                    class_category_ids=list(space.class_category_ids),
                    part_category_ids=list(space.part_category_ids), ignore_index=unlabelled)
    return write_split_list(work_dir, out_dir,
                            osp.join(meta.SPLIT_DIR, meta.SPLIT_KIND, f'{split}.json'), metainfo,
                            sorted(data_list, key=lambda info: info['img_path']))


def _count_classes(data_list: List[dict]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for info in data_list:
        counts[info['class_name']] = counts.get(info['class_name'], 0) + 1
    return dict(sorted(counts.items()))
