from .class_accuracy import ClassAccuracy
from .part_detection_metric import PartDetectionMetric
from .part_iou_metric import PartIoUMetric

__all__ = ['ClassAccuracy', 'PartDetectionMetric', 'PartIoUMetric']
