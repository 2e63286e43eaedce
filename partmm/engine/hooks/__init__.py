from .dataset_meta_check_hook import DatasetMetaCheckHook
from .segmenter_warmup_hook import SegmenterWarmupHook

__all__ = ['DatasetMetaCheckHook', 'SegmenterWarmupHook']
