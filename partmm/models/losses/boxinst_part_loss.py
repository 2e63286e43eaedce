"""Part supervision from part boxes alone: BoxInst's losses on a segmenter's part logits."""
from typing import Dict, List

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmdet.models.utils import unfold_wo_center
from mmengine.logging import MessageHub
from skimage.color import rgb2lab
from torch import Tensor

from partmm.registry import MODELS
from partmm.structures import PartDataSample, sample_ignore_index


def lab_color_similarity(image: Tensor, kernel_size: int, dilation: int) -> Tensor:
    """BoxInst's colour affinity of every pixel to its neighbours.

    Args:
        image: RGB [3, H, W] in [0, 1].
        kernel_size, dilation: The neighbourhood (``kernel_size**2 - 1`` neighbours).

    Returns:
        ``exp(-||lab_i - lab_j|| / 2)`` in CIELAB, [N, H, W] with N = kernel_size**2 - 1
        (neighbours outside the image give 0 affinity).
    """
    rgb = (image.detach().clamp(0, 1) * 255).round().byte().permute(1, 2, 0).cpu().numpy()
    lab = torch.as_tensor(rgb2lab(rgb).astype(np.float32), device=image.device)
    lab = lab.permute(2, 0, 1)[None]
    neighbours = unfold_wo_center(lab, kernel_size=kernel_size, dilation=dilation)
    # The norm over the 3 channels by hand: torch.norm over dim 1 of [1, 3, N, H, W] took 6 ms
    # per 64 px image, this 0.3 ms.
    distance = (lab[:, :, None] - neighbours).square().sum(dim=1).sqrt()
    similarity = torch.exp(-distance * 0.5)[0]
    inside = unfold_wo_center(torch.ones_like(lab[:, :1]), kernel_size=kernel_size,
                              dilation=dilation)[0, 0]
    return similarity * inside


