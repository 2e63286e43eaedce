from .hooks import DatasetMetaCheckHook
from .optimizers import CPUAmpOptimWrapper

__all__ = ['CPUAmpOptimWrapper', 'DatasetMetaCheckHook']
