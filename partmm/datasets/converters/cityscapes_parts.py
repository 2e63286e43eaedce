"""Convert a Cityscapes-Panoptic-Parts release (real or synthetic) into object crops, part maps
and split lists.

Input layout (``root``), that of the releases as unpacked:

* ``leftImg8bit/{train,val}/<city>/<stem>_leftImg8bit.png`` (Cityscapes images, RGB);
* ``gtFinePanopticParts/{train,val}/<city>/<stem>_gtFinePanopticParts.tif``: one int32 uid
  per pixel (PIL mode ``I``), encoded as described in :mod:`..cityscapes_parts_meta`.

Output (``out_dir``, the release root by default):

* ``images/<raw split>/<stem>.png``: one square RGB crop per kept human or vehicle instance,
  ``<stem>`` = ``<image stem>_<sid * 1000 + iid>`` (e.g. ``aachen_000000_000019_26002``); the
  folder is the release split the image comes from (train or val), so re-splitting with
  another seed moves no file;
* ``part_maps/<stem>.png``: the crop's uint8 part labels (0 background / void / other, 1..4
  human torso, head, arms, legs, 5..9 vehicle windows, wheels, lights, license plate,
  chassis), for every instance in the crop, not only the cropped one;
* ``splits/paper/{train,val,test}.json``: the papers' seeded 80/10/10 split of the pooled crops;
* ``partmm_manifest.cityscapes_parts.json``: settings and a hash of the label files, last.

Preparation (reference section 3.2; the original code's ``prepare_cityscapes.py`` with the
scripts' ``--pad 0.2 --min-area 1000 --square --rand-pad``), and the choices made where the
reference is silent or the original code is buggy:

* An instance is a (sid, iid) pair of a human (24, 25) or vehicle (26, 27, 28) sid; its
  pixels are all uids with that sid and iid, whatever the pid (part pixels, void-part pixels
  and instance-level-only pixels alike). iid 0 is an instance (the original code skips it)
  and sid-only pixels (groups, uid 24) are none (the original code crops each sid's
  sid-only pixels as if they were one instance).
* Instances with fewer than ``min_area`` pixels are skipped.
* Occlusion: an instance is dropped when the pixels of the other class (all of its sids, any
  instance or none) inside the instance's tight box outnumber half the instance's own pixel
  count. (The original code compares each other-class sid separately with all pixels of the
  instance's sid in the box, other instances of that sid included.)
* Crop: tight box w x h (pixel counts), ``size = max(w, h)``, ``margin = int(pad * size)``,
  square side ``size + 2 * margin``. The object's ``size`` square (the object centred along
  its short side) sits ``margin`` pixels from the crop's top-left corner, or, with
  ``rand_pad``, a uniform random 0..2 * margin pixels on each axis, so the object always stays
  whole (the original code's offset could reach ``2 * pad`` of the padded side and cut the
  object). The offset is drawn from a generator seeded by ``seed`` and the instance's
  identity (raw split, city, image stem, sid, iid), so it does not depend on ``nproc`` or on
  which other images are converted.
* Padding: image and uid map are padded by ``int(0.1 * max(H, W))`` pixels of zeros on every
  side, as the original code does (``np.pad``'s default constant 0: black pixels, uid 0 =
  Cityscapes ``unlabeled``, i.e. part label 0). Where the crop would leave the padded image it
  is shifted back inside, which keeps the object whole; only a crop larger than the padded
  image reaches beyond it, and reads zeros there too. The padding is virtual: out-of-image
  pixels are written as zeros, no padded copy is made.
* Split: crops pooled in the order train then val, cities and images by name, instances by
  (sid, iid); ``numpy.random.RandomState(seed).permutation``; the first
  ``int(val_ratio * n)`` go to val, the next ``int(test_ratio * n)`` to test, the rest to
  train (the original code's floor, not PartImageNet's round).
* Human pid 5 (a known artefact of the release) is a void part; any other uid that the format
  or the dataset does not allow is an error naming the file.
"""
import hashlib
import logging
import os
import os.path as osp
from dataclasses import dataclass, field
from multiprocessing import Pool
from typing import Dict, Iterable, List, Optional, Tuple

import numpy as np
from PIL import Image, UnidentifiedImageError

