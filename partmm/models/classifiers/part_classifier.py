"""Part-based classifier: a segmenter followed by a tiny head on its part logits."""
from typing import Dict, List, Optional, Tuple, Union

import torch.nn as nn
from mmseg.models.utils import resize
from torch import Tensor

from partmm.models.utils import pixel_accuracy
from partmm.registry import MODELS
from partmm.structures import DEFAULT_IGNORE_INDEX, PartDataSample

from .base_pixel_classifier import PIXEL_DATA_PREPROCESSOR, BasePixelClassifier


def decoder_output_module(decode_head: nn.Module) -> nn.Module:
    """The module of ``decode_head`` whose input is its last feature map, before the classifier:
    smp's ``segmentation_head``, or mmseg's ``dropout`` (when the head has one) or ``conv_seg``.
    """
    for name in ('segmentation_head', 'dropout', 'conv_seg'):
        module = getattr(decode_head, name, None)
        if isinstance(module, nn.Module):
            return module
    raise ValueError(f'{type(decode_head).__name__} has none of segmentation_head, dropout or '
                     'conv_seg: its decoder features cannot be read')


@MODELS.register_module()
class PartClassifier(BasePixelClassifier):
    """Segment the object into parts, then classify from the part logits; trained end to end.

    ``inputs`` [B, 3, H, W] in [0, 1] -> normalise -> ``segmentor`` (any mmseg segmentor with
    ``extract_feat`` and a ``decode_head``: mmseg's DeepLabV3+, or the original's smp
    DeepLabV3+ as :class:`SMPEncoder` + :class:`SMPDeepLabV3PlusHead`) -> part logits resized to
    [B, P, H, W] -> ``part_head`` -> class logits [B, C].

    Loss: ``(1 - c) * CE(class) + c * CE(parts)`` with ``c = seg_loss_weight``. The part term is
    the decode head's own ``loss_decode`` (per-pixel, ``ignore_index`` pixels count as zero in
    the mean), so samples whose part labels are withheld (all ``ignore_index``) contribute
    only the class loss, as in the original code. Auxiliary heads of the segmentor are
    weighted by ``c`` too.

    Unlabelled pixels are the decode head's ``ignore_index`` (mmseg's 255; 65535 for the uint16
    part maps of datasets with more labels, such as the whole PACO). The default data
    preprocessor pads part maps with it, and ``DatasetMetaCheckHook`` checks it against the
    dataset's.

    Args:
        segmentor (dict): mmseg segmentor config, e.g. ``EncoderDecoder`` with a
            ``DepthwiseSeparableASPPHead``. Its ``decode_head.num_classes`` defaults to
            ``num_part_labels``.
        part_head (dict): Part head config (``BoundingBoxPartHead``, ``DownsampledPartHead``);
            ``num_classes`` and ``num_part_labels`` default to this model's.
        num_classes (int): Number of object classes C.
        num_part_labels (int): Number of part labels P, background included.
        seg_loss_weight (float): c in [0, 1]. Defaults to 0.5.
        part_loss (dict, optional): A part loss that replaces the decode head's loss on part
            maps, called as ``part_loss(seg_logits, inputs, data_samples)``, e.g.
            ``BoxInstPartLoss`` (part boxes instead of part masks: the part maps are then
            never trained on, only evaluated against). Its terms are logged as
            ``decode.<name>`` and weighted by c. Defaults to None (the decode head's loss).
        **kwargs: :class:`BasePixelClassifier` arguments.
    """

    # What the segmenter's forward gives the part head (see partmm.models.heads.HEAD_INPUTS).
    HEAD_INPUTS: Tuple[str, ...] = ('seg_logits', 'images', 'features', 'decoder_features')

    def __init__(self,
                 segmentor: dict,
                 part_head: dict,
                 num_classes: int,
                 num_part_labels: int,
                 seg_loss_weight: float = 0.5,
                 part_loss: Optional[dict] = None,
                 **kwargs) -> None:
        if kwargs.get('data_preprocessor') is None:
            ignore_index = segmentor['decode_head'].get('ignore_index', DEFAULT_IGNORE_INDEX)
            kwargs['data_preprocessor'] = dict(PIXEL_DATA_PREPROCESSOR, seg_pad_val=ignore_index)
        super().__init__(num_classes=num_classes, **kwargs)
        if not 0.0 <= seg_loss_weight <= 1.0:
            raise ValueError(f'seg_loss_weight must be in [0, 1], got {seg_loss_weight}')
        self.seg_loss_weight = seg_loss_weight
        # Extra factor on the class term, set by SegmenterWarmupHook (0 while it warms up).
        self.class_loss_scale = 1.0
        self._num_part_labels = num_part_labels
        segmentor = dict(segmentor)
        segmentor['decode_head'] = dict(segmentor['decode_head'])
        segmentor['decode_head'].setdefault('num_classes', num_part_labels)
        part_head = dict(part_head, num_classes=part_head.get('num_classes', num_classes),
                         num_part_labels=part_head.get('num_part_labels', num_part_labels))
        self.segmentor = MODELS.build(segmentor)
        self.part_head = MODELS.build(part_head)
        self.part_loss = None if part_loss is None else MODELS.build(part_loss)
        if self.part_loss is not None and self.segmentor.with_auxiliary_head:
            raise ValueError('model.part_loss replaces the part-map loss, but the segmentor\'s '
                             'auxiliary head would still train on part maps: remove '
                             'model.segmentor.auxiliary_head')
        self.part_head.check_inputs(self.HEAD_INPUTS, type(self).__name__)
        self._check_sizes()

    def _check_sizes(self) -> None:
        sizes = {
            'model.segmentor.decode_head.num_classes': self.segmentor.decode_head.num_classes,
            'model.part_head.num_part_labels': self.part_head.num_part_labels,
        }
        for key, value in sizes.items():
            if value != self._num_part_labels:
                raise ValueError(f'{key} = {value} disagrees with model.num_part_labels = '
                                 f'{self._num_part_labels}')
        if self.part_head.num_classes != self.num_classes:
            raise ValueError(f'model.part_head.num_classes = {self.part_head.num_classes} '
                             f'disagrees with model.num_classes = {self.num_classes}')

    @property
    def num_part_labels(self) -> int:
        return self._num_part_labels

    @property
    def ignore_index(self) -> int:
        """Part-map value of unlabelled pixels (the decode head's ``ignore_index``)."""
        return self.segmentor.decode_head.ignore_index

    def _segment(self, inputs: Tensor,
                 with_decoder_features: bool = False) -> Dict[str, Union[Tensor, List[Tensor]]]:
        """One forward of the segmenter on [0, 1] ``inputs`` [B, 3, H, W].

        Returns ``seg_logits`` (part logits [B, P, H, W] at input size), ``images`` (the
        normalised inputs), ``features`` (the backbone's maps) and, if asked,
        ``decoder_features`` (the decode head's last map before its classifier).
        """
        images = self.normalize(inputs)
        features = self.segmentor.extract_feat(images)
        decode_head = self.segmentor.decode_head
        captured: List[Tensor] = []
        handle = decoder_output_module(decode_head).register_forward_pre_hook(
            lambda module, args: captured.append(args[0])) if with_decoder_features else None
        try:
            seg_logits = decode_head(features)
        finally:
            if handle is not None:
                handle.remove()
        # Heads that upsample to the input themselves (smp's) need no resize.
        if seg_logits.shape[2:] != inputs.shape[2:]:
            seg_logits = resize(seg_logits, size=inputs.shape[2:], mode='bilinear',
                                align_corners=decode_head.align_corners)
        outputs = dict(seg_logits=seg_logits, images=images, features=features)
        if with_decoder_features:
            outputs['decoder_features'] = captured[-1]
        return outputs

    def extract_logits(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """Class logits [B, C] and part logits [B, P, H, W] from [0, 1] images."""
        outputs = self.training_outputs(inputs)
        return outputs['class_logits'], outputs['seg_logits']

    @property
    def class_loss_weight(self) -> float:
        """``(1 - c)``, times 0 while a :class:`SegmenterWarmupHook` warms up."""
        return (1.0 - self.seg_loss_weight) * self.class_loss_scale

    def training_outputs(self, inputs: Tensor) -> Dict[str, Tensor]:
        """Class logits, part logits [B, P, H, W] and segmentor features of one forward."""
        outputs = self._segment(inputs, 'decoder_features' in self.part_head.inputs)
        class_logits = self.part_head(*self.part_head.arguments(outputs))
        return dict(class_logits=class_logits, seg_logits=outputs['seg_logits'],
                    features=outputs['features'], inputs=inputs)

    def compute_losses(self,
                       outputs: Dict[str, Tensor],
                       data_samples: List[PartDataSample],
                       with_class: bool = True,
                       with_parts: bool = True) -> Dict[str, Tensor]:
        """``(1 - c) CE(class)`` and ``c CE(parts)`` (plus auxiliary heads), or ``c`` times
        the ``part_loss`` terms, as selected."""
        losses = super().compute_losses(outputs, data_samples, with_class=with_class)
        if with_parts and self.seg_loss_weight > 0 and self.part_loss is not None:
            terms = self.part_loss(outputs['seg_logits'], outputs['inputs'], data_samples)
            losses.update({f'decode.{name}': self.seg_loss_weight * value
                           for name, value in terms.items()})
        elif with_parts and self.seg_loss_weight > 0:
            losses.update(
                self._seg_losses(outputs['seg_logits'], outputs['features'], data_samples))
        if with_parts:
            losses.update(self.part_head.extra_losses(outputs['seg_logits'], data_samples))
        return losses

    def _seg_losses(self, seg_logits: Tensor, features: List[Tensor],
                    data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """Weighted part losses of logits [B, P, H, W] that already have the labels' size.

        The decode head's own ``loss_decode`` (and ``sampler``), without mmseg's
        ``loss_by_feat``: that resizes the logits to the label size again and computes the
        pixel accuracy with a top-k over every logit, together 44 of the 57 ms it took per
        step of the synthetic config (batch 32, 64 px, 2 CPU threads).
        """
        head = self.segmentor.decode_head
        labels = self.stack_part_maps(data_samples)
        weight = head.sampler.sample(seg_logits, labels) if head.sampler is not None else None
        labels = labels.squeeze(1)
        loss_modules = head.loss_decode if isinstance(head.loss_decode, nn.ModuleList) else [
            head.loss_decode
        ]
        losses: Dict[str, Tensor] = {}
        for loss_module in loss_modules:
            key = f'decode.{loss_module.loss_name}'
            value = self.seg_loss_weight * loss_module(
                seg_logits, labels, weight=weight, ignore_index=head.ignore_index)
            losses[key] = losses[key] + value if key in losses else value
        losses['decode.acc_seg'] = pixel_accuracy(seg_logits, labels, head.ignore_index)
        if self.segmentor.with_auxiliary_head:
            aux = self.segmentor._auxiliary_head_forward_train(features, data_samples)
            losses.update({key: self.seg_loss_weight * value if 'loss' in key else value
                           for key, value in aux.items()})
        return losses
