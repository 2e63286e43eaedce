"""The seg-cat part head ("seg_cat" in the original code): one network on all masked images."""
from typing import Optional

from torch import Tensor

from partmm.registry import MODELS

from .base_part_head import BasePartHead
from .mask_head_utils import create_timm_network, load_timm_pretrained, masked_images, part_masks


@MODELS.register_module()
class SegCatPartHead(BasePartHead):
    """Classify the image masked by each predicted part, stacked as one input.

    Sitawarin et al., ICLR 2023, "seg_cat" model: part logits ``L`` [B, P, H, W] -> one-hot
    argmax masks ``M`` (no gradient: the class loss does not train the segmenter, and attacks
    reach the class path only through the image) -> K masks (P - 1 without the background, the
    default as in the original; P with ``drop_background=False``) -> normalised image x ``M_k``
    for each k, concatenated per mask (channels 3k..3k+2 are the image under mask k) ->
    [B, 3K, H, W] -> ``timm.create_model(model_name, in_chans=3K, num_classes=C)`` -> class
    logits [B, C]. conv1's width follows K either way (the original's is right only without
    background).

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        model_name (str): timm model, e.g. ``'resnet50'``. Defaults to 'resnet50'.
        drop_background (bool): Leave out the background mask. Defaults to True.
        pretrained (bool): Load timm's pretrained weights for ``model_name`` in
            :meth:`init_weights`, the first convolution adapted by timm to 3K channels.
            Defaults to False.
        model_kwargs (dict, optional): Extra ``timm.create_model`` arguments.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    inputs = ('seg_logits', 'images')

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 model_name: str = 'resnet50',
                 drop_background: bool = True,
                 pretrained: bool = False,
                 model_kwargs: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(num_classes, num_part_labels, drop_background=drop_background,
                         init_cfg=init_cfg)
        self.pretrained = pretrained
        self.in_chans = 3 * self.num_mask_channels
        self.network = create_timm_network(model_name, num_classes, self.in_chans,
                                           model_kwargs or {})

    def init_weights(self) -> None:
        """Initialise, then load timm's pretrained weights if ``pretrained``."""
        super().init_weights()
        if self.pretrained:
            load_timm_pretrained(self.network, self.num_classes, self.in_chans)

    def extract_features(self, seg_logits: Tensor, images: Tensor) -> Tensor:
        """The network's input [B, 3K, H, W] from part logits [B, P, H, W] and normalised
        images [B, 3, H, W]."""
        self.check_seg_logits(seg_logits)
        masks = self.select_masks(part_masks(seg_logits, hard=True)).to(images.dtype)
        return masked_images(images, masks).flatten(1, 2)

    def forward(self, seg_logits: Tensor, images: Tensor) -> Tensor:
        """Class logits [B, C] from part logits [B, P, H, W] and normalised images."""
        return self.network(self.extract_features(seg_logits, images))
