"""Part mIoU: mmseg's IoU over the part labels instead of the object classes."""
from typing import Dict, List, Optional, Sequence

from mmengine.logging import MMLogger
from mmseg.evaluation import IoUMetric

from partmm.registry import METRICS
from partmm.structures import DEFAULT_IGNORE_INDEX


@METRICS.register_module()
class PartIoUMetric(IoUMetric):
    """mmseg's :class:`IoUMetric` on ``pred_sem_seg`` vs ``gt_sem_seg`` over the P part labels.

    A partmm dataset's ``classes`` are the object classes; this metric scores the part maps,
    so it takes its label names from the dataset's ``part_names`` (background included).
    Pixels equal to ``ignore_index`` (unlabelled, or samples whose part labels are withheld)
    are skipped; it is the dataset's (metainfo ``ignore_index``, 255 unless it says otherwise).
    Keys: ``part/aAcc``, ``part/mIoU`` (and whichever ``iou_metrics`` are asked for). When the
    samples carry ``adv_pred_part_maps`` (attack name -> part map [1, H, W], filled while
    attacks run), the same figures on each attack's adversarial images:
    ``part/{name}_mIoU``, ``part/{name}_aAcc``, ...

    Args:
        ignore_index (int, optional): Value of unlabelled pixels. None (default) takes the
            dataset's; a value that disagrees with the dataset's is an error.
        **kwargs: :class:`mmseg.evaluation.IoUMetric` arguments (``prefix`` defaults to
            'part').
    """

    default_prefix = 'part'

    def __init__(self, ignore_index: Optional[int] = None, **kwargs) -> None:
        super().__init__(ignore_index=DEFAULT_IGNORE_INDEX if ignore_index is None
                         else ignore_index, **kwargs)
        self._configured_ignore_index = ignore_index

    @property
    def dataset_meta(self) -> dict:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        if 'part_names' not in dataset_meta:
            raise KeyError('PartIoUMetric needs the dataset metainfo key "part_names"; got '
                           f'{sorted(dataset_meta)}')
        ignore_index = dataset_meta.get('ignore_index', DEFAULT_IGNORE_INDEX)
        if self._configured_ignore_index not in (None, ignore_index):
            raise ValueError(f'PartIoUMetric.ignore_index = {self._configured_ignore_index}, but '
                             f'the dataset marks unlabelled pixels with {ignore_index} (its '
                             'metainfo "ignore_index"); leave the argument out to take the '
                             "dataset's")
        self.ignore_index = ignore_index
        self._dataset_meta = dict(dataset_meta, classes=dataset_meta['part_names'])

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        if data_samples and 'pred_sem_seg' not in data_samples[0]:
            raise KeyError('PartIoUMetric needs a part model: the predictions carry no '
                           '"pred_sem_seg" (remove it from the evaluator of non-part models)')
        first = len(self.results)
        super().process(data_batch, data_samples)
        if self.format_only:
            return
        num_labels = len(self.dataset_meta['classes'])
        # Each sample's entry becomes {'': clean areas, attack name: areas under it}.
        for offset, sample in enumerate(data_samples):
            areas = {'': self.results[first + offset]}
            label = sample['gt_sem_seg']['data'].squeeze()
            for name, part_map in sample.get('adv_pred_part_maps', {}).items():
                areas[name] = self.intersect_and_union(part_map.squeeze(), label.to(part_map),
                                                       num_labels, self.ignore_index)
            self.results[first + offset] = areas

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        metrics = super().compute_metrics([areas[''] for areas in results])
        logger = MMLogger.get_current_instance()
        for name in results[0] if results else ():
            if not name:
                continue
            logger.info(f'part metrics under attack "{name}":')
            attacked = super().compute_metrics([areas[name] for areas in results])
            metrics.update({f'{name}_{key}': value for key, value in attacked.items()})
        return metrics