@MODELS.register_module()
class BoxInstPartLoss(nn.Module):
    """Train a segmenter's part logits from part boxes instead of part masks (BoxInst).

    Tian et al., "BoxInst: High-Performance Instance Segmentation with Box Annotations", CVPR
    2021, on the part logits ``L`` [B, P, H, W] of a part model; paper (b) of the part models
    asks whether such cheap part boxes can replace part masks. For every part label k boxed in
    a sample (boxes in input pixels), on the mask of part k against background,
    ``M_k = sigmoid(L_k - L_0)`` (BoxInst's per-instance sigmoid; a softmax over all P labels
    let background win everywhere on the synthetic data before any part grew: part mIoU stayed
    at the background's):

    - projection: mmdet's ``DiceLoss`` between the max-projections of ``M_k`` onto x and onto
      y and those of the filled box (so the mask must reach every row and column of its box and
      stay out of the others), summed over the two axes and averaged over the part labels;
    - pairwise: ``-log P(i and j take the same decision about part k)``, with ``P = m_i m_j +
      (1 - m_i)(1 - m_j)``, over neighbouring pixels i, j (mmdet's ``unfold_wo_center``:
      ``pairwise_size`` x ``pairwise_size`` at ``pairwise_dilation``) whose CIELAB colour
      affinity is at least ``pairwise_color_thresh``, i inside the box; averaged over those
      pairs and ramped up linearly over the first ``warmup_iters`` iterations, as in BoxInst;
    - outside: the boxes of a sample cover all its parts, so a pixel is background or one of
      the parts boxed around it: ``-log sum_{l allowed} softmax(L)_l`` with the allowed labels
      0 and those whose box covers the pixel, averaged over the pixels (outside every box this
      is the cross-entropy to background). Without it nothing tells the parts apart inside a
      box: on the synthetic data the class accuracy rose while the part map stayed background.
      Averaged over the pixels it applies to: not over the unknown ones (below).

    Unknown pixels: a pixel outside every box that the sample's part map (``gt_sem_seg``)
    marks unlabelled (its metainfo ``ignore_index``, 255 when unset) gets no outside term:
    nothing says it is background. On PACO these are the pixels of objects whose parts nobody
    annotated (the converter paints each object's region unlabelled before its part masks), a
    region known from object-level annotation (object masks or boxes), which a box-only recipe
    may use. Of the map only that boolean region is read, never its part labels nor anything
    inside a box (where the unlabelled pixels follow the part masks): the part masks stay held
    back for evaluation. The projection and pairwise terms do not read the map. Maps without
    unlabelled pixels (PartImageNet's) and samples without ``gt_sem_seg`` have no unknown
    pixels.

    A part label with several boxes in a sample (two wheels) has one softmax channel: its
    target is the union of its boxes.

    Samples without boxes (part labels withheld for semi-supervision, their map all unlabelled)
    add nothing.

    Input: ``seg_logits`` [B, P, H, W], ``images`` [B, 3, H, W] in [0, 1] (for the colour
    affinity) and ``data_samples`` with ``gt_instances.bboxes`` [N, 4] (x1, y1, x2, y2) and
    ``gt_instances.labels`` [N] (1..P-1), optionally ``gt_sem_seg`` [1, H, W] (for the unknown
    pixels only). Output: ``loss_project``, ``loss_pairwise`` and ``loss_outside``, each times
    its weight.

    Args:
        project_weight (float): Weight of the projection term. Defaults to 1.0.
        pairwise_weight (float): Weight of the pairwise term. Defaults to 1.0.
        outside_weight (float): Weight of the outside term. Defaults to 1.0.
        pairwise_size (int): Neighbourhood size. Defaults to 3.
        pairwise_dilation (int): Neighbourhood dilation. Defaults to 2.
        pairwise_color_thresh (float): Smallest colour affinity of a pair that counts.
            Defaults to 0.3.
        warmup_iters (int): Iterations over which the pairwise term ramps up (0: none).
            Defaults to 1000.
        eps (float): Dice loss guard (BoxInst's). Defaults to 5e-6.
    """

    def __init__(self,
                 project_weight: float = 1.0,
                 pairwise_weight: float = 1.0,
                 outside_weight: float = 1.0,
                 pairwise_size: int = 3,
                 pairwise_dilation: int = 2,
                 pairwise_color_thresh: float = 0.3,
                 warmup_iters: int = 1000,
                 eps: float = 5e-6) -> None:
        super().__init__()
        self.project_weight = project_weight
        self.pairwise_weight = pairwise_weight
        self.outside_weight = outside_weight
        self.pairwise_size = pairwise_size
        self.pairwise_dilation = pairwise_dilation
        self.pairwise_color_thresh = pairwise_color_thresh
        self.warmup_iters = warmup_iters
        # The masks are probabilities already: no activation inside the Dice loss.
        self.dice = MODELS.build(dict(type='mmdet.DiceLoss', use_sigmoid=False, activate=False,
                                      eps=eps, reduction='mean', loss_weight=1.0))

    def _warmup_factor(self) -> float:
        if self.warmup_iters <= 0:
            return 1.0
        step = MessageHub.get_current_instance().get_info('iter', 0)
        return min(step / self.warmup_iters, 1.0)

    def _log_same(self, log_mask: Tensor, log_rest: Tensor) -> Tensor:
        """log P(same decision) of every pixel [K, H, W] with its neighbours -> [K, N, H, W]."""
        neighbours_in = unfold_wo_center(log_mask[:, None], kernel_size=self.pairwise_size,
                                         dilation=self.pairwise_dilation)[:, 0]
        neighbours_out = unfold_wo_center(log_rest[:, None], kernel_size=self.pairwise_size,
                                          dilation=self.pairwise_dilation)[:, 0]
        return torch.logaddexp(log_mask[:, None] + neighbours_in,
                               log_rest[:, None] + neighbours_out)

    def forward(self, seg_logits: Tensor, images: Tensor,
                data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        height, width = seg_logits.shape[-2:]
        zero = seg_logits.sum() * 0
        project, pairwise, outside = [], [], []
        pair_weight = zero.detach()
        # Per-sample views from unbind: indexing the batch tensor instead made every index's
        # backward fill a zero tensor of the whole batch (56 % of the loss's time).
        for logits, image, sample in zip(seg_logits.unbind(0), images.unbind(0), data_samples):
            boxes, labels = self._boxes(sample, height, width, seg_logits.device)
            if boxes is None:
                continue
            rows = torch.arange(height, device=boxes.device)[None, :, None]
            cols = torch.arange(width, device=boxes.device)[None, None, :]
            in_box = ((rows >= boxes[:, 1, None, None]) & (rows < boxes[:, 3, None, None])
                      & (cols >= boxes[:, 0, None, None]) & (cols < boxes[:, 2, None, None]))
            # One target per part label: the union of its boxes (two wheels, one channel).
            parts = labels.unique()
            box_masks = torch.stack([in_box[labels == part].any(dim=0) for part in parts])
            box_masks = box_masks.to(seg_logits.dtype)  # [K, H, W], K part labels present
            # Part k against background, as BoxInst's per-instance sigmoid: the other parts do
            # not compete (with the softmax over all P labels, background wins everywhere first
            # and the projection's gradient through the tiny masks cannot pull parts back).
            against = logits[parts] - logits[:1]
            log_mask, log_rest = F.logsigmoid(against), F.logsigmoid(-against)
            masks = log_mask.exp()
            project.append(self.dice(masks.amax(dim=1), box_masks.amax(dim=1))
                           + self.dice(masks.amax(dim=2), box_masks.amax(dim=2)))
            similar = (lab_color_similarity(image, self.pairwise_size,
                                            self.pairwise_dilation)
                       >= self.pairwise_color_thresh).to(seg_logits.dtype)
            weights = similar[None] * box_masks[:, None]  # [K, N, H, W]
            pairwise.append(-(self._log_same(log_mask, log_rest) * weights).sum())
            pair_weight = pair_weight + weights.sum()
            allowed = torch.zeros_like(logits, dtype=torch.bool)
            allowed[0] = True
            allowed[parts] = box_masks.bool()
            supervised = ~self._unknown(sample, in_box.any(dim=0))
            outside_loss = torch.logsumexp(logits, dim=0) - torch.logsumexp(
                logits.masked_fill(~allowed, -torch.inf), dim=0)
            outside.append((outside_loss * supervised).sum() / supervised.sum().clamp_min(1))
        if not project:
            return dict(loss_project=zero, loss_pairwise=zero, loss_outside=zero)
        loss_pairwise = torch.stack(pairwise).sum() / pair_weight.clamp_min(1.0)
        return dict(
            loss_project=self.project_weight * torch.stack(project).mean(),
            loss_pairwise=self.pairwise_weight * self._warmup_factor() * loss_pairwise,
            loss_outside=self.outside_weight * torch.stack(outside).mean())

    @staticmethod
    def _unknown(sample: PartDataSample, in_any_box: Tensor) -> Tensor:
        """Pixels [H, W] outside every box (``in_any_box`` [H, W]) that the sample's part map
        marks unlabelled; none without a part map. Reads nothing else of the map."""
        if 'gt_sem_seg' not in sample:
            return torch.zeros_like(in_any_box)
        part_map = sample.gt_sem_seg.data
        if part_map.shape[-2:] != in_any_box.shape:
            raise ValueError(f'BoxInstPartLoss: the part map (gt_sem_seg) of sample '
                             f'{sample.metainfo.get("img_path")} is {tuple(part_map.shape[-2:])}, '
                             f'but the part logits are {tuple(in_any_box.shape)}')
        ignore_index = sample_ignore_index(sample)
        return (part_map.to(in_any_box.device).reshape(in_any_box.shape) == ignore_index) \
            & ~in_any_box

    @staticmethod
    def _boxes(sample: PartDataSample, height: int, width: int,
               device: torch.device) -> tuple:
        """Integer pixel boxes [K, 4] (x1, y1, x2, y2, end-exclusive, clipped) and their part
        labels [K] of a sample, or (None, None) without boxes."""
        instances = sample.get('gt_instances')
        if instances is None or len(instances) == 0:
            return None, None
        boxes = instances.bboxes.to(device)
        boxes = torch.stack([boxes[:, 0].floor(), boxes[:, 1].floor(), boxes[:, 2].ceil(),
                             boxes[:, 3].ceil()], dim=1).long()
        boxes[:, 0::2] = boxes[:, 0::2].clamp(0, width)
        boxes[:, 1::2] = boxes[:, 1::2].clamp(0, height)
        return boxes, instances.labels.to(device).long()
