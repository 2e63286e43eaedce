"""Convert PASCAL-Part (real or synthetic) into partmm part maps and the papers' split lists.

Input layout (``root``, e.g. ``VOCdevkit/VOC2010`` with PASCAL-Part's annotations unpacked
into it):

* ``JPEGImages/<id>.jpg``: the VOC2010 images;
* ``Annotations_Part/<id>.mat``: PASCAL-Part's MATLAB struct ``anno`` with ``imname`` and
  ``objects``, a struct array with ``class`` (VOC class name), ``class_ind``, ``mask`` (binary
  [H, W]) and ``parts`` (a struct array with ``part_name`` and ``mask``, or ``[]``).

What the papers' preparation (``prepare_pascal_part.py``, ``--min-area 0``) makes of it, and
so this converter too: one sample per annotation file, labelled with the class of the object of
largest mask area (the first in file order on a tie); files whose largest object is not one of
the 5 classes (``pascal_part_meta.CLASSES``) are dropped, as are those whose largest object
covers less than ``min_area`` of the image. Part maps paint the main object, then the other
objects of the 5 classes in file order; within an object the part groups of
``pascal_part_meta.PART_GROUPS`` in label order; every group fills only pixels still
background (first writer wins), so within an object "body" loses its overlaps with windows and
wheels, and an object painted later loses its overlaps with those painted before. Object
pixels that no sub-part covers stay background, as there.

Output (``out_dir``, the release root by default; images stay where they are):

* ``part_maps/<id>.png``: uint8 label map, 0 = background, 1..15 = part group label;
* ``splits/paper/<split>.json``: per class, in class order, the class's samples (in file-name
  order) shuffled by one ``numpy.random.RandomState(seed)``; the first ``round(0.1 n)`` go to
  val, the next ``round(0.1 n)`` to test, the rest to train (MMEngine ``BaseDataset`` format,
  paths relative to ``out_dir``);
* ``partmm_manifest.pascal_part.json``: settings and a hash of the annotations, written last.
"""
import hashlib
import logging
import os
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from multiprocessing import Pool
from typing import Dict, List, Optional, Tuple

import numpy as np
import scipy.io
from PIL import Image

from partmm.datasets import pascal_part_meta as meta
from partmm.datasets.converters.split_list import write_split_list
from partmm.datasets.output_guard import file_digest, write_output
from partmm.utils import format_examples

logger = logging.getLogger(__name__)

SPLITS = ('train', 'val', 'test')
SPLIT_KIND = 'paper'
SPLIT_DIR = 'splits'
IMAGE_EXT = '.jpg'
PRODUCER = 'pascal_part'  # names the manifest of the part maps and splits

# Outcomes of one annotation file; every one but KEPT is a reason to skip it.
KEPT = 'kept'
OTHER_CLASS = 'other_class'  # largest object of none of the 5 classes
TOO_SMALL = 'too_small'  # largest object under min_area of the image
NO_OBJECTS = 'no_objects'  # no object with a non-empty mask
MISSING_IMAGE = 'missing_image'  # kept, but its JPEG is not on disk


@dataclass
class AnnotatedObject:
    """One object of a PASCAL-Part annotation file.

    Attributes:
        class_name: VOC class name as the file spells it (``table`` for the dining table).
        mask: bool [H, W] object mask.
        parts: (sub-part name, bool [H, W] mask) in file order; empty for objects without
            part annotations.
    """
    class_name: str
    mask: np.ndarray
    parts: List[Tuple[str, np.ndarray]]


@dataclass
class _Outcome:
    """What converting one annotation file gave (picklable, returned by the workers)."""
    stem: str
    status: str
    class_name: str = ''  # of the largest object
    height: int = 0
    width: int = 0
    part_labels: List[int] = field(default_factory=list)
    part_boxes: List[List[float]] = field(default_factory=list)
    unmatched: List[Tuple[str, str]] = field(default_factory=list)  # (class, sub-part name)


