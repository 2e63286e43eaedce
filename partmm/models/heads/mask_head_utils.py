"""What the heads that feed part masks to a timm network share: the masks, a gradient stop that
keeps the graph, and timm's pretrained weights."""
import timm
import torch.nn as nn
import torch.nn.functional as F
from mmengine.logging import print_log
from timm.models import load_pretrained
from torch import Tensor


def part_masks(seg_logits: Tensor, hard: bool = False, temperature: float = 1.0) -> Tensor:
    """Masks [B, P, H, W] from part logits [B, P, H, W].

    ``softmax(L / temperature)`` over the part dimension, or with ``hard`` the one-hot argmax,
    which has no gradient (in the logits' dtype).
    """
    if hard:
        labels = seg_logits.detach().argmax(dim=1)
        return F.one_hot(labels, seg_logits.shape[1]).permute(0, 3, 1, 2).to(seg_logits.dtype)
    return (seg_logits / temperature).softmax(dim=1)


def stop_gradient(values: Tensor, source: Tensor) -> Tensor:
    """``values`` with no gradient, kept in ``source``'s graph with a zero-weighted term.

    Gradient attacks (partmm's and AutoAttack's reference code) differentiate the class logits
    w.r.t. the input images and fail when the logits are not in the images' graph; through
    this term they get the true gradient of a path that ignores the images, zero. ``source``
    must broadcast to ``values`` and be finite.
    """
    return values.detach() + 0 * source


def masked_images(images: Tensor, masks: Tensor) -> Tensor:
    """Images [B, 3, H, W] times masks [B, K, H, W] -> one masked copy per mask [B, K, 3, H, W]."""
    return images.unsqueeze(1) * masks.unsqueeze(2)


def create_timm_network(model_name: str, num_classes: int, in_chans: int,
                        model_kwargs: dict) -> nn.Module:
    """``timm.create_model`` at random initialisation (``num_classes=0``: the pooled features);
    the pretrained weights come later, from :func:`load_timm_pretrained`."""
    return timm.create_model(model_name, pretrained=False, num_classes=num_classes,
                             in_chans=in_chans, **model_kwargs)


def load_timm_pretrained(network: nn.Module, num_classes: int, in_chans: int) -> None:
    """timm's pretrained weights of ``network``'s ``pretrained_cfg``, as ``TimmClassifier``
    loads them; timm adapts the first convolution to ``in_chans`` (repeating the RGB filters,
    scaled by 3 / ``in_chans``) and leaves the classifier at its initialisation when
    ``num_classes`` differs from the weights'."""
    source = network.pretrained_cfg
    load_pretrained(network, num_classes=num_classes, in_chans=in_chans)
    print_log(f'loaded the pretrained weights of {source.get("architecture")}.'
              f'{source.get("tag")} ({in_chans} input channels) from '
              f'{source.get("file") or source.get("hf_hub_id") or source.get("url")}',
              logger='current')
