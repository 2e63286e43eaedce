"""PASCAL-Part label spaces: the 5 classes, the 15 grouped parts and the VOC class names.

Everything that names a PASCAL-Part class or part group (the synthetic generator, the converter,
the dataset) reads it from here. Conventions are those of the papers' preparation code
(``prepare_pascal_part.py``, preparation name ``aeroplane_bird_car_cat_dog``):

* class index = position in ``CLASSES`` (alphabetical, the order of ``numpy.unique`` over the
  class names, which the original split iterates in);
* part label 0 = background; labels 1..15 number the groups class by class in ``CLASSES``
  order and, within a class, in the order of ``PART_GROUPS`` (three groups per class);
* a PASCAL-Part sub-part (e.g. ``wheel_1``) belongs to a group when one of the group's tokens is
  a substring of its name (``wheel`` matches ``wheel_1``); groups are painted in label order and
  each fills only pixels still background, so "body", listed last, loses every overlap.
"""
from typing import Dict, Optional, Tuple

# The classes kept, and their part groups in painting order: (group, sub-part name tokens).
PART_GROUPS: Dict[str, Tuple[Tuple[str, Tuple[str, ...]], ...]] = {
    'aeroplane': (('tail', ('tail', 'stern')),
                  ('wing', ('lwing', 'rwing', 'engine')),
                  ('body', ('body', 'wheel'))),
    'bird': (('head', ('head', 'beak', 'leye', 'reye', 'neck')),
             ('legs', ('lleg', 'rleg', 'lfoot', 'rfoot')),
             ('body', ('torso', 'lwing', 'rwing', 'tail'))),
    'car': (('wheel', ('wheel', )),
            ('window', ('window', )),
            ('body', ('bliplate', 'backside', 'door', 'fliplate', 'frontside', 'headlight',
                      'leftmirror', 'leftside', 'rightmirror', 'rightside', 'roofside'))),
    'cat': (('head', ('head', 'nose', 'leye', 'reye', 'lear', 'rear', 'neck')),
            ('legs', ('lfleg', 'rfleg', 'lbleg', 'rbleg', 'lfpa', 'rfpa', 'lbpa', 'rbpa')),
            ('body', ('torso', 'tail'))),
    'dog': (('head', ('head', 'nose', 'leye', 'reye', 'lear', 'rear', 'neck', 'muzzle')),
            ('legs', ('lfleg', 'rfleg', 'lbleg', 'rbleg', 'lfpa', 'rfpa', 'lbpa', 'rbpa')),
            ('body', ('torso', 'tail'))),
}

CLASSES: Tuple[str, ...] = tuple(PART_GROUPS)  # aeroplane, bird, car, cat, dog
NUM_CLASSES = len(CLASSES)  # 5
BACKGROUND = 'background'

# Part label names (index = label), e.g. PART_NAMES[1] == 'aeroplane tail'.
PART_NAMES: Tuple[str, ...] = (BACKGROUND, ) + tuple(
    f'{cls} {group}' for cls in CLASSES for group, _ in PART_GROUPS[cls])
NUM_PART_LABELS = len(PART_NAMES)  # 16, background included
NUM_PARTS = NUM_PART_LABELS - 1  # 15

# Class index of each part label (background -> -1).
PART_TO_CLASS_INDEX: Tuple[int, ...] = (-1, ) + tuple(
    ci for ci, cls in enumerate(CLASSES) for _ in PART_GROUPS[cls])

# The 20 PASCAL VOC classes in VOC order (``class_ind`` = position + 1). PASCAL-Part's
# annotations name the dining table ``table``; both spellings are accepted.
VOC_CLASSES: Tuple[str, ...] = (
    'aeroplane', 'bicycle', 'bird', 'boat', 'bottle', 'bus', 'car', 'cat', 'chair', 'cow',
    'diningtable', 'dog', 'horse', 'motorbike', 'person', 'pottedplant', 'sheep', 'sofa',
    'train', 'tvmonitor')
VOC_CLASS_ALIASES: Dict[str, str] = {'table': 'diningtable'}
KNOWN_CLASS_NAMES = frozenset(VOC_CLASSES) | frozenset(VOC_CLASS_ALIASES)

# Files and folders of the raw release (under its root) and of the converter's output.
IMAGE_DIR = 'JPEGImages'  # <root>/JPEGImages/<id>.jpg (VOC2010)
ANNOTATION_DIR = 'Annotations_Part'  # <root>/Annotations_Part/<id>.mat (PASCAL-Part)
PART_MAP_DIR = 'part_maps'  # <out_dir>/part_maps/<id>.png, uint8 part labels

def voc_class_index(class_name: str) -> int:
    """``class_ind`` (1..20) of a VOC class name as PASCAL-Part spells it, e.g. 'table' -> 11."""
    return VOC_CLASSES.index(VOC_CLASS_ALIASES.get(class_name, class_name)) + 1


def group_label(class_name: str, group: str) -> int:
    """Label (1..15) of part group ``group`` of ``class_name``, e.g. ('car', 'window') -> 8."""
    return PART_NAMES.index(f'{class_name} {group}')


def sub_part_label(class_name: str, sub_part: str) -> Optional[int]:
    """Label of the first group (in painting order) whose tokens match ``sub_part``.

    That group is the one whose label the sub-part's pixels take where no other object or
    group painted first. None if the class is not kept or no token matches.
    """
    for group, tokens in PART_GROUPS.get(class_name, ()):
        if any(token in sub_part for token in tokens):
            return group_label(class_name, group)
    return None


def metainfo() -> dict:
    """Dataset metainfo of PASCAL-Part in partmm: classes, part_names, part_to_class."""
    return dict(
        classes=CLASSES,
        part_names=PART_NAMES,
        part_to_class=PART_TO_CLASS_INDEX,
    )