def convert_pascal_part(root: str,
                        out_dir: Optional[str] = None,
                        seed: int = 0,
                        val_ratio: float = 0.1,
                        test_ratio: float = 0.1,
                        min_area: float = 0.0,
                        allow_missing: bool = False,
                        nproc: int = 1,
                        overwrite: bool = False) -> dict:
    """Write part maps and the paper split lists of a PASCAL-Part release.

    The result does not depend on ``nproc``. An image missing on disk is an error unless
    ``allow_missing``; then it is skipped and reported, after taking its place in the shuffle,
    so that the other images fall in the splits they would fall in with it (the original
    preparation writes masks for images it cannot find, and shuffles them too).

    The output is ``part_maps/`` and ``splits/`` of ``out_dir`` (the release itself is never
    touched), replaced as a unit through :mod:`partmm.datasets.output_guard`; the manifest
    ``partmm_manifest.pascal_part.json`` records the seed, ratios, ``min_area``,
    ``allow_missing``, where the release is and a hash of every annotation file. An output of
    the same settings and release is reused as it is; any other is an error unless
    ``overwrite``: another seed would put images of the old test split into training.

    Args:
        root: Release folder holding ``JPEGImages/`` and ``Annotations_Part/``.
        out_dir: Output folder; defaults to ``root``.
        seed: Seed of the per-class shuffle.
        val_ratio: Fraction of each class that goes to val.
        test_ratio: Fraction of each class that goes to test.
        min_area: Smallest area fraction of the image that the largest object must cover.
        allow_missing: Skip (and report) kept images missing on disk instead of raising.
        nproc: Processes that read annotations and write part maps.
        overwrite: Replace part maps and splits of other settings, another release or unknown
            origin.

    Returns:
        Summary: ``out_dir``, ``num_annotations`` (files read), ``num_images`` (converted),
        ``splits`` (``paper`` -> split -> number of images), ``split_files`` (``paper`` ->
        split -> path), ``classes`` (class -> split -> number of images), ``skipped``
        (``other_class``: VOC class of the largest object -> number of files;
        ``too_small``, ``no_objects``, ``missing_images``: lists of image ids),
        ``unmatched_sub_parts`` (class -> sub-part name -> count, for names no group takes;
        by PASCAL-Part's ``part2ind.m`` none of the 5 classes has such a name) and ``reused``
        (True when the output was already there).

    Raises:
        FileNotFoundError: If ``root``, its ``JPEGImages`` or ``Annotations_Part`` folder
            does not exist or (without ``allow_missing``) a kept image is missing on disk.
        ValueError: If an argument is out of range, the annotation folder holds no ``.mat``
            file, or an annotation file is malformed (unreadable, no struct ``anno`` with
            ``objects``, an object without ``class``/``mask``/``parts``, an unknown class
            name, masks of different sizes, an ``imname`` other than its file name, masks of
            another size than the image); the message names the file.
        OutputExistsError: If ``out_dir`` holds part maps or splits of other settings or
            origin and ``overwrite`` is False.
    """
    _check_arguments(val_ratio, test_ratio, min_area, nproc)
    ann_dir, img_dir = _check_folders(root)
    out_dir = root if out_dir is None else out_dir
    stems = _annotation_stems(ann_dir)

    def write(work_dir: str) -> dict:
        os.makedirs(osp.join(work_dir, meta.PART_MAP_DIR))
        tasks = [(osp.join(ann_dir, f'{stem}.mat'), osp.join(img_dir, stem + IMAGE_EXT),
                  osp.join(work_dir, _part_map_path(stem)), min_area) for stem in stems]
        outcomes = _run(tasks, nproc)
        skipped = _report_skipped(outcomes, img_dir, allow_missing)
        members = _paper_split(outcomes, seed, val_ratio, test_ratio)
        split_files = {SPLIT_KIND: {
            split: _write_split_list(members[split], work_dir, out_dir, img_dir, split, seed)
            for split in SPLITS}}
        unmatched: Dict[str, Counter] = {}
        for outcome in outcomes:
            for class_name, name in outcome.unmatched:
                unmatched.setdefault(class_name, Counter())[name] += 1
        if unmatched:
            logger.warning('sub-parts that no part group takes (left background): %s',
                           {c: dict(names) for c, names in unmatched.items()})
        return dict(
            out_dir=out_dir,
            num_annotations=len(outcomes),
            num_images=sum(len(members[split]) for split in SPLITS),
            splits={SPLIT_KIND: {split: len(members[split]) for split in SPLITS}},
            split_files=split_files,
            classes={name: {split: sum(o.class_name == name for o in members[split])
                            for split in SPLITS} for name in meta.CLASSES},
            skipped=skipped,
            unmatched_sub_parts={c: dict(sorted(names.items()))
                                 for c, names in sorted(unmatched.items())})

    settings = dict(
        seed=seed, val_ratio=val_ratio, test_ratio=test_ratio, min_area=min_area,
        allow_missing=allow_missing,
        # Split lists hold image paths relative to out_dir, so where the release is matters.
        root=osp.relpath(osp.abspath(root), osp.abspath(out_dir)),
        annotations_sha256=_annotations_digest(ann_dir, stems))
    resplit = ('Re-splitting would move images of the old test split into training, and '
               'checkpoints trained on the old split would be tested on their own training '
               'data.')
    return write_output(out_dir, PRODUCER, settings, write,
                        entries=(meta.PART_MAP_DIR, SPLIT_DIR), overwrite=overwrite,
                        notes=dict(seed=resplit, val_ratio=resplit, test_ratio=resplit,
                                   min_area=resplit))


