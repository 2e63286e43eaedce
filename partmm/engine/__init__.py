from .hooks import (
                    DatasetMetaCheckHook,
                    PartVisualizationHook,
                    PGDAdversarialTrainingHook,
                    SegmenterWarmupHook,
                    TRADESAdversarialTrainingHook,
)
from .optimizers import CPUAmpOptimWrapper

__all__ = [
    'BestCheckpointLinkHook', 'CPUAmpOptimWrapper', 'DatasetMetaCheckHook', 'PartVisualizationHook',
    'PGDAdversarialTrainingHook', 'SegmenterWarmupHook', 'TRADESAdversarialTrainingHook'
]
