"""The data sample that travels through partmm's pipelines, models and metrics."""
from typing import Sequence

import torch
from mmengine.structures import InstanceData
from mmseg.structures import SegDataSample

# Part-map value of unlabelled pixels unless the dataset says otherwise (mmseg's default; the
# whole PACO stores uint16 maps with 65535).
DEFAULT_IGNORE_INDEX = 255


class PartDataSample(SegDataSample):
    """A :class:`SegDataSample` with an image-level class and part boxes.

    Fields, beside ``SegDataSample``'s ``gt_sem_seg`` (part map, ``PixelData`` [1, H, W]),
    ``pred_sem_seg`` and ``seg_logits``:

    - ``gt_label`` (LongTensor [1]): the object class.
    - ``gt_instances`` (``InstanceData``): the part boxes, ``bboxes`` float [N, 4] (x1, y1, x2, y2
      in input pixels) and ``labels`` long [N] (part labels 1..P-1), mmdet's convention.
    - ``pred_label`` (LongTensor [1]) and ``pred_score`` (FloatTensor [C], softmax).

    Metainfo ``ignore_index``: the value of unlabelled pixels in ``gt_sem_seg`` (the
    dataset's; :func:`batch_ignore_index` reads it, 255 when unset).
    """

    @property
    def gt_label(self) -> torch.Tensor:
        return self._gt_label

    @gt_label.setter
    def gt_label(self, value: torch.Tensor) -> None:
        self.set_field(value, '_gt_label', dtype=torch.Tensor)

    @gt_label.deleter
    def gt_label(self) -> None:
        del self._gt_label

    @property
    def pred_label(self) -> torch.Tensor:
        return self._pred_label

    @pred_label.setter
    def pred_label(self, value: torch.Tensor) -> None:
        self.set_field(value, '_pred_label', dtype=torch.Tensor)

    @pred_label.deleter
    def pred_label(self) -> None:
        del self._pred_label

    @property
    def pred_score(self) -> torch.Tensor:
        return self._pred_score

    @pred_score.setter
    def pred_score(self, value: torch.Tensor) -> None:
        self.set_field(value, '_pred_score', dtype=torch.Tensor)

    @pred_score.deleter
    def pred_score(self) -> None:
        del self._pred_score

    @property
    def gt_instances(self) -> InstanceData:
        return self._gt_instances

    @gt_instances.setter
    def gt_instances(self, value: InstanceData) -> None:
        self.set_field(value, '_gt_instances', dtype=InstanceData)

    @gt_instances.deleter
    def gt_instances(self) -> None:
        del self._gt_instances


def sample_ignore_index(data_sample: PartDataSample) -> int:
    """The value of a sample's unlabelled part pixels (its metainfo's, else 255)."""
    return int(data_sample.metainfo.get('ignore_index', DEFAULT_IGNORE_INDEX))


def batch_ignore_index(data_samples: Sequence[PartDataSample]) -> int:
    """The ``ignore_index`` of a batch's part maps; a ValueError if its samples disagree."""
    values = {sample_ignore_index(sample) for sample in data_samples}
    if len(values) > 1:
        raise ValueError(f'the samples of one batch mark unlabelled part pixels with different '
                         f'values {sorted(values)}; they come from datasets whose metainfo '
                         '"ignore_index" differ')
    return values.pop() if values else DEFAULT_IGNORE_INDEX
