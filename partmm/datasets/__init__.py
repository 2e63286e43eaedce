from . import partimagenet_meta
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
    'COMMON_CORRUPTIONS', 'ImageCorruption', 'partimagenet_meta', 'PartImageNetDataset',
    'LoadPartAnnotations', 'PackPartInputs', 'RandomResizedCrop', 'ShapeTextureDataset',
    'SpuriousBackgroundDataset'
]
