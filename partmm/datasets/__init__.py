from . import cityscapes_parts_meta, paco_meta, partimagenet_meta, pascal_part_meta
from .cityscapes_parts import CityscapesPartsDataset
from .paco import PacoDataset
from .part_seg_dataset import LABEL_TYPES, PartSegDataset
from .partimagenet import PartImageNetDataset
from .pascal_part import PascalPartDataset
from .shape_texture import ShapeTextureDataset
from .spurious_background import SpuriousBackgroundDataset
from .transforms import (
                         COMMON_CORRUPTIONS,
                         ImageCorruption,
                         LoadPartAnnotations,
                         PackPartInputs,
                         PaintPartBoxes,
                         RandomResizedCrop,
)

__all__ = [
    'CityscapesPartsDataset', 'cityscapes_parts_meta', 'PacoDataset', 'paco_meta',
    'PascalPartDataset', 'pascal_part_meta',
    'COMMON_CORRUPTIONS', 'ImageCorruption', 'LABEL_TYPES', 'partimagenet_meta',
    'PartImageNetDataset', 'PartSegDataset',
    'LoadPartAnnotations', 'PackPartInputs', 'PaintPartBoxes', 'RandomResizedCrop',
    'ShapeTextureDataset',
    'SpuriousBackgroundDataset'
]
