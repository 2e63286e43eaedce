"""Part model on a query-based segmenter: mmseg's Mask2Former (paper (b)'s MaskDINO stand-in)."""
from typing import Dict, List, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from mmseg.structures import SegDataSample
from torch import Tensor

from partmm.models.utils import pixel_accuracy
from partmm.registry import MODELS
from partmm.structures import PartDataSample

from .base_pixel_classifier import BasePixelClassifier
from .part_classifier import PartClassifier


@MODELS.register_module()
class QueryPartClassifier(PartClassifier):
    """A part model whose segmenter is Mask2Former: part queries, then a class head.

    ``inputs`` [B, 3, H, W] in [0, 1] -> normalise -> ``segmentor`` (an mmseg
    ``EncoderDecoder`` whose ``decode_head`` is mmseg's ``Mask2FormerHead``) -> per decoder
    layer, query class logits [B, Q, P + 1] and mask logits [B, Q, h, w] -> ``part_head`` ->
    class logits [B, C]. One forward serves the class path and the set loss.

    Paper (b) used MaskDINO (detectron2); OpenMMLab has no MaskDINO, Mask2Former stands in.

    Part maps (``seg_logits`` of :meth:`extract_logits`, ``pred_sem_seg``, attacks) are
    mmseg's Mask2Former semantic inference at input size: ``sum_q softmax(z_q)[:P] *
    sigmoid(m_q)`` with masks bilinearly upsampled to H x W, [B, P, H, W]. They are
    non-negative **scores, not logits**: their argmax is the part map, but a loss that
    applies a softmax to them (``PGDAttack(loss='joint')``, the seg-guided attacks) uses them
    as a surrogate. Any :class:`BasePartHead` works on them; :class:`QuerySimHead` reads the
    queries themselves (``query_class_logits`` and ``query_mask_logits`` of ``HEAD_INPUTS``).

    Loss: ``(1 - c) * CE(class) + c * L_set`` with ``c = seg_loss_weight``: ``L_set`` are the
    decode head's own Mask2Former set losses (Hungarian matching of queries to the part
    map's per-label masks; class, mask BCE and dice terms for the last layer and each
    earlier one, weighted by the head's ``loss_*`` configs), logged as ``decode.loss_cls``,
    ``decode.loss_mask``, ``decode.loss_dice`` and ``decode.d{i}.loss_*``. Ground truth is
    built as mmseg's ``Mask2FormerHead.loss`` builds it: one instance per label present, the
    ``ignore_index`` label left out (within a partly labelled map, ignored pixels are thus
    negatives of every mask, as in mmseg). Samples without any labelled pixel (withheld part
    labels) are left out of the matching, and the set losses are scaled by the labelled
    fraction of the batch, so such samples add zero part loss but count in the mean, as with
    :class:`PartClassifier`. Paper (b)'s MaskDINO recipe (class 1, set 1) is ``c = 0.5``
    with the learning rate doubled.

    Args:
        segmentor (dict): mmseg ``EncoderDecoder`` config with a ``Mask2FormerHead``
            ``decode_head`` (its ``num_classes`` defaults to ``num_part_labels``; its
            ``train_cfg`` holds the assigner and sampler).
        part_head (dict): Class head config, e.g. :class:`QuerySimHead`.
        num_classes (int): Number of object classes C.
        num_part_labels (int): Number of part labels P, background included.
        seg_loss_weight (float): c in [0, 1]. Defaults to 0.5.
        **kwargs: :class:`BasePixelClassifier` arguments.
    """

    HEAD_INPUTS = ('seg_logits', 'images', 'features', 'query_class_logits',
                   'query_mask_logits')

    def __init__(self, segmentor: dict, part_head: dict, num_classes: int,
                 num_part_labels: int, seg_loss_weight: float = 0.5, **kwargs) -> None:
        # mmdet's Mask2FormerHead reads its sub-configs by attribute (``cfg.layer_cfg``): a
        # config file gives ConfigDicts, a plain dict from code must become one.
        super().__init__(segmentor=ConfigDict(segmentor), part_head=part_head,
                         num_classes=num_classes, num_part_labels=num_part_labels,
                         seg_loss_weight=seg_loss_weight, **kwargs)
        if self.part_loss is not None:
            raise ValueError('QueryPartClassifier trains its queries with Mask2Former\'s set '
                             'losses; model.part_loss is not supported')
        decode_head = self.segmentor.decode_head
        if not hasattr(decode_head, 'loss_by_feat') or not hasattr(decode_head, 'cls_embed'):
            raise TypeError(f'QueryPartClassifier needs a Mask2FormerHead decode head, got '
                            f'{type(decode_head).__name__}')

    def _segment(self, inputs: Tensor,
                 with_decoder_features: bool = False) -> Dict[str, Union[Tensor, List[Tensor]]]:
        """One forward of the segmenter on [0, 1] ``inputs`` [B, 3, H, W].

        Returns ``seg_logits`` (semantic part scores [B, P, H, W]), ``images``, ``features``,
        the last layer's ``query_class_logits`` / ``query_mask_logits`` and every layer's as
        ``all_query_class_logits`` / ``all_query_mask_logits`` (lists, first layer first).
        There are no ``decoder_features`` (``with_decoder_features`` is ignored; heads that
        read them are refused at construction).
        """
        images = self.normalize(inputs)
        features = self.segmentor.extract_feat(images)
        decode_head = self.segmentor.decode_head
        # mmdet's forward reads only the features; its signature also takes the samples.
        metas = [SegDataSample(metainfo=dict(img_shape=tuple(inputs.shape[2:])))
                 for _ in range(inputs.shape[0])]
        all_class_logits, all_mask_logits = decode_head(features, metas)
        class_logits, mask_logits = all_class_logits[-1], all_mask_logits[-1]
        masks = F.interpolate(mask_logits, size=inputs.shape[2:], mode='bilinear',
                              align_corners=False).sigmoid()
        part_probs = class_logits.softmax(dim=-1)[..., :-1]
        seg_logits = torch.einsum('bqp,bqhw->bphw', part_probs, masks)
        return dict(seg_logits=seg_logits, images=images, features=features,
                    query_class_logits=class_logits, query_mask_logits=mask_logits,
                    all_query_class_logits=list(all_class_logits),
                    all_query_mask_logits=list(all_mask_logits))

    def extract_logits(self, inputs: Tensor) -> Tuple[Tensor, Tensor]:
        """Class logits [B, C] and semantic part **scores** [B, P, H, W] (not logits: see the
        class docstring) from [0, 1] images."""
        return super().extract_logits(inputs)

    def training_outputs(self, inputs: Tensor) -> Dict[str, Union[Tensor, List[Tensor]]]:
        """Class logits, part scores, features and the query outputs of one forward; every
        value is [B, ...] or a list of such (batch-sliceable, for TRADES' halves)."""
        outputs = self._segment(inputs)
        outputs['class_logits'] = self.part_head(*self.part_head.arguments(outputs))
        return outputs

    def compute_losses(self,
                       outputs: Dict[str, Union[Tensor, List[Tensor]]],
                       data_samples: List[PartDataSample],
                       with_class: bool = True,
                       with_parts: bool = True) -> Dict[str, Tensor]:
        """``(1 - c) CE(class)`` and ``c`` times the Mask2Former set losses, as selected."""
        losses = BasePixelClassifier.compute_losses(self, outputs, data_samples,
                                                    with_class=with_class)
        if with_parts and self.seg_loss_weight > 0:
            losses.update(self._set_losses(outputs, data_samples))
        if with_parts:
            losses.update(self.part_head.extra_losses(outputs['seg_logits'], data_samples))
        return losses

    def _gt_instances(self, data_samples: List[PartDataSample],
                      device: torch.device) -> List[InstanceData]:
        """Per sample, ``labels`` [N] and binary ``masks`` [N, H, W] of the labels its part
        map holds, ``ignore_index`` left out (as mmseg's ``Mask2FormerHead.loss``)."""
        instances = []
        for sample in data_samples:
            part_map = sample.gt_sem_seg.data[0].to(device)
            labels = torch.unique(part_map)
            labels = labels[labels != self.ignore_index]
            masks = (part_map[None] == labels[:, None, None]).long()
            instances.append(InstanceData(labels=labels.long(), masks=masks))
        return instances

    def _set_losses(self, outputs: Dict[str, Union[Tensor, List[Tensor]]],
                    data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """``c`` times the decode head's ``loss_by_feat`` on the labelled samples, times
        their fraction of the batch; and ``decode.acc_seg`` of the part scores."""
        head = self.segmentor.decode_head
        all_class_logits = outputs['all_query_class_logits']
        all_mask_logits = outputs['all_query_mask_logits']
        device = all_class_logits[0].device
        instances = self._gt_instances(data_samples, device)
        labelled = [index for index, item in enumerate(instances) if len(item.labels) > 0]
        # Without labelled samples the losses still run (on every sample, weighted by 0):
        # mmdet averages the mask terms over all DDP ranks, so every rank must take part.
        rows = labelled or list(range(len(instances)))
        index = torch.tensor(rows, device=device)
        set_losses = head.loss_by_feat([logits[index] for logits in all_class_logits],
                                       [logits[index] for logits in all_mask_logits],
                                       [instances[row] for row in rows],
                                       [data_samples[row].metainfo for row in rows])
        scale = self.seg_loss_weight * len(labelled) / len(instances)
        losses = {f'decode.{key}': scale * value for key, value in set_losses.items()}
        seg_logits = outputs['seg_logits']
        labels = self.stack_part_maps(data_samples).squeeze(1).to(seg_logits.device)
        losses['decode.acc_seg'] = pixel_accuracy(seg_logits, labels, self.ignore_index)
        return losses
