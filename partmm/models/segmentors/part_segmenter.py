"""Segmentation-only training of a part model's segmenter ("seg-only" in the original code)."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from mmseg.models.utils import resize
from torch import Tensor

from partmm.registry import MODELS
from partmm.structures import DEFAULT_IGNORE_INDEX, PartDataSample

from ..classifiers.base_pixel_classifier import IMAGENET_MEAN, IMAGENET_STD, PIXEL_DATA_PREPROCESSOR


@MODELS.register_module()
class PartSegmenter(BaseModel):
    """A part model's segmenter trained alone on the part maps (no class head).

    ``inputs`` [B, 3, H, W] in [0, 1] -> normalise -> ``segmentor`` (an mmseg segmentor, as in
    :class:`PartClassifier`) -> part logits [B, P, H, W] at input size. The loss is the
    segmentor's own (``EncoderDecoder.loss``: the decode head's ``loss_decode`` and any
    auxiliary heads, ``ignore_index`` pixels left out); evaluate it with ``PartIoUMetric``
    (mmseg's IoU over the dataset's part names). With the dataset's ``label_type='object'`` or
    ``'fg'`` it is the original's ``object-seg-only`` / ``fg-seg-only``.

    Its weights are named ``segmentor.*`` like a part model's, so a part model starts from a
    checkpoint of it with ``model.segmentor.init_cfg = dict(type='Pretrained',
    checkpoint=<its best.pth>, prefix='segmentor.')``.

    Args:
        segmentor (dict): mmseg segmentor config; ``decode_head.num_classes`` defaults to
            ``num_part_labels``.
        num_part_labels (int): P, segmentation labels including background.
        pixel_mean (Sequence[float]): Per-channel mean in [0, 1] units (ImageNet's).
        pixel_std (Sequence[float]): Per-channel std in [0, 1] units (ImageNet's).
        data_preprocessor (dict, optional): Defaults to partmm's [0, 1] pixel preprocessor,
            padding part maps with the decode head's ``ignore_index``.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 segmentor: dict,
                 num_part_labels: int,
                 pixel_mean: Sequence[float] = IMAGENET_MEAN,
                 pixel_std: Sequence[float] = IMAGENET_STD,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        segmentor = dict(segmentor, decode_head=dict(segmentor['decode_head']))
        segmentor['decode_head'].setdefault('num_classes', num_part_labels)
        if data_preprocessor is None:
            data_preprocessor = dict(
                PIXEL_DATA_PREPROCESSOR,
                seg_pad_val=segmentor['decode_head'].get('ignore_index', DEFAULT_IGNORE_INDEX))
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.segmentor = MODELS.build(segmentor)
        if self.segmentor.decode_head.num_classes != num_part_labels:
            raise ValueError(f'model.segmentor.decode_head.num_classes = '
                             f'{self.segmentor.decode_head.num_classes} disagrees with '
                             f'model.num_part_labels = {num_part_labels}')
        self._num_part_labels = num_part_labels
        self.register_buffer('pixel_mean', torch.tensor(pixel_mean).view(1, -1, 1, 1))
        self.register_buffer('pixel_std', torch.tensor(pixel_std).view(1, -1, 1, 1))

    @property
    def num_part_labels(self) -> int:
        return self._num_part_labels

    @property
    def ignore_index(self) -> int:
        """Part-map value of unlabelled pixels (the decode head's ``ignore_index``)."""
        return self.segmentor.decode_head.ignore_index

    def normalize(self, inputs: Tensor) -> Tensor:
        """[B, 3, H, W] in [0, 1] -> normalised network input."""
        return (inputs - self.pixel_mean) / self.pixel_std

    def seg_logits(self, inputs: Tensor) -> Tensor:
        """Part logits [B, P, H, W] at the input size."""
        decode_head = self.segmentor.decode_head
        logits = decode_head(self.segmentor.extract_feat(self.normalize(inputs)))
        if logits.shape[2:] != inputs.shape[2:]:
            logits = resize(logits, size=inputs.shape[2:], mode='bilinear',
                            align_corners=decode_head.align_corners)
        return logits

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List[PartDataSample]] = None,
                mode: str = 'tensor') -> Union[Tensor, Dict[str, Tensor], List[PartDataSample]]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.seg_logits(inputs)
        raise ValueError(f'Invalid mode "{mode}"; use "loss", "predict" or "tensor"')

    def loss(self, inputs: Tensor, data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """The segmentor's losses (``decode.loss_ce``, ``decode.acc_seg``, auxiliary heads)."""
        return self.segmentor.loss(self.normalize(inputs), data_samples)

    def predict(self, inputs: Tensor,
                data_samples: Optional[List[PartDataSample]] = None) -> List[PartDataSample]:
        """Samples with ``pred_sem_seg`` (the part map [1, H, W]) and ``seg_logits``."""
        logits = self.seg_logits(inputs)
        if data_samples is None:
            data_samples = [PartDataSample() for _ in range(inputs.shape[0])]
        for sample, sample_logits in zip(data_samples, logits):
            sample.seg_logits = PixelData(data=sample_logits)
            sample.pred_sem_seg = PixelData(data=sample_logits.argmax(dim=0, keepdim=True))
        return data_samples
