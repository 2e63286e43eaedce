"""Part model on a part detector: mmdet's DINO on part boxes, then a class head on its queries."""
import copy
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmdet.models.dense_heads import DETRHead
from mmdet.structures import DetDataSample
from mmengine.config import ConfigDict
from mmengine.structures import InstanceData
from torch import Tensor

from partmm.registry import MODELS
from partmm.structures import DEFAULT_IGNORE_INDEX, PartDataSample

from .base_pixel_classifier import PIXEL_DATA_PREPROCESSOR, BasePixelClassifier

Outputs = Dict[str, Union[Tensor, List[Tensor], dict]]


@contextmanager
def _denoising(detector: nn.Module, enabled: bool) -> Iterator[None]:
    """Let DINO build its denoising queries only if ``enabled``.

    mmdet's DINO builds them from the batch's ground truth whenever the detector module itself
    is in training mode; the class path (attacks, prediction) has no ground truth and needs
    none, since DINO's attention mask keeps the matching queries blind to the denoising ones.
    Only the detector's own flag changes: its submodules (BatchNorm, dropout) keep theirs.
    """
    training = detector.training
    detector.training = training and enabled
    try:
        yield
    finally:
        detector.training = training


@MODELS.register_module()
class DINOPartClassifier(BasePixelClassifier):
    """A part model whose part extractor is a detector: DINO on part boxes, then a class head.

    ``inputs`` [B, 3, H, W] in [0, 1] -> normalise -> ``detector`` (mmdet's ``DINO``, P - 1
    part classes, no background) -> the last decoder layer's matching queries: part logits
    [B, Q, P - 1] and boxes [B, Q, 4] (normalised cx, cy, w, h) -> ``part_head`` -> class logits
    [B, C]. The original code's DINO ``seq`` model is :class:`QuerySequencePartHead` on the
    queries; its two-head model is :class:`BackboneLinearClassHead` on the detector's
    backbone (``features``, shallow to deep), which the detector shares.

    Loss: ``(1 - c) * CE(class) + c * L_DINO`` with ``c = seg_loss_weight``; ``L_DINO`` are
    the detector head's own set losses (focal class, L1 and GIoU box terms of the last decoder
    layer and each earlier one, the encoder's proposals and the denoising queries, weighted by
    its ``loss_*`` configs), logged as ``det.<name>``. The part boxes are the samples'
    ``gt_instances`` (part label k is detector class k - 1). Denoising queries are built from
    them in training only (inside :meth:`loss`, which binds the batch's boxes; for TRADES'
    clean + adversarial forward the boxes are repeated, as the original duplicates targets).
    Samples whose part labels are withheld (part map all ``ignore_index``) are left out of the
    set losses, which are scaled by the labelled fraction of the batch, as with
    :class:`QueryPartClassifier`.

    Prediction adds ``pred_instances`` (``bboxes`` [N, 4] x1 y1 x2 y2 in input pixels,
    ``scores``, ``labels`` as part labels 1..P-1): DINO's top ``test_cfg.max_per_img``
    detections, for :class:`PartDetectionMetric`. There is no part map: attacks on part maps
    refuse the model.

    Args:
        detector (dict): mmdet ``DINO`` config (``type='mmdet.DINO'``, nested types
            ``mmdet.``-prefixed); ``bbox_head.num_classes`` defaults to ``num_part_labels - 1``.
        part_head (dict): Class head config (:class:`QuerySequencePartHead`,
            :class:`BackboneLinearClassHead`); ``num_classes`` and ``num_part_labels`` default
            to this model's.
        num_classes (int): Number of object classes C.
        num_part_labels (int): Number of part labels P, background included.
        seg_loss_weight (float): c in [0, 1]. Defaults to 0.5.
        ignore_index (int): Part-map value of unlabelled pixels (the dataset's). Defaults to
            255.
        **kwargs: :class:`BasePixelClassifier` arguments.
    """

    HEAD_INPUTS: Tuple[str, ...] = ('features', 'query_part_logits', 'query_boxes')
    IGNORE_INDEX_KEY = 'model.ignore_index'

    def __init__(self,
                 detector: dict,
                 part_head: dict,
                 num_classes: int,
                 num_part_labels: int,
                 seg_loss_weight: float = 0.5,
                 ignore_index: int = DEFAULT_IGNORE_INDEX,
                 **kwargs) -> None:
        if kwargs.get('data_preprocessor') is None:
            kwargs['data_preprocessor'] = dict(PIXEL_DATA_PREPROCESSOR, seg_pad_val=ignore_index)
        super().__init__(num_classes=num_classes, **kwargs)
        if not 0.0 <= seg_loss_weight <= 1.0:
            raise ValueError(f'seg_loss_weight must be in [0, 1], got {seg_loss_weight}')
        self.seg_loss_weight = seg_loss_weight
        self.ignore_index = ignore_index
        self._num_part_labels = num_part_labels
        # mmdet's DINO reads its sub-configs by attribute (a plain dict must become a
        # ConfigDict) and writes into them: a copy keeps the caller's config reusable.
        detector = ConfigDict(copy.deepcopy(detector))
        detector.bbox_head.setdefault('num_classes', num_part_labels - 1)
        if detector.bbox_head.num_classes != num_part_labels - 1:
            raise ValueError(f'model.detector.bbox_head.num_classes = '
                             f'{detector.bbox_head.num_classes}, but the detector needs one class '
                             f'per part without background: model.num_part_labels - 1 = '
                             f'{num_part_labels - 1}')
        self.detector = MODELS.build(detector)
        if not hasattr(self.detector, 'dn_query_generator'):
            raise TypeError(f'DINOPartClassifier needs mmdet\'s DINO as model.detector, got '
                            f'{type(self.detector).__name__}')
        part_head = dict(part_head, num_classes=part_head.get('num_classes', num_classes),
                         num_part_labels=part_head.get('num_part_labels', num_part_labels))
        self.part_head = MODELS.build(part_head)
        self._check_head()
        # The batch's part boxes while loss() runs, for DINO's denoising queries.
        self._batch_gt_instances: Optional[List[InstanceData]] = None

    def _check_head(self) -> None:
        head = self.part_head
        head.check_inputs(self.HEAD_INPUTS, type(self).__name__)
        sizes = {'num_classes': (head.num_classes, self.num_classes),
                 'num_part_labels': (head.num_part_labels, self.num_part_labels)}
        if hasattr(head, 'num_queries'):
            sizes['num_queries'] = (head.num_queries, self.detector.num_queries)
        for key, (head_value, model_value) in sizes.items():
            if head_value != model_value:
                source = 'model.detector' if key == 'num_queries' else 'model'
                raise ValueError(f'model.part_head.{key} = {head_value} disagrees with '
                                 f'{source}.{key} = {model_value}')

    @property
    def num_part_labels(self) -> int:
        return self._num_part_labels

    @contextmanager
    def batch_context(self, inputs: Tensor,
                      data_samples: Optional[List[PartDataSample]]) -> Iterator[None]:
        """Bind the batch's part boxes (detector classes) for DINO's denoising queries."""
        previous = self._batch_gt_instances
        self._batch_gt_instances = None if data_samples is None else [
            self._detector_targets(sample, inputs.device) for sample in data_samples]
        try:
            yield
        finally:
            self._batch_gt_instances = previous

    def _detector_targets(self, sample: PartDataSample, device: torch.device) -> InstanceData:
        """A sample's part boxes as DINO's targets: ``bboxes`` [N, 4] and ``labels`` [N] =
        part label - 1; a ValueError names a label outside 1..P-1."""
        if 'gt_instances' not in sample:
            return InstanceData(bboxes=torch.zeros(0, 4, device=device),
                                labels=torch.zeros(0, dtype=torch.long, device=device))
        labels = sample.gt_instances.labels.to(device).long()
        bad = labels[(labels < 1) | (labels >= self.num_part_labels)]
        if bad.numel():
            raise ValueError(f'part box label {int(bad[0])} of {sample.metainfo.get("img_path")} '
                             f'is outside the part labels 1..{self.num_part_labels - 1}')
        return InstanceData(bboxes=sample.gt_instances.bboxes.to(device).float(),
                            labels=labels - 1)

    def _targets_for(self, batch_size: int) -> Optional[List[InstanceData]]:
        """The bound part boxes for a forward of ``batch_size`` images (the bound batch, or
        copies of it stacked), None if they do not fit."""
        bound = self._batch_gt_instances
        if not bound or batch_size % len(bound):
            return None
        return bound * (batch_size // len(bound))

    def _detect(self, inputs: Tensor, targets: Optional[List[InstanceData]] = None) -> Outputs:
        """One forward of the detector on [0, 1] ``inputs`` [B, 3, H, W].

        Returns ``inputs``, ``features`` (the backbone's maps), the last layer's matching queries'
        ``query_part_logits`` [B, Q, P - 1] and ``query_boxes`` [B, Q, 4], and every layer's
        outputs, denoising queries first, as ``all_query_part_logits`` /
        ``all_query_boxes`` (lists of [B, Q_dn + Q, ...]). With ``targets`` in training,
        also the encoder's proposals ``enc_part_logits`` / ``enc_boxes`` and ``dn_meta``.
        """
        detector = self.detector
        features = detector.backbone(self.normalize(inputs))
        levels = detector.neck(features) if detector.with_neck else features
        samples = self._detector_samples(inputs)
        denoise = detector.training and targets is not None
        if denoise:
            for sample, target in zip(samples, targets):
                sample.gt_instances = target
        with _denoising(detector, denoise):
            head_inputs = detector.forward_transformer(levels, samples)
        all_logits, all_boxes = detector.bbox_head(head_inputs['hidden_states'],
                                                   head_inputs['references'])
        dn_meta = head_inputs.get('dn_meta')
        first = dn_meta['num_denoising_queries'] if dn_meta else 0
        outputs = dict(inputs=inputs,
                       features=list(features),
                       query_part_logits=all_logits[-1][:, first:],
                       query_boxes=all_boxes[-1][:, first:],
                       all_query_part_logits=list(all_logits),
                       all_query_boxes=list(all_boxes))
        if dn_meta:
            outputs.update(enc_part_logits=head_inputs['enc_outputs_class'],
                           enc_boxes=head_inputs['enc_outputs_coord'], dn_meta=dn_meta)
        return outputs

    @staticmethod
    def _detector_samples(inputs: Tensor) -> List[DetDataSample]:
        """mmdet samples that tell DINO the image size (every image fills the batch)."""
        shape = tuple(inputs.shape[2:])
        return [DetDataSample(metainfo=dict(img_shape=shape, batch_input_shape=shape))
                for _ in range(len(inputs))]

    def extract_logits(self, inputs: Tensor) -> Tuple[Tensor, None]:
        """Class logits [B, C] from [0, 1] images; there is no part map (None)."""
        outputs = self._detect(inputs)
        return self.part_head(*self.part_head.arguments(outputs)), None

    def training_outputs(self, inputs: Tensor) -> Outputs:
        """Class logits and the detector's outputs of one forward (with denoising queries when
        training inside :meth:`loss`); tensors are [B, ...] or lists of such and ``dn_meta`` is
        batch-level, so TRADES can take the halves of a clean + adversarial forward."""
        outputs = self._detect(inputs, self._targets_for(len(inputs)))
        outputs['class_logits'] = self.part_head(*self.part_head.arguments(outputs))
        return outputs

    @property
    def class_loss_weight(self) -> float:
        """``(1 - c)``."""
        return 1.0 - self.seg_loss_weight

    def compute_losses(self,
                       outputs: Outputs,
                       data_samples: List[PartDataSample],
                       with_class: bool = True,
                       with_parts: bool = True) -> Dict[str, Tensor]:
        """``(1 - c) CE(class)`` and ``c`` times DINO's set losses, as selected."""
        losses = super().compute_losses(outputs, data_samples, with_class=with_class)
        if with_parts and self.seg_loss_weight > 0:
            losses.update(self._set_losses(outputs, data_samples))
        return losses

    def _is_labelled(self, sample: PartDataSample) -> bool:
        """Whether the sample kept its part labels (a part map not all ``ignore_index``)."""
        if 'gt_sem_seg' not in sample:
            return 'gt_instances' in sample and len(sample.gt_instances) > 0
        return bool((sample.gt_sem_seg.data != self.ignore_index).any())

    def _set_losses(self, outputs: Outputs,
                    data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """``c`` times the DINO head's ``loss_by_feat`` on the labelled samples, times their
        fraction of the batch."""
        all_logits = outputs['all_query_part_logits']
        device = all_logits[0].device
        labelled = [row for row, sample in enumerate(data_samples) if self._is_labelled(sample)]
        # Without labelled samples the losses still run (weighted by 0): mmdet averages its
        # normalisers over DDP ranks, so every rank must take part.
        rows = labelled or list(range(len(data_samples)))
        index = torch.tensor(rows, device=device)
        image_shape = tuple(outputs['inputs'].shape[2:])
        head = self.detector.bbox_head
        logits = torch.stack([layer[index] for layer in all_logits])
        boxes = torch.stack([layer[index] for layer in outputs['all_query_boxes']])
        targets = [self._detector_targets(data_samples[row], device) for row in rows]
        metas = [dict(img_shape=image_shape) for _ in rows]
        if 'dn_meta' in outputs:
            set_losses = head.loss_by_feat(logits, boxes, outputs['enc_part_logits'][index],
                                           outputs['enc_boxes'][index], targets, metas,
                                           outputs['dn_meta'])
        else:
            # A forward without denoising queries (outside loss()) has only the decoder's
            # matching terms. mmdet 3.3.0's DINOHead.loss_by_feat cannot take dn_meta=None
            # (split_outputs indexes it before its None check), so DETRHead's, which it
            # calls for those terms, runs directly.
            set_losses = DETRHead.loss_by_feat(head, logits, boxes, targets, metas)
        scale = self.seg_loss_weight * len(labelled) / len(data_samples)
        return {f'det.{key}': scale * value for key, value in set_losses.items()}

    def _predict_clean(self, inputs: Tensor, data_samples: List[PartDataSample]) -> None:
        """Class predictions and DINO's detections (``pred_instances``, part labels)."""
        outputs = self.training_outputs(inputs)
        self._attach_predictions(data_samples, outputs['class_logits'], None)
        shape = tuple(inputs.shape[2:])
        detections = self.detector.bbox_head.predict_by_feat(
            outputs['query_part_logits'][None], outputs['query_boxes'][None],
            [dict(img_shape=shape) for _ in data_samples], rescale=False)
        for sample, found in zip(data_samples, detections):
            found.labels = found.labels + 1
            sample.pred_instances = found