from partmm.datasets import cityscapes_parts_meta as meta
from partmm.datasets.converters.split_list import write_split_list
from partmm.datasets.output_guard import file_digest, write_output
from partmm.utils import format_examples

logger = logging.getLogger(__name__)

PRODUCER = 'cityscapes_parts'  # names the manifest of the crops, part maps and splits
SPLITS = ('train', 'val', 'test')
SPLIT_KIND = 'paper'
SPLIT_DIR = 'splits'
CANVAS_PAD = 0.1  # padding around the image, a fraction of its longer side
OCCLUSION_RATIO = 0.5  # other-class pixels in the box / the instance's pixels that drop it
_INTEGER_MODES = ('I', 'I;16', 'L')  # PIL modes of single-channel integer label images


@dataclass
class _Source:
    """One annotated image of the release."""
    raw_split: str
    city: str
    stem: str  # <city>_<seq>_<frame>
    label_file: str
    image_file: str


@dataclass
class _Crop:
    """One written crop: where it comes from and its split-list entry's content."""
    stem: str
    source: _Source
    sid: int
    iid: int
    class_index: int
    height: int
    width: int
    crop_box: List[int]  # x1, y1, x2, y2 in the source image (may reach past its border)
    part_boxes: List[List[float]]
    part_labels: List[int]


@dataclass
class _ImageResult:
    """What converting one image gave: its crops and the instances it skipped, per class."""
    crops: List[_Crop] = field(default_factory=list)
    small: List[int] = field(default_factory=lambda: [0] * meta.NUM_CLASSES)
    occluded: List[int] = field(default_factory=lambda: [0] * meta.NUM_CLASSES)


