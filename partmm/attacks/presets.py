"""Named attack settings of the part-model papers, for ``tools/robust_test.py --attacks``.

``attack_preset(name, eps)`` gives an attack config for ``partmm.registry.ATTACKS``. The
papers' evaluation settings: PGD with 100
steps of max(0.001, eps / 40) and 5 restarts, "longer" PGD with 300 steps and 2 restarts,
AutoAttack standard, and the part-specific and black-box attacks; plus cheaper variants for
quick looks (``pgd20``, ``aa-apgd``). ``pgd`` returns each sample's most damaging iterate over
all steps and restarts; ``pgd-original`` is the original code's selection (the last iterate of
the restart with the highest final loss), for comparisons with its numbers.
"""
from typing import Callable, Dict, List

SEED = 0


def _paper_step(eps: float, steps: int) -> float:
    return max(0.001, eps / 4 / (steps / 10))


def _pgd(steps: int, restarts: int, step: Callable[[float], float], **options) -> Callable:
    def build(eps: float, norm: str) -> dict:
        return dict(type='PGDAttack', eps=eps, norm=norm, steps=steps, step_size=step(eps),
                    restarts=restarts, seed=SEED, **options)
    return build


PRESETS: Dict[str, Callable[[float, str], dict]] = {
    # The papers' evaluation PGD: 100 steps of max(0.001, eps / 40), 5 restarts.
    'pgd': _pgd(100, 5, lambda eps: _paper_step(eps, 100)),
    # The same attack as the original code runs it: per sample, the last iterate of the restart
    # with the highest final loss. Same starts and steps as 'pgd', so it fools no sample that
    # 'pgd' does not.
    'pgd-original': _pgd(100, 5, lambda eps: _paper_step(eps, 100), select='last'),
    'longer-pgd': _pgd(300, 2, lambda eps: 0.001),
    # A quick PGD: 20 steps of eps / 8 (2.5 eps / steps), 1 restart.
    'pgd20': _pgd(20, 1, lambda eps: 2.5 * eps / 20),
    'aa': lambda eps, norm: dict(type='AutoAttack', eps=eps, norm=norm, seed=SEED),
    'aa-square+': lambda eps, norm: dict(type='AutoAttack', eps=eps, norm=norm,
                                         version='standard-square+', seed=SEED),
    # AutoAttack's two APGD attacks only: most of its strength at a fraction of the cost.
    'aa-apgd': lambda eps, norm: dict(type='AutoAttack', eps=eps, norm=norm, version='custom',
                                      attacks=['apgd-ce', 'apgd-t'], seed=SEED),
    # Toward the part map of the class the tiny head finds most confusing, two-stage.
    'seg-guide': lambda eps, norm: dict(type='SegGuidedAttack', eps=eps, norm=norm, steps=100,
                                        step_size=_paper_step(eps, 100), restarts=5,
                                        guide='most_confusing', two_stage=True, seed=SEED),
    'seg-inverse': lambda eps, norm: dict(type='SegInverseAttack', eps=eps, norm=norm,
                                          steps=100, step_size=_paper_step(eps, 100),
                                          restarts=2, seed=SEED),
    # Unlabelled images have no foreground to perturb: they count as not attacked.
    'mpgd': lambda eps, norm: dict(type='MaskedPGDAttack', eps=eps, norm=norm, steps=100,
                                   step_size=_paper_step(eps, 100), restarts=5,
                                   unlabelled='clean', seed=SEED),
    # Black-box, per sample so that results do not depend on batching.
    'square': lambda eps, norm: dict(type='SquareAttack', eps=eps, norm=norm, n_queries=5000,
                                     per_sample=True, seed=SEED),
    'hsj': lambda eps, norm: dict(type='HopSkipJumpAttack', eps=eps, norm=norm,
                                  per_sample=True, seed=SEED),
}


def attack_preset(name: str, eps: float, norm: str = 'Linf') -> dict:
    """The attack config of preset ``name`` at radius ``eps`` (in [0, 1] units)."""
    if name not in PRESETS:
        raise KeyError(f'unknown attack "{name}"; presets: {", ".join(PRESETS)}')
    return PRESETS[name](eps, norm)


def preset_names() -> List[str]:
    """Names accepted by :func:`attack_preset`."""
    return list(PRESETS)
