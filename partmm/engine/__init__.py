from .hooks import DatasetMetaCheckHook, SegmenterWarmupHook
from .optimizers import CPUAmpOptimWrapper

__all__ = ['CPUAmpOptimWrapper', 'DatasetMetaCheckHook', 'SegmenterWarmupHook']
