"""Top-k class accuracy of image classifiers, clean and under each attack."""
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

import torch
from mmengine.evaluator import BaseMetric

from partmm.registry import METRICS


@METRICS.register_module()
class ClassAccuracy(BaseMetric):
    """Top-k accuracy (%) from ``pred_score`` [C] and ``gt_label`` [1] of each sample.

    Keys: ``accuracy/top1`` (and ``accuracy/top{k}`` for each extra k). When the samples also
    carry ``adv_pred_labels`` (a dict attack name -> label [1], filled by the model while a
    robust-evaluation loop or an adversarial-training hook runs attacks), also:

    - ``accuracy/{name}_top1``: top-1 on each attack's adversarial images;
    - ``accuracy/worst_case_top1``: the per-sample worst case, a sample counting as correct
      only if it is classified correctly clean and under every attack;
    - ``accuracy/adv_top1_guarded``: the worst case, or 0 when some attack's accuracy exceeds
      the clean accuracy, so that ``CheckpointHook(save_best='accuracy/adv_top1_guarded')``
      applies the original code's rule (clean >= adversarial > previous best) and rejects
      epochs whose robustness is a gradient-masking artefact.

    Adversarial-training hooks name their attack ``'adv'``, hence ``accuracy/adv_top1``.

    Of an attack that is a cascade of sub-attacks (AutoAttack; the samples carry
    ``adv_cascades``: name -> (sub-attacks, how many of them the sample survived), set by
    :class:`RobustTestLoop`), also ``accuracy/{name}/{sub}_top1`` per sub-attack in cascade
    order: the robust top-1 after the cascade up to and including ``sub`` (the last equals
    ``accuracy/{name}_top1`` but for predictions that change between calls; see
    :func:`cascade_top1`).

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
            adv_labels = {name: int(label[0])
                          for name, label in sample.get('adv_pred_labels', {}).items()}
            self.results.append((sample['pred_score'].cpu(), int(sample['gt_label'][0]),
                                 adv_labels, dict(sample.get('adv_cascades', {}))))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        scores = torch.stack([result[0] for result in results])
        labels = torch.tensor([result[1] for result in results])
        metrics = {}
        for k in self.topk:
            top = scores.topk(min(k, scores.shape[1]), dim=1).indices
            metrics[f'top{k}'] = _percent((top == labels[:, None]).any(dim=1))
        attack_names = list(results[0][2]) if results else []
        if not attack_names:
            return metrics
        if any(list(result[2]) != attack_names for result in results):
            raise ValueError('ClassAccuracy: the samples were not all attacked by the same '
                             f'attacks (first sample: {attack_names})')
        clean_hits = scores.argmax(dim=1) == labels
        worst_case = clean_hits.clone()
        attack_top1 = {}
        for name in attack_names:
            hits = torch.tensor([result[2][name] for result in results]) == labels
            worst_case &= hits
            attack_top1[name] = metrics[f'{name}_top1'] = _percent(hits)
            metrics.update(self._cascade_metrics(name, [result[3] for result in results]))
        metrics['worst_case_top1'] = _percent(worst_case)
        masked = max(attack_top1.values()) > _percent(clean_hits)
        metrics['adv_top1_guarded'] = 0.0 if masked else metrics['worst_case_top1']
        return metrics

    @staticmethod
    def _cascade_metrics(name: str, cascades: List[Dict]) -> Dict[str, float]:
        """``{name}/{sub}_top1`` per sub-attack of attack ``name``, from each sample's
        cascade (sub-attacks, number survived); none when no sample has one."""
        steps = {cascade[name][0] for cascade in cascades if name in cascade}
        if not steps:
            return {}
        without = sum(name not in cascade for cascade in cascades)
        if len(steps) > 1 or without:
            raise ValueError(f'ClassAccuracy: the samples attacked by {name} do not all carry '
                             f'the same cascade of sub-attacks (cascades {sorted(steps)}; '
                             f'{without} of {len(cascades)} samples without one): results of '
                             'different attack code mixed?')
        survived = torch.tensor([cascade[name][1] for cascade in cascades])
        return {f'{name}/{step}_top1': _percent(survived >= number)
                for number, step in enumerate(steps.pop(), start=1)}


def cascade_top1(metrics: Mapping[str, float], name: str,
                 prefix: str = 'accuracy') -> List[Tuple[str, float]]:
    """(sub-attack, robust top-1 after it) of attack ``name``'s cascade, in cascade order,
    from the ``{prefix}/{name}/{sub}_top1`` keys of ``metrics``; empty for other attacks."""
    start = f'{prefix}/{name}/'
    return [(key[len(start):-len('_top1')], float(value)) for key, value in metrics.items()
            if key.startswith(start) and key.endswith('_top1')]


def _percent(hits: torch.Tensor) -> float:
    """Share of True in a bool tensor, in % rounded to 2 decimals."""
    return round(hits.float().mean().item() * 100, 2)
