"""Top-k class accuracy of image classifiers."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric

from partmm.registry import METRICS


@METRICS.register_module()
class ClassAccuracy(BaseMetric):
    """Top-k accuracy (%) from ``pred_score`` [C] and ``gt_label`` [1] of each sample.

    Keys: ``accuracy/top1`` (and ``accuracy/top{k}`` for each extra k).

    Args:
        topk (Sequence[int]): Which top-k accuracies to report. Defaults to (1, ).
        collect_device (str): Where rank results are gathered. Defaults to 'cpu'.
        prefix (str, optional): Key prefix. Defaults to 'accuracy'.
    """

    default_prefix = 'accuracy'

    def __init__(self,
                 topk: Sequence[int] = (1, ),
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.topk = tuple(topk)

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if 'pred_score' not in sample or 'gt_label' not in sample:
                raise KeyError('ClassAccuracy needs "pred_score" and "gt_label" in each sample; '
                               f'got keys {sorted(sample)}')
            self.results.append((sample['pred_score'].cpu(), int(sample['gt_label'][0])))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = torch.stack([score for score, _ in results])
        labels = torch.tensor([label for _, label in results])
        metrics = {}
        for k in self.topk:
            top = scores.topk(min(k, scores.shape[1]), dim=1).indices
            hits = (top == labels[:, None]).any(dim=1).float()
            metrics[f'top{k}'] = round(hits.mean().item() * 100, 2)
        return metrics
