"""Generators of synthetic datasets in the formats of the real releases."""
from .shift_sets import (
                         generate_shape_texture_set,
                         generate_spurious_background_set,
                         remove_foreground,
                         transfer_texture,
)
from .synthetic_partimagenet import generate_synthetic_partimagenet

__all__ = [
    'generate_synthetic_partimagenet', 'generate_shape_texture_set',
    'generate_spurious_background_set', 'remove_foreground', 'transfer_texture'
]
