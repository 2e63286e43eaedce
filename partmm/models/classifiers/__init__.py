from .base_pixel_classifier import BasePixelClassifier
from .clean_mask_part_classifier import CleanMaskPartClassifier
from .dino_part_classifier import DINOPartClassifier
from .encoder_classifier import EncoderClassifier
from .ground_truth_mask_classifier import GroundTruthMaskClassifier
from .part_classifier import PartClassifier
from .query_part_classifier import QueryPartClassifier
from .timm_classifier import TimmClassifier

__all__ = [
    'BasePixelClassifier', 'CleanMaskPartClassifier', 'DINOPartClassifier', 'EncoderClassifier',
    'GroundTruthMaskClassifier', 'PartClassifier', 'QueryPartClassifier', 'TimmClassifier'
]
