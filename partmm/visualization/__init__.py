from .part_maps import UNLABELLED_COLOUR, part_map_to_rgb, part_palette
from .part_visualizer import PartVisualizer

__all__ = ['PartVisualizer', 'UNLABELLED_COLOUR', 'part_map_to_rgb', 'part_palette']
