"""Converters from released dataset formats to partmm's part maps and split lists."""
from .partimagenet import convert_partimagenet

__all__ = ['convert_partimagenet']
