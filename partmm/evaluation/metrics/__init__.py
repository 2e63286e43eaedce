from .class_accuracy import ClassAccuracy, cascade_top1
from .part_detection_metric import PartDetectionMetric
from .part_iou_metric import PartIoUMetric

__all__ = ['ClassAccuracy', 'PartDetectionMetric', 'PartIoUMetric', 'cascade_top1']
