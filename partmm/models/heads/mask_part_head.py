"""The mask part head ("mask" in the original code): a timm network on the part masks."""
from typing import Optional

import torch
from torch import Tensor

from partmm.registry import MODELS

from .base_part_head import BasePartHead
from .mask_head_utils import (
    create_timm_network,
    load_timm_pretrained,
    part_masks,
    stop_gradient,
)


@MODELS.register_module()
class MaskPartHead(BasePartHead):
    """Classify the part masks (and optionally the image) with a timm network.

    Sitawarin et al., ICLR 2023, "mask" model: part logits ``L`` [B, P, H, W] -> masks
    ``M = softmax(L)`` (one-hot argmax with ``hard``) -> K = P channels (P - 1 with
    ``drop_background``) -> [normalised image, masks] concatenated, image first, with
    ``with_image`` (``inpt``) -> [B, K (+ 3), H, W] -> ``timm.create_model(model_name,
    in_chans=K (+ 3), num_classes=C)`` -> class logits [B, C]. For a ResNet that makes conv1
    ``Conv2d(K (+ 3), 64, 7, stride 2, padding 3)`` and fc ``Linear(rep, C)``, as in the original.

    Gradients: with ``detach`` the masks are constants to the class loss, so it does not train
    the segmenter (the part loss still does); ``hard`` masks have no gradient at all, so
    ``hard`` implies ``detach``. Either way the class path reaches the input only through the
    image channels (with ``with_image``), and a gradient attack gets a zero gradient through
    the masks (obfuscated by design: check such models with query attacks too).

    ``inputs`` is ``('seg_logits', 'images')`` with ``with_image``, else ``('seg_logits',)``.
    :meth:`classify` takes masks directly (the ground-truth-mask diagnostic feeds it one-hot
    ground truth).

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        model_name (str): timm model, e.g. ``'resnet50'`` (the paper's ``--arch``).
            Defaults to 'resnet50'.
        with_image (bool): Concatenate the normalised image before the masks (``inpt``).
            Defaults to False.
        hard (bool): One-hot argmax masks instead of softmax (``hard``). Defaults to False.
        detach (bool): Stop the class loss's gradient into the segmenter (``detach``).
            Defaults to False.
        drop_background (bool): Leave out the background mask (``no_bg``). Defaults to False.
        pretrained (bool): Load timm's pretrained weights for ``model_name`` in
            :meth:`init_weights` (as :class:`TimmClassifier`), the first convolution adapted
            by timm to K (+ 3) channels. Defaults to False.
        model_kwargs (dict, optional): Extra ``timm.create_model`` arguments.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 model_name: str = 'resnet50',
                 with_image: bool = False,
                 hard: bool = False,
                 detach: bool = False,
                 drop_background: bool = False,
                 pretrained: bool = False,
                 model_kwargs: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        self.inputs = ('seg_logits', 'images') if with_image else ('seg_logits', )
        super().__init__(num_classes, num_part_labels, drop_background=drop_background,
                         init_cfg=init_cfg)
        self.with_image = with_image
        self.hard = hard
        self.detach = detach
        self.pretrained = pretrained
        self.in_chans = self.num_mask_channels + (3 if with_image else 0)
        self.network = create_timm_network(model_name, num_classes, self.in_chans,
                                           model_kwargs or {})

    def init_weights(self) -> None:
        """Initialise, then load timm's pretrained weights if ``pretrained``."""
        super().init_weights()
        if self.pretrained:
            load_timm_pretrained(self.network, self.num_classes, self.in_chans)

    def masks(self, seg_logits: Tensor) -> Tensor:
        """The masks [B, P, H, W] this head classifies, from part logits [B, P, H, W]."""
        self.check_seg_logits(seg_logits)
        masks = part_masks(seg_logits, hard=self.hard)
        if self.hard or self.detach:
            masks = stop_gradient(masks, seg_logits)
        return masks

    def classify(self, masks: Tensor, images: Optional[Tensor] = None) -> Tensor:
        """Class logits [B, C] from masks [B, P, H, W] (all P; the background is dropped here
        if asked) and, with ``with_image``, normalised images [B, 3, H, W]."""
        if masks.dim() != 4 or masks.shape[1] != self.num_part_labels:
            raise ValueError(f'{type(self).__name__} expects {self.num_part_labels} masks, '
                             f'got a tensor of shape {tuple(masks.shape)}')
        masks = self.select_masks(masks)
        if self.with_image:
            if images is None:
                raise ValueError(f'{type(self).__name__} with with_image=True needs the images')
            masks = torch.cat([images, masks.to(images.dtype)], dim=1)
        return self.network(masks)

    def forward(self, seg_logits: Tensor, images: Optional[Tensor] = None) -> Tensor:
        """Class logits [B, C] from part logits [B, P, H, W] (and normalised images
        [B, 3, H, W] with ``with_image``)."""
        return self.classify(self.masks(seg_logits), images)
