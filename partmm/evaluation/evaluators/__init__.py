from .robust_evaluator import RobustEvaluator

__all__ = ['RobustEvaluator']
