"""Turn a robust evaluation's metrics into the report's results dict (one run)."""
from typing import Dict, List, Optional, Sequence

from .metrics import cascade_top1
from .report.schema import eps_255


def attack_name(preset: str, eps: float, norm: str = 'Linf') -> str:
    """``{preset}@eps{k}``, e.g. ``pgd@eps8`` (k of k/255 for Linf) or ``pgd@epsl2-0.5`` (the
    raw L2 radius): unique per preset and radius, usable in metric keys."""
    radius = f'{eps_255(eps):g}' if norm == 'Linf' else f'l2-{eps:.3g}'
    return f'{preset}@eps{radius}'


def run_results(name: str,
                metrics: Dict[str, float],
                attack_specs: Sequence[Dict],
                attack_seconds: Dict[str, float],
                num_samples: int,
                sanity: List[Dict],
                config: str = '',
                checkpoint: str = '',
                corruptions: Sequence[str] = (),
                severities: Sequence[int] = (),
                shift_sets: Optional[Dict[str, int]] = None,
                seconds: Optional[float] = None,
                step_seconds: Optional[Dict[str, Dict[str, float]]] = None,
                accuracy_prefix: str = 'accuracy',
                part_prefix: str = 'part') -> Dict:
    """One run of the report (see ``partmm.evaluation.report``) from the metrics of
    :class:`RobustTestLoop` with :class:`RobustEvaluator`.

    Args:
        name: Display name of the evaluated model.
        metrics: All metrics the loop returned.
        attack_specs: :func:`describe_attack` records of the attacks run.
        attack_seconds: Attack name -> seconds spent attacking.
        num_samples: Size of the test set.
        sanity: The evaluator's sanity records.
        corruptions / severities: What the corruption stage ran.
        shift_sets: Shift-set name -> number of images.
        seconds: Wall time of the evaluation.
        step_seconds: Attack name -> sub-attack -> seconds, of the attacks that are cascades
            (AutoAttack); their entries get ``cascade``: the robust top-1 after each step.
    """
    # Metrics come as numpy or torch scalars from some metrics (mmseg's IoU); JSON needs floats.
    metrics = {key: float(value) for key, value in metrics.items()}
    top1 = f'{accuracy_prefix}/top1'
    if top1 not in metrics:
        raise KeyError(f'no "{top1}" in the metrics {sorted(metrics)}: the test evaluator needs '
                       'ClassAccuracy')
    miou = metrics.get(f'{part_prefix}/mIoU')
    attacks = []
    for spec in attack_specs:
        attack = dict(spec, top1=metrics[f'{accuracy_prefix}/{spec["name"]}_top1'],
                      seconds=round(attack_seconds.get(spec['name'], 0.0), 2))
        attack_miou = metrics.get(f'{part_prefix}/{spec["name"]}_mIoU')
        if attack_miou is not None:
            attack['part_mIoU'] = attack_miou
        steps = (step_seconds or {}).get(spec['name'], {})
        cascade = [dict(attack=step, top1=top1, seconds=round(steps.get(step, 0.0), 2))
                   for step, top1 in cascade_top1(metrics, spec['name'], accuracy_prefix)]
        if cascade:
            attack['cascade'] = cascade
        attacks.append(attack)
    worst = metrics.get(f'{accuracy_prefix}/worst_case_top1')
    corruption_results = None
    if corruptions:
        key = f'{accuracy_prefix}/top1'
        corruption_results = dict(
            severities=list(severities),
            top1={c: {str(s): metrics[f'corruption/{c}/{s}/{key}'] for s in severities}
                  for c in corruptions},
            mean_per_corruption={c: metrics[f'corruption/{c}/mean/{key}'] for c in corruptions},
            mean=metrics[f'corruption/mean/{key}'])
    shift = {set_name: dict(top1=metrics[f'shift/{set_name}/{accuracy_prefix}/top1'],
                            num_samples=size) for set_name, size in (shift_sets or {}).items()}
    return dict(
        name=name, config=config, checkpoint=checkpoint, num_samples=num_samples,
        clean=dict(top1=metrics[top1], part_mIoU=miou), attacks=attacks,
        worst_case=None if worst is None else dict(
            top1=worst, attacks=[spec['name'] for spec in attack_specs]),
        corruptions=corruption_results, shift=shift, sanity=list(sanity), overlays=None,
        seconds=None if seconds is None else round(seconds, 1))
