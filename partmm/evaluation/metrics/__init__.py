from .class_accuracy import ClassAccuracy
from .part_iou_metric import PartIoUMetric

__all__ = ['ClassAccuracy', 'PartIoUMetric']
