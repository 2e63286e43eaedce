from .dataset_meta_check_hook import DatasetMetaCheckHook

__all__ = ['DatasetMetaCheckHook']
