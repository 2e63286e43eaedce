"""The seg part head ("seg" in the original code): one shared backbone run on each masked image."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
from torch import Tensor

from partmm.registry import MODELS

from .base_part_head import BasePartHead
from .mask_head_utils import create_timm_network, load_timm_pretrained, masked_images, part_masks
from .pixel_count_part_head import part_to_class_matrix


@MODELS.register_module()
class SegPartHead(BasePartHead):
    """Classify from the features of the image masked by each part (or each class's parts).

    Sitawarin et al., ICLR 2023, "seg" model (paper (b)'s ``mult``): part logits ``L``
    [B, P, H, W] -> masks ``M``: one-hot argmax by default (no gradient into the segmenter),
    ``softmax(L / temperature)`` with ``soft`` -> k masks: the K = P (P - 1 with
    ``drop_background``) part masks, or with ``group`` the masks summed per class through
    ``part_to_class``, C + 1 groups (background first) or C with ``drop_background`` ->
    normalised image x each mask, batched as [B k, 3, H, W] -> one shared
    ``timm.create_model(model_name, num_classes=0)`` (pooled features, width ``rep``) ->
    [B, k rep] (mask-major) -> Linear(k rep, C) -> class logits [B, C].

    It costs k backbone passes per image (41 on PartImageNet without ``group``, 12 with it);
    its BatchNorm layers see the k masked copies of each image as one batch.

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        model_name (str): timm model, e.g. ``'resnet50'``. Defaults to 'resnet50'.
        soft (bool): Soft masks, differentiable (``soft``). Defaults to False.
        temperature (float): Softmax temperature of the soft masks (``--temperature``).
            Defaults to 1.0.
        group (bool): One mask per class (``group``). Defaults to False.
        part_to_class (Sequence[int], optional): Class index of each part label, -1 for
            background (the dataset's metainfo ``part_to_class``); needed with ``group``.
        drop_background (bool): Leave out the background mask (the background group with
            ``group``). Defaults to False.
        pretrained (bool): Load timm's pretrained weights for the backbone in
            :meth:`init_weights`. Defaults to False.
        model_kwargs (dict, optional): Extra ``timm.create_model`` arguments.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    inputs = ('seg_logits', 'images')

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 model_name: str = 'resnet50',
                 soft: bool = False,
                 temperature: float = 1.0,
                 group: bool = False,
                 part_to_class: Optional[Sequence[int]] = None,
                 drop_background: bool = False,
                 pretrained: bool = False,
                 model_kwargs: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, drop_background=drop_background,
                         init_cfg=init_cfg)
        if temperature <= 0:
            raise ValueError(f'temperature must be > 0, got {temperature}')
        self.soft = soft
        self.temperature = temperature
        self.group = group
        self.pretrained = pretrained
        if group:
            if part_to_class is None:
                raise ValueError('SegPartHead with group=True needs part_to_class (the '
                                 "dataset's metainfo part_to_class)")
            if len(part_to_class) != num_part_labels:
                raise ValueError(f'part_to_class has {len(part_to_class)} entries, expected '
                                 f'num_part_labels = {num_part_labels}')
            # Read by DatasetMetaCheckHook, which checks it against the dataset's.
            self.part_to_class = list(part_to_class)
            self.register_buffer('group_matrix', part_to_class_matrix(
                part_to_class, num_classes, with_background=not drop_background),
                                 persistent=False)
        elif part_to_class is not None:
            raise ValueError('part_to_class is read only with group=True')
        self.num_masks = (num_classes + (0 if drop_background else 1)) if group else \
            self.num_mask_channels
        self.backbone = create_timm_network(model_name, 0, 3, model_kwargs or {})
        self.classifier = nn.Linear(self.num_masks * self.backbone.num_features, num_classes)

    def init_weights(self) -> None:
        """Initialise, then load timm's pretrained weights into the backbone if ``pretrained``."""
        super().init_weights()
        if self.pretrained:
            load_timm_pretrained(self.backbone, 0, 3)

    def mask_set(self, seg_logits: Tensor) -> Tensor:
        """The k masks [B, k, H, W] from part logits [B, P, H, W]."""
        self.check_seg_logits(seg_logits)
        masks = part_masks(seg_logits, hard=not self.soft, temperature=self.temperature)
        if self.group:
            return torch.einsum('bphw,pg->bghw', masks, self.group_matrix.to(masks.dtype))
        return self.select_masks(masks)

    def forward(self, seg_logits: Tensor, images: Tensor) -> Tensor:
        """Class logits [B, C] from part logits [B, P, H, W] and normalised images."""
        masks = self.mask_set(seg_logits).to(images.dtype)
        batch, height, width = images.shape[0], images.shape[2], images.shape[3]
        copies = masked_images(images, masks).reshape(batch * self.num_masks, 3, height, width)
        features = self.backbone(copies).reshape(batch, -1)
        return self.classifier(features)
