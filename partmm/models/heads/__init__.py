from .bbox_part_head import BoundingBoxPartHead
from .downsampled_part_head import DownsampledPartHead

__all__ = ['BoundingBoxPartHead', 'DownsampledPartHead']
