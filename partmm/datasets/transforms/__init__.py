from .box_masks import PaintPartBoxes
from .corruptions import COMMON_CORRUPTIONS, ImageCorruption
from .formatting import PackPartInputs
from .loading import LoadPartAnnotations
from .processing import RandomResizedCrop, ResizeShortSide

__all__ = [
    'COMMON_CORRUPTIONS', 'ImageCorruption', 'LoadPartAnnotations', 'PackPartInputs',
    'PaintPartBoxes', 'RandomResizedCrop', 'ResizeShortSide'
]
