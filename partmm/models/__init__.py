from .backbones import SMPEncoder
from .classifiers import (
                          BasePixelClassifier,
                          CleanMaskPartClassifier,
                          GroundTruthMaskClassifier,
                          PartClassifier,
                          QueryPartClassifier,
                          TimmClassifier,
)
from .data_preprocessors import PixelDataPreProcessor
from .decode_heads import SMPDeepLabV3PlusHead
from .heads import (
                          BasePartHead,
                          BoundingBoxPartHead,
                          DecoderFeatureClassHead,
                          DownsampledPartHead,
                          EncoderFeatureClassHead,
                          MaskPartHead,
                          PixelCountPartHead,
                          QuerySimHead,
                          SegCatPartHead,
                          SegPartHead,
)
from .losses import BoxInstPartLoss
from .segmentors import PartSegmenter

__all__ = [
    'BasePixelClassifier', 'CleanMaskPartClassifier', 'GroundTruthMaskClassifier',
    'PartClassifier', 'QueryPartClassifier', 'TimmClassifier', 'BasePartHead',
    'BoundingBoxPartHead', 'DecoderFeatureClassHead', 'DownsampledPartHead',
    'EncoderFeatureClassHead', 'MaskPartHead', 'PixelCountPartHead', 'QuerySimHead',
    'SegCatPartHead', 'SegPartHead', 'BoxInstPartLoss', 'PartSegmenter', 'SMPEncoder',
    'SMPDeepLabV3PlusHead', 'PixelDataPreProcessor'
]
