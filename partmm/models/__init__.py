from .classifiers import BasePixelClassifier, PartClassifier, TimmClassifier
from .heads import BoundingBoxPartHead, DownsampledPartHead

__all__ = [
    'BasePixelClassifier', 'PartClassifier', 'TimmClassifier', 'BoundingBoxPartHead',
    'DownsampledPartHead'
]
