"""Geometric transforms that keep an image, its part map and its part boxes aligned."""
import math
from typing import Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness

from partmm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class RandomResizedCrop(BaseTransform):
    """Crop a random area and aspect ratio, then resize to ``scale`` (Inception-style).

    The crop covers a fraction in ``crop_scale`` of the image area with an aspect ratio
    (w / h) log-uniform in ``ratio``; after 10 failed draws it falls back to a central crop
    with the ratio clamped to ``ratio``. The image, every map in ``seg_fields`` (nearest) and
    ``gt_bboxes`` (shifted, clipped, scaled) move together; mmseg's ``Resize`` does the
    resizing. Boxes cropped away entirely keep zero area here and are dropped when packing.

    Args:
        scale (int | tuple[int, int]): Output size, ``(w, h)`` or one int for square.
        crop_scale (tuple[float, float]): Range of the crop's area fraction.
            Defaults to (0.08, 1.0).
        ratio (tuple[float, float]): Range of the crop's aspect ratio. Defaults to (3/4, 4/3).
        interpolation (str): Image interpolation for the resize. Defaults to 'bilinear'.
    """

    def __init__(self,
                 scale: Union[int, Tuple[int, int]],
                 crop_scale: Tuple[float, float] = (0.08, 1.0),
                 ratio: Tuple[float, float] = (3. / 4., 4. / 3.),
                 interpolation: str = 'bilinear') -> None:
        if not 0 < crop_scale[0] <= crop_scale[1] <= 1:
            raise ValueError(f'crop_scale must satisfy 0 < min <= max <= 1, got {crop_scale}')
        if not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'ratio must satisfy 0 < min <= max, got {ratio}')
        self.scale = (scale, scale) if isinstance(scale, int) else tuple(scale)
        self.crop_scale = tuple(crop_scale)
        self.ratio = tuple(ratio)
        self.interpolation = interpolation
        self.resize = TRANSFORMS.build(
            dict(type='mmseg.Resize', scale=self.scale, keep_ratio=False,
                 interpolation=interpolation))

    @cache_randomness
    def _sample_crop(self, height: int, width: int) -> Tuple[int, int, int, int]:
        """Return ``(x1, y1, crop_w, crop_h)`` of a random crop inside an image."""
        area = height * width
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            target_area = area * np.random.uniform(*self.crop_scale)
            aspect = math.exp(np.random.uniform(*log_ratio))
            crop_w = int(round(math.sqrt(target_area * aspect)))
            crop_h = int(round(math.sqrt(target_area / aspect)))
            if 0 < crop_w <= width and 0 < crop_h <= height:
                x1 = np.random.randint(0, width - crop_w + 1)
                y1 = np.random.randint(0, height - crop_h + 1)
                return x1, y1, crop_w, crop_h
        in_ratio = width / height
        if in_ratio < self.ratio[0]:
            crop_w, crop_h = width, int(round(width / self.ratio[0]))
        elif in_ratio > self.ratio[1]:
            crop_w, crop_h = int(round(height * self.ratio[1])), height
        else:
            crop_w, crop_h = width, height
        return (width - crop_w) // 2, (height - crop_h) // 2, crop_w, crop_h

    def transform(self, results: dict) -> dict:
        height, width = results['img'].shape[:2]
        x1, y1, crop_w, crop_h = self._sample_crop(height, width)
        window = (slice(y1, y1 + crop_h), slice(x1, x1 + crop_w))
        results['img'] = results['img'][window]
        for key in results.get('seg_fields', []):
            results[key] = results[key][window]
        if results.get('gt_bboxes') is not None:
            boxes = results['gt_bboxes'] - np.array([x1, y1, x1, y1], dtype=np.float32)
            boxes[:, 0::2] = boxes[:, 0::2].clip(0, crop_w)
            boxes[:, 1::2] = boxes[:, 1::2].clip(0, crop_h)
            results['gt_bboxes'] = boxes
        results['img_shape'] = (crop_h, crop_w)
        results['crop_bbox'] = (x1, y1, x1 + crop_w, y1 + crop_h)
        return self.resize(results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, crop_scale={self.crop_scale}, '
                f'ratio={self.ratio}, interpolation={self.interpolation})')
