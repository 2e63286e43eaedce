"""Diagnostic ("clean" in the original code): the part head reads the clean image's masks."""
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional

import torch
from torch import Tensor

from partmm.models.heads.mask_head_utils import stop_gradient
from partmm.models.utils import CleanBatchLookup
from partmm.registry import MODELS
from partmm.structures import PartDataSample

from .part_classifier import PartClassifier

# What the head may read: segmenter features of the attacked image would let the attack back in.
CLEAN_MASK_HEAD_INPUTS = ('seg_logits', 'images')


@MODELS.register_module()
class CleanMaskPartClassifier(PartClassifier):
    """A :class:`PartClassifier` whose part head reads the part logits of the clean image.

    Sitawarin et al., ICLR 2023, "clean" diagnostic: how robust the part model would be if its
    segmenter could not be attacked. In eval mode, inside :meth:`batch_context` (which
    ``predict`` and every attack enter with the clean batch), the segmenter runs once on the
    clean images (no gradient) and the head of every forward gets, per image, the part logits
    of its clean image (found by :class:`CleanBatchLookup`, so attacks on sub-batches work);
    the image channels of a head that reads ``images`` (``with_image``) and the returned part
    logits come from the actual, possibly attacked, input. An attack then changes the class
    prediction only through the head's image channels: with a head that reads part logits
    only, not at all (the input's gradient is zero through the clean logits).

    In training mode, and in eval mode outside a bound batch, it is the plain
    :class:`PartClassifier`; so are attacks that run the model in train mode
    (``bn_mode='train'``). It is not meant for adversarial training: the attacks inside the
    training objective run in eval mode and would see clean masks.

    The clean logits of a batch are kept while it is bound ([B, P, H, W] floats: 0.5 GB for 64
    PartImageNet images at 224 px).

    Args:
        max_distance (float): Largest Linf distance of an attacked image from its clean one
            (:class:`CleanBatchLookup`). Defaults to 0.25.
        *args, **kwargs: :class:`PartClassifier` arguments; the part head may read only
            ``CLEAN_MASK_HEAD_INPUTS``.
    """

    def __init__(self, *args, max_distance: float = 0.25, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        unsupported = set(self.part_head.inputs) - set(CLEAN_MASK_HEAD_INPUTS)
        if unsupported:
            raise ValueError(f'{type(self).__name__}: {type(self.part_head).__name__} reads '
                             f'{sorted(unsupported)}, which would come from the attacked '
                             f'image; its head may read only {CLEAN_MASK_HEAD_INPUTS}')
        self.clean_logits = CleanBatchLookup(type(self).__name__, max_distance)

    @contextmanager
    def batch_context(self, inputs: Tensor,
                      data_samples: Optional[List[PartDataSample]]) -> Iterator[None]:
        """In eval mode, bind the part logits of the clean ``inputs`` for the head to read."""
        if self.training:
            yield
            return
        with torch.no_grad():
            clean_logits = self._segment(inputs)['seg_logits']
        with self.clean_logits.bind(inputs, clean_logits):
            yield

    def training_outputs(self, inputs: Tensor) -> Dict[str, Tensor]:
        """Class logits (from the clean part logits when bound in eval mode), the input's own
        part logits [B, P, H, W] and segmentor features."""
        if self.training or not self.clean_logits.is_bound:
            return super().training_outputs(inputs)
        outputs = self._segment(inputs)
        head_inputs = dict(outputs, seg_logits=stop_gradient(
            self.clean_logits.lookup(inputs), outputs['seg_logits']))
        class_logits = self.part_head(*[head_inputs[name] for name in self.part_head.inputs])
        return dict(class_logits=class_logits, seg_logits=outputs['seg_logits'],
                    features=outputs['features'])