def _check_arguments(val_ratio: float, test_ratio: float, min_area: float, nproc: int) -> None:
    if not (0.0 <= val_ratio < 1.0 and 0.0 <= test_ratio < 1.0
            and val_ratio + test_ratio < 1.0):
        raise ValueError(f'val_ratio ({val_ratio}) and test_ratio ({test_ratio}) must be in '
                         '[0, 1) and sum to less than 1')
    if not 0.0 <= min_area <= 1.0:
        raise ValueError(f'min_area is a fraction of the image area in [0, 1], got {min_area}')
    if not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f'nproc must be a positive int, got {nproc!r}')


def _check_folders(root: str) -> Tuple[str, str]:
    """``root/Annotations_Part`` and ``root/JPEGImages``, which must exist."""
    if not osp.isdir(root):
        raise FileNotFoundError(f'PASCAL-Part root {root} does not exist')
    folders = []
    for name, what in ((meta.ANNOTATION_DIR, 'PASCAL-Part annotations (<id>.mat)'),
                       (meta.IMAGE_DIR, 'VOC2010 images (<id>.jpg)')):
        folder = osp.join(root, name)
        if not osp.isdir(folder):
            raise FileNotFoundError(f'PASCAL-Part root {root} has no {name}/ folder (the '
                                    f'{what})')
        folders.append(folder)
    return folders[0], folders[1]


def _annotation_stems(ann_dir: str) -> List[str]:
    """Ids of the ``.mat`` files in ``ann_dir``, sorted (the original's processing order)."""
    stems = sorted(osp.splitext(name)[0] for name in os.listdir(ann_dir)
                   if name.endswith('.mat') and osp.isfile(osp.join(ann_dir, name)))
    if not stems:
        raise ValueError(f'{ann_dir} holds no .mat annotation files')
    return stems


