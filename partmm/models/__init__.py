from .backbones import SMPEncoder
from .classifiers import BasePixelClassifier, PartClassifier, TimmClassifier
from .decode_heads import SMPDeepLabV3PlusHead
from .heads import BoundingBoxPartHead, DownsampledPartHead

__all__ = [
    'BasePixelClassifier', 'PartClassifier', 'TimmClassifier', 'BoundingBoxPartHead',
    'DownsampledPartHead', 'SMPEncoder', 'SMPDeepLabV3PlusHead'
]
