from .part_visualizer import PartVisualizer, part_palette

__all__ = ['PartVisualizer', 'part_palette']
