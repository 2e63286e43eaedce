from .part_data_sample import (
    DEFAULT_IGNORE_INDEX,
    PartDataSample,
    batch_ignore_index,
    sample_ignore_index,
)

__all__ = ['DEFAULT_IGNORE_INDEX', 'PartDataSample', 'batch_ignore_index', 'sample_ignore_index']
