"""Top-k class accuracy of image classifiers."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric

from partmm.registry import METRICS


@METRICS.register_module()
class ClassAccuracy(BaseMetric):
    """Top-k accuracy (%) from ``pred_score`` [C] and ``gt_label`` [1] of each sample.

    Keys: ``accuracy/top1`` (and ``accuracy/top{k}`` for each extra k). When the samples
    also carry ``adv_pred_score`` (an adversarial-training hook is validating), also
    ``accuracy/adv_top1``, top-1 under attack, and ``accuracy/adv_top1_guarded``: the same
    number, or 0 when it exceeds the clean accuracy, so that ``CheckpointHook(save_best=
    'accuracy/adv_top1_guarded')`` applies the original code's rule (clean >= adversarial >
    previous best) and rejects epochs whose robustness is a gradient-masking artefact.

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
            adv_label = int(sample['adv_pred_label'][0]) if 'adv_pred_label' in sample else None
            self.results.append(
                (sample['pred_score'].cpu(), int(sample['gt_label'][0]), adv_label))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = torch.stack([score for score, _, _ in results])
        labels = torch.tensor([label for _, label, _ in results])
        metrics = {}
        for k in self.topk:
            top = scores.topk(min(k, scores.shape[1]), dim=1).indices
            hits = (top == labels[:, None]).any(dim=1).float()
            metrics[f'top{k}'] = round(hits.mean().item() * 100, 2)
        adv_labels = [adv for _, _, adv in results]
        if any(adv is not None for adv in adv_labels):
            if None in adv_labels:
                raise ValueError('ClassAccuracy: only some samples carry "adv_pred_label"')
            adv_hits = (torch.tensor(adv_labels) == labels).float()
            adv_top1 = round(adv_hits.mean().item() * 100, 2)
            metrics['adv_top1'] = adv_top1
            clean_top1 = metrics.get('top1')
            if clean_top1 is None:
                clean_top1 = round((scores.argmax(dim=1) == labels).float().mean().item() * 100, 2)
            metrics['adv_top1_guarded'] = adv_top1 if clean_top1 >= adv_top1 else 0.0
        return metrics
