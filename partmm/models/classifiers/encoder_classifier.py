"""A classifier on a part model's own encoder: the matched baseline of a part model."""
from typing import Tuple

import torch.nn as nn
from torch import Tensor

from partmm.registry import MODELS

from .base_pixel_classifier import BasePixelClassifier


@MODELS.register_module()
class EncoderClassifier(BasePixelClassifier):
    """Global average pooling and a linear layer on an mmseg backbone's deepest map.

    ``inputs`` [B, 3, H, W] in [0, 1] -> normalise -> ``backbone`` (any mmseg backbone, e.g.
    the part model's ``model.segmentor.backbone``, taken from its config so that both stay
    the same network) -> last map [B, D, h, w] -> AdaptiveAvgPool2d(1) -> Linear(D, C). With
    the part model's encoder, width and input size this is the papers' comparison: the same
    backbone with and without the part segmentation in between. It has no part map; the
    pipeline's part annotations are ignored.

    Args:
        backbone (dict): mmseg backbone config.
        num_classes (int): Number of object classes C.
        in_channels (int): D, channels of the backbone's last map.
        **kwargs: :class:`BasePixelClassifier` arguments.
    """

    def __init__(self, backbone: dict, num_classes: int, in_channels: int, **kwargs) -> None:
        super().__init__(num_classes=num_classes, **kwargs)
        self.backbone = MODELS.build(backbone)
        self.in_channels = in_channels
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                  nn.Linear(in_channels, num_classes))

    def extract_logits(self, inputs: Tensor) -> Tuple[Tensor, None]:
        """Class logits [B, C] from [0, 1] images; there is no part map (None)."""
        deepest = self.backbone(self.normalize(inputs))[-1]
        if deepest.shape[1] != self.in_channels:
            raise ValueError(f'model.in_channels = {self.in_channels}, but the backbone\'s last '
                             f'map has {deepest.shape[1]} channels')
        return self.head(deepest), None
