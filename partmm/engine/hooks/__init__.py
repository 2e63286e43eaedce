from .dataset_meta_check_hook import DatasetMetaCheckHook
from .part_visualization_hook import PartVisualizationHook
from .segmenter_warmup_hook import SegmenterWarmupHook

__all__ = ['DatasetMetaCheckHook', 'PartVisualizationHook', 'SegmenterWarmupHook']
