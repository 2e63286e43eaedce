from .robust_test_loop import RobustTestLoop, TimedAttack, describe_attack

__all__ = ['RobustTestLoop', 'TimedAttack', 'describe_attack']
