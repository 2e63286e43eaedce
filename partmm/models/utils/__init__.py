from .clean_batch_lookup import CleanBatchLookup

__all__ = ['CleanBatchLookup']
