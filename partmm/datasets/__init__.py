from . import partimagenet_meta
from .part_seg_dataset import LABEL_TYPES, PartSegDataset
from .partimagenet import PartImageNetDataset
from .shape_texture import ShapeTextureDataset
from .spurious_background import SpuriousBackgroundDataset
from .transforms import (
                         COMMON_CORRUPTIONS,
                         ImageCorruption,
                         LoadPartAnnotations,
                         PackPartInputs,
                         RandomResizedCrop,
)

__all__ = [
    'COMMON_CORRUPTIONS', 'ImageCorruption', 'LABEL_TYPES', 'partimagenet_meta',
    'PartImageNetDataset', 'PartSegDataset',
    'LoadPartAnnotations', 'PackPartInputs', 'RandomResizedCrop', 'ShapeTextureDataset',
    'SpuriousBackgroundDataset'
]
