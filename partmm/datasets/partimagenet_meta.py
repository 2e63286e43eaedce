"""PartImageNet label spaces: the 11 super-classes, the 40 parts and how ids map.

Everything that names a PartImageNet class or part (the synthetic generator, the converter, the
dataset, the models' size checks) reads it from here, so there is one table to trust.

Conventions (those of the original code and of the release):

* class index = alphabetical order of the 11 super-class names;
* part label 0 = background; parts are numbered class by class in alphabetical class order and,
  within a class, in the order of the official release JSON, giving labels 1..40;
* the official release numbers its 40 part categories 0..39 in another class order
  (Quadruped first); ``OFFICIAL_ID_TO_LABEL`` translates.
"""
from typing import Dict, List, Optional, Tuple

import numpy as np

# Parts of each super-class in official-JSON order, with the official id of the first part.
# Names are the official ones ("Tier" is the release's spelling of tyre/wheel).
_CLASS_PARTS: Dict[str, Tuple[int, Tuple[str, ...]]] = {
    'Aeroplane': (33, ('Head', 'Body', 'Engine', 'Wing', 'Tail')),
    'Bicycle': (27, ('Body', 'Head', 'Seat', 'Tier')),
    'Biped': (4, ('Head', 'Body', 'Hand', 'Foot', 'Tail')),
    'Bird': (13, ('Head', 'Body', 'Wing', 'Foot', 'Tail')),
    'Boat': (31, ('Body', 'Sail')),
    'Bottle': (38, ('Mouth', 'Body')),
    'Car': (24, ('Body', 'Tier', 'Side Mirror')),
    'Fish': (9, ('Head', 'Body', 'Fin', 'Tail')),
    'Quadruped': (0, ('Head', 'Body', 'Foot', 'Tail')),
    'Reptile': (20, ('Head', 'Body', 'Foot', 'Tail')),
    'Snake': (18, ('Head', 'Body')),
}

CLASSES: Tuple[str, ...] = tuple(sorted(_CLASS_PARTS))
NUM_CLASSES = len(CLASSES)  # 11
BACKGROUND = 'background'

# Part label names (index = label), e.g. PART_NAMES[1] == 'Aeroplane Head'.
PART_NAMES: Tuple[str, ...] = (BACKGROUND, ) + tuple(
    f'{cls} {part}' for cls in CLASSES for part in _CLASS_PARTS[cls][1])
NUM_PART_LABELS = len(PART_NAMES)  # 41, background included
NUM_PARTS = NUM_PART_LABELS - 1  # 40

# Class index of each part label (background -> -1).
PART_TO_CLASS_INDEX: Tuple[int, ...] = (-1, ) + tuple(
    ci for ci, cls in enumerate(CLASSES) for _ in _CLASS_PARTS[cls][1])

# Official category id (0..39) <-> part label (1..40).
OFFICIAL_ID_TO_LABEL: Dict[int, int] = {}
for _label, _name in enumerate(PART_NAMES[1:], start=1):
    _cls = CLASSES[PART_TO_CLASS_INDEX[_label]]
    _first_id, _parts = _CLASS_PARTS[_cls]
    OFFICIAL_ID_TO_LABEL[_first_id + _parts.index(_name[len(_cls) + 1:])] = _label
LABEL_TO_OFFICIAL_ID: Dict[int, int] = {v: k for k, v in OFFICIAL_ID_TO_LABEL.items()}
OFFICIAL_CATEGORIES: Tuple[Dict, ...] = tuple(
    dict(id=oid, name=PART_NAMES[OFFICIAL_ID_TO_LABEL[oid]],
         supercategory=CLASSES[PART_TO_CLASS_INDEX[OFFICIAL_ID_TO_LABEL[oid]]])
    for oid in sorted(OFFICIAL_ID_TO_LABEL))


# Files and folders that converters and generators write and datasets read.
PART_MAP_DIR = 'part_maps'  # <root>/part_maps/<stem>.png, uint8 part labels
META_FILE = 'meta.json'  # written next to a generated shift set: its wnid -> class table

# Synthetic synset ids: n9 + 7 digits = SYNTHETIC_WNID_BASE + 100 * class index + k.
SYNTHETIC_WNID_BASE = 90000000
MAX_WNIDS_PER_CLASS = 100


def synthetic_wnid(class_index: int, k: int) -> str:
    """Synthetic synset id of the ``k``-th synset of class ``class_index``, e.g. n90000102."""
    return f'n{SYNTHETIC_WNID_BASE + MAX_WNIDS_PER_CLASS * class_index + k}'


def synthetic_wnid_class(wnid: str) -> Optional[int]:
    """Class index encoded in a synthetic wnid (see :func:`synthetic_wnid`), else None."""
    if not (wnid.startswith('n') and wnid[1:].isdigit()):
        return None
    class_index, k = divmod(int(wnid[1:]) - SYNTHETIC_WNID_BASE, MAX_WNIDS_PER_CLASS)
    if 0 <= class_index < NUM_CLASSES and synthetic_wnid(class_index, k) == wnid:
        return class_index
    return None


def class_parts(class_name: str) -> List[str]:
    """Part names (without the class prefix) of ``class_name`` in label order."""
    return list(_CLASS_PARTS[class_name][1])


def part_label(class_name: str, part_name: str) -> int:
    """Label (1..40) of part ``part_name`` of ``class_name``, e.g. ('Bird', 'Wing') -> 17."""
    return PART_NAMES.index(f'{class_name} {part_name}')


def part_to_class_matrix() -> np.ndarray:
    """Binary [41, 12] matrix: row 0 (background) -> column 0, parts of class i -> column i + 1."""
    matrix = np.zeros((NUM_PART_LABELS, NUM_CLASSES + 1), dtype=np.int64)
    for label, class_index in enumerate(PART_TO_CLASS_INDEX):
        matrix[label, class_index + 1] = 1
    return matrix


def metainfo() -> dict:
    """Dataset metainfo shared by every PartImageNet-like dataset in partmm."""
    return dict(
        classes=CLASSES,
        part_names=PART_NAMES,
        part_to_class=PART_TO_CLASS_INDEX,
    )
