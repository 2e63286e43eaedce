"""The Bounding-Box part head ("wbbox" in the original code)."""
from typing import Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from torch import Tensor

from partmm.registry import MODELS


@MODELS.register_module()
class BoundingBoxPartHead(BaseModule):
    """Classify from each part's score, centroid and spread in the segmenter's output.

    Sitawarin et al., "Part-Based Models Improve Adversarial Robustness", ICLR 2023
    (https://arxiv.org/abs/2209.09117), "Bounding-Box" model. From part logits ``L``
    [B, P, H, W] (channel 0 = background) and ``M = softmax(L)``, for every part p >= 1:

    - score ``s_p = sum_hw L_p * f / max(sum_hw f, 1e-6)`` with foreground weight
      ``f = sigmoid(sum_{q>=1} L_q - L_0)``;
    - centroid ``cx_p = sum_w w * X_p(w) / S_p`` with ``X_p(w) = sum_h M_p(h, w)`` and
      ``S_p = sum_hw M_p + eps``; ``cy_p`` likewise over rows;
    - spread ``sdx_p = sqrt(sum_w X_p(w) (w - cx_p)^2 / S_p + eps)``; ``sdy_p`` likewise.

    Unlike the original, x uses column indices 0..W-1 and y row indices 0..H-1 (correct for
    non-square inputs) and ``eps`` enters only the mass and the square root. With
    ``normalize_coords`` the centroids become ``(2 c + 1) / size - 1`` (pixel centres in
    [-1, 1], the ``align_corners=False`` convention) and spreads ``2 sd / size``.

    ``original_features=True`` computes the original code's features instead, exactly: ``eps``
    added to every profile entry ``X_p(w)``, ``Y_p(h)`` as well as to the mass, no ``eps`` in
    the square root, and centroids normalised as ``2 c / size - 1``. The authors' released
    weights need it: their BatchNorm statistics were collected on those features. The
    original uses one coordinate grid for both axes, so it is defined for square inputs only;
    this option refuses others.

    Classifier: Flatten -> BN1d(D) -> Linear(D, hidden) -> ReLU -> BN1d(hidden) ->
    Linear(hidden, C), with D = (P - 1) * 5 (or * 4 without the score).

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        hidden_channels (int): Width of the hidden layer. Defaults to 50.
        normalize_coords (bool): Normalise centroids and spreads by the image size
            (``norm_img``). Defaults to True.
        use_score (bool): Include the part score (False is ``no_score``). Defaults to True.
        original_features (bool): The original code's feature arithmetic (see above), for
            its released weights. Defaults to False.
        eps (float): Numerical guard. Defaults to 1e-6.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 hidden_channels: int = 50,
                 normalize_coords: bool = True,
                 use_score: bool = True,
                 original_features: bool = False,
                 eps: float = 1e-6,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_part_labels < 2:
            raise ValueError(f'num_part_labels must include background and >= 1 part, '
                             f'got {num_part_labels}')
        self.num_classes = num_classes
        self.num_part_labels = num_part_labels
        self.normalize_coords = normalize_coords
        self.use_score = use_score
        self.original_features = original_features
        self.eps = eps
        self.num_features = 5 if use_score else 4
        in_channels = (num_part_labels - 1) * self.num_features
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.BatchNorm1d(in_channels),
            nn.Linear(in_channels, hidden_channels),
            nn.ReLU(inplace=True),
            nn.BatchNorm1d(hidden_channels),
            nn.Linear(hidden_channels, num_classes),
        )

    def _axis_stats(self, profile: Tensor, mass: Tensor, size: int) -> tuple:
        """Centroid and spread along one axis from a profile [B, P-1, size]."""
        coords = torch.arange(size, dtype=profile.dtype, device=profile.device)
        if self.original_features:
            profile = profile + self.eps
        centre = (profile * coords).sum(-1) / mass
        variance = (profile * (coords - centre.unsqueeze(-1))**2).sum(-1) / mass
        spread = variance.sqrt() if self.original_features else (variance + self.eps).sqrt()
        if self.normalize_coords:
            offset = 0 if self.original_features else 1
            centre = (2 * centre + offset) / size - 1
            spread = 2 * spread / size
        return centre, spread

    def extract_features(self, seg_logits: Tensor) -> Tensor:
        """Per-part features.

        Args:
            seg_logits (Tensor): Part logits [B, P, H, W].

        Returns:
            Tensor: [B, P-1, 5] as (score, cx, cy, sdx, sdy), or [B, P-1, 4] without score.
        """
        if seg_logits.shape[1] != self.num_part_labels:
            raise ValueError(f'{type(self).__name__} expects {self.num_part_labels} part '
                             f'channels, got seg logits of shape {tuple(seg_logits.shape)}')
        height, width = seg_logits.shape[-2:]
        if self.original_features and height != width:
            raise ValueError(f'original_features is defined for square inputs only (the '
                             f'original uses one grid for both axes), got {height}x{width}')
        masks = seg_logits.softmax(dim=1)[:, 1:]
        mass = masks.sum(dim=(2, 3)) + self.eps
        cx, sdx = self._axis_stats(masks.sum(dim=2), mass, width)
        cy, sdy = self._axis_stats(masks.sum(dim=3), mass, height)
        stats = [cx, cy, sdx, sdy]
        if self.use_score:
            part_logits = seg_logits[:, 1:]
            foreground = torch.sigmoid(part_logits.sum(dim=1) - seg_logits[:, 0])
            weight = foreground / foreground.sum(dim=(1, 2), keepdim=True).clamp_min(self.eps)
            stats.insert(0, (part_logits * weight.unsqueeze(1)).sum(dim=(2, 3)))
        return torch.stack(stats, dim=-1)

    def forward(self, seg_logits: Tensor) -> Tensor:
        """Class logits [B, C] from part logits [B, P, H, W]."""
        return self.classifier(self.extract_features(seg_logits))