def convert_cityscapes_parts(root: str,
                             out_dir: Optional[str] = None,
                             seed: int = 0,
                             pad: float = 0.2,
                             min_area: int = 1000,
                             rand_pad: bool = True,
                             val_ratio: float = 0.1,
                             test_ratio: float = 0.1,
                             allow_missing: bool = False,
                             nproc: int = 1,
                             overwrite: bool = False) -> dict:
    """Write the object crops, part maps and paper split lists of a Cityscapes-Panoptic-Parts
    release (see the module docstring for the rules).

    The output is ``images/``, ``part_maps/`` and ``splits/`` of ``out_dir`` (the release
    itself is never touched), replaced as a unit through :mod:`partmm.datasets.output_guard`;
    the manifest ``partmm_manifest.cityscapes_parts.json`` records the arguments that shape
    the output and a SHA-256 of the label files' names and content. An output of the same
    settings and labels is reused as it is; any other is an error unless ``overwrite``. The
    result does not depend on ``nproc``.

    Args:
        root: Release folder holding ``leftImg8bit/`` and ``gtFinePanopticParts/``.
        out_dir: Output folder; defaults to ``root``.
        seed: Seed of the split's shuffle and of the random crop offsets.
        pad: Margin around the object on each side, a fraction of its longer side.
        min_area: Fewest pixels an instance needs to be cropped.
        rand_pad: Place the object at a random offset in its crop instead of the centre.
        val_ratio: Fraction of the crops that goes to val.
        test_ratio: Fraction of the crops that goes to test.
        allow_missing: Skip (and report) label files whose image is missing instead of
            raising.
        nproc: Processes that crop images.
        overwrite: Replace crops, part maps and splits of other settings, other labels or
            unknown origin.

    Returns:
        Summary: ``out_dir``, ``num_images`` (images converted), ``num_crops``, ``splits``
        (kind -> split -> number of crops), ``split_files`` (kind -> split -> path),
        ``classes`` (split -> class name -> number of crops), ``skipped`` (``missing_images``:
        the image paths expected on disk; ``small_instances`` and ``occluded_instances``:
        class name -> count) and ``reused`` (True when the output was already there).

    Raises:
        FileNotFoundError: If ``root``, ``leftImg8bit/``, ``gtFinePanopticParts/`` or one of
            its ``train``/``val`` folders does not exist, or (without ``allow_missing``) an
            image of a label file does.
        ValueError: If an argument is out of range, there is no label file, a label file is
            not a single-channel integer image, holds uids that the format or the dataset does
            not allow, or differs in size from its image, or no instance is kept.
        OutputExistsError: If ``out_dir`` holds crops, part maps or splits of other settings
            or origin and ``overwrite`` is False.
    """
    _check_arguments(pad, min_area, val_ratio, test_ratio, nproc)
    out_dir = root if out_dir is None else out_dir
    sources, missing = _find_sources(root)
    if missing and not allow_missing:
        raise FileNotFoundError(
            f'{len(missing)} image(s) of label files in {osp.join(root, meta.LABEL_DIR)} are '
            f'missing on disk, e.g. {format_examples(missing)} (pass allow_missing=True / '
            '--allow-missing to skip them)')
    if missing:
        logger.warning('skipping %d label file(s) whose image is missing, e.g. %s',
                       len(missing), format_examples(missing))

    def write(work_dir: str) -> dict:
        results = _crop_all(sources, work_dir, seed, pad, min_area, rand_pad, nproc)
        crops = [crop for result in results for crop in result.crops]
        if not crops:
            raise ValueError(f'no instance of {root} was kept: '
                             f'{_count_skipped(results, "small")} had fewer than {min_area} '
                             f'pixels, {_count_skipped(results, "occluded")} were occluded')
        members = _paper_split(crops, seed, val_ratio, test_ratio)
        split_files = {SPLIT_KIND: {split: _write_split_list(members[split], work_dir, out_dir,
                                                             split, seed)
                                    for split in SPLITS}}
        return dict(
            out_dir=out_dir,
            num_images=len(sources),
            num_crops=len(crops),
            splits={SPLIT_KIND: {split: len(members[split]) for split in SPLITS}},
            split_files=split_files,
            classes={split: {name: sum(c.class_index == ci for c in members[split])
                             for ci, name in enumerate(meta.CLASSES)} for split in SPLITS},
            skipped=dict(missing_images=missing,
                         small_instances=_count_skipped(results, 'small'),
                         occluded_instances=_count_skipped(results, 'occluded')))

    settings = dict(seed=seed, pad=pad, min_area=min_area, rand_pad=rand_pad,
                    val_ratio=val_ratio, test_ratio=test_ratio, allow_missing=allow_missing,
                    labels_sha256=_labels_digest(root, sources, missing))
    resplit = ('Re-splitting would move crops of the old test split into training, and '
               'checkpoints trained on the old split would be tested on their own training '
               'data.')
    recrop = 'Other crops would not match the part maps and boxes that models were fit to.'
    return write_output(out_dir, PRODUCER, settings, write,
                        entries=(meta.CROP_IMAGE_DIR, meta.PART_MAP_DIR, SPLIT_DIR),
                        overwrite=overwrite,
                        notes=dict(seed=resplit, val_ratio=resplit, test_ratio=resplit,
                                   pad=recrop, rand_pad=recrop, min_area=resplit))


def _check_arguments(pad: float, min_area: int, val_ratio: float, test_ratio: float,
                     nproc: int) -> None:
    if not pad >= 0:
        raise ValueError(f'pad must be >= 0, got {pad}')
    if not min_area >= 1:
        raise ValueError(f'min_area must be >= 1 pixel, got {min_area}')
    if not (0.0 <= val_ratio < 1.0 and 0.0 <= test_ratio < 1.0
            and val_ratio + test_ratio < 1.0):
        raise ValueError(f'val_ratio ({val_ratio}) and test_ratio ({test_ratio}) must be in '
                         '[0, 1) and sum to less than 1')
    if not isinstance(nproc, int) or nproc < 1:
        raise ValueError(f'nproc must be a positive int, got {nproc!r}')


# ---------------------------------------------------------------------------------------------
# Reading the release


