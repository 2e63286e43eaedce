from .part_segmenter import PartSegmenter

__all__ = ['PartSegmenter']
