"""Errors raised while building a config's components name the config key they come from."""
import re
from contextlib import contextmanager
from typing import Any, Iterator, List, Optional

from mmengine.config import Config
from mmengine.registry import Registry

_ANNOTATED = '_partmm_config_key'


def find_key_path(root: Any, node: dict, prefix: str = '') -> Optional[str]:
    """The first path (``custom_hooks[0].attack``) under ``root`` whose value equals ``node``."""
    if isinstance(root, dict):
        items = [(f'{prefix}.{key}' if prefix else str(key), value)
                 for key, value in root.items()]
    elif isinstance(root, (list, tuple)):
        items = [(f'{prefix}[{index}]', value) for index, value in enumerate(root)]
    else:
        return None
    for path, value in items:
        if isinstance(value, dict) and value == node:
            return path
    for path, value in items:
        found = find_key_path(value, node, path)
        if found is not None:
            return found
    return None


def _innermost_message(error: BaseException) -> str:
    """The message of the first exception of the chain (the component's own words)."""
    while error.__context__ is not None:
        error = error.__context__
    return str(error)


def _argument_in_message(node: dict, message: str) -> Optional[str]:
    """The argument of ``node`` that the message is about, if it names one."""
    if re.search(r'is not in the \S+ registry', message):
        return 'type'
    keys: List[str] = [key for key in node if key != 'type']
    return next((key for key in keys if re.search(rf'\b{re.escape(key)}\b', message)), None)


def _is_annotated(error: BaseException) -> bool:
    """Whether ``error`` or one it was raised from already names its config key."""
    while error is not None:
        if getattr(error, _ANNOTATED, False):
            return True
        error = error.__context__
    return False


@contextmanager
def config_key_errors(cfg: Any) -> Iterator[None]:
    """Within the block, an exception from building a component names its key in ``cfg``.

    mmengine's registries report what failed (``class `PGDAttack`: eps must be ...``) but not
    where it is in the config, which hides a typo in a nested entry such as a hook's attack.
    Every ``Registry.build`` in the block is wrapped: the innermost failing build prefixes the
    message with the path of its config entry, plus the argument the message names
    (``custom_hooks[0].attack.eps: ...``, or ``.type`` for an unknown type). The exception
    keeps its type.
    """
    original = Registry.build
    root = cfg.to_dict() if isinstance(cfg, Config) else cfg

    def build(registry: Registry, node: Any, *args, **kwargs) -> Any:
        try:
            return original(registry, node, *args, **kwargs)
        except Exception as error:
            path = find_key_path(root, node) if isinstance(node, dict) else None
            if path is None or _is_annotated(error):
                raise
            argument = _argument_in_message(node, _innermost_message(error))
            where = f'{path}.{argument}' if argument else path
            try:
                annotated = type(error)(f'{where}: {error}')
            except Exception:  # an exception class with its own signature: keep it as it is
                raise error
            setattr(annotated, _ANNOTATED, True)
            raise annotated from error

    Registry.build = build
    try:
        yield
    finally:
        Registry.build = original