def _find_sources(root: str) -> Tuple[List[_Source], List[str]]:
    """Label files with their images, in pooling order, and the images missing on disk.

    Raises:
        FileNotFoundError: If a required folder does not exist.
        ValueError: If there is no label file, or two share a stem.
    """
    if not osp.isdir(root):
        raise FileNotFoundError(f'Cityscapes-Panoptic-Parts root {root} does not exist')
    for folder in (meta.IMAGE_DIR, meta.LABEL_DIR):
        if not osp.isdir(osp.join(root, folder)):
            raise FileNotFoundError(f'Cityscapes-Panoptic-Parts root {root} has no {folder}/ '
                                    'folder')
    sources, missing, seen = [], [], {}
    for raw_split in meta.RAW_SPLITS:
        split_dir = osp.join(root, meta.LABEL_DIR, raw_split)
        if not osp.isdir(split_dir):
            raise FileNotFoundError(f'{split_dir} does not exist (the release has '
                                    f'{" and ".join(meta.RAW_SPLITS)} label folders)')
        for city in sorted(os.listdir(split_dir)):
            if not osp.isdir(osp.join(split_dir, city)):
                continue
            for name in sorted(os.listdir(osp.join(split_dir, city))):
                if not name.endswith(meta.LABEL_SUFFIX):
                    continue
                stem = name[:-len(meta.LABEL_SUFFIX)]
                source = _Source(
                    raw_split, city, stem, osp.join(split_dir, city, name),
                    osp.join(root, meta.IMAGE_DIR, raw_split, city, stem + meta.IMAGE_SUFFIX))
                other = seen.setdefault(stem, source)
                if other is not source:
                    raise ValueError(f'label files {other.label_file} and {source.label_file} '
                                     'share a stem')
                if osp.isfile(source.image_file):
                    sources.append(source)
                else:
                    missing.append(source.image_file)
    if not sources and not missing:
        raise ValueError(f'no *{meta.LABEL_SUFFIX} file under {osp.join(root, meta.LABEL_DIR)}'
                         f'/{{{",".join(meta.RAW_SPLITS)}}}/<city>/')
    return sources, missing


def _labels_digest(root: str, sources: List[_Source], missing: List[str]) -> str:
    """One SHA-256 of the used label files' paths (relative to ``root``) and content, and of
    the images skipped as missing."""
    digest = hashlib.sha256()
    for source in sources:
        digest.update(f'{osp.relpath(source.label_file, root)} '
                      f'{file_digest(source.label_file)}\n'.encode())
    for path in missing:
        digest.update(f'missing {osp.relpath(path, root)}\n'.encode())
    return digest.hexdigest()


def _read_uids(label_file: str) -> np.ndarray:
    """int64 [H, W] uids of a label file, after checking that every uid is allowed.

    Raises:
        ValueError: If the file is not a single-channel integer image or holds a uid that the
            format or the dataset does not allow (the message names the file and the uids).
    """
    try:
        with Image.open(label_file) as label:
            mode = label.mode
            uids = np.asarray(label, dtype=np.int64) if mode in _INTEGER_MODES else None
    except (UnidentifiedImageError, OSError) as error:
        raise ValueError(f'label file {label_file} cannot be read as an image: {error}') \
            from error
    if uids is None:
        raise ValueError(f'label file {label_file} has PIL mode {mode!r}; expected a '
                         'single-channel integer image (the release\'s are int32, mode "I")')
    problems = meta.invalid_uids(uids)
    if problems:
        listed = [f'{uid} ({reason})' for uid, reason in sorted(problems.items())]
        raise ValueError(f'label file {label_file} holds {len(problems)} uid(s) that '
                         f'Cityscapes-Panoptic-Parts does not allow: {format_examples(listed)}')
    return uids


# ---------------------------------------------------------------------------------------------
# Crops


def _crop_all(sources: List[_Source], work_dir: str, seed: int, pad: float, min_area: int,
              rand_pad: bool, nproc: int) -> List[_ImageResult]:
    """Crop every image (in ``nproc`` processes), results in ``sources`` order."""
    for raw_split in meta.RAW_SPLITS:
        os.makedirs(osp.join(work_dir, meta.CROP_IMAGE_DIR, raw_split), exist_ok=True)
    os.makedirs(osp.join(work_dir, meta.PART_MAP_DIR), exist_ok=True)
    tasks = [(source, work_dir, seed, pad, min_area, rand_pad) for source in sources]
    if nproc == 1:
        return _collect(map(_crop_image, tasks), len(tasks))
    with Pool(nproc) as pool:
        return _collect(pool.imap(_crop_image, tasks, chunksize=4), len(tasks))


