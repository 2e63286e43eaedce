from .hooks import (
                    BaseAdversarialTrainingHook,
                    BestCheckpointLinkHook,
                    DatasetMetaCheckHook,
                    DataSplitHook,
                    EpochSeedHook,
                    PartVisualizationHook,
                    PGDAdversarialTrainingHook,
                    SegmenterWarmupHook,
                    StrictLoadHook,
                    TRADESAdversarialTrainingHook,
)
from .optimizers import CPUAmpOptimWrapper
from .runner import RobustTestLoop

__all__ = [
    'BaseAdversarialTrainingHook', 'BestCheckpointLinkHook', 'CPUAmpOptimWrapper',
    'DataSplitHook', 'DatasetMetaCheckHook', 'EpochSeedHook', 'PartVisualizationHook',
    'PGDAdversarialTrainingHook', 'RobustTestLoop', 'SegmenterWarmupHook', 'StrictLoadHook',
    'TRADESAdversarialTrainingHook'
]
