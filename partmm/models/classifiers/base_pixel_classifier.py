"""Common ground of partmm's classifiers: [0, 1] pixel inputs, normalisation inside."""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
from mmengine.model import BaseModel
from mmengine.structures import PixelData
from torch import Tensor

from partmm.registry import MODELS
from partmm.structures import PartDataSample

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

# Scales uint8 pixels to [0, 1] and stacks the batch (padding to its largest image);
# normalisation happens inside the model, so that attacks and their eps-balls live in [0, 1]
# pixel space.
PIXEL_DATA_PREPROCESSOR = dict(
    type='SegDataPreProcessor', mean=[0., 0., 0.], std=[255., 255., 255.], bgr_to_rgb=True,
    size_divisor=1)


class BasePixelClassifier(BaseModel):
    """An image classifier whose inputs are RGB images in [0, 1].

    Subclasses implement :meth:`extract_logits`. The model contract that training,
    evaluation and attacks rely on:

    - ``forward(inputs, mode='tensor')`` -> class logits [B, C]: a differentiable function of
      ``inputs`` [B, 3, H, W] in [0, 1]; mean/std normalisation happens inside.
    - ``forward(inputs, data_samples, mode='loss')`` -> dict of losses.
    - ``forward(inputs, data_samples, mode='predict')`` -> samples with ``pred_label``,
      ``pred_score`` and, for part models, ``pred_sem_seg`` (the part map).

    Args:
        num_classes (int): Number of object classes C.
        loss_cls (dict): Class loss, built from MODELS (mmseg's ``CrossEntropyLoss``).
        pixel_mean (Sequence[float]): Per-channel mean in [0, 1] units (ImageNet's).
        pixel_std (Sequence[float]): Per-channel std in [0, 1] units (ImageNet's).
        data_preprocessor (dict, optional): Defaults to ``PIXEL_DATA_PREPROCESSOR``.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 num_classes: int,
                 loss_cls: Optional[dict] = None,
                 pixel_mean: Sequence[float] = IMAGENET_MEAN,
                 pixel_std: Sequence[float] = IMAGENET_STD,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor or dict(PIXEL_DATA_PREPROCESSOR),
            init_cfg=init_cfg)
        self.num_classes = num_classes
        self.loss_cls = MODELS.build(loss_cls or dict(
            type='CrossEntropyLoss', loss_name='loss_cls'))
        self.register_buffer('pixel_mean', torch.tensor(pixel_mean).view(1, -1, 1, 1))
        self.register_buffer('pixel_std', torch.tensor(pixel_std).view(1, -1, 1, 1))

    @property
    def num_part_labels(self) -> Optional[int]:
        """P for part models; None for models without a part map."""
        return None

    def normalize(self, inputs: Tensor) -> Tensor:
        """[B, 3, H, W] in [0, 1] -> normalised network input."""
        return (inputs - self.pixel_mean) / self.pixel_std

    def extract_logits(self, inputs: Tensor) -> Tuple[Tensor, Optional[Tensor]]:
        """Class logits [B, C] and part logits [B, P, H, W] (None if the model has none)."""
        raise NotImplementedError

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List[PartDataSample]] = None,
                mode: str = 'tensor') -> Union[Tensor, Dict[str, Tensor], List[PartDataSample]]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_logits(inputs)[0]
        raise ValueError(f'Invalid mode "{mode}"; use "loss", "predict" or "tensor"')

    @staticmethod
    def stack_labels(data_samples: List[PartDataSample]) -> Tensor:
        """Class labels of a batch, long [B]."""
        return torch.cat([sample.gt_label for sample in data_samples])

    def class_losses(self, class_logits: Tensor, data_samples: List[PartDataSample],
                     weight: float = 1.0) -> Dict[str, Tensor]:
        """Weighted class loss and top-1 accuracy (in %) of a batch."""
        labels = self.stack_labels(data_samples).to(class_logits.device)
        loss = self.loss_cls(class_logits, labels)
        accuracy = (class_logits.argmax(dim=1) == labels).float().mean() * 100
        return {self.loss_cls.loss_name: weight * loss, 'acc_cls': accuracy.detach()}

    def loss(self, inputs: Tensor, data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        class_logits, _ = self.extract_logits(inputs)
        return self.class_losses(class_logits, data_samples)

    def predict(self,
                inputs: Tensor,
                data_samples: Optional[List[PartDataSample]] = None) -> List[PartDataSample]:
        class_logits, seg_logits = self.extract_logits(inputs)
        if data_samples is None:
            data_samples = [PartDataSample() for _ in range(inputs.shape[0])]
        scores = class_logits.softmax(dim=1)
        for index, sample in enumerate(data_samples):
            sample.pred_score = scores[index]
            sample.pred_label = scores[index].argmax(dim=0, keepdim=True)
            if seg_logits is not None:
                sample.pred_sem_seg = PixelData(
                    data=seg_logits[index].argmax(dim=0, keepdim=True))
        return data_samples
