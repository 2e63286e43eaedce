"""Sanity checks of a robust evaluation, in the spirit of AutoAttack's own checks.

Each check compares figures that the threat model orders: a trained model beats chance on clean
images (a model at chance is most often a checkpoint that did not load), an attack at eps = 0
returns the clean images, an attack cannot make the model more accurate than clean, AutoAttack is at
least as strong as PGD, PGD is not far weaker than AutoAttack (if it is, PGD numbers overstate
the model's robustness: its loss is hard to climb with small fixed steps, or its gradients are
partly masked), and a gradient-free attack should not beat the gradient attacks (if it does,
gradients are probably masked), within AutoAttack too: its Square step should find (almost)
nothing that its gradient steps left, and what its steps count as robust at the end should be
what the model's predictions on its adversarial images say. A violation is a warning about the
evaluation, not an error: the figures are still reported.
"""
import math
from typing import Dict, List, Mapping, Optional, Sequence

# Attack types whose results are compared by the AutoAttack-vs-PGD check.
AUTOATTACK_TYPES = ('AutoAttack', )
PGD_TYPES = ('PGDAttack', )
# Points by which PGD may leave more samples robust than AutoAttack, beyond sampling noise,
# before its numbers count as overstated: a few points are usual for adversarially trained
# models (AutoAttack's adaptive steps and targeted losses find more), tens are not.
PGD_GAP_POINTS = 10.0
# Points by which AutoAttack's Square step may lower robust accuracy after its gradient steps
# (AutoAttack's own check_square_sr warns beyond 0.2 %).
SQUARE_GAIN_POINTS = 0.2
GRADIENT_FREE_STEPS = ('square', )
# Checks that need more than a report's results hold (the number of classes): a report's
# stored records of them are kept when its checks are made again.
STORED_ONLY_CHECKS = ('clean_above_chance', )


def noise_tolerance(accuracy: float, num_samples: int) -> float:
    """Percentage points that two accuracies on ``num_samples`` images may differ by chance.

    Two binomial standard errors at ``accuracy`` (%), and at least one sample, so that
    small sets do not raise warnings for a single flipped image.
    """
    if num_samples <= 0:
        return 0.0
    share = min(max(accuracy / 100, 0.0), 1.0)
    return max(100.0 / num_samples, 200.0 * math.sqrt(share * (1 - share) / num_samples))


def check_robust_evaluation(clean_top1: float, attacks: Sequence[Dict], num_samples: int,
                            num_classes: Optional[int] = None) -> List[Dict]:
    """Run every check; return one record per check made.

    Args:
        clean_top1: Clean top-1 accuracy (%).
        attacks: One dict per attack with ``name``, ``type`` (class name), ``eps``, ``norm``,
            ``black_box`` and ``top1`` (robust top-1 %, on the same images as clean); an
            attack that is a cascade (AutoAttack) may add ``cascade``: (sub-attack, robust
            top-1 % after it) pairs in cascade order.
        num_samples: Number of evaluated images.
        num_classes: Number of classes; when given, clean accuracy must beat chance
            (``100 / num_classes`` %) by more than sampling noise.

    Returns:
        Dicts with ``check`` (its id), ``subject`` (the attack or attack pair), ``ok`` and
        ``message``.
    """
    records = []

    def record(check: str, subject: str, ok: bool, message: str) -> None:
        records.append(dict(check=check, subject=subject, ok=bool(ok), message=message))

    if num_classes:
        chance = 100.0 / num_classes
        tolerance = noise_tolerance(chance, num_samples)
        record('clean_above_chance', 'clean', clean_top1 > chance + tolerance,
               f'clean accuracy {clean_top1:.2f} % is at chance ({chance:.2f} % for '
               f'{num_classes} classes, noise {tolerance:.2f} points): the checkpoint may not '
               'belong to this config, or the model is untrained')
    for attack in attacks:
        name, top1 = attack['name'], attack['top1']
        if attack['eps'] == 0:
            record('eps0_equals_clean', name, abs(top1 - clean_top1) < 1e-6,
                   f'{name} at eps 0 gives {top1:.2f} % but clean accuracy is '
                   f'{clean_top1:.2f} %: the attack changes images it may not change')
        record('robust_not_above_clean', name, top1 <= clean_top1 + 1e-6,
               f'{name} gives {top1:.2f} %, above the clean {clean_top1:.2f} %: adversarial '
               'images are classified better than clean ones')
        if attack.get('cascade'):
            records += _check_cascade(name, top1, list(attack['cascade']), num_samples)
    for strong in attacks:
        for weak in attacks:
            if strong is weak or not _same_threat_model(strong, weak) or strong['eps'] == 0:
                continue
            tolerance = noise_tolerance(weak['top1'], num_samples)
            subject = f'{strong["name"]} vs {weak["name"]}'
            if strong['type'] in AUTOATTACK_TYPES and weak['type'] in PGD_TYPES:
                record('autoattack_not_above_pgd', subject,
                       strong['top1'] <= weak['top1'] + tolerance,
                       f'AutoAttack {strong["name"]} leaves {strong["top1"]:.2f} % robust, more '
                       f'than PGD {weak["name"]} ({weak["top1"]:.2f} %, noise '
                       f'{tolerance:.2f} points): the AutoAttack run is weaker than it should be')
                noise = noise_tolerance(strong['top1'], num_samples)
                record('pgd_not_far_above_autoattack', f'{weak["name"]} vs {strong["name"]}',
                       weak['top1'] <= strong['top1'] + PGD_GAP_POINTS + noise,
                       f'PGD {weak["name"]} leaves {weak["top1"]:.2f} % robust, AutoAttack '
                       f'{strong["name"]} {strong["top1"]:.2f} %: '
                       f'{weak["top1"] - strong["top1"]:.2f} points apart, beyond the '
                       f'{PGD_GAP_POINTS:.0f} allowed plus {noise:.2f} of noise: PGD overstates '
                       'this model\'s robustness (its loss is hard to climb with small fixed '
                       'steps, or its gradients are partly masked); quote AutoAttack'
                       + _cascade_note(strong))
            if strong['black_box'] and not weak['black_box']:
                record('black_box_not_stronger', subject,
                       strong['top1'] >= weak['top1'] - tolerance,
                       f'black-box {strong["name"]} leaves {strong["top1"]:.2f} % robust, less '
                       f'than white-box {weak["name"]} ({weak["top1"]:.2f} %, noise '
                       f'{tolerance:.2f} points): a sign of gradient masking')
    return records


