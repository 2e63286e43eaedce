from .base_adversarial_training_hook import BaseAdversarialTrainingHook
from .best_checkpoint_link_hook import BestCheckpointLinkHook
from .dataset_meta_check_hook import DatasetMetaCheckHook
from .part_visualization_hook import PartVisualizationHook
from .pgd_adversarial_training_hook import PGDAdversarialTrainingHook
from .segmenter_warmup_hook import SegmenterWarmupHook
from .trades_adversarial_training_hook import TRADESAdversarialTrainingHook

__all__ = [
    'BaseAdversarialTrainingHook', 'BestCheckpointLinkHook', 'DatasetMetaCheckHook',
    'PartVisualizationHook', 'PGDAdversarialTrainingHook', 'SegmenterWarmupHook',
    'TRADESAdversarialTrainingHook'
]
