"""Loading of part annotations (part map, part boxes, class label) for part datasets."""
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio

from partmm.registry import TRANSFORMS
from partmm.structures import DEFAULT_IGNORE_INDEX


@TRANSFORMS.register_module()
class LoadPartAnnotations(BaseTransform):
    """Load a sample's part map, part boxes and class label.

    Runs after ``LoadImageFromFile``. A sample without part labels (``seg_map_path`` None, for
    semi-supervised training) gets a part map filled with ``ignore_index`` and no boxes, so it
    contributes only to the class loss. Part maps are read as stored: uint8, or uint16 for
    releases with more than 255 part labels (PACO's), whose unlabelled value is 65535.

    Required keys: ``img``, ``gt_label``, ``seg_map_path``, ``part_boxes``, ``part_labels``,
    ``num_part_labels``; optional ``ignore_index`` (the dataset's unlabelled value, 255 when
    absent) and ``part_label_lut`` (uint8 [256] or uint16 [65536]), which maps the stored
    part labels of the map and the boxes to another label type (object or foreground).

    Added keys:

    - ``gt_seg_map`` (uint8 or uint16 [H, W]): 0 = background, 1..P-1 parts,
      ``ignore_index`` unlabelled.
    - ``gt_bboxes`` (float32 [N, 4], x1 y1 x2 y2) and ``gt_bboxes_labels`` (int64 [N]).
    - ``seg_fields`` (includes ``'gt_seg_map'``, so mmseg transforms resize/flip it).
    - ``ignore_index`` (int), which ``PackPartInputs`` puts in the sample's metainfo for the
      attacks that read ground-truth part maps.

    Args:
        ignore_index (int, optional): Value of unlabelled pixels. None (default) takes the
            dataset's (its metainfo ``ignore_index``, 255 for every dataset but the full PACO);
            a value that disagrees with the dataset's is an error.
        backend_args (dict, optional): mmengine file backend arguments.
    """

    def __init__(self, ignore_index: Optional[int] = None,
                 backend_args: Optional[dict] = None) -> None:
        self.ignore_index = ignore_index
        self.backend_args = backend_args

    def _resolve_ignore_index(self, results: dict) -> int:
        stored = int(results.get('ignore_index', DEFAULT_IGNORE_INDEX))
        if self.ignore_index is not None and self.ignore_index != stored:
            raise ValueError(
                f'LoadPartAnnotations.ignore_index = {self.ignore_index}, but the part maps of '
                f'this dataset mark unlabelled pixels with {stored} (its metainfo '
                f'"ignore_index"; sample {results.get("img_path")}): remove the argument from '
                'the pipeline, so that the loader takes the dataset\'s')
        return stored

    def _load_part_map(self, results: dict, ignore_index: int) -> np.ndarray:
        height, width = results['img'].shape[:2]
        path = results.get('seg_map_path')
        if path is None:
            dtype = np.uint8 if ignore_index <= np.iinfo(np.uint8).max else np.uint16
            return np.full((height, width), ignore_index, dtype=dtype)
        part_map = mmcv.imfrombytes(
            fileio.get(path, backend_args=self.backend_args), flag='unchanged',
            backend='pillow').squeeze()
        if part_map.dtype not in (np.uint8, np.uint16):
            raise ValueError(f'part map {path} is {part_map.dtype}; partmm reads uint8 or uint16 '
                             'part maps (single-channel PNGs)')
        if part_map.shape != (height, width):
            raise ValueError(f'part map {path} has shape {part_map.shape}, but its image '
                             f'{results.get("img_path")} is {height}x{width}')
        labelled = part_map[part_map != ignore_index]
        if labelled.size and int(labelled.max()) >= results['num_part_labels']:
            raise ValueError(f'part map {path} contains label {int(labelled.max())}, outside '
                             f'0..{results["num_part_labels"] - 1} (unlabelled = '
                             f'{ignore_index})')
        return part_map

    def transform(self, results: dict) -> dict:
        ignore_index = self._resolve_ignore_index(results)
        part_map = self._load_part_map(results, ignore_index)
        labels = np.asarray(results['part_labels'], dtype=np.int64)
        lut = results.get('part_label_lut')
        if lut is not None:  # object or fg labels from the stored part labels
            part_map = lut[part_map]
            labels = lut[labels].astype(np.int64)
        results['gt_seg_map'] = part_map
        results['ignore_index'] = ignore_index
        results.setdefault('seg_fields', [])
        if 'gt_seg_map' not in results['seg_fields']:
            results['seg_fields'].append('gt_seg_map')
        results['gt_bboxes'] = np.asarray(results['part_boxes'], dtype=np.float32).reshape(-1, 4)
        results['gt_bboxes_labels'] = labels
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(ignore_index={self.ignore_index})'
