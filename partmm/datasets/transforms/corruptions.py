"""Common corruptions (Hendrycks & Dietterich, 2019) applied on the fly, reproducibly."""
import zlib
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform

from partmm.registry import TRANSFORMS

# The 15 benchmark corruptions, in the benchmark's (and the original code's) numbering.
COMMON_CORRUPTIONS = (
    'gaussian_noise', 'shot_noise', 'impulse_noise', 'defocus_blur', 'glass_blur',
    'motion_blur', 'zoom_blur', 'snow', 'frost', 'fog', 'brightness', 'contrast',
    'elastic_transform', 'pixelate', 'jpeg_compression')
# These two take a seed of their own; the others draw from NumPy's global generator.
_SEEDED_CORRUPTIONS = ('impulse_noise', 'glass_blur')


@TRANSFORMS.register_module()
class ImageCorruption(BaseTransform):
    """Corrupt ``img`` with one of the 15 common corruptions at a severity of 1..5.

    Uses the ``imagecorruptions`` package (installed as the maintained fork
    ``imagecorruptions-imaug``, which works with numpy 2 and setuptools >= 82). Each image gets
    its own seed, ``seed`` mixed with a hash of its ``img_path``, so an evaluation is the same
    in every run, process and data order; NumPy's global random state is restored afterwards.
    Runs on the uint8 image before the geometric test transforms or after them, as placed in
    the pipeline (the original code corrupts the 224 px centre crop); images must be at least
    32 px on each side.

    Args:
        corruption (str): One of :data:`COMMON_CORRUPTIONS`.
        severity (int): 1..5.
        seed (int): Base seed. Defaults to 0.
    """

    def __init__(self, corruption: str, severity: int, seed: int = 0) -> None:
        if corruption not in COMMON_CORRUPTIONS:
            raise ValueError(f'unknown corruption "{corruption}"; choose one of '
                             f'{", ".join(COMMON_CORRUPTIONS)}')
        if severity not in (1, 2, 3, 4, 5):
            raise ValueError(f'severity must be an int in 1..5, got {severity!r}')
        self.corruption = corruption
        self.severity = severity
        self.seed = seed

    def _image_seed(self, img_path: Optional[str]) -> int:
        key = f'{self.seed}:{img_path}'.encode()
        return zlib.crc32(key)

    def transform(self, results: dict) -> dict:
        # Imported on first use: it pulls in scikit-image and numba, seconds that a run without
        # corruptions should not pay.
        from imagecorruptions import corrupt

        image = results['img']
        if min(image.shape[:2]) < 32:
            raise ValueError(f'{results.get("img_path")}: common corruptions need images of at '
                             f'least 32 x 32 px, got {image.shape[1]} x {image.shape[0]}')
        seed = self._image_seed(results.get('img_path'))
        kwargs = dict(seed=seed) if self.corruption in _SEEDED_CORRUPTIONS else {}
        global_state = np.random.get_state()
        np.random.seed(seed)
        try:
            # mmcv loads BGR; the corruptions (fog, frost, snow, ...) assume RGB.
            rgb = np.ascontiguousarray(image[..., ::-1])
            corrupted = corrupt(rgb, severity=self.severity, corruption_name=self.corruption,
                                **kwargs)
        finally:
            np.random.set_state(global_state)
        results['img'] = np.ascontiguousarray(corrupted[..., ::-1])
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(corruption={self.corruption}, '
                f'severity={self.severity}, seed={self.seed})')
