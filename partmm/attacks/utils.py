"""Pieces several attacks share: per-sample best iterates, part-model checks, private RNG."""
from contextlib import contextmanager
from typing import Iterator, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


@contextmanager
def private_rng(device: torch.device, seed: int) -> Iterator[None]:
    """Seed torch's global generators with ``seed`` inside, restore them afterwards.

    Third-party attacks draw from (and re-seed) the global generators; forking keeps the
    caller's random stream (data augmentation, other attacks) as if they had not run. Forked:
    the CPU generator, ``device``'s and the current CUDA device's; other GPUs' generators
    (re-seeded by ``torch.manual_seed`` too) are not forked, which would initialise them.
    """
    devices = []
    if torch.cuda.is_available():
        devices = [torch.cuda.current_device()]
        if device.type == 'cuda' and device.index is not None:
            devices = sorted({device.index, devices[0]})
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def require_part_model(model: nn.Module, attack: object) -> None:
    """Raise a ValueError naming both types unless ``model`` has part logits and a part head
    that reads them alone (the attacks that call it score candidate part maps with it)."""
    if getattr(model, 'part_head', None) is None or getattr(model, 'num_part_labels',
                                                            None) is None:
        raise ValueError(f'{type(attack).__name__} needs a part model (part logits and a '
                         f'part_head, e.g. PartClassifier); {type(model).__name__} has none')
    inputs = tuple(getattr(model.part_head, 'inputs', ('seg_logits', )))
    if inputs != ('seg_logits', ):
        raise ValueError(f'{type(attack).__name__} scores part maps with the model\'s part head '
                         f'alone, but {type(model.part_head).__name__} reads {inputs}: it needs '
                         'a head on part logits only (BoundingBoxPartHead, DownsampledPartHead, '
                         'PixelCountPartHead, MaskPartHead without the image)')


class BestIterate:
    """Per sample, the most damaging input seen so far.

    With ``prefer_fooled`` (the default) a misclassified input beats a correctly classified
    one, and between two of the same kind the higher loss wins (the class cross-entropy w.r.t.
    the true label unless the caller passes its own), so more steps or restarts never raise
    accuracy; without it only the loss counts, and a later input wins a tie (the original
    code's restart selection, which ``PGDAttack(select='last')`` reproduces: ties are real, e.g.
    a confidently right sample whose float32 loss is exactly 0 in every restart).

    Args:
        start (Tensor): Initial best inputs [B, ...] (the clean images, or logit maps).
        labels (Tensor): True labels, long [B].
        prefer_fooled (bool): Rank misclassified inputs first. Defaults to True.
    """

    def __init__(self, start: Tensor, labels: Tensor, prefer_fooled: bool = True) -> None:
        self.labels = labels
        self.prefer_fooled = prefer_fooled
        self.best = start.detach().clone()
        self.fooled = torch.zeros(len(start), dtype=torch.bool, device=start.device)
        self.losses = torch.full((len(start), ), -float('inf'), device=start.device)

    def update(self, candidate: Tensor, class_logits: Tensor,
               losses: Optional[Tensor] = None) -> None:
        """Keep ``candidate`` [B, ...] where it beats the best; ``class_logits`` [B, C]."""
        class_logits = class_logits.detach()
        if losses is None:
            losses = F.cross_entropy(class_logits, self.labels, reduction='none')
        losses = losses.detach()
        fooled = class_logits.argmax(dim=1) != self.labels
        if self.prefer_fooled:
            better = (fooled & ~self.fooled) | ((fooled == self.fooled) & (losses > self.losses))
        else:
            better = losses >= self.losses
        self.best[better] = candidate.detach()[better]
        self.fooled[better] = fooled[better]
        self.losses[better] = losses[better]
