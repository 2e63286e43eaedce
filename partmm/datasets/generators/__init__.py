"""Generators of synthetic datasets in the formats of the real releases."""
from .synthetic_partimagenet import generate_synthetic_partimagenet

__all__ = ['generate_synthetic_partimagenet']
