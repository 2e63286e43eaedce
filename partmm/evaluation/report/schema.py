"""The robust-evaluation results dict (format ``partmm-robust-report/1``): checks and reading.

:func:`validate_results` takes the dict ``tools/robust_test.py`` produces and returns nothing,
or raises a ``ValueError`` whose message starts with the offending key path, e.g.
``runs[1].attacks[0].eps: expected a number, got str ('8/255')``, so a bad field is found
without reading the whole dict. The small readers below (ε in /255 units, which attacks form
one curve, the headline ε) are shared by the markdown and the plots so both agree.
"""
import math
from collections import Counter
from typing import Any, Callable, Dict, Iterable, Mapping, NoReturn, Optional

FORMAT = 'partmm-robust-report/1'


class _Checker:
    """Type checks that report the key path of what they check."""

    def fail(self, path: str, problem: str) -> NoReturn:
        raise ValueError(f'{path}: {problem}')

    def expect(self, value: Any, path: str, kinds: tuple, what: str,
               nullable: bool = False) -> None:
        if value is None and nullable:
            return
        # bool is an int subclass, but True is never a meaningful count or accuracy.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            self.fail(path, f'expected {what}{" or null" if nullable else ""}, '
                      f'got {type(value).__name__} ({value!r:.60})')

    def number(self, value: Any, path: str, nullable: bool = False,
               low: Optional[float] = None, high: Optional[float] = None) -> None:
        self.expect(value, path, (int, float), 'a number', nullable)
        if value is None:
            return
        if not math.isfinite(value):
            self.fail(path, f'expected a finite number (use null for "not measured"), got {value}')
        if (low is not None and value < low) or (high is not None and value > high):
            self.fail(path, f'expected a value in [{low}, {high}], got {value}')

    def count(self, value: Any, path: str) -> None:
        self.expect(value, path, (int,), 'a non-negative integer')
        if value < 0:
            self.fail(path, f'expected a non-negative integer, got {value}')

    def percent(self, value: Any, path: str, nullable: bool = False) -> None:
        # Accuracies and mIoU are percentages; a fraction (0.98) would pass but a value
        # above 100 means a unit mix-up upstream.
        self.number(value, path, nullable, low=0, high=100)

    def mapping(self, value: Any, path: str, nullable: bool = False) -> None:
        self.expect(value, path, (dict,), 'an object (dict)', nullable)

    def sequence(self, value: Any, path: str, nullable: bool = False) -> None:
        self.expect(value, path, (list, tuple), 'a list', nullable)

    def text(self, value: Any, path: str, nullable: bool = False, nonempty: bool = True) -> None:
        self.expect(value, path, (str,), 'a string', nullable)
        if nonempty and value == '':
            self.fail(path, 'expected a non-empty string')

    def records(self, value: Any, path: str, check: Callable[[Mapping, str], None]) -> None:
        """A list of objects, each checked by ``check(item, item_path)``."""
        self.sequence(value, path)
        for i, item in enumerate(value):
            self.mapping(item, f'{path}[{i}]')
            check(item, f'{path}[{i}]')

    def required(self, parent: Mapping, key: str, path: str, check: Callable[[Any, str], None]
                 ) -> None:
        if key not in parent:
            self.fail(f'{path}.{key}' if path else key, 'required key is missing')
        check(parent[key], f'{path}.{key}' if path else key)

    def optional(self, parent: Mapping, key: str, path: str,
                 check: Callable[[Any, str], None]) -> None:
        # Optional keys may be absent or null; ``check`` decides what else is allowed.
        if parent.get(key) is not None:
            check(parent[key], f'{path}.{key}')


def _check_attack(c: _Checker, attack: Any, path: str) -> None:
    c.mapping(attack, path)
    c.required(attack, 'name', path, c.text)
    c.required(attack, 'kind', path, c.text)
    c.optional(attack, 'type', path, c.text)
    c.required(attack, 'eps', path, lambda v, p: c.number(v, p, low=0))
    c.required(attack, 'norm', path, c.text)
    c.optional(attack, 'black_box', path, lambda v, p: c.expect(v, p, (bool,), 'a boolean'))
    c.optional(attack, 'params', path, c.mapping)
    c.required(attack, 'top1', path, c.percent)
    c.optional(attack, 'part_mIoU', path, c.percent)
    c.optional(attack, 'seconds', path, lambda v, p: c.number(v, p, low=0))
    c.optional(attack, 'cascade', path, lambda v, p: _check_cascade(c, v, p))


