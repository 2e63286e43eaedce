from .base_pixel_classifier import BasePixelClassifier
from .part_classifier import PartClassifier
from .timm_classifier import TimmClassifier

__all__ = ['BasePixelClassifier', 'PartClassifier', 'TimmClassifier']
