from .base_adversarial_training_hook import BaseAdversarialTrainingHook
from .best_checkpoint_link_hook import BestCheckpointLinkHook
from .data_split_hook import DataSplitHook
from .dataset_meta_check_hook import DatasetMetaCheckHook
from .epoch_seed_hook import EpochSeedHook
from .part_visualization_hook import PartVisualizationHook
from .pgd_adversarial_training_hook import PGDAdversarialTrainingHook
from .segmenter_warmup_hook import SegmenterWarmupHook
from .strict_load_hook import StrictLoadHook
from .trades_adversarial_training_hook import TRADESAdversarialTrainingHook

__all__ = [
    'BaseAdversarialTrainingHook', 'BestCheckpointLinkHook', 'DataSplitHook',
    'DatasetMetaCheckHook', 'EpochSeedHook', 'PartVisualizationHook',
    'PGDAdversarialTrainingHook', 'SegmenterWarmupHook', 'StrictLoadHook',
    'TRADESAdversarialTrainingHook'
]
