"""A partmm classifier seen as a plain ``nn.Module`` from images to class logits."""
import torch.nn as nn
from torch import Tensor


class LogitsOnly(nn.Module):
    """``forward(x)`` -> ``model.extract_logits(x)[0]``, for third-party attack libraries.

    Libraries such as AutoAttack and foolbox expect ``model(x)`` to return class logits; a
    partmm classifier's ``forward`` takes a ``mode`` and its ``extract_logits`` also returns the
    part logits. The wrapper holds ``model`` as a submodule (``.to()`` reaches it) and starts
    with the model's own train/eval flag, set on the wrapper alone so that a mixed state of
    the model's modules is left as it is; calling ``.train()``/``.eval()`` on the wrapper does
    change the model's modes, as for any ``nn.Module``.

    Args:
        model (nn.Module): Anything with ``extract_logits(x)`` -> (class logits, ...).

    Inputs / outputs:
        x: images [B, 3, H, W] in [0, 1] -> class logits [B, C].
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        # Not self.train(...): that would overwrite every submodule's flag.
        self.training = model.training

    def forward(self, x: Tensor) -> Tensor:
        return self.model.extract_logits(x)[0]
