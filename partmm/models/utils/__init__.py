from .clean_batch_lookup import CleanBatchLookup
from .pixel_accuracy import pixel_accuracy

__all__ = ['CleanBatchLookup', 'pixel_accuracy']
