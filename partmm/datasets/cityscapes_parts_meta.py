"""Cityscapes-Panoptic-Parts label spaces: the 2 classes, the 9 parts and the uid format.

Everything that names a Cityscapes-Panoptic-Parts class, part or id (the synthetic generator,
the converter, the dataset, the tests) reads it from here.

The release's label files hold one universal id (uid) per pixel, up to 7 decimal digits
(panoptic_parts label format, official Cityscapes-Panoptic-Parts README):

* 1-2 digits (0..99): semantic id (sid) only, e.g. 23 = sky, 24 = a person pixel without an
  instance;
* 4-5 digits (1000..99999): ``sid * 1000 + iid`` (instance id 0..999, 0 is a valid instance);
* 6-7 digits (100000..9999999): ``sid * 100000 + iid * 100 + pid``; part id 0 = void part.

3-digit uids are not part of the format. sids are the Cityscapes label ids (0..33; the
panoptic_parts dataset spec also lists 34, license plate). Parts exist only for humans
(24 person, 25 rider: 1 torso, 2 head, 3 arms, 4 legs) and vehicles (26 car, 27 truck,
28 bus: 1 windows, 2 wheels, 3 lights, 4 license plate, 5 chassis). Human pid 5 is a known
artefact of the release (about 10 files, official README) and counts as void.

partmm's labels (those of the original code's loader, applied to every instance in a crop):
0 background / void / other, 1..4 human pid 1..4, 5..9 vehicle pid 1..5.

The uid arithmetic is done here rather than with the ``panoptic_parts`` package (2.0rc6):
that package cannot be imported on Python >= 3.10 (``specs/dataset_spec.py`` compares
``float(python_version()[:3])``, i.e. 3.1 for 3.11, with 3.6 and raises), its top-level import
pulls matplotlib, scipy and ruamel.yaml and tries TensorFlow and torch, and the decoding is
the few integer divisions below; :func:`decode_uids` returns what its ``decode_uids`` does
(-1 for absent iids and pids).
"""
from typing import Dict, Tuple

import numpy as np

CLASSES: Tuple[str, ...] = ('human', 'vehicle')
NUM_CLASSES = len(CLASSES)  # 2
BACKGROUND = 'background'

# sids of each class, in class order (Cityscapes label ids).
CLASS_SIDS: Tuple[Tuple[int, ...], ...] = ((24, 25), (26, 27, 28))
SID_NAMES: Dict[int, str] = {24: 'person', 25: 'rider', 26: 'car', 27: 'truck', 28: 'bus'}
# Part names of each class in pid order (pid = index + 1).
CLASS_PARTS: Tuple[Tuple[str, ...], ...] = (
    ('torso', 'head', 'arms', 'legs'),
    ('windows', 'wheels', 'lights', 'license plate', 'chassis'),
)
# pids that occur in the release but are void: human pid 5 (a preprocessing artefact).
VOID_PIDS: Tuple[Tuple[int, ...], ...] = ((5, ), ())

PART_NAMES: Tuple[str, ...] = (BACKGROUND, ) + tuple(
    f'{cls} {part}' for cls, parts in zip(CLASSES, CLASS_PARTS) for part in parts)
NUM_PART_LABELS = len(PART_NAMES)  # 10, background included
PART_TO_CLASS_INDEX: Tuple[int, ...] = (-1, ) + tuple(
    ci for ci, parts in enumerate(CLASS_PARTS) for _ in parts)
# First part label of each class: label = FIRST_LABEL[class] + pid - 1.
FIRST_LABEL: Tuple[int, ...] = tuple(
    1 + sum(len(parts) for parts in CLASS_PARTS[:ci]) for ci in range(NUM_CLASSES))

MAX_SID = 34
MAX_UID = 9_999_999
HUMAN_SIDS, VEHICLE_SIDS = CLASS_SIDS

# Folders of the raw release and of the converter's output.
IMAGE_DIR = 'leftImg8bit'  # leftImg8bit/<split>/<city>/<stem>_leftImg8bit.png
LABEL_DIR = 'gtFinePanopticParts'  # gtFinePanopticParts/<split>/<city>/<stem>_...tif
IMAGE_SUFFIX = '_leftImg8bit.png'
LABEL_SUFFIX = '_gtFinePanopticParts.tif'
RAW_SPLITS = ('train', 'val')  # the annotated splits of the release
PART_MAP_DIR = 'part_maps'  # <out_dir>/part_maps/<stem>.png, uint8 part labels
CROP_IMAGE_DIR = 'images'  # <out_dir>/images/<raw split>/<stem>.png


