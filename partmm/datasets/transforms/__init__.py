from .formatting import PackPartInputs
from .loading import LoadPartAnnotations
from .processing import RandomResizedCrop

__all__ = ['LoadPartAnnotations', 'PackPartInputs', 'RandomResizedCrop']
