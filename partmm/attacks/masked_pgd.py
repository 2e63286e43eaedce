"""Masked PGD ("mpgd"): PGD that perturbs only the object's labelled foreground."""
from typing import List

import torch.nn as nn
from torch import Tensor

from partmm.registry import ATTACKS
from partmm.structures import PartDataSample, batch_ignore_index

from .pgd import PGDAttack

UNLABELLED = ('error', 'clean')


@ATTACKS.register_module()
class MaskedPGDAttack(PGDAttack):
    """PGD whose perturbation is zero outside the ground-truth foreground.

    The mask [B, 1, H, W] is 1 where the ground-truth part map is a part (``> 0`` and not
    the samples' ``ignore_index``), else 0. The random start and every gradient are multiplied
    by it (for L2 the step is normalised over the masked gradient, so the whole step goes to the
    foreground), so background and unlabelled pixels stay exactly as they were. Works for any
    model, part maps are read from the data samples only. Everything else is
    :class:`PGDAttack` (losses, restarts, ``select``, per-sample ``seed``).

    Samples without any labelled pixel (all ``ignore_index``) have no mask: with
    ``unlabelled='error'`` (default) they are a ValueError; with ``'clean'`` they are
    returned unchanged (a robust-accuracy number over such samples is then clean accuracy
    for them). A labelled sample with no foreground pixel is returned unchanged.

    Args:
        *args, **kwargs: :class:`PGDAttack` arguments (eps, steps, step_size, norm, restarts,
            random_start, loss, seg_loss_weight, select, bn_mode, seed).
        unlabelled (str): 'error' or 'clean'. Defaults to 'error'.
    """

    def __init__(self, *args, unlabelled: str = 'error', **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if unlabelled not in UNLABELLED:
            raise ValueError(f'unlabelled must be one of {UNLABELLED}, got "{unlabelled}"')
        self.unlabelled = unlabelled

    def perturbation_mask(self, model: nn.Module, images: Tensor,
                          data_samples: List[PartDataSample]) -> Tensor:
        """1 on ground-truth part pixels, 0 on background and unlabelled ones; [B, 1, H, W]."""
        part_maps = model.stack_part_maps(data_samples).to(images.device)
        if part_maps.shape[-2:] != images.shape[-2:]:
            raise ValueError(f'part maps of size {tuple(part_maps.shape[-2:])} do not match '
                             f'images of size {tuple(images.shape[-2:])}')
        ignore_index = batch_ignore_index(data_samples)
        unlabelled = (part_maps == ignore_index).flatten(1).all(dim=1)
        if self.unlabelled == 'error' and unlabelled.any():
            raise ValueError(
                f'{type(self).__name__} needs ground-truth part maps; samples '
                f'{unlabelled.nonzero().flatten().tolist()} of the batch have none (pass '
                'unlabelled="clean" to leave them unperturbed)')
        return ((part_maps > 0) & (part_maps != ignore_index)).to(images.dtype)
