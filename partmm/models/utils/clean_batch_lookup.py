"""Per-sample side information of the batch being evaluated, found again from any image near
one of its clean images."""
from contextlib import contextmanager
from typing import Iterator, List, Tuple

import torch
from torch import Tensor


class CleanBatchLookup:
    """Holds per-sample tensors of a clean batch and returns the rows of other images by their
    nearest clean image.

    Some diagnostic models need, besides the image, something per sample that an attack
    cannot change: the ground-truth part maps, or the part masks of the clean image. Attacks
    call a model with adversarial images, sometimes of a subset of the batch (AutoAttack keeps
    attacking only the samples still classified correctly; query attacks go sample by sample),
    so the rows are found by image: each image takes the row of the clean image nearest to it
    in Linf, which for an adversarial image is its own clean image as long as the attack's eps
    is below half the distance between two clean images of the batch. An image farther than
    ``max_distance`` from every clean image is an error, not a guess.

    Args:
        owner (str): Named in errors (the model's class).
        max_distance (float): Largest Linf distance, in [0, 1] pixel units, of an image from
            its clean image. Defaults to 0.25 (64/255, beyond any threat model of the papers).
    """

    def __init__(self, owner: str, max_distance: float = 0.25) -> None:
        self.owner = owner
        self.max_distance = max_distance
        self._bound: List[Tuple[Tensor, Tensor]] = []

    @contextmanager
    def bind(self, clean_images: Tensor, values: Tensor) -> Iterator[None]:
        """Within the block, :meth:`lookup` answers from ``clean_images`` [B, 3, H, W] and their
        ``values`` [B, ...]; blocks nest, the innermost answers."""
        if len(clean_images) != len(values):
            raise ValueError(f'{self.owner}: {len(clean_images)} clean images but '
                             f'{len(values)} rows of side information')
        self._bound.append((clean_images.detach(), values.detach()))
        try:
            yield
        finally:
            self._bound.pop()

    @property
    def is_bound(self) -> bool:
        return bool(self._bound)

    def lookup(self, images: Tensor) -> Tensor:
        """Rows [N, ...] of ``values`` for ``images`` [N, 3, H, W] (see the class docstring)."""
        if not self._bound:
            raise RuntimeError(
                f'{self.owner} needs the batch it evaluates (ground truth or clean images): '
                'call it through loss/predict or an attack, which bind the batch first')
        clean, values = self._bound[-1]
        if images.shape[1:] != clean.shape[1:]:
            raise ValueError(f'{self.owner}: images of shape {tuple(images.shape[1:])} do not '
                             f'match the bound batch\'s {tuple(clean.shape[1:])}')
        with torch.no_grad():
            # One clean image at a time: memory N x image, not N x B x image.
            distances = torch.stack([(images.detach() - one).abs().flatten(1).amax(dim=1)
                                     for one in clean], dim=1)
            nearest, rows = distances.min(dim=1)
        if (nearest > self.max_distance).any():
            worst = int(nearest.argmax())
            raise ValueError(
                f'{self.owner}: image {worst} of the call is {float(nearest[worst]):.3f} (Linf) '
                f'from every clean image of the bound batch, more than {self.max_distance}: '
                'it is not one of them, nor an attack on one')
        return values[rows.to(values.device)]
