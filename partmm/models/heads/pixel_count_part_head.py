"""The pixel-count part head ("pixel" in the original code; paper (b)'s "sim" on pixels)."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from partmm.registry import MODELS

from .base_part_head import BasePartHead

AGGREGATIONS = ('plain', 'softmax_mask', 'logits_mask')


def part_to_class_matrix(part_to_class: Sequence[int], num_classes: int,
                         with_background: bool) -> Tensor:
    """One-hot [P, C + 1] (background column first) or [P, C] map from part labels to classes.

    Row p has a 1 in the column of ``part_to_class[p]`` (-1, the background, maps to column 0
    when ``with_background``, else to no column).
    """
    offset = 1 if with_background else 0
    matrix = torch.zeros(len(part_to_class), num_classes + offset)
    for part, class_index in enumerate(part_to_class):
        if not -1 <= class_index < num_classes:
            raise ValueError(f'part_to_class[{part}] = {class_index} is outside -1..'
                             f'{num_classes - 1}')
        if class_index >= 0 or with_background:
            matrix[part, class_index + offset] = 1.0
    return matrix


@MODELS.register_module()
class PixelCountPartHead(BasePartHead):
    """Class scores from the part logits grouped per class, with no parameters of its own.

    From part logits ``L`` [B, P, H, W], class maps ``Z = A^T L`` [B, C + 1, H, W] sum each
    class's part logits (``A`` = :func:`part_to_class_matrix`; column 0 the background). Then,
    per class c (background column dropped):

    - ``plain``: ``mean_hw Z_c``;
    - ``softmax_mask``: ``sum_hw f_hat * softmax(Z)_c``;
    - ``logits_mask``: ``sum_hw f_hat * Z_c``;

    with the Bounding-Box head's foreground weight ``f = sigmoid(sum_{p>=1} L_p - L_0)``,
    ``f_hat = f / max(sum_hw f, eps)``. With ``drop_background`` the background logit enters
    neither ``Z`` (no background column, the softmax runs over the C classes) nor ``f``
    (``f = sigmoid(sum_{p>=1} L_p)``). With ``learnable`` the matrix ``A`` is a parameter,
    initialised from ``part_to_class`` (paper (b)'s ``learn_mask``).

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        part_to_class (Sequence[int]): Class index of each part label, -1 for background (the
            dataset's metainfo ``part_to_class``).
        aggregation (str): 'plain', 'softmax_mask' or 'logits_mask'. Defaults to 'plain'.
        drop_background (bool): Leave the background logit out. Defaults to False.
        learnable (bool): Train the part-to-class matrix. Defaults to False.
        eps (float): Numerical guard of the foreground weight. Defaults to 1e-6.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 part_to_class: Sequence[int],
                 aggregation: str = 'plain',
                 drop_background: bool = False,
                 learnable: bool = False,
                 eps: float = 1e-6,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, drop_background=drop_background,
                         init_cfg=init_cfg)
        if aggregation not in AGGREGATIONS:
            raise ValueError(f'aggregation must be one of {AGGREGATIONS}, got {aggregation!r}')
        if len(part_to_class) != num_part_labels:
            raise ValueError(f'part_to_class has {len(part_to_class)} entries, expected '
                             f'num_part_labels = {num_part_labels}')
        self.part_to_class = list(part_to_class)
        self.aggregation = aggregation
        self.eps = eps
        matrix = part_to_class_matrix(part_to_class, num_classes, not drop_background)
        if learnable:
            self.matrix = nn.Parameter(matrix)
        else:
            self.register_buffer('matrix', matrix)

    def forward(self, seg_logits: Tensor) -> Tensor:
        """Class logits [B, C] from part logits [B, P, H, W]."""
        self.check_seg_logits(seg_logits)
        class_maps = torch.einsum('bphw,pc->bchw', seg_logits, self.matrix)
        first = 0 if self.drop_background else 1
        if self.aggregation == 'plain':
            return class_maps.mean(dim=(2, 3))[:, first:]
        part_sum = seg_logits[:, 1:].sum(dim=1)
        foreground = torch.sigmoid(part_sum if self.drop_background else
                                   part_sum - seg_logits[:, 0])
        weight = foreground / foreground.sum(dim=(1, 2), keepdim=True).clamp_min(self.eps)
        if self.aggregation == 'softmax_mask':
            class_maps = class_maps.softmax(dim=1)
        return (class_maps * weight.unsqueeze(1)).sum(dim=(2, 3))[:, first:]
