"""Diagnostic ("groundtruth" in the original code): the mask head on ground-truth part maps."""
from contextlib import contextmanager
from typing import Iterator, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor

from partmm.models.heads.mask_head_utils import stop_gradient
from partmm.models.heads.mask_part_head import MaskPartHead
from partmm.models.utils import CleanBatchLookup
from partmm.registry import MODELS
from partmm.structures import DEFAULT_IGNORE_INDEX, PartDataSample

from .base_pixel_classifier import PIXEL_DATA_PREPROCESSOR, BasePixelClassifier

UNLABELLED_AS = ('background', 'zero')


@MODELS.register_module()
class GroundTruthMaskClassifier(BasePixelClassifier):
    """A :class:`MaskPartHead` fed one-hot ground-truth part maps instead of predicted masks.

    Sitawarin et al., ICLR 2023, "groundtruth" diagnostic: how well the mask classifier does
    with perfect part masks. ``inputs`` [B, 3, H, W] in [0, 1] -> the ground-truth part map of
    each image [H, W] (from the batch bound by :meth:`batch_context`, found per image with a
    :class:`CleanBatchLookup`, so attacks on sub-batches get the right maps) -> one-hot
    [B, P, H, W] -> ``part_head.classify`` (background dropped there if the head drops it, once)
    with, if the head has ``with_image``, the normalised image -> class logits [B, C].

    Unlabelled pixels (``ignore_index``, also the padding) become background with
    ``unlabelled_as='background'`` (every pixel's masks then sum to 1, as softmax masks do)
    or all-zero vectors with ``'zero'``; with the head's ``drop_background`` both give zero
    vectors. Samples whose whole map is unlabelled (semi-supervised part labels) carry no
    information: train it with every part map kept.

    It needs the ground truth at test time, so it is a diagnostic, not a model. Without
    ``with_image`` the input cannot change its output (an attack leaves its accuracy where it
    was; the gradient w.r.t. the input is zero, not missing). It predicts no part map:
    ``extract_logits`` returns ``(class_logits, None)``, so its evaluator has no part metric,
    and attacks that need part logits say so.

    Args:
        part_head (dict): :class:`MaskPartHead` config; ``hard`` and ``detach`` do not apply
            (the masks are one-hot constants already). ``num_classes`` and
            ``num_part_labels`` default to this model's.
        num_classes (int): Number of object classes C.
        num_part_labels (int): Number of part labels P, background included.
        ignore_index (int): Part-map value of unlabelled pixels (the dataset's
            ``ignore_index``; the data preprocessor pads part maps with it). Defaults to 255.
        unlabelled_as (str): 'background' or 'zero'. Defaults to 'background'.
        max_distance (float): Largest Linf distance of an attacked image from its clean one
            (:class:`CleanBatchLookup`). Defaults to 0.25.
        **kwargs: :class:`BasePixelClassifier` arguments.
    """

    # The config key DatasetMetaCheckHook names when the unlabelled values disagree.
    IGNORE_INDEX_KEY = 'model.ignore_index'

    def __init__(self,
                 part_head: dict,
                 num_classes: int,
                 num_part_labels: int,
                 ignore_index: int = DEFAULT_IGNORE_INDEX,
                 unlabelled_as: str = 'background',
                 max_distance: float = 0.25,
                 **kwargs) -> None:
        if kwargs.get('data_preprocessor') is None:
            kwargs['data_preprocessor'] = dict(PIXEL_DATA_PREPROCESSOR, seg_pad_val=ignore_index)
        super().__init__(num_classes=num_classes, **kwargs)
        if unlabelled_as not in UNLABELLED_AS:
            raise ValueError(f'unlabelled_as must be one of {UNLABELLED_AS}, '
                             f'got {unlabelled_as!r}')
        part_head = dict(part_head, num_classes=part_head.get('num_classes', num_classes),
                         num_part_labels=part_head.get('num_part_labels', num_part_labels))
        # Not called part_head: attacks that need part logits recognise part models by it.
        self.mask_head = MODELS.build(part_head)
        if not isinstance(self.mask_head, MaskPartHead):
            raise ValueError(f'{type(self).__name__} needs a MaskPartHead, got '
                             f'{type(self.mask_head).__name__}')
        if self.mask_head.num_classes != num_classes or \
                self.mask_head.num_part_labels != num_part_labels:
            raise ValueError(f'part_head sizes (C={self.mask_head.num_classes}, '
                             f'P={self.mask_head.num_part_labels}) disagree with the model\'s '
                             f'(C={num_classes}, P={num_part_labels})')
        self._num_part_labels = num_part_labels
        self.ignore_index = ignore_index
        self.unlabelled_as = unlabelled_as
        self.ground_truth = CleanBatchLookup(type(self).__name__, max_distance)

    @property
    def num_part_labels(self) -> int:
        return self._num_part_labels

    @contextmanager
    def batch_context(self, inputs: Tensor,
                      data_samples: Optional[List[PartDataSample]]) -> Iterator[None]:
        """Bind the ground-truth part maps of the batch's samples to its clean ``inputs``."""
        if data_samples is None or len(data_samples) != len(inputs) or not all(
                'gt_sem_seg' in sample for sample in data_samples):
            raise ValueError(f'{type(self).__name__} classifies ground-truth part maps: every '
                             'image needs a data sample with gt_sem_seg')
        part_maps = self.stack_part_maps(data_samples).squeeze(1).long().to(inputs.device)
        if part_maps.shape[1:] != inputs.shape[2:]:
            raise ValueError(f'part maps of size {tuple(part_maps.shape[1:])} for images of '
                             f'size {tuple(inputs.shape[2:])}')
        labelled = part_maps[part_maps != self.ignore_index]
        if labelled.numel() and (labelled.min() < 0 or labelled.max() >= self.num_part_labels):
            raise ValueError(f'part maps hold labels outside 0..{self.num_part_labels - 1} '
                             f'other than ignore_index = {self.ignore_index}')
        with self.ground_truth.bind(inputs, part_maps):
            yield

    def ground_truth_masks(self, inputs: Tensor) -> Tensor:
        """One-hot ground-truth masks [N, P, H, W] of ``inputs`` [N, 3, H, W] (clean or attacked
        images of the bound batch), in the inputs' dtype."""
        part_maps = self.ground_truth.lookup(inputs)
        labelled = part_maps != self.ignore_index
        masks = F.one_hot(torch.where(labelled, part_maps, 0), self.num_part_labels)
        masks = masks.permute(0, 3, 1, 2).to(inputs.dtype)
        if self.unlabelled_as == 'zero':
            masks = masks * labelled.unsqueeze(1).to(inputs.dtype)
        return masks

    def extract_logits(self, inputs: Tensor) -> Tuple[Tensor, None]:
        """Class logits [B, C] from the ground truth of [0, 1] ``inputs``; no part logits."""
        masks = stop_gradient(self.ground_truth_masks(inputs), inputs.mean(dim=1, keepdim=True))
        images = self.normalize(inputs) if self.mask_head.with_image else None
        return self.mask_head.classify(masks, images), None