def _check_cascade(c: _Checker, cascade: Any, path: str) -> None:
    def step(value: Mapping, p: str) -> None:
        c.required(value, 'attack', p, c.text)
        c.required(value, 'top1', p, c.percent)
        c.optional(value, 'seconds', p, lambda v, q: c.number(v, q, low=0))

    c.records(cascade, path, step)


def _check_worst_case(c: _Checker, worst: Any, path: str) -> None:
    c.mapping(worst, path)
    c.required(worst, 'top1', path, c.percent)

    def names(value: Any, p: str) -> None:
        c.sequence(value, p)
        for i, name in enumerate(value):
            c.text(name, f'{p}[{i}]')

    c.optional(worst, 'attacks', path, names)


def _check_corruptions(c: _Checker, corruptions: Any, path: str) -> None:
    c.mapping(corruptions, path)

    def severities(value: Any, p: str) -> None:
        c.sequence(value, p)
        for i, severity in enumerate(value):
            c.expect(severity, f'{p}[{i}]', (int,), 'an integer severity')

    c.required(corruptions, 'severities', path, severities)
    # JSON turns the severity keys into strings; Python callers may still use ints.
    known = {str(s) for s in corruptions['severities']}

    def per_severity(value: Any, p: str) -> None:
        c.mapping(value, p)
        for corruption, by_severity in value.items():
            c.mapping(by_severity, f'{p}.{corruption}')
            for severity, top1 in by_severity.items():
                if str(severity) not in known:
                    c.fail(f'{p}.{corruption}.{severity}',
                           f'severity not listed in {path}.severities {sorted(known)}')
                c.percent(top1, f'{p}.{corruption}.{severity}')

    def per_corruption(value: Any, p: str) -> None:
        c.mapping(value, p)
        for corruption, top1 in value.items():
            c.percent(top1, f'{p}.{corruption}')

    c.required(corruptions, 'top1', path, per_severity)
    c.optional(corruptions, 'mean_per_corruption', path, per_corruption)
    c.optional(corruptions, 'mean', path, c.percent)


def _check_shift(c: _Checker, shift: Any, path: str) -> None:
    c.mapping(shift, path)
    for name, result in shift.items():
        p = f'{path}.{name}'
        c.mapping(result, p)
        c.required(result, 'top1', p, c.percent)
        c.optional(result, 'num_samples', p, c.count)


def _check_sanity(c: _Checker, sanity: Any, path: str) -> None:
    def check(value: Mapping, p: str) -> None:
        c.required(value, 'check', p, c.text)
        c.optional(value, 'subject', p, c.text)
        c.required(value, 'ok', p, lambda v, q: c.expect(v, q, (bool,), 'a boolean'))
        c.optional(value, 'message', p, lambda v, q: c.text(v, q, nonempty=False))

    c.records(sanity, path, check)


def _check_run(c: _Checker, run: Any, path: str) -> None:
    c.mapping(run, path)
    c.required(run, 'name', path, c.text)
    # Empty or null: a demo run may have no config file or no checkpoint.
    for key in ('config', 'checkpoint'):
        c.required(run, key, path, lambda v, p: c.text(v, p, nullable=True, nonempty=False))
    c.required(run, 'num_samples', path, c.count)

    def clean(value: Any, p: str) -> None:
        c.mapping(value, p)
        c.required(value, 'top1', p, c.percent)
        c.optional(value, 'part_mIoU', p, c.percent)

    c.required(run, 'clean', path, clean)

    def attacks(value: Any, p: str) -> None:
        c.sequence(value, p)
        seen: Dict[str, int] = {}
        for i, attack in enumerate(value):
            _check_attack(c, attack, f'{p}[{i}]')
            if attack['name'] in seen:
                c.fail(f'{p}[{i}].name', f'duplicate attack name "{attack["name"]}" '
                       f'(also {p}[{seen[attack["name"]]}].name)')
            seen[attack['name']] = i

    c.required(run, 'attacks', path, attacks)
    c.optional(run, 'worst_case', path, lambda v, p: _check_worst_case(c, v, p))
    c.optional(run, 'corruptions', path, lambda v, p: _check_corruptions(c, v, p))
    c.optional(run, 'shift', path, lambda v, p: _check_shift(c, v, p))
    c.optional(run, 'sanity', path, lambda v, p: _check_sanity(c, v, p))
    c.optional(run, 'overlays', path, c.text)
    c.optional(run, 'seconds', path, lambda v, p: c.number(v, p, low=0))


