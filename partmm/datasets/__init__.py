from . import partimagenet_meta
from .partimagenet import PartImageNetDataset
from .transforms import LoadPartAnnotations, PackPartInputs, RandomResizedCrop

__all__ = [
    'partimagenet_meta', 'PartImageNetDataset', 'LoadPartAnnotations', 'PackPartInputs',
    'RandomResizedCrop'
]
