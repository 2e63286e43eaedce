"""HopSkipJump (Chen et al., 2020), decision-only, through foolbox 3."""
import os
import warnings

import torch
import torch.nn as nn
from torch import Tensor

from partmm.registry import ATTACKS

from .query_attack import QueryAttack
from .utils import private_rng

STEPSIZE_SEARCHES = ('geometric_progression', 'grid_search')


def import_foolbox():
    """foolbox, imported on first use (it is needed only by this attack).

    foolbox imports GitPython, which fails at import when no ``git`` executable is on PATH
    unless ``GIT_PYTHON_REFRESH`` says to stay quiet.
    """
    os.environ.setdefault('GIT_PYTHON_REFRESH', 'quiet')
    import foolbox
    return foolbox


@ATTACKS.register_module()
class HopSkipJumpAttack(QueryAttack):
    """Decision-based boundary walk (foolbox's ``HopSkipJumpAttack``), projected to eps.

    Queries only the predicted class (``model.extract_logits(x)[0]`` through
    :class:`LogitsOnly`, foolbox ``PyTorchModel`` with bounds (0, 1)). For every sample the
    model classifies correctly, a starting adversarial is searched by blending the image with
    uniform noise (foolbox's ``LinearSearchBlendedUniformNoiseAttack``, ``init_directions``
    noise draws, ``init_steps`` blending steps); HopSkipJump then minimises the distance to
    the image in the attack's norm, and :class:`BaseAttack` projects the result onto the
    eps-ball (the original protocol), so the returned point need not be misclassified.
    Returned unchanged: samples already misclassified, and samples for which no starting
    adversarial was found (with an untrained or constant model, noise may never change the
    class). Defaults are the original evaluation's: 32 steps, 100 initial / 10,000 maximum
    gradient-estimation queries, gamma 1, geometric step-size search. Torch's global RNG
    state is the same after the attack as before.

    Batching (:class:`QueryAttack`): noise draws and loop lengths are shared across the
    batch, so without ``per_sample`` a sample's result depends on its batch.

    Args:
        eps (float): Radius of the threat model in [0, 1] pixel units.
        norm (str): 'Linf' or 'L2' (foolbox's constraint 'linf' / 'l2'). Defaults to 'Linf'.
        steps (int): HopSkipJump iterations. Defaults to 32.
        initial_gradient_eval_steps (int): Gradient-estimation queries at step 1 (growing
            with sqrt(step)). Defaults to 100.
        max_gradient_eval_steps (int): Their cap. Defaults to 10000.
        gamma (float): Binary-search threshold factor. Defaults to 1.0.
        stepsize_search (str): 'geometric_progression' or 'grid_search'.
        init_directions (int): Noise draws when searching a starting point. Defaults to 1000.
        init_steps (int): Blending steps toward the chosen noise. Defaults to 50.
        per_sample (bool): Attack sample by sample (batch-independent). Defaults to False.
        seed (int): Seed of the random draws. Defaults to 0.
        bn_mode (str): 'eval', 'train' or 'keep'. Defaults to 'eval'.
    """

    def __init__(self,
                 eps: float,
                 norm: str = 'Linf',
                 steps: int = 32,
                 initial_gradient_eval_steps: int = 100,
                 max_gradient_eval_steps: int = 10000,
                 gamma: float = 1.0,
                 stepsize_search: str = 'geometric_progression',
                 init_directions: int = 1000,
                 init_steps: int = 50,
                 per_sample: bool = False,
                 seed: int = 0,
                 bn_mode: str = 'eval') -> None:
        super().__init__(eps=eps, norm=norm, per_sample=per_sample, seed=seed, bn_mode=bn_mode)
        if steps < 0 or initial_gradient_eval_steps < 1 or max_gradient_eval_steps < 1:
            raise ValueError('need steps >= 0 and gradient-evaluation counts >= 1; got '
                             f'{steps}, {initial_gradient_eval_steps}, '
                             f'{max_gradient_eval_steps}')
        if init_directions < 1 or init_steps < 1:
            raise ValueError(f'need init_directions >= 1 and init_steps >= 1; got '
                             f'{init_directions}, {init_steps}')
        if stepsize_search not in STEPSIZE_SEARCHES:
            raise ValueError(f'stepsize_search must be one of {STEPSIZE_SEARCHES}, got '
                             f'"{stepsize_search}"')
        self.steps = steps
        self.initial_gradient_eval_steps = initial_gradient_eval_steps
        self.max_gradient_eval_steps = max_gradient_eval_steps
        self.gamma = gamma
        self.stepsize_search = stepsize_search
        self.init_directions = init_directions
        self.init_steps = init_steps

    def run(self, network: nn.Module, images: Tensor, labels: Tensor, seed: int) -> Tensor:
        """HopSkipJump on ``images`` [N, 3, H, W] with true ``labels`` [N] and ``seed``."""
        foolbox = import_foolbox()
        fmodel = foolbox.PyTorchModel(network, bounds=(0, 1), device=images.device)
        result = images.clone()
        with private_rng(images.device, seed), torch.no_grad():
            todo = (network(images).argmax(dim=1) == labels).nonzero().flatten()
            if not len(todo):
                return result
            init_attack = foolbox.attacks.LinearSearchBlendedUniformNoiseAttack(
                directions=self.init_directions, steps=self.init_steps)
            with warnings.catch_warnings():
                # Failures are expected and handled below (those samples stay clean).
                warnings.filterwarnings('ignore', message='.*failed to draw sufficient')
                starts = init_attack.run(fmodel, images[todo],
                                         foolbox.criteria.Misclassification(labels[todo]))
            found = network(starts).argmax(dim=1) != labels[todo]
            todo, starts = todo[found], starts[found]
            if not len(todo):
                return result
            attack = foolbox.attacks.HopSkipJumpAttack(
                steps=self.steps,
                initial_gradient_eval_steps=self.initial_gradient_eval_steps,
                max_gradient_eval_steps=self.max_gradient_eval_steps,
                stepsize_search=self.stepsize_search,
                gamma=self.gamma,
                constraint='linf' if self.norm == 'Linf' else 'l2')
            result[todo] = attack.run(fmodel, images[todo],
                                      foolbox.criteria.Misclassification(labels[todo]),
                                      starting_points=starts)
        return result
