from .hooks import (
                    BaseAdversarialTrainingHook,
                    BestCheckpointLinkHook,
                    DatasetMetaCheckHook,
                    PartVisualizationHook,
                    PGDAdversarialTrainingHook,
                    SegmenterWarmupHook,
                    TRADESAdversarialTrainingHook,
)
from .optimizers import CPUAmpOptimWrapper
from .runner import RobustTestLoop

__all__ = [
    'BaseAdversarialTrainingHook', 'BestCheckpointLinkHook', 'CPUAmpOptimWrapper',
    'DatasetMetaCheckHook', 'PartVisualizationHook', 'PGDAdversarialTrainingHook',
    'RobustTestLoop', 'SegmenterWarmupHook', 'TRADESAdversarialTrainingHook'
]
