"""partmm: a declarative experiment runner for part-based robust image classifiers."""
from .utils.compat import apply_compat_patches
from .version import __version__

apply_compat_patches()

__all__ = ['__version__']
