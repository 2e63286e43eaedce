"""Refuse a checkpoint whose weights do not fit the model."""
import re
from typing import Dict, List

from mmengine.hooks import Hook
from mmengine.logging import MMLogger

from partmm.registry import HOOKS
from partmm.utils import format_examples, unwrap_model

_NUM_EXAMPLES = 3  # weight names are long


def checkpoint_mismatch(model_state: Dict, checkpoint_state: Dict) -> List[str]:
    """What keeps ``checkpoint_state`` from loading into a model with ``model_state``.

    Returns one sentence per kind of problem (missing weights, unexpected weights, shapes
    that differ), each with the count and a few names; empty when it fits exactly.
    """
    loaded = {re.sub(r'^module\.', '', key): value for key, value in checkpoint_state.items()}
    missing = sorted(set(model_state) - set(loaded))
    unexpected = sorted(set(loaded) - set(model_state))
    reshaped = sorted(
        key for key in set(model_state) & set(loaded)
        if tuple(getattr(loaded[key], 'shape', ())) != tuple(model_state[key].shape))
    problems = []
    if missing:
        problems.append(f'{len(missing)} of the model\'s {len(model_state)} weights are not in '
                        f'it ({format_examples(missing, _NUM_EXAMPLES)})')
    if unexpected:
        problems.append(f'{len(unexpected)} of its {len(loaded)} weights are not in the model '
                        f'({format_examples(unexpected, _NUM_EXAMPLES)})')
    if reshaped:
        problems.append(f'{len(reshaped)} weights have other shapes ('
                        + format_examples([f'{key}: {tuple(loaded[key].shape)} vs model '
                                           f'{tuple(model_state[key].shape)}'
                                           for key in reshaped], _NUM_EXAMPLES)
                        + ')')
    return problems


@HOOKS.register_module()
class StrictLoadHook(Hook):
    """Check every loaded checkpoint (``load_from``, ``--resume``, the test tools) against the
    model before its weights are copied in.

    mmengine loads non-strictly and only logs what did not fit: a ResNet-18 checkpoint tested
    with a part-model config loads nothing, the randomly initialised model is evaluated and the
    tool exits 0; a fine-tuning config whose ``load_from`` names the wrong model trains from
    scratch. This hook raises instead, naming how many weights are missing or unexpected and a
    few of them.

    Args:
        strict (bool): Raise on any mismatch (True), or only log a warning (False), e.g. to
            fine-tune from a checkpoint of a related model on purpose. Defaults to True.
    """

    priority = 'VERY_HIGH'

    def __init__(self, strict: bool = True) -> None:
        self.strict = strict

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        state = checkpoint.get('state_dict', checkpoint)
        problems = checkpoint_mismatch(unwrap_model(runner.model).state_dict(), state)
        if not problems:
            return
        source = runner.cfg.get('load_from') or 'the checkpoint'
        message = (f'checkpoint {source} does not fit the model of this config: '
                   + '; '.join(problems) + '. Was it trained with another config?')
        if self.strict:
            raise ValueError(message + ' (set default_hooks.strict_load.strict=False to load '
                             'the weights that fit anyway)')
        MMLogger.get_current_instance().warning(message)
