"""The original part-model code's checkpoints (the authors' released weights) as partmm's.

The original saves ``{epoch, state_dict, optimizer, scaler, best_acc1, args}``; ``state_dict``
is the DDP-wrapped model: keys under ``module.``, the ImageNet normalisation buffers
``module.mean`` / ``module.std`` [1, 3, 1, 1] and the model as ``module._model``:

- Bounding-Box (``WeightedBBoxModel``): the smp DeepLabV3+ as ``_model.segmenter.*`` and the
  tiny classifier ``_model.core_model`` = Sequential(Identity, Flatten, BN1d, Linear, ReLU,
  BN1d, Linear), parameters at indices 2, 3, 5, 6;
- Downsampled (``PoolingModel``): the segmenter as ``_model._segmenter.*`` and ``core_model`` =
  Sequential(AdaptiveAvgPool2d, [BN2d, ReLU with ``bn``], Conv2d, BN2d, ReLU, Flatten, Linear,
  BN1d, ReLU, Linear), parameters at 1, 2, 5, 6, 8 (3, 4, 7, 8, 10 after the optional 1);
- the baseline (``normal``): the timm model as ``_model.*``.

partmm's models hold the same networks: ``pixel_mean`` / ``pixel_std``, the smp encoder and
decoder as ``segmentor.backbone.encoder.*`` and ``segmentor.decode_head.{decoder,
segmentation_head}.*`` (:class:`SMPEncoder`, :class:`SMPDeepLabV3PlusHead`), the heads'
``part_head.classifier`` (and ``part_head.pre_norm``) and the timm model as ``network.*``.
The mapping is by name, and every key on either side must be accounted for.
"""
import argparse
import re
from typing import Callable, Dict, List, Mapping, Tuple

import torch
from torch import Tensor

# Source index in core_model -> target module in partmm's head, per head layout.
_BBOX_HEAD = {2: 'classifier.1', 3: 'classifier.2', 5: 'classifier.4', 6: 'classifier.5'}
_POOLING_HEAD = {1: 'classifier.0', 2: 'classifier.1', 5: 'classifier.4', 6: 'classifier.5',
                 8: 'classifier.7'}
_POOLING_BN_HEAD = {1: 'pre_norm.0', 3: 'classifier.0', 4: 'classifier.1', 7: 'classifier.4',
                    8: 'classifier.5', 10: 'classifier.7'}
_SEGMENTER_PARTS = {
    'encoder.': 'segmentor.backbone.encoder.',
    'decoder.': 'segmentor.decode_head.decoder.',
    'segmentation_head.': 'segmentor.decode_head.segmentation_head.',
}
_CORE_KEY = re.compile(r'core_model\.(\d+)\.(.+)')


def load_original_checkpoint(path: str) -> Tuple[Dict[str, Tensor], dict]:
    """The state dict and the other entries (epoch, best_acc1, ...) of an original checkpoint.

    Loaded with ``weights_only=True``, allowing the ``argparse.Namespace`` the original stores
    its arguments in; a file needing more (arbitrary pickled code) is refused.
    """
    with torch.serialization.safe_globals([argparse.Namespace]):
        try:
            checkpoint = torch.load(path, map_location='cpu', weights_only=True)
        except Exception as error:
            raise ValueError(f'{path}: not loadable as weights only ({error}); is it a '
                             'checkpoint of the original part-model code?') from error
    if not isinstance(checkpoint, Mapping):
        raise ValueError(f'{path}: expected a dict, got {type(checkpoint).__name__}')
    state = checkpoint.get('state_dict', checkpoint)
    if not state or not all(isinstance(value, Tensor) for value in state.values()):
        raise ValueError(f'{path}: no state dict of tensors (keys {sorted(checkpoint)[:8]})')
    extras = {key: value for key, value in checkpoint.items() if key != 'state_dict'}
    return dict(state), extras


def original_model_kind(state: Mapping[str, Tensor]) -> str:
    """``'bbox'``, ``'pooling'`` or ``'classifier'``: which original model ``state`` holds."""
    keys = [_strip_module(key) for key in state]
    if any(key.startswith('_model.segmenter.') for key in keys):
        return 'bbox'
    if any(key.startswith('_model._segmenter.') for key in keys):
        return 'pooling'
    return 'classifier'


def convert_original_state_dict(state: Mapping[str, Tensor],
                                target: Mapping[str, Tensor]) -> Dict[str, Tensor]:
    """Rename an original state dict to partmm's, checked against the target model's.

    Args:
        state: The original's ``state_dict`` (keys with or without ``module.``).
        target: The partmm model's ``state_dict()`` (names and shapes to fill).

    Returns:
        A state dict with exactly ``target``'s keys and shapes.

    Raises:
        KeyError: Naming the source keys that map nowhere, the target keys left unfilled or
            the shapes that differ, with the model kinds of both sides.
    """
    kind = original_model_kind(state)
    rename = _renamer(kind, target)
    converted: Dict[str, Tensor] = {}
    unmapped: List[str] = []
    for key, value in state.items():
        new_key = rename(_strip_module(key))
        if new_key is None or new_key not in target:
            unmapped.append(key if new_key is None else f'{key} -> {new_key}')
        else:
            converted[new_key] = value
    missing = sorted(set(target) - set(converted))
    mismatched = [f'{key}: {tuple(value.shape)} vs {tuple(target[key].shape)}'
                  for key, value in converted.items() if value.shape != target[key].shape]
    if unmapped or missing or mismatched:
        raise KeyError(
            f'the checkpoint (an original {kind} model) does not fit this config\'s '
            f'{_target_kind(target)} model: {len(unmapped)} source keys map nowhere '
            f'{unmapped[:5]}, {len(missing)} model keys are not in it {missing[:5]}, '
            f'{len(mismatched)} shapes differ {mismatched[:5]}')
    return converted


def _strip_module(key: str) -> str:
    return key[len('module.'):] if key.startswith('module.') else key


def _target_kind(target: Mapping[str, Tensor]) -> str:
    if 'part_head.classifier.7.weight' in target:
        return 'pooling'
    if any(key.startswith('part_head.') for key in target):
        return 'bbox'
    return 'classifier'


def _renamer(kind: str, target: Mapping[str, Tensor]) -> Callable[[str], object]:
    """key (without ``module.``) -> partmm key, or None where the key has no counterpart."""
    if kind == 'classifier':
        model_prefix, segmenter, head = '_model.', None, {}
    else:
        segmenter = '_model.segmenter.' if kind == 'bbox' else '_model._segmenter.'
        model_prefix = None
        if kind == 'bbox':
            head = _BBOX_HEAD
        else:
            head = _POOLING_BN_HEAD if 'part_head.pre_norm.0.weight' in target else _POOLING_HEAD

    def rename(key: str):
        if key in ('mean', 'std'):
            return f'pixel_{key}'
        if model_prefix is not None:
            return f'network.{key[len(model_prefix):]}' if key.startswith(model_prefix) \
                else None
        if key.startswith(segmenter):
            rest = key[len(segmenter):]
            for part, new_prefix in _SEGMENTER_PARTS.items():
                if rest.startswith(part):
                    return new_prefix + rest[len(part):]
            return None
        match = _CORE_KEY.fullmatch(key[len('_model.'):]) if key.startswith('_model.') \
            else None
        if match and int(match.group(1)) in head:
            return f'part_head.{head[int(match.group(1))]}.{match.group(2)}'
        return None

    return rename
