"""Converters from released dataset formats to partmm's part maps and split lists."""
from .cityscapes_parts import convert_cityscapes_parts
from .paco import convert_paco
from .partimagenet import convert_partimagenet
from .pascal_part import convert_pascal_part

__all__ = [
    'convert_cityscapes_parts', 'convert_paco', 'convert_partimagenet', 'convert_pascal_part'
]
