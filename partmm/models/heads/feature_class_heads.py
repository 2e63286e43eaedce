"""Class heads of the two-head part models, on the segmenter's features instead of its part
logits ("2heads_d" and "2heads_e" in the original code)."""
from typing import Optional, Sequence, Tuple, Union

import torch.nn as nn
from torch import Tensor

from partmm.registry import MODELS

from .base_part_head import BasePartHead


def deepest_map(head: BasePartHead, features: Sequence[Tensor]) -> Tensor:
    """The last of a backbone's maps [B, D, h, w], checked against ``head.in_channels``."""
    deepest = features[-1]
    if deepest.shape[1] != head.in_channels:
        raise ValueError(f'{type(head).__name__} expects {head.in_channels} channels in the '
                         f'deepest feature map, got {deepest.shape[1]}: set in_channels')
    return deepest


@MODELS.register_module()
class DecoderFeatureClassHead(BasePartHead):
    """Classify from the decode head's last feature map, beside the part segmentation.

    The original's ``2heads_d``: decoder features [B, D, h, w] (256 x 56 x 56 for the smp
    DeepLabV3+ at 224 px) -> Conv2d(D, 50, 3) -> BN -> ReLU -> MaxPool2 -> Conv2d(50, 10, 1) ->
    BN -> ReLU -> MaxPool2 -> Flatten -> Linear(10 h' w', 100) -> ReLU -> Linear(100, C), where
    h' = ((h - 2) // 2) // 2 (13 at h = 56, so 1690 features). The part logits still train the
    segmenter through the part loss; the class path does not read them.

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        in_channels (int): D, the decoder's channels. Defaults to 256.
        feature_size (int | tuple[int, int]): (h, w) of the decoder map (56 at 224 px).
        init_cfg (dict, optional): mmengine initialisation config.
    """

    inputs = ('decoder_features', )

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 feature_size: Union[int, Tuple[int, int]],
                 in_channels: int = 256,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, init_cfg=init_cfg)
        self.feature_size = (feature_size, ) * 2 if isinstance(feature_size, int) else tuple(
            feature_size)
        pooled = [(side - 2) // 2 // 2 for side in self.feature_size]
        if min(pooled) < 1:
            raise ValueError(f'feature_size {self.feature_size} is too small for two 2x poolings '
                             'after a 3x3 convolution (at least 6 pixels a side)')
        self.classifier = nn.Sequential(
            nn.Conv2d(in_channels, 50, 3), nn.BatchNorm2d(50), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(50, 10, 1), nn.BatchNorm2d(10), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(10 * pooled[0] * pooled[1], 100), nn.ReLU(inplace=True),
            nn.Linear(100, num_classes))

    def forward(self, decoder_features: Tensor) -> Tensor:
        """Class logits [B, C] from decoder features [B, D, h, w]."""
        if tuple(decoder_features.shape[-2:]) != self.feature_size:
            raise ValueError(f'{type(self).__name__} was built for decoder maps of '
                             f'{self.feature_size}, got {tuple(decoder_features.shape[-2:])}: '
                             'set feature_size to the decoder output size of this input size')
        return self.classifier(decoder_features)


@MODELS.register_module()
class EncoderFeatureClassHead(BasePartHead):
    """Classify from the encoder's deepest feature map, beside the part segmentation.

    The original's ``2heads_e`` (also paper (b)'s PACO model): the last backbone map
    [B, D, h, w] (2048 x 14 x 14 for ResNet-50 at OS16, 224 px) -> AdaptiveAvgPool2d(k) -> BN ->
    ReLU -> Conv2d(D, 64, k) -> BN -> ReLU -> Flatten -> Linear(64, C), k = 4. The original
    swapped this model's two outputs (pitfall 6 of the reference); here the class logits are
    the class logits.

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        in_channels (int): D, channels of the deepest map. Defaults to 2048.
        pool_size (int): k. Defaults to 4.
        hidden_channels (int): Defaults to 64.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    inputs = ('features', )

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 in_channels: int = 2048,
                 pool_size: int = 4,
                 hidden_channels: int = 64,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, init_cfg=init_cfg)
        self.in_channels = in_channels
        self.classifier = nn.Sequential(
            nn.AdaptiveAvgPool2d(pool_size), nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
            nn.Conv2d(in_channels, hidden_channels, pool_size), nn.BatchNorm2d(hidden_channels),
            nn.ReLU(inplace=True), nn.Flatten(), nn.Linear(hidden_channels, num_classes))

    def forward(self, features: Sequence[Tensor]) -> Tensor:
        """Class logits [B, C] from the backbone's maps (the last one is read)."""
        return self.classifier(deepest_map(self, features))


@MODELS.register_module()
class BackboneLinearClassHead(BasePartHead):
    """Classify with one linear layer on the pooled deepest backbone map.

    The original's two-head DINO model (``MultiHeadDinoModel``): the detector's backbone is
    shared, its last level [B, D, h, w] -> AdaptiveAvgPool2d(1) -> Flatten -> Linear(D, C);
    the detector trains the backbone through its set losses beside.

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, part labels including background.
        in_channels (int): D, channels of the deepest map. Defaults to 2048.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    inputs = ('features', )

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 in_channels: int = 2048,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, init_cfg=init_cfg)
        self.in_channels = in_channels
        self.classifier = nn.Sequential(
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(in_channels, num_classes))

    def forward(self, features: Sequence[Tensor]) -> Tensor:
        """Class logits [B, C] from the backbone's maps (the last one is read)."""
        return self.classifier(deepest_map(self, features))
