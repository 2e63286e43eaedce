"""Attack presets: the papers' settings as ``tools/robust_test.py --attacks`` builds them."""
import pytest

from partmm.attacks.presets import SEED, attack_preset, preset_names
from partmm.registry import ATTACKS

EPS = 8 / 255


def test_pgd_original_is_the_papers_pgd_with_last_iterate_selection():
    config = attack_preset('pgd-original', EPS)
    # 100 steps of max(0.001, eps / 40) = 0.001 at 8/255, 5 restarts, last iterates.
    assert config == dict(type='PGDAttack', eps=EPS, norm='Linf', steps=100, step_size=0.001,
                          restarts=5, seed=SEED, select='last')
    assert attack_preset('pgd-original', 16 / 255)['step_size'] == pytest.approx(16 / 255 / 40)
    assert ATTACKS.build(config).select == 'last'
    # 'pgd' differs only in keeping the most damaging iterate (PGDAttack's default).
    pgd = attack_preset('pgd', EPS)
    assert 'select' not in pgd and ATTACKS.build(pgd).select == 'best'
    assert {key: value for key, value in config.items() if key != 'select'} == pgd
    assert 'pgd-original' in preset_names()
