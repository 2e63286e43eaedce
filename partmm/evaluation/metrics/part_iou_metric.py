"""Part mIoU: mmseg's IoU over the part labels instead of the object classes."""
from typing import Sequence

from mmseg.evaluation import IoUMetric

from partmm.registry import METRICS


@METRICS.register_module()
class PartIoUMetric(IoUMetric):
    """mmseg's :class:`IoUMetric` on ``pred_sem_seg`` vs ``gt_sem_seg`` over the P part labels.

    A partmm dataset's ``classes`` are the object classes; this metric scores the part maps,
    so it takes its label names from the dataset's ``part_names`` (background included).
    Pixels equal to ``ignore_index`` (samples whose part labels are withheld) are skipped.
    Keys: ``part/aAcc``, ``part/mIoU`` (and whichever ``iou_metrics`` are asked for).

    Args:
        prefix (str): Key prefix. Defaults to 'part'.
        **kwargs: :class:`mmseg.evaluation.IoUMetric` arguments.
    """

    default_prefix = 'part'

    @property
    def dataset_meta(self) -> dict:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        if 'part_names' not in dataset_meta:
            raise KeyError('PartIoUMetric needs the dataset metainfo key "part_names"; got '
                           f'{sorted(dataset_meta)}')
        self._dataset_meta = dict(dataset_meta, classes=dataset_meta['part_names'])

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        if data_samples and 'pred_sem_seg' not in data_samples[0]:
            raise KeyError('PartIoUMetric needs a part model: the predictions carry no '
                           '"pred_sem_seg" (remove it from the evaluator of non-part models)')
        super().process(data_batch, data_samples)