def recheck_run(run: Mapping) -> List[Dict]:
    """The sanity records of a report's run (``partmm.evaluation.report`` layout) by today's
    checks, made again from its figures: a report written before a check existed gets it when
    merged. Stored records of :data:`STORED_ONLY_CHECKS` are kept as they were."""
    attacks = [dict(attack, type=attack.get('type'), black_box=bool(attack.get('black_box')),
                    cascade=[(step['attack'], step['top1'])
                             for step in attack.get('cascade') or []])
               for attack in run['attacks']]
    kept = [record for record in run.get('sanity') or []
            if record['check'] in STORED_ONLY_CHECKS]
    return kept + check_robust_evaluation(run['clean']['top1'], attacks, run['num_samples'])


def _cascade_note(autoattack: Dict) -> str:
    """How AutoAttack's steps got there, or how to find out."""
    if not autoattack.get('cascade'):
        return ', and run its attacks alone (e.g. --attacks aa-apgd,square) to see which succeed'
    steps = ', '.join(f'{step} {top1:.2f} %' for step, top1 in autoattack['cascade'])
    return f' (robust after each of its steps: {steps})'


def _check_cascade(name: str, top1: float, cascade: List, num_samples: int) -> List[Dict]:
    """The checks of one attack's cascade of (sub-attack, robust top-1 % after it)."""
    records = []
    last_step, last_top1 = cascade[-1]
    one_sample = 100.0 / num_samples if num_samples else 0.0
    records.append(dict(
        check='cascade_matches_predictions', subject=name,
        ok=abs(last_top1 - top1) <= one_sample + 1e-6,
        message=f'{name} counted {last_top1:.2f} % robust after its last step ({last_step}), '
                f'but the model\'s predictions on its adversarial images give {top1:.2f} %: '
                'the model answers differently from call to call (randomness, batch-dependent '
                'layers), so neither figure is reliable'))
    for position, (step, step_top1) in enumerate(cascade):
        if step not in GRADIENT_FREE_STEPS or position == 0:
            continue
        before = cascade[position - 1][1]
        records.append(dict(
            check='gradient_free_step_finds_little', subject=f'{name}: {step}',
            ok=before - step_top1 <= SQUARE_GAIN_POINTS + 1e-6,
            message=f'{step} lowered {name}\'s robust accuracy from {before:.2f} to '
                    f'{step_top1:.2f} % after its gradient steps had run: a query attack found '
                    'adversarial examples the gradient attacks missed, a sign of gradient '
                    'masking; AutoAttack\'s authors advise more queries and restarts of '
                    'Square, or an adaptive attack'))
    return records


def _same_threat_model(first: Dict, second: Dict) -> bool:
    return first['norm'] == second['norm'] and math.isclose(first['eps'], second['eps'])
