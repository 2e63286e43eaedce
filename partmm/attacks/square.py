"""Square Attack (Andriushchenko et al., 2020), query-only, through pyautoattack."""

import torch
import torch.nn as nn
from torch import Tensor

from partmm.registry import ATTACKS

from .query_attack import QueryAttack
from .utils import private_rng

SQUARE_LOSSES = ('margin', 'ce')


@ATTACKS.register_module()
class SquareAttack(QueryAttack):
    """Score-based random search with square-shaped updates (``pyautoattack``'s Square).

    Attacks the class logits (``model.extract_logits(x)[0]`` through :class:`LogitsOnly`)
    with the true labels, untargeted, as in AutoAttack's standard version (margin loss,
    ``p_init`` 0.8, 5000 queries). Samples the model already misclassifies are returned
    unchanged; per sample the result is the first point found that is misclassified, or
    the input if none is found. Torch's global RNG state is the same after the attack as
    before (Square re-seeds it).

    Batching (:class:`QueryAttack`): Square draws one square position per step for the whole
    batch, so without ``per_sample`` a sample's result depends on its batch.

    Args:
        eps (float): Radius of the threat model in [0, 1] pixel units.
        norm (str): 'Linf' or 'L2'. Defaults to 'Linf'.
        n_queries (int): Query budget per sample and restart. Defaults to 5000.
        p_init (float): Initial fraction of pixels changed per square. Defaults to 0.8.
        n_restarts (int): Restarts of the random search. Defaults to 1.
        loss (str): 'margin' or 'ce'. Defaults to 'margin'.
        per_sample (bool): Attack sample by sample (batch-independent). Defaults to False.
        seed (int): Seed of the random search. Defaults to 0.
        bn_mode (str): 'eval', 'train' or 'keep'. Defaults to 'eval'.
    """

    def __init__(self,
                 eps: float,
                 norm: str = 'Linf',
                 n_queries: int = 5000,
                 p_init: float = 0.8,
                 n_restarts: int = 1,
                 loss: str = 'margin',
                 per_sample: bool = False,
                 seed: int = 0,
                 bn_mode: str = 'eval') -> None:
        super().__init__(eps=eps, norm=norm, per_sample=per_sample, seed=seed, bn_mode=bn_mode)
        if n_queries < 1 or n_restarts < 1 or not 0.0 < p_init <= 1.0:
            raise ValueError(f'need n_queries >= 1, n_restarts >= 1 and p_init in (0, 1]; got '
                             f'{n_queries}, {n_restarts}, {p_init}')
        if loss not in SQUARE_LOSSES:
            raise ValueError(f'loss must be one of {SQUARE_LOSSES}, got "{loss}"')
        self.n_queries = n_queries
        self.p_init = p_init
        self.n_restarts = n_restarts
        self.loss = loss

    def run(self, network: nn.Module, images: Tensor, labels: Tensor, seed: int) -> Tensor:
        """Square on ``images`` [N, 3, H, W] with true ``labels`` [N] and ``seed``."""
        # Imported here: pyautoattack is needed only when this attack runs.
        from pyautoattack.square import SquareAttack as Square
        square = Square(network, norm=self.norm, n_queries=self.n_queries, eps=self.eps,
                        p_init=self.p_init, n_restarts=self.n_restarts, seed=seed,
                        loss=self.loss, device=images.device)
        with private_rng(images.device, seed), torch.no_grad():
            return square.perturb(images, labels)
