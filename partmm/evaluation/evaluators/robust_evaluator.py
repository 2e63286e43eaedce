"""An evaluator that checks the robust figures it computes."""
from typing import Dict, List, Optional, Sequence, Union

from mmengine.evaluator import BaseMetric, Evaluator
from mmengine.logging import MMLogger

from partmm.registry import EVALUATOR

from ..metrics import cascade_top1
from ..sanity_checks import check_robust_evaluation


@EVALUATOR.register_module()
class RobustEvaluator(Evaluator):
    """mmengine's :class:`Evaluator` plus the sanity checks of robust evaluation.

    Whoever runs the attacks (:class:`RobustTestLoop`) tells the evaluator about them with
    :meth:`set_attacks`. After the metrics are computed, the evaluator compares clean and
    per-attack top-1 (``{accuracy_prefix}/top1`` and ``{accuracy_prefix}/{name}_top1`` from
    :class:`ClassAccuracy`, AutoAttack's sub-attack by sub-attack, and clean top-1 against
    chance) with :func:`check_robust_evaluation`, logs every violated check as a warning,
    keeps all records in ``sanity_records`` and adds ``sanity/failed_checks`` to the metrics.

    Args:
        metrics (dict | BaseMetric | Sequence): Metric configs, as for :class:`Evaluator`.
        accuracy_prefix (str): Prefix of the :class:`ClassAccuracy` keys. Defaults to
            'accuracy'.
    """

    def __init__(self,
                 metrics: Union[dict, BaseMetric, Sequence],
                 accuracy_prefix: str = 'accuracy') -> None:
        super().__init__(metrics)
        self.accuracy_prefix = accuracy_prefix
        self.attack_specs: List[Dict] = []
        self.sanity_records: List[Dict] = []

    def set_attacks(self, attack_specs: Optional[List[Dict]]) -> None:
        """Attacks of the next evaluation: dicts with ``name``, ``type``, ``eps``, ``norm`` and
        ``black_box`` (see :func:`check_robust_evaluation`)."""
        self.attack_specs = list(attack_specs or [])

    def evaluate(self, size: int) -> dict:
        metrics = super().evaluate(size)
        self.sanity_records = []
        prefix = self.accuracy_prefix
        missing = [key for key in [f'{prefix}/top1'] + [
            f'{prefix}/{spec["name"]}_top1' for spec in self.attack_specs] if key not in metrics]
        if missing:
            raise KeyError(f'RobustEvaluator needs ClassAccuracy among its metrics: no {missing} '
                           f'in the computed metrics {sorted(metrics)}')
        attacks = [dict(spec, top1=metrics[f'{prefix}/{spec["name"]}_top1'],
                        cascade=cascade_top1(metrics, spec['name'], prefix))
                   for spec in self.attack_specs]
        classes = (self.dataset_meta or {}).get('classes')
        self.sanity_records = check_robust_evaluation(
            metrics[f'{prefix}/top1'], attacks, size, len(classes) if classes else None)
        logger = MMLogger.get_current_instance()
        failed = [record for record in self.sanity_records if not record['ok']]
        for record in failed:
            logger.warning(f'sanity check {record["check"]} failed ({record["subject"]}): '
                           f'{record["message"]}')
        metrics['sanity/failed_checks'] = len(failed)
        return metrics