def _collect(results: Iterable[_ImageResult], total: int) -> List[_ImageResult]:
    """The results as a list, logging progress every tenth of ``total`` images."""
    every = max(1, total // 10)
    collected = []
    for done, result in enumerate(results, start=1):
        collected.append(result)
        if done % every == 0 or done == total:
            logger.info('cropped %d/%d images (%d crops so far)', done, total,
                        sum(len(r.crops) for r in collected))
    return collected


def _crop_image(task: Tuple[_Source, str, int, float, int, bool]) -> _ImageResult:
    """Crop the kept instances of one image; write their crops and part maps."""
    source, work_dir, seed, pad, min_area, rand_pad = task
    uids = _read_uids(source.label_file)
    with Image.open(source.image_file) as picture:
        image = np.asarray(picture.convert('RGB'))
    if image.shape[:2] != uids.shape:
        raise ValueError(f'image {source.image_file} is {image.shape[1]}x{image.shape[0]} but '
                         f'its label file {source.label_file} is {uids.shape[1]}x'
                         f'{uids.shape[0]}')
    sids, iids, pids = meta.decode_uids(uids)
    labels = meta.part_label_lut()[sids, pids + 1]
    classes = np.array([meta.sid_class(sid) for sid in range(meta.MAX_SID + 1)])[sids]
    # One key per instance pixel of a human or vehicle: sid * 1000 + iid; -1 elsewhere.
    keys = np.where((iids >= 0) & (classes >= 0), sids * 1000 + iids, -1)
    canvas_pad = int(CANVAS_PAD * max(uids.shape))
    result = _ImageResult()
    instance_keys, areas = np.unique(keys[keys >= 0], return_counts=True)
    for key, area in zip(instance_keys.tolist(), areas.tolist()):
        sid, iid = divmod(key, 1000)
        class_index = meta.sid_class(sid)
        if area < min_area:
            result.small[class_index] += 1
            continue
        ys, xs = np.nonzero(keys == key)
        y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
        others = np.count_nonzero(classes[y0:y1, x0:x1] == 1 - class_index)
        if others > OCCLUSION_RATIO * area:
            result.occluded[class_index] += 1
            continue
        rng = np.random.default_rng([seed, *_identity(source, key)])
        top, left, side = _crop_window((x0, y0, x1, y1), uids.shape, canvas_pad, pad,
                                       rng if rand_pad else None)
        result.crops.append(_write_crop(source, key, class_index, image, labels,
                                        (top, left, side), work_dir))
    return result


def _identity(source: _Source, key: int) -> List[int]:
    """Four 32-bit words naming an instance, to seed its random offset."""
    digest = hashlib.sha256(
        f'{source.raw_split}/{source.city}/{source.stem}/{key}'.encode()).digest()
    return [int.from_bytes(digest[i:i + 4], 'little') for i in range(0, 16, 4)]


def _crop_window(box: Tuple[int, int, int, int], shape: Tuple[int, int], canvas_pad: int,
                 pad: float, rng: Optional[np.random.Generator]) -> Tuple[int, int, int]:
    """(top, left, side) of an object's square crop, in image coordinates.

    Args:
        box: The object's tight box (x0, y0, x1, y1), x1 and y1 exclusive.
        shape: Image (height, width).
        canvas_pad: Zero padding around the image within which the crop is kept when it fits.
        pad: Margin on each side, a fraction of the object's longer side.
        rng: Draws the object's offset in the crop (0..2 margin per axis); None centres it.
    """
    x0, y0, x1, y1 = box
    size = max(x1 - x0, y1 - y0)
    margin = int(pad * size)
    side = size + 2 * margin
    offset_x, offset_y = (margin, margin) if rng is None else \
        rng.integers(0, 2 * margin, size=2, endpoint=True).tolist()
    left = x0 - (size - (x1 - x0)) // 2 - offset_x
    top = y0 - (size - (y1 - y0)) // 2 - offset_y
    height, width = shape
    # Shifting the crop into the padded image keeps the object in it: the object is inside.
    if side <= width + 2 * canvas_pad:
        left = min(max(left, -canvas_pad), width + canvas_pad - side)
    if side <= height + 2 * canvas_pad:
        top = min(max(top, -canvas_pad), height + canvas_pad - side)
    return int(top), int(left), int(side)


def _cut(array: np.ndarray, top: int, left: int, side: int) -> np.ndarray:
    """The ``side`` x ``side`` window of ``array`` at (top, left); zeros outside ``array``."""
    out = np.zeros((side, side, *array.shape[2:]), dtype=array.dtype)
    height, width = array.shape[:2]
    y0, y1 = max(top, 0), min(top + side, height)
    x0, x1 = max(left, 0), min(left + side, width)
    if y0 < y1 and x0 < x1:
        out[y0 - top:y1 - top, x0 - left:x1 - left] = array[y0:y1, x0:x1]
    return out


def _write_crop(source: _Source, key: int, class_index: int, image: np.ndarray,
                labels: np.ndarray, window: Tuple[int, int, int], work_dir: str) -> _Crop:
    """Save one crop's image and part map; return its record."""
    top, left, side = window
    stem = f'{source.stem}_{key}'
    part_map = _cut(labels, top, left, side)
    Image.fromarray(_cut(image, top, left, side)).save(
        osp.join(work_dir, _image_path(source.raw_split, stem)))
    Image.fromarray(part_map).save(osp.join(work_dir, _part_map_path(stem)))
    boxes, present = [], []
    for label in np.unique(part_map).tolist():
        if label == 0:
            continue
        ys, xs = np.nonzero(part_map == label)
        # Pixel (x, y) spans [x, x + 1), so the tight box ends one past the last pixel.
        boxes.append([float(xs.min()), float(ys.min()), float(xs.max() + 1),
                      float(ys.max() + 1)])
        present.append(label)
    sid, iid = divmod(key, 1000)
    return _Crop(stem=stem, source=source, sid=sid, iid=iid, class_index=class_index,
                 height=side, width=side, crop_box=[left, top, left + side, top + side],
                 part_boxes=boxes, part_labels=present)


def _image_path(raw_split: str, stem: str) -> str:
    return f'{meta.CROP_IMAGE_DIR}/{raw_split}/{stem}.png'


def _part_map_path(stem: str) -> str:
    return f'{meta.PART_MAP_DIR}/{stem}.png'


def _count_skipped(results: List[_ImageResult], what: str) -> Dict[str, int]:
    """Class name -> instances skipped as ``what`` ('small' or 'occluded')."""
    return {name: sum(getattr(r, what)[ci] for r in results)
            for ci, name in enumerate(meta.CLASSES)}


# ---------------------------------------------------------------------------------------------
# Split lists


def _paper_split(crops: List[_Crop], seed: int, val_ratio: float,
                 test_ratio: float) -> Dict[str, List[_Crop]]:
    """The papers' split of the pooled crops: one seeded shuffle, val, test, then train."""
    order = [crops[i] for i in np.random.RandomState(seed).permutation(len(crops))]
    num_val, num_test = int(val_ratio * len(crops)), int(test_ratio * len(crops))
    return dict(val=order[:num_val], test=order[num_val:num_val + num_test],
                train=order[num_val + num_test:])


def _write_split_list(crops: List[_Crop], work_dir: str, out_dir: str, split: str,
                      seed: int) -> str:
    """Write one MMEngine-style split list into ``work_dir``; return its path in ``out_dir``."""
    data_list = sorted((_data_info(crop) for crop in crops), key=lambda info: info['img_path'])
    metainfo = dict(dataset='CityscapesPanopticParts', split=SPLIT_KIND, seed=seed,
                    classes=list(meta.CLASSES), part_names=list(meta.PART_NAMES),
                    part_to_class=list(meta.PART_TO_CLASS_INDEX))
    return write_split_list(work_dir, out_dir, osp.join(SPLIT_DIR, SPLIT_KIND, f'{split}.json'),
                            metainfo, data_list)


def _data_info(crop: _Crop) -> dict:
    """The split-list entry of one crop (paths relative to the output folder)."""
    source = crop.source
    return dict(
        img_path=_image_path(source.raw_split, crop.stem),
        seg_map_path=_part_map_path(crop.stem),
        gt_label=crop.class_index,
        class_name=meta.CLASSES[crop.class_index],
        height=crop.height,
        width=crop.width,
        part_boxes=crop.part_boxes,
        part_labels=crop.part_labels,
        raw_split=source.raw_split,
        city=source.city,
        image_stem=source.stem,
        sid=crop.sid,
        iid=crop.iid,
        crop_box=crop.crop_box)