def sid_class(sid: int) -> int:
    """Class index of a human or vehicle sid, -1 for any other sid."""
    for class_index, sids in enumerate(CLASS_SIDS):
        if sid in sids:
            return class_index
    return -1


def part_label(sid: int, pid: int) -> int:
    """partmm label (0..9) of a pixel with semantic id ``sid`` and part id ``pid`` (-1 none).

    E.g. (24, 2) person head -> 2, (28, 5) bus chassis -> 9; void parts, artefact pids,
    pixels without a part and every other class -> 0.
    """
    class_index = sid_class(sid)
    if class_index < 0 or not 1 <= pid <= len(CLASS_PARTS[class_index]):
        return 0
    return FIRST_LABEL[class_index] + pid - 1


def encode_uids(sids: np.ndarray, iids: np.ndarray, pids: np.ndarray) -> np.ndarray:
    """uids (int32, same shape) of sids, iids (-1: none) and pids (-1: none).

    A pid needs an iid; the inverse of :func:`decode_uids`.
    """
    sids, iids, pids = (np.asarray(a, dtype=np.int64) for a in (sids, iids, pids))
    if np.any((pids >= 0) & (iids < 0)):
        raise ValueError('a part id needs an instance id in the panoptic_parts format')
    uids = np.where(iids < 0, sids, sids * 1000 + iids)
    uids = np.where(pids < 0, uids, uids * 100 + pids)
    return uids.astype(np.int32)


def decode_uids(uids: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split uids into (sids, iids, pids), int64 arrays of the input's shape.

    iids are -1 where a uid has no instance (1-2 digits), pids -1 where it has no part (up to
    5 digits). Values are not checked; see :func:`invalid_uids`.
    """
    uids = np.asarray(uids, dtype=np.int64)
    has_part = uids >= 100_000
    has_instance = uids >= 1000
    sids_iids = np.where(has_part, uids // 100, uids)
    sids = np.where(has_instance, sids_iids // 1000, sids_iids)
    iids = np.where(has_instance, sids_iids % 1000, -1)
    pids = np.where(has_part, uids % 100, -1)
    return sids, iids, pids


def invalid_uids(uids: np.ndarray) -> Dict[int, str]:
    """The distinct uids of ``uids`` that the format or the dataset does not allow, each with
    the reason; empty when all are valid.

    Invalid: negative, above 9,999,999 or of 3 digits; a sid above 34; a part id on a sid
    without parts; a part id above its class's last (human pid 5, a known artefact, is
    allowed).
    """
    values = np.unique(np.asarray(uids, dtype=np.int64))
    problems: Dict[int, str] = {}
    for uid in values[(values < 0) | (values > MAX_UID) | ((values >= 100) & (values < 1000))]:
        problems[int(uid)] = 'not a uid of the panoptic_parts format (0..99, 1000..9999999)'
    sids, _, pids = decode_uids(values)
    for uid, sid, pid in zip(values.tolist(), sids.tolist(), pids.tolist()):
        if uid in problems:
            continue
        if sid > MAX_SID:
            problems[uid] = f'semantic id {sid} is not a Cityscapes label id (0..{MAX_SID})'
            continue
        if pid < 0:
            continue
        class_index = sid_class(sid)
        if class_index < 0:
            problems[uid] = f'part id {pid} on semantic id {sid}, which has no parts'
        elif pid > len(CLASS_PARTS[class_index]) and pid not in VOID_PIDS[class_index]:
            problems[uid] = (f'part id {pid} of semantic id {sid} ({SID_NAMES[sid]}) is outside '
                             f'0..{len(CLASS_PARTS[class_index])}')
    return problems


def part_label_lut() -> np.ndarray:
    """uint8 [MAX_SID + 1, 101] table: (sid, pid + 1) -> partmm label (pid -1 = no part)."""
    table = np.zeros((MAX_SID + 1, 101), dtype=np.uint8)
    for sids in CLASS_SIDS:
        for sid in sids:
            for pid in range(100):
                table[sid, pid + 1] = part_label(sid, pid)
    return table


def metainfo() -> dict:
    """Dataset metainfo of Cityscapes-Panoptic-Parts in partmm."""
    return dict(
        classes=CLASSES,
        part_names=PART_NAMES,
        part_to_class=PART_TO_CLASS_INDEX,
    )
