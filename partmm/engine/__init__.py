from .hooks import DatasetMetaCheckHook, PartVisualizationHook, SegmenterWarmupHook
from .optimizers import CPUAmpOptimWrapper

__all__ = [
    'CPUAmpOptimWrapper', 'DatasetMetaCheckHook', 'PartVisualizationHook', 'SegmenterWarmupHook'
]
