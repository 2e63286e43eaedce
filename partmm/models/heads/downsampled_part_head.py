"""The Downsampled part head ("pooling-k" in the original code)."""
from typing import Optional

import torch.nn as nn
from torch import Tensor

from partmm.registry import MODELS

from .base_part_head import BasePartHead


@MODELS.register_module()
class DownsampledPartHead(BasePartHead):
    """Classify from the part masks average-pooled to a k x k grid.

    Sitawarin et al., ICLR 2023 (https://arxiv.org/abs/2209.09117), "Downsampled" model:
    ``M = softmax(L)`` [B, K, H, W] -> AdaptiveAvgPool2d(k) -> [BN2d(K) -> ReLU, with
    ``pre_norm``] -> Conv2d(K, 5K, k) -> BN2d(5K) -> ReLU -> Flatten -> Linear(5K, hidden) ->
    BN1d(hidden) -> ReLU -> Linear(hidden, C). K = P, or P - 1 with ``drop_background``.
    Adaptive pooling handles any H, W (non-square, not divisible by k).

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        pool_size (int): k, the pooled grid size. Defaults to 4.
        hidden_channels (int): Width of the hidden layer. Defaults to 50.
        drop_background (bool): Drop the background mask (``no_bg``). Defaults to False.
        pre_norm (bool): BN2d + ReLU on the pooled masks (``bn``). Defaults to False.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 pool_size: int = 4,
                 hidden_channels: int = 50,
                 drop_background: bool = False,
                 pre_norm: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, drop_background=drop_background,
                         init_cfg=init_cfg)
        channels = self.num_mask_channels
        self.pool = nn.AdaptiveAvgPool2d(pool_size)
        self.pre_norm = nn.Sequential(nn.BatchNorm2d(channels),
                                      nn.ReLU(inplace=True)) if pre_norm else nn.Identity()
        self.classifier = nn.Sequential(
            nn.Conv2d(channels, 5 * channels, kernel_size=pool_size),
            nn.BatchNorm2d(5 * channels),
            nn.ReLU(inplace=True),
            nn.Flatten(),
            nn.Linear(5 * channels, hidden_channels),
            nn.BatchNorm1d(hidden_channels),
            nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, num_classes),
        )

    def extract_features(self, seg_logits: Tensor) -> Tensor:
        """Pooled masks [B, K, k, k] from part logits [B, P, H, W]."""
        self.check_seg_logits(seg_logits)
        return self.pool(self.select_masks(seg_logits.softmax(dim=1)))

    def forward(self, seg_logits: Tensor) -> Tensor:
        """Class logits [B, C] from part logits [B, P, H, W]."""
        return self.classifier(self.pre_norm(self.extract_features(seg_logits)))
