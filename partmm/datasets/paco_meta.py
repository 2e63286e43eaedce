"""PACO's raw file names and the conventions of partmm's PACO conversion.

PACO's label spaces are not tabled here: the converter reads them from the release's JSONs
(``categories``), so the part maps of a release always use that release's ids. What this
module fixes is how the JSONs encode them and how the converter's output is laid out:

* ``categories`` lists objects (``supercategory`` ``'OBJECT'``, e.g. ``mug``) and
  object-parts (``supercategory`` ``'PART'``, named ``<object>:<part>``, e.g. ``mug:handle``);
  the release has 75 objects and 456 object-parts. (``part_categories`` lists the 200 part
  names without their object, e.g. ``handle``; the converter does not need it.)
* An annotation is an object when its ``id`` equals its ``obj_ann_id``, else a part of the
  object annotation ``obj_ann_id``.
* Part maps store 0 = background, 1..P-1 = part labels and an unlabelled value that the
  losses and metrics ignore: 255 in uint8 maps, which hold at most 254 part labels, else
  65535 in uint16 maps (the whole release, P = 457, needs those).
"""
from typing import Tuple

SOURCES = ('lvis', 'ego4d')  # PACO-LVIS (COCO 2017 images) and PACO-EGO4D (video frames)
SPLITS = ('train', 'val', 'test')
OBJECT_SUPERCATEGORY = 'OBJECT'
PART_SUPERCATEGORY = 'PART'
PART_SEPARATOR = ':'
BACKGROUND = 'background'

# Size of PACO-LVIS's label spaces (its JSONs' categories), for configs of the whole release.
RELEASE_NUM_OBJECTS = 75
RELEASE_NUM_OBJECT_PARTS = 456

UNLABELLED_UINT8 = 255
UNLABELLED_UINT16 = 65535
MAX_UINT8_PART_LABELS = UNLABELLED_UINT8  # labels 0..254 leave 255 for unlabelled pixels

# Output layout under the converter's out_dir.
IMAGE_DIR = 'images'  # images/<split>/<stem>.png: the object crops
PART_MAP_DIR = 'part_maps'  # part_maps/<stem>.png: their part maps
SPLIT_DIR = 'splits'  # splits/paper/<split>.json
SPLIT_KIND = 'paper'  # the papers' seeded 80/10/10 re-split of the pooled objects


def json_name(source: str, split: str) -> str:
    """File name of a release JSON, e.g. ``paco_lvis_v1_train.json``."""
    return f'paco_{source}_v1_{split}.json'


def split_part_name(name: str) -> Tuple[str, str]:
    """``'<object>:<part>'`` -> ``(object, part)``; ValueError unless it has that form."""
    obj, sep, part = name.partition(PART_SEPARATOR)
    if not (obj and sep and part) or PART_SEPARATOR in part:
        raise ValueError(f'part category name {name!r} is not <object>{PART_SEPARATOR}<part>')
    return obj, part


def unlabelled_value(num_part_labels: int) -> int:
    """The part maps' unlabelled value for ``num_part_labels`` labels (background included)."""
    return UNLABELLED_UINT8 if num_part_labels <= MAX_UINT8_PART_LABELS else UNLABELLED_UINT16
