"""Part boxes painted as pseudo part masks: box supervision through the ordinary part loss."""
import numpy as np
from mmcv.transforms import BaseTransform

from partmm.registry import TRANSFORMS
from partmm.structures import DEFAULT_IGNORE_INDEX


@TRANSFORMS.register_module()
class PaintPartBoxes(BaseTransform):
    """Replace the part map by the sample's part boxes, filled with their part labels.

    The original code's box pseudo-masks (``--use-box-seg``: each part mask replaced by its
    filled tight box, painted in annotation order, later boxes over earlier ones); here a
    train-pipeline step after ``LoadPartAnnotations``, so any dataset with part boxes gets it
    and the val and test pipelines keep the true part maps to evaluate against.

    Pixels in no box are background, except, with ``keep_unlabelled``, those that are
    unlabelled (``ignore_index``) in the loaded part map: they stay unlabelled. Their status
    comes from object-level annotation, not from part masks: PACO's converter paints every
    object's region (mask, or box without one) unlabelled before its parts, so outside the part
    boxes its unlabelled pixels are the objects' pixels whose parts nobody annotated; calling
    them background would teach the part loss a wrong label. Inside a box the box's label wins
    (the true map's unlabelled pixels there follow the part masks, which box supervision must not
    see). On maps without unlabelled pixels (PartImageNet's) the option changes nothing. A
    sample whose part labels are withheld (all ``ignore_index``, no boxes) stays unlabelled; any
    other sample without boxes becomes background (and, with ``keep_unlabelled``, unlabelled
    where its map is).

    Required keys: ``gt_seg_map`` [H, W], ``gt_bboxes`` (float32 [N, 4], x1 y1 x2 y2 in pixels,
    end-exclusive) and ``gt_bboxes_labels`` [N]; optional ``ignore_index`` (the map's unlabelled
    value, which ``LoadPartAnnotations`` sets; 255 when absent). Modified key: ``gt_seg_map``
    (same shape and dtype).

    Args:
        keep_unlabelled (bool): Keep the loaded map's unlabelled pixels outside every box
            unlabelled instead of background. Defaults to True.
    """

    def __init__(self, keep_unlabelled: bool = True) -> None:
        self.keep_unlabelled = keep_unlabelled

    def transform(self, results: dict) -> dict:
        part_map = results['gt_seg_map']
        boxes = np.asarray(results['gt_bboxes'], dtype=np.float32).reshape(-1, 4)
        ignore_index = results.get('ignore_index', DEFAULT_IGNORE_INDEX)
        unlabelled = part_map == ignore_index
        if not len(boxes) and unlabelled.all():  # part labels withheld
            return results
        height, width = part_map.shape
        painted = np.zeros_like(part_map)
        if self.keep_unlabelled:
            painted[unlabelled] = ignore_index
        for (x1, y1, x2, y2), label in zip(boxes, results['gt_bboxes_labels']):
            left, top = max(int(np.floor(x1)), 0), max(int(np.floor(y1)), 0)
            right, bottom = min(int(np.ceil(x2)), width), min(int(np.ceil(y2)), height)
            painted[top:bottom, left:right] = label
        results['gt_seg_map'] = painted
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(keep_unlabelled={self.keep_unlabelled})'
