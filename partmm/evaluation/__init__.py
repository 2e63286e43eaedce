from .evaluators import RobustEvaluator
from .metrics import ClassAccuracy, PartIoUMetric
from .sanity_checks import check_robust_evaluation, noise_tolerance

__all__ = [
    'ClassAccuracy', 'PartIoUMetric', 'RobustEvaluator', 'check_robust_evaluation',
    'noise_tolerance'
]
