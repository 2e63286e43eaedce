"""Generators of synthetic datasets in the formats of the real releases."""
from .shift_sets import (
                         generate_shape_texture_set,
                         generate_spurious_background_set,
                         remove_foreground,
                         transfer_texture,
)
from .synthetic_cityscapes_parts import generate_synthetic_cityscapes_parts
from .synthetic_paco import generate_synthetic_paco
from .synthetic_partimagenet import generate_synthetic_partimagenet
from .synthetic_pascal_part import generate_synthetic_pascal_part

__all__ = [
    'generate_synthetic_cityscapes_parts', 'generate_synthetic_paco',
    'generate_synthetic_partimagenet', 'generate_synthetic_pascal_part',
    'generate_shape_texture_set', 'generate_spurious_background_set', 'remove_foreground',
    'transfer_texture'
]
