from .metrics import ClassAccuracy, PartIoUMetric

__all__ = ['ClassAccuracy', 'PartIoUMetric']