def _check_json(c: _Checker, value: Any, path: str) -> None:
    """Everything, ``params`` included, must survive ``json.dump`` as strict JSON."""
    if isinstance(value, dict):
        for key, item in value.items():
            # Int keys are fine: json writes them as strings (corruption severities).
            c.expect(key, f'{path}.{key}' if path else str(key), (str, int), 'a string key')
            _check_json(c, item, f'{path}.{key}' if path else str(key))
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_json(c, item, f'{path}[{i}]')
    elif isinstance(value, float):
        c.number(value, path)
    elif value is not None:
        c.expect(value, path, (str, int, bool), 'a JSON value (string, number, bool, null, '
                 'list or object)')


def validate_results(results: Any) -> None:
    """Check ``results`` against the ``partmm-robust-report/1`` layout.

    Required: ``format`` (== :data:`FORMAT`) and a non-empty ``runs`` list; per run ``name``
    (unique), ``config``/``checkpoint`` (string, may be empty, or null), ``num_samples``,
    ``clean.top1`` and ``attacks`` (each with ``name`` (unique in the run), ``kind``,
    ``eps`` >= 0, ``norm`` and ``top1``). Optional (absent or null): ``worst_case``,
    ``corruptions``, ``shift``, ``sanity``, ``overlays``, ``seconds`` and the per-attack
    ``type``, ``black_box``, ``params``, ``part_mIoU``, ``seconds`` and ``cascade`` (of
    AutoAttack: per sub-attack in order, ``attack``, ``top1`` after it and ``seconds``).
    Accuracies and mIoU are percentages in [0, 100]. Unknown keys are allowed, so producers
    can add fields without breaking old readers, but every value must be plain JSON (no
    tensors, no NaN: use null).

    Raises:
        ValueError: naming the first offending key path, e.g. ``runs[1].attacks[0].eps``.
    """
    c = _Checker()
    if not isinstance(results, dict):
        c.fail('<root>', f'expected an object (dict), got {type(results).__name__}')
    c.required(results, 'format', '', c.text)
    if results['format'] != FORMAT:
        c.fail('format', f'expected "{FORMAT}", got "{results["format"]}"')
    c.required(results, 'runs', '', c.sequence)
    if not results['runs']:
        c.fail('runs', 'expected at least one run')
    seen: Dict[str, int] = {}
    for i, run in enumerate(results['runs']):
        _check_run(c, run, f'runs[{i}]')
        if run['name'] in seen:
            c.fail(f'runs[{i}].name', f'duplicate run name "{run["name"]}" '
                   f'(also runs[{seen[run["name"]]}].name)')
        seen[run['name']] = i
    _check_json(c, results, '')


def eps_255(eps: float) -> float:
    """ε in 1/255 units, rounded so that 0.03137 and 8/255 are the same ε."""
    return round(eps * 255, 2)


def format_eps(eps: float, norm: str) -> str:
    """``'8/255'`` for Linf (the papers' unit), the plain value (``'0.5'``) for other norms."""
    if eps == 0:
        return '0'
    if norm == 'Linf':
        return f'{eps_255(eps):g}/255'
    return f'{eps:g}'


def attack_series(attack: Mapping) -> str:
    """Which curve of accuracy vs ε an attack belongs to.

    Attacks named ``<stem>@<eps>`` (``pgd@eps8``, ``pgd100@eps4``) share a curve per stem, so
    two PGD variants of the same kind stay apart; other names fall back to the attack kind.
    """
    name = attack['name']
    return name.split('@', 1)[0] if '@' in name else attack['kind']


PAPER_LINF_EPS_255 = 8


def main_eps(runs: Iterable[Mapping]) -> Dict[str, float]:
    """The headline ε per norm: Linf 8/255 (the papers' threat model) when some attack ran
    at it, else the non-zero ε most attacks use (the larger one on a tie).

    Returns {norm: ε in the results' own units}, e.g. ``{'Linf': 0.03137}``.
    """
    counts: Dict[str, Counter] = {}
    for run in runs:
        for attack in run['attacks']:
            if attack['eps'] > 0:
                counts.setdefault(attack['norm'], Counter())[eps_255(attack['eps'])] += 1
    return {norm: (PAPER_LINF_EPS_255 if norm == 'Linf' and PAPER_LINF_EPS_255 in counter
                   else max(counter, key=lambda k: (counter[k], k))) / 255
            for norm, counter in counts.items()}


def is_main(attack: Mapping, main: Mapping[str, float]) -> bool:
    """Whether ``attack`` runs at the headline ε of its norm (see :func:`main_eps`)."""
    norm = attack['norm']
    return norm in main and eps_255(attack['eps']) == eps_255(main[norm])
