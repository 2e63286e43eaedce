"""Part boxes painted as pseudo part masks: box supervision through the ordinary part loss."""
import numpy as np
from mmcv.transforms import BaseTransform

from partmm.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PaintPartBoxes(BaseTransform):
    """Replace the part map by the sample's part boxes, filled with their part labels.

    The original code's box pseudo-masks (``--use-box-seg``: each part mask replaced by its
    filled tight box, painted in annotation order, later boxes over earlier ones); here a
    train-pipeline step after ``LoadPartAnnotations``, so any dataset with part boxes gets it
    and the val and test pipelines keep the true part maps to evaluate against. Pixels in no
    box are background; a sample whose part labels are withheld (all ``ignore_index``, no
    boxes) stays unlabelled.

    Required keys: ``gt_seg_map`` [H, W], ``gt_bboxes`` (float32 [N, 4], x1 y1 x2 y2 in pixels,
    end-exclusive) and ``gt_bboxes_labels`` [N]. Modified key: ``gt_seg_map``
    (same shape and dtype).
    """

    def transform(self, results: dict) -> dict:
        part_map = results['gt_seg_map']
        boxes = np.asarray(results['gt_bboxes'], dtype=np.float32).reshape(-1, 4)
        if not len(boxes):
            return results
        height, width = part_map.shape
        painted = np.zeros_like(part_map)
        for (x1, y1, x2, y2), label in zip(boxes, results['gt_bboxes_labels']):
            left, top = max(int(np.floor(x1)), 0), max(int(np.floor(y1)), 0)
            right, bottom = min(int(np.ceil(x2)), width), min(int(np.ceil(y2)), height)
            painted[top:bottom, left:right] = label
        results['gt_seg_map'] = painted
        return results
