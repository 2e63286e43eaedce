from .base_part_head import HEAD_INPUTS, BasePartHead
from .bbox_part_head import BoundingBoxPartHead
from .downsampled_part_head import DownsampledPartHead
from .feature_class_heads import (
    BackboneLinearClassHead,
    DecoderFeatureClassHead,
    EncoderFeatureClassHead,
)
from .mask_part_head import MaskPartHead
from .pixel_count_part_head import PixelCountPartHead, part_to_class_matrix
from .query_sequence_head import QuerySequencePartHead
from .query_sim_head import QuerySimHead
from .seg_cat_part_head import SegCatPartHead
from .seg_part_head import SegPartHead

__all__ = [
    'HEAD_INPUTS', 'BackboneLinearClassHead', 'BasePartHead', 'BoundingBoxPartHead',
    'DecoderFeatureClassHead', 'DownsampledPartHead', 'EncoderFeatureClassHead', 'MaskPartHead',
    'PixelCountPartHead', 'QuerySequencePartHead', 'QuerySimHead', 'SegCatPartHead', 'SegPartHead',
    'part_to_class_matrix'
]