def _annotations_digest(ann_dir: str, stems: List[str]) -> str:
    """One SHA-256 of the annotation files' names and content."""
    digest = hashlib.sha256()
    for stem in stems:
        digest.update(f'{stem}.mat {file_digest(osp.join(ann_dir, f"{stem}.mat"))}\n'.encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Reading an annotation file


def load_annotation(path: str) -> List[AnnotatedObject]:
    """Objects of one PASCAL-Part ``.mat`` file, in file order.

    Reads what ``scipy.io.loadmat`` returns for the MATLAB struct ``anno``:
    ``anno[0, 0]['objects'][0, i]`` with ``['class'][0]`` (str), ``['mask']`` (2-D, non-zero
    = object) and ``['parts']`` (``[]`` or a struct array whose ``[0, j]`` has
    ``['part_name'][0]`` and ``['mask']``). ``class_ind`` is not read: the class name decides.

    Raises:
        ValueError: Naming ``path``, if the file cannot be read as a MATLAB file or does not
            hold that struct (see :func:`convert_pascal_part`).
    """
    try:
        content = scipy.io.loadmat(path)
    except Exception as error:  # scipy raises many types for corrupt or non-MATLAB files
        raise ValueError(f'{path} is not a readable MATLAB (v5) file: {error}') from error
    anno = content.get('anno')
    if not _is_struct(anno) or anno.size != 1 or 'objects' not in anno.dtype.names:
        raise ValueError(f'{path}: expected a MATLAB struct "anno" with a field "objects" '
                         f'(PASCAL-Part format), found variables {_variables(content)}')
    anno = anno.flat[0]
    stem = osp.splitext(osp.basename(path))[0]
    if 'imname' in anno.dtype.names:
        imname = _string(anno['imname'], path, 'anno.imname')
        if imname != stem:
            raise ValueError(f'{path}: anno.imname is {imname!r}, not its file name {stem!r}')
    objects = [_read_object(obj, path, i) for i, obj in enumerate(
        _struct_items(anno['objects'], ('class', 'mask', 'parts'), path, 'anno.objects'))]
    shapes = {obj.mask.shape for obj in objects} | {
        mask.shape for obj in objects for _, mask in obj.parts}
    if len(shapes) > 1:
        raise ValueError(f'{path}: object and part masks differ in size: '
                         + ', '.join(f'{h}x{w}' for h, w in sorted(shapes)))
    return objects


def _read_object(obj: np.void, path: str, index: int) -> AnnotatedObject:
    where = f'anno.objects({index + 1})'  # MATLAB's 1-based index, as the file's owner sees it
    class_name = _string(obj['class'], path, f'{where}.class')
    if class_name not in meta.KNOWN_CLASS_NAMES:
        raise ValueError(f'{path}: {where}.class is {class_name!r}, not a PASCAL VOC class '
                         f'({", ".join(meta.VOC_CLASSES)})')
    parts = [(_string(part['part_name'], path, f'{where}.parts({j + 1}).part_name'),
              _mask(part['mask'], path, f'{where}.parts({j + 1}).mask'))
             for j, part in enumerate(_struct_items(obj['parts'], ('part_name', 'mask'), path,
                                                    f'{where}.parts'))]
    return AnnotatedObject(class_name, _mask(obj['mask'], path, f'{where}.mask'), parts)


def _is_struct(value: object) -> bool:
    return isinstance(value, np.ndarray) and value.dtype.names is not None


def _variables(content: dict) -> str:
    names = [name for name in content if not name.startswith('__')]
    return ', '.join(names) if names else 'none'


def _struct_items(value: object, fields: Tuple[str, ...], path: str, where: str) -> List[np.void]:
    """Elements of a struct vector with at least ``fields``; ``[]`` (any empty array) -> []."""
    if isinstance(value, np.ndarray) and value.size == 0:
        return []
    missing = [] if not _is_struct(value) else [f for f in fields if f not in value.dtype.names]
    if not _is_struct(value) or missing or sum(n > 1 for n in value.shape) > 1:
        raise ValueError(f'{path}: {where} should be a struct vector with the fields '
                         f'{", ".join(fields)}'
                         + (f'; it lacks {", ".join(missing)}' if missing else ''))
    return list(value.ravel())


def _string(value: object, path: str, where: str) -> str:
    if isinstance(value, np.ndarray) and value.dtype.kind == 'U' and value.size == 1:
        return str(value.flat[0])
    raise ValueError(f'{path}: {where} should be a character string, got {_describe(value)}')


def _mask(value: object, path: str, where: str) -> np.ndarray:
    if (isinstance(value, np.ndarray) and value.ndim == 2 and value.size
            and value.dtype.kind in 'biuf'):
        return value > 0
    raise ValueError(f'{path}: {where} should be a 2-D numeric mask, got {_describe(value)}')


def _describe(value: object) -> str:
    if isinstance(value, np.ndarray):
        return f'a {value.dtype} array of shape {value.shape}'
    return type(value).__name__


# ---------------------------------------------------------------------------------------------
# Part maps


def main_object(objects: List[AnnotatedObject]) -> Optional[int]:
    """Index of the object of largest mask area, the first on a tie; None if all are empty."""
    areas = [int(obj.mask.sum()) for obj in objects]
    if not areas or max(areas) == 0:
        return None
    return int(np.argmax(areas))  # argmax returns the first maximum


def paint_part_map(objects: List[AnnotatedObject], main: int) -> np.ndarray:
    """uint8 [H, W] part map: the main object, then the other objects of the 5 classes in file
    order; within an object the groups in label order, each filling background pixels only."""
    height, width = objects[main].mask.shape
    part_map = np.zeros((height, width), dtype=np.uint8)
    for obj in [objects[main]] + [o for i, o in enumerate(objects) if i != main]:
        if obj.class_name not in meta.PART_GROUPS:
            continue
        groups: Dict[int, np.ndarray] = {}
        for name, mask in obj.parts:
            label = meta.sub_part_label(obj.class_name, name)
            if label is not None:
                groups[label] = groups[label] | mask if label in groups else mask
        for label in sorted(groups):
            part_map[groups[label] & (part_map == 0)] = label
    return part_map


def part_boxes(part_map: np.ndarray) -> Tuple[List[int], List[List[float]]]:
    """Labels present in ``part_map`` (ascending, background and 255 aside) and the tight box
    [x1, y1, x2, y2] of each (pixel (x, y) spans [x, x + 1) x [y, y + 1))."""
    labels, boxes = [], []
    for label in np.unique(part_map).tolist():
        if label in (0, 255):
            continue
        ys, xs = np.nonzero(part_map == label)
        labels.append(label)
        boxes.append([float(xs.min()), float(ys.min()), float(xs.max() + 1),
                      float(ys.max() + 1)])
    return labels, boxes


def _run(tasks: List[tuple], nproc: int) -> List[_Outcome]:
    """Convert every annotation file, in task order, logging progress."""
    step = max(1, len(tasks) // 10)
    outcomes: List[_Outcome] = []
    pool = Pool(nproc) if nproc > 1 else None
    try:
        results = pool.imap(_convert_one, tasks, chunksize=8) if pool else map(_convert_one,
                                                                               tasks)
        for outcome in results:
            outcomes.append(outcome)
            if len(outcomes) % step == 0 or len(outcomes) == len(tasks):
                logger.info('read %d/%d annotation files', len(outcomes), len(tasks))
    finally:
        if pool is not None:
            pool.terminate()
    return outcomes


def _convert_one(task: Tuple[str, str, str, float]) -> _Outcome:
    """Read one annotation file; if its image is kept, write its part map to ``out_path``."""
    mat_path, img_path, out_path, min_area = task
    stem = osp.splitext(osp.basename(mat_path))[0]
    objects = load_annotation(mat_path)
    main = main_object(objects)
    if main is None:
        return _Outcome(stem, NO_OBJECTS)
    largest = objects[main]
    class_name = meta.VOC_CLASS_ALIASES.get(largest.class_name, largest.class_name)
    height, width = largest.mask.shape
    if class_name not in meta.PART_GROUPS:
        return _Outcome(stem, OTHER_CLASS, class_name)
    if largest.mask.sum() / (height * width) < min_area:
        return _Outcome(stem, TOO_SMALL, class_name)
    if not osp.isfile(img_path):
        return _Outcome(stem, MISSING_IMAGE, class_name)
    with Image.open(img_path) as picture:
        if picture.size != (width, height):
            raise ValueError(f'{img_path} is {picture.size[0]}x{picture.size[1]} but the '
                             f'masks of {mat_path} are {width}x{height}')
    part_map = paint_part_map(objects, main)
    Image.fromarray(part_map).save(out_path)
    labels, boxes = part_boxes(part_map)
    unmatched = [(obj.class_name, name) for obj in objects if obj.class_name in meta.PART_GROUPS
                 for name, _ in obj.parts if meta.sub_part_label(obj.class_name, name) is None]
    return _Outcome(stem, KEPT, class_name, height, width, labels, boxes, unmatched)


def _part_map_path(stem: str) -> str:
    return f'{meta.PART_MAP_DIR}/{stem}.png'


def _report_skipped(outcomes: List[_Outcome], img_dir: str, allow_missing: bool) -> dict:
    """The ``skipped`` summary; a missing image is an error unless ``allow_missing``."""
    missing = [o.stem for o in outcomes if o.status == MISSING_IMAGE]
    if missing and not allow_missing:
        raise FileNotFoundError(
            f'{img_dir}: {len(missing)} image(s) of kept annotations are missing on disk, e.g. '
            f'{format_examples([s + IMAGE_EXT for s in missing])} (pass allow_missing=True / '
            '--allow-missing to skip them)')
    if missing:
        logger.warning('%s: skipped %d image(s) missing on disk, e.g. %s', img_dir,
                       len(missing), format_examples(missing))
    other = Counter(o.class_name for o in outcomes if o.status == OTHER_CLASS)
    skipped = dict(other_class=dict(sorted(other.items())),
                   too_small=[o.stem for o in outcomes if o.status == TOO_SMALL],
                   no_objects=[o.stem for o in outcomes if o.status == NO_OBJECTS],
                   missing_images=missing)
    logger.info('skipped %d annotation files whose largest object is of another class (%s), '
                '%d whose largest object is under min_area, %d without objects',
                sum(other.values()), ', '.join(f'{c} {n}' for c, n in sorted(other.items())),
                len(skipped['too_small']), len(skipped['no_objects']))
    return skipped


# ---------------------------------------------------------------------------------------------
# Split lists


def _paper_split(outcomes: List[_Outcome], seed: int, val_ratio: float,
                 test_ratio: float) -> Dict[str, List[_Outcome]]:
    """Per class, the class's samples in file order shuffled by one RandomState(seed), then
    cut into val, test and train; samples skipped as missing on disk are shuffled, not
    listed."""
    rng = np.random.RandomState(seed)
    split: Dict[str, List[_Outcome]] = {s: [] for s in SPLITS}
    for class_name in meta.CLASSES:
        members = [o for o in outcomes
                   if o.status in (KEPT, MISSING_IMAGE) and o.class_name == class_name]
        order = np.arange(len(members))
        rng.shuffle(order)  # what the original does to its index array, draw for draw
        num_val = round(val_ratio * len(members))
        num_test = round(test_ratio * len(members))
        for name, part in (('val', order[:num_val]),
                           ('test', order[num_val:num_val + num_test]),
                           ('train', order[num_val + num_test:])):
            split[name] += [members[i] for i in part if members[i].status == KEPT]
    return split


def _write_split_list(outcomes: List[_Outcome], work_dir: str, out_dir: str, img_dir: str,
                      split: str, seed: int) -> str:
    """Write one MMEngine-style split list into ``work_dir``; return its path in ``out_dir``.

    Image paths in it are relative to ``out_dir``, where ``work_dir`` will be moved.
    """
    data_list = sorted((_data_info(o, out_dir, img_dir) for o in outcomes),
                       key=lambda info: info['img_path'])
    metainfo = dict(dataset='PASCAL-Part', split=SPLIT_KIND, seed=seed,
                    classes=list(meta.CLASSES), part_names=list(meta.PART_NAMES),
                    part_to_class=list(meta.PART_TO_CLASS_INDEX))
    return write_split_list(work_dir, out_dir, osp.join(SPLIT_DIR, SPLIT_KIND, f'{split}.json'),
                            metainfo, data_list)


def _data_info(outcome: _Outcome, out_dir: str, img_dir: str) -> dict:
    """The split-list entry of one image (paths relative to ``out_dir``)."""
    img_file = osp.join(img_dir, outcome.stem + IMAGE_EXT)
    return dict(
        img_path=osp.relpath(img_file, out_dir).replace(os.sep, '/'),
        seg_map_path=_part_map_path(outcome.stem),
        gt_label=meta.CLASSES.index(outcome.class_name),
        class_name=outcome.class_name,
        height=outcome.height,
        width=outcome.width,
        part_boxes=outcome.part_boxes,
        part_labels=outcome.part_labels)
