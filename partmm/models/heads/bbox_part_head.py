"""The Bounding-Box part head ("wbbox" in the original code)."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from partmm.registry import MODELS
from partmm.structures import PartDataSample, batch_ignore_index

from .base_part_head import BasePartHead


@MODELS.register_module()
class BoundingBoxPartHead(BasePartHead):
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

    Classifier: [Conv1d(d, 10, 1) over the K parts, with ``conv1d``] -> Flatten -> BN1d(D) ->
    Linear(D, hidden) -> ReLU -> BN1d(hidden) -> Linear(hidden, C), with d = 5 features per
    part (4 without the score), K = P - 1 parts (P with ``drop_background=False``, which adds
    the background's row) and D = K * d (K * 10 with ``conv1d``).

    Centroid supervision (the original's ``centroid`` option, whose loss never ran there): with
    ``centroid_loss_weight`` > 0 the head adds ``loss_centroid``, the mean squared error
    between the predicted centroids (cx, cy) and those of the ground-truth part map, over the
    parts present in it (unlabelled pixels left out), and ``loss_mass``, the cross-entropy of
    the per-object mass fractions (each object's part masses, summed through ``part_to_class``,
    over H * W) taken as class logits, both times the weight.

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        hidden_channels (int): Width of the hidden layer. Defaults to 50.
        normalize_coords (bool): Normalise centroids and spreads by the image size
            (``norm_img``). Defaults to True.
        use_score (bool): Include the part score (False is ``no_score``). Defaults to True.
        original_features (bool): The original code's feature arithmetic (see above), for
            its released weights. Defaults to False.
        conv1d (bool): Mix each part's features with a 1x1 Conv1d to 10 channels first
            (``conv1d``). Defaults to False.
        drop_background (bool): Leave the background out (the original always does).
            Defaults to True.
        centroid_loss_weight (float): Weight of the centroid and mass losses; 0 (default)
            adds none.
        part_to_class (Sequence[int], optional): Class index of each part label (-1 for
            background); needed for the mass loss.
        eps (float): Numerical guard. Defaults to 1e-6.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    CONV1D_CHANNELS = 10

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 hidden_channels: int = 50,
                 normalize_coords: bool = True,
                 use_score: bool = True,
                 original_features: bool = False,
                 conv1d: bool = False,
                 drop_background: bool = True,
                 centroid_loss_weight: float = 0.0,
                 part_to_class: Optional[Sequence[int]] = None,
                 eps: float = 1e-6,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, drop_background=drop_background,
                         init_cfg=init_cfg)
        if centroid_loss_weight < 0:
            raise ValueError(f'centroid_loss_weight must be >= 0, got {centroid_loss_weight}')
        if centroid_loss_weight > 0 and part_to_class is None:
            raise ValueError('centroid_loss_weight > 0 needs part_to_class (the mass loss sums '
                             'the part masses per object)')
        if part_to_class is not None and len(part_to_class) != num_part_labels:
            raise ValueError(f'part_to_class has {len(part_to_class)} entries, expected '
                             f'num_part_labels = {num_part_labels}')
        self.normalize_coords = normalize_coords
        self.use_score = use_score
        self.original_features = original_features
        self.centroid_loss_weight = centroid_loss_weight
        self.part_to_class = None if part_to_class is None else list(part_to_class)
        self.eps = eps
        self.num_features = 5 if use_score else 4
        per_part = self.CONV1D_CHANNELS if conv1d else self.num_features
        # [B, K, d] -> [B, d, K], the layout of the original's Conv1d over parts.
        self.mix = nn.Conv1d(self.num_features, self.CONV1D_CHANNELS, 1) if conv1d else None
        in_channels = self.num_mask_channels * per_part
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

    def _centroids(self, masks: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
        """(cx, cy, sdx, sdy), each [B, K], of masks [B, K, H, W]."""
        height, width = masks.shape[-2:]
        mass = masks.sum(dim=(2, 3)) + self.eps
        cx, sdx = self._axis_stats(masks.sum(dim=2), mass, width)
        cy, sdy = self._axis_stats(masks.sum(dim=3), mass, height)
        return cx, cy, sdx, sdy

    def extract_features(self, seg_logits: Tensor) -> Tensor:
        """Per-part features.

        Args:
            seg_logits (Tensor): Part logits [B, P, H, W].

        Returns:
            Tensor: [B, K, 5] as (score, cx, cy, sdx, sdy), or [B, K, 4] without score.
        """
        self.check_seg_logits(seg_logits)
        height, width = seg_logits.shape[-2:]
        if self.original_features and height != width:
            raise ValueError(f'original_features is defined for square inputs only (the '
                             f'original uses one grid for both axes), got {height}x{width}')
        stats = list(self._centroids(self.select_masks(seg_logits.softmax(dim=1))))
        if self.use_score:
            part_logits = seg_logits[:, 1:]
            foreground = torch.sigmoid(part_logits.sum(dim=1) - seg_logits[:, 0])
            weight = foreground / foreground.sum(dim=(1, 2), keepdim=True).clamp_min(self.eps)
            stats.insert(0, (self.select_masks(seg_logits) * weight.unsqueeze(1)).sum(
                dim=(2, 3)))
        return torch.stack(stats, dim=-1)

    def forward(self, seg_logits: Tensor) -> Tensor:
        """Class logits [B, C] from part logits [B, P, H, W]."""
        features = self.extract_features(seg_logits)
        if self.mix is not None:
            features = self.mix(features.transpose(1, 2))
        return self.classifier(features)

    def extra_losses(self, seg_logits: Tensor,
                     data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """``loss_centroid`` and ``loss_mass`` (class description) when
        ``centroid_loss_weight`` > 0, else nothing."""
        if self.centroid_loss_weight == 0:
            return {}
        masks = seg_logits.softmax(dim=1)
        part_masks = masks[:, 1:]
        cx, cy, _, _ = self._centroids(part_masks)
        targets = torch.stack([sample.gt_sem_seg.data[0] for sample in data_samples]).to(
            seg_logits.device).long()
        labelled = targets != batch_ignore_index(data_samples)
        one_hot = F.one_hot(targets.where(labelled, torch.zeros_like(targets)),
                            self.num_part_labels).permute(0, 3, 1, 2)[:, 1:]
        one_hot = (one_hot * labelled.unsqueeze(1)).to(masks.dtype)
        present = one_hot.sum(dim=(2, 3)) > 0
        gt_cx, gt_cy, _, _ = self._centroids(one_hot)
        squared = (cx - gt_cx)**2 + (cy - gt_cy)**2
        centroid = (squared * present).sum() / present.sum().clamp_min(1)
        to_class = torch.tensor(self.part_to_class[1:], device=masks.device)
        fractions = masks.new_zeros(masks.shape[0], self.num_classes).index_add_(
            1, to_class, part_masks.mean(dim=(2, 3)))
        labels = torch.cat([sample.gt_label for sample in data_samples]).to(masks.device)
        return dict(loss_centroid=self.centroid_loss_weight * centroid,
                    loss_mass=self.centroid_loss_weight * F.cross_entropy(fractions, labels))
