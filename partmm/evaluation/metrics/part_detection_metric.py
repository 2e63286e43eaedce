"""Part mAP of a part detector: mmdet's COCO box metric on each sample's part boxes."""
from typing import Dict, List, Optional, Sequence

from mmdet.evaluation.metrics import CocoMetric

from partmm.registry import METRICS


@METRICS.register_module()
class PartDetectionMetric(CocoMetric):
    """COCO box mAP of ``pred_instances`` against ``gt_instances`` (the part boxes).

    A thin layer over mmdet's ``CocoMetric`` (pycocotools' evaluation): the categories are
    the dataset's part labels without background (``part_names[1:]``), predictions and ground
    truth are in the coordinates of the model's input (the evaluation crop), and each image is
    numbered after results are collected, so ranks cannot collide. Keys (prefix ``part``):
    ``part/bbox_mAP``, ``part/bbox_mAP_50``, ``part/bbox_mAP_75`` and ``_s`` / ``_m`` / ``_l``,
    as mmdet names them.

    Each sample needs ``pred_instances`` (``bboxes`` [N, 4] x1 y1 x2 y2, ``scores`` [N],
    ``labels`` [N] as part labels 1..P-1, as :class:`DINOPartClassifier` predicts),
    ``gt_instances`` (the same fields but scores) and ``img_shape``.

    Args:
        collect_device (str): Where rank results are gathered. Defaults to 'cpu'.
        prefix (str, optional): Key prefix. Defaults to 'part'.
        **kwargs: Other ``CocoMetric`` arguments (``classwise``, ``metric_items``, ...).
    """

    default_prefix = 'part'

    def __init__(self, collect_device: str = 'cpu', prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(ann_file=None, metric='bbox', collect_device=collect_device,
                         prefix=prefix, **kwargs)

    @property
    def dataset_meta(self) -> Optional[dict]:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        if 'part_names' not in dataset_meta:
            raise KeyError('PartDetectionMetric needs the dataset\'s "part_names" in its '
                           f'metainfo; got keys {sorted(dataset_meta)}')
        self._dataset_meta = dict(dataset_meta, classes=tuple(dataset_meta['part_names'][1:]))

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        converted = []
        for sample in data_samples:
            missing = [key for key in ('pred_instances', 'gt_instances', 'img_shape')
                       if key not in sample]
            if missing:
                raise KeyError(f'PartDetectionMetric needs {missing} in each sample (a part '
                               f'detector\'s predictions); got keys {sorted(sample)}')
            pred, truth = sample['pred_instances'], sample['gt_instances']
            converted.append(dict(
                img_id=0,
                ori_shape=sample['img_shape'],
                pred_instances=dict(bboxes=pred['bboxes'], scores=pred['scores'],
                                    labels=pred['labels'] - 1),
                instances=[dict(bbox=box, bbox_label=int(label) - 1, ignore_flag=0)
                           for box, label in zip(truth['bboxes'].tolist(),
                                                 truth['labels'].tolist())]))
        super().process(data_batch, converted)

    def compute_metrics(self, results: List) -> Dict[str, float]:
        for index, (truth, prediction) in enumerate(results):
            truth['img_id'] = prediction['img_id'] = index
        try:
            return super().compute_metrics(results)
        finally:
            # CocoMetric keeps the ground truth of its first evaluation (and process() then
            # stops collecting it); each evaluation here brings its own (validation every few
            # epochs, robust_test.py subsets).
            self._coco_api, self.cat_ids, self.img_ids = None, None, None
