"""Geometric transforms that keep an image, its part map and its part boxes aligned."""
import math
from typing import Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.datasets.transforms import Resize as MMSegResize
from PIL import Image

from partmm.registry import TRANSFORMS


class _Resize(MMSegResize):
    """mmseg's ``Resize`` whose Pillow path also takes uint16 part maps.

    mmcv's Pillow resize refuses anything but uint8. Wider maps go through Pillow's 32-bit
    integer mode: its nearest picks the same pixels as its uint8 nearest, which Pillow's
    16-bit mode does not (it differed in 36 % of 1000 random size pairs, Pillow 13).
    """

    def _resize_seg(self, results: dict) -> None:
        wide = [key for key in results.get('seg_fields', [])
                if results.get(key) is not None and results[key].dtype != np.uint8]
        if self.backend != 'pillow' or not wide:
            super()._resize_seg(results)
            return
        seg_fields = results['seg_fields']
        for key in wide:
            resized = Image.fromarray(results[key].astype(np.int32)).resize(
                tuple(results['scale']), Image.NEAREST)
            results[key] = np.asarray(resized).astype(results[key].dtype)
        results['seg_fields'] = [key for key in seg_fields if key not in wide]
        super()._resize_seg(results)
        results['seg_fields'] = seg_fields


def _build_resize(scale: Tuple[int, int], interpolation: str, antialias: bool) -> BaseTransform:
    """mmseg's ``Resize`` to exactly ``scale`` = (w, h), moving image, part maps and boxes.

    With ``antialias`` it resizes through Pillow, as torchvision does with the original code's
    PIL images and masks: Pillow's bilinear and bicubic filters widen with the downscaling
    factor, while cv2's sample a fixed 2x2 / 4x4 neighbourhood and alias. Part maps then take
    Pillow's nearest (still one input label per pixel), which samples each output pixel at its
    centre as the image filters do; cv2's nearest samples at its top-left corner, half an
    output pixel off. Boxes are scaled the same way with either backend. Pillow takes uint8
    images and uint8 or uint16 part maps.
    """
    return _Resize(scale=scale, keep_ratio=False, interpolation=interpolation,
                   backend='pillow' if antialias else 'cv2')


@TRANSFORMS.register_module()
class RandomResizedCrop(BaseTransform):
    """Crop a random area and aspect ratio, then resize to ``scale`` (Inception-style).

    The crop covers a fraction in ``crop_scale`` of the image area with an aspect ratio
    (w / h) log-uniform in ``ratio``; after 10 failed draws it falls back to a central crop
    with the ratio clamped to ``ratio``. The image, every map in ``seg_fields`` (nearest) and
    ``gt_bboxes`` (shifted, clipped, scaled) move together; mmseg's ``Resize`` does the
    resizing. Boxes cropped away entirely keep zero area here and are dropped when packing.
    Input ``img`` is [H, W, C] (uint8 with ``antialias``); output [scale_h, scale_w, C].

    Args:
        scale (int | tuple[int, int]): Output size, ``(w, h)`` or one int for square.
        crop_scale (tuple[float, float]): Range of the crop's area fraction.
            Defaults to (0.08, 1.0).
        ratio (tuple[float, float]): Range of the crop's aspect ratio. Defaults to (3/4, 4/3).
        interpolation (str): Image interpolation for the resize. Defaults to 'bilinear'.
        antialias (bool): Resize through Pillow like torchvision's ``RandomResizedCrop`` on a
            PIL image (and nearest for part maps), instead of cv2. Defaults to False.
    """

    def __init__(self,
                 scale: Union[int, Tuple[int, int]],
                 crop_scale: Tuple[float, float] = (0.08, 1.0),
                 ratio: Tuple[float, float] = (3. / 4., 4. / 3.),
                 interpolation: str = 'bilinear',
                 antialias: bool = False) -> None:
        if not 0 < crop_scale[0] <= crop_scale[1] <= 1:
            raise ValueError(f'crop_scale must satisfy 0 < min <= max <= 1, got {crop_scale}')
        if not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f'ratio must satisfy 0 < min <= max, got {ratio}')
        self.scale = (scale, scale) if isinstance(scale, int) else tuple(scale)
        self.crop_scale = tuple(crop_scale)
        self.ratio = tuple(ratio)
        self.interpolation = interpolation
        self.antialias = antialias
        self.resize = _build_resize(self.scale, interpolation, antialias)

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
                f'ratio={self.ratio}, interpolation={self.interpolation}, '
                f'antialias={self.antialias})')


@TRANSFORMS.register_module()
class ResizeShortSide(BaseTransform):
    """Resize so that the shorter side is ``scale``, keeping the aspect ratio.

    The size rule of torchvision's ``Resize(int)``: the longer side becomes
    ``int(scale * long / short)``, truncated. mmseg's ``ResizeShortestEdge`` rounds it
    instead, so the two can differ by one pixel, and a following ``CenterCrop`` then by one
    pixel of offset. The image, every map in ``seg_fields`` (nearest) and ``gt_bboxes``
    (scaled) move together through mmseg's ``Resize``. Input ``img`` is [H, W, C] (uint8
    with ``antialias``); output [H', W', C] with min(H', W') = ``scale``.

    Args:
        scale (int): Length of the shorter side after resizing.
        interpolation (str): Image interpolation. Defaults to 'bilinear'.
        antialias (bool): Resize through Pillow, which is exactly torchvision's
            ``Resize(scale)`` on a PIL image (and nearest for part maps), instead of cv2.
            Defaults to False.
    """

    def __init__(self, scale: int, interpolation: str = 'bilinear',
                 antialias: bool = False) -> None:
        if scale <= 0:
            raise ValueError(f'scale must be positive, got {scale}')
        self.scale = scale
        self.interpolation = interpolation
        self.antialias = antialias
        # Its target size is set per image, as in mmseg's ResizeShortestEdge.
        self.resize = _build_resize((scale, scale), interpolation, antialias)

    def output_size(self, height: int, width: int) -> Tuple[int, int]:
        """``(w, h)`` after resizing an image of ``height`` x ``width``."""
        short, long = min(height, width), max(height, width)
        # torchvision's expression, float rounding included.
        new_long = int(self.scale * long / short)
        return (new_long, self.scale) if width > height else (self.scale, new_long)

    def transform(self, results: dict) -> dict:
        self.resize.scale = self.output_size(*results['img'].shape[:2])
        return self.resize(results)

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(scale={self.scale}, '
                f'interpolation={self.interpolation}, antialias={self.antialias})')
