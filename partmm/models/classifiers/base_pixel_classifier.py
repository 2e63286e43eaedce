"""Common ground of partmm's classifiers: [0, 1] pixel inputs, normalisation inside."""
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

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
# pixel space. mmseg's SegDataPreProcessor, batched (PixelDataPreProcessor).
PIXEL_DATA_PREPROCESSOR = dict(
    type='partmm.PixelDataPreProcessor', mean=[0., 0., 0.], std=[255., 255., 255.],
    bgr_to_rgb=True, size_divisor=1)


class BasePixelClassifier(BaseModel):
    """An image classifier whose inputs are RGB images in [0, 1].

    Subclasses implement :meth:`extract_logits`. The model contract that training,
    evaluation and attacks rely on:

    - ``forward(inputs, mode='tensor')`` -> class logits [B, C]: a differentiable function of
      ``inputs`` [B, 3, H, W] in [0, 1]; mean/std normalisation happens inside.
    - ``forward(inputs, data_samples, mode='loss')`` -> dict of losses.
    - ``forward(inputs, data_samples, mode='predict')`` -> samples with ``pred_label``,
      ``pred_score`` and, for part models, ``pred_sem_seg`` (the part map).

    Every pass of the network goes through :meth:`training_outputs` (the training losses,
    clean or adversarial) or :meth:`extract_logits` (predictions and every attack), and through
    :meth:`normalize`; the speed paths act there:

    - ``compile``: both methods run through ``torch.compile`` (an instance attribute shadows
      each, as mmengine's Runner does for ``train_step``; a compiled method that calls the
      other inlines it). Compilation happens at the first call of each, and again for each new
      train/eval mode or gradient need; checkpoints and ``state_dict`` keys do not change.
      Compiled code sums in another order: results agree with eager to float32 rounding, not
      bit for bit.
    - ``channels_last``: the normalised images, hence every convolution's activations, are
      NHWC, and :meth:`to` also makes the 4-D weights channels-last (the Runner calls it
      before wrapping the model in DDP, so DDP's gradient buckets get the final layout).
      Convolutions then sum in another order too.

    Args:
        num_classes (int): Number of object classes C.
        loss_cls (dict): Class loss, built from MODELS (mmseg's ``CrossEntropyLoss``).
        pixel_mean (Sequence[float]): Per-channel mean in [0, 1] units (ImageNet's).
        pixel_std (Sequence[float]): Per-channel std in [0, 1] units (ImageNet's).
        data_preprocessor (dict, optional): Defaults to ``PIXEL_DATA_PREPROCESSOR``.
        init_cfg (dict, optional): mmengine initialisation config.
        compile (bool | dict): ``torch.compile`` the network's forward (True, or a dict of
            ``torch.compile`` arguments such as ``dict(mode='max-autotune')``). Defaults to
            False.
        channels_last (bool): Run the network in channels-last memory format. Defaults to
            False.
    """

    # The methods every forward of the network goes through (see the class docstring).
    COMPILED_METHODS: Tuple[str, ...] = ('training_outputs', 'extract_logits')

    def __init__(self,
                 num_classes: int,
                 loss_cls: Optional[dict] = None,
                 pixel_mean: Sequence[float] = IMAGENET_MEAN,
                 pixel_std: Sequence[float] = IMAGENET_STD,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None,
                 compile: Union[bool, dict] = False,
                 channels_last: bool = False) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor or dict(PIXEL_DATA_PREPROCESSOR),
            init_cfg=init_cfg)
        self.num_classes = num_classes
        self.loss_cls = MODELS.build(loss_cls or dict(
            type='CrossEntropyLoss', loss_name='loss_cls'))
        self.register_buffer('pixel_mean', torch.tensor(pixel_mean).view(1, -1, 1, 1))
        self.register_buffer('pixel_std', torch.tensor(pixel_std).view(1, -1, 1, 1))
        # Set by adversarial-training hooks: the training objective
        # (model, inputs, data_samples) -> losses. Set by those hooks and RobustTestLoop: the
        # attacks, by name, that predict() runs while validating or testing.
        self.train_objective: Optional[Callable] = None
        self.eval_attacks: Dict[str, Callable] = {}
        if not isinstance(compile, (bool, dict)):
            raise TypeError(f'compile must be a bool or a dict of torch.compile arguments, got '
                            f'{type(compile).__name__}')
        self.compile_cfg: Optional[dict] = (dict(compile) if isinstance(compile, dict) else
                                            {} if compile else None)
        self.channels_last = channels_last
        self._compile_methods()

    def _compile_methods(self) -> None:
        """Shadow each of ``COMPILED_METHODS`` with its ``torch.compile``-d version (lazy: the
        subclass's modules need not exist yet)."""
        if self.compile_cfg is None:
            return
        for name in self.COMPILED_METHODS:
            method = getattr(type(self), name).__get__(self)
            setattr(self, name, torch.compile(method, **self.compile_cfg))

    def __getstate__(self) -> Dict[str, Any]:
        # The compiled methods are bound to this instance: a copy (deepcopy, pickle) compiles
        # its own in __setstate__ instead of calling this model's.
        state = super().__getstate__()
        for name in self.COMPILED_METHODS:
            state.pop(name, None)
        return state

    def __setstate__(self, state: Dict[str, Any]) -> None:
        super().__setstate__(state)
        self._compile_methods()

    def to(self, *args, **kwargs) -> 'BasePixelClassifier':
        """``nn.Module.to`` (and mmengine's data-preprocessor move), then channels-last 4-D
        weights when ``channels_last`` is on."""
        model = super().to(*args, **kwargs)
        if self.channels_last:
            super().to(memory_format=torch.channels_last)
        return model

    @property
    def num_part_labels(self) -> Optional[int]:
        """P for part models; None for models without a part map."""
        return None

    @contextmanager
    def batch_context(self, inputs: Tensor,
                      data_samples: Optional[List[PartDataSample]]) -> Iterator[None]:
        """Make what the model needs of a batch besides its images available to its forward.

        ``loss``, ``predict`` and every attack enter it with the batch's clean [0, 1] images
        and samples before they run the model. Most models need nothing; diagnostic models
        bind the ground-truth part maps or the clean images' part masks here (see
        :class:`partmm.models.utils.CleanBatchLookup`).
        """
        yield

    def normalize(self, inputs: Tensor) -> Tensor:
        """[B, 3, H, W] in [0, 1] -> normalised network input (NHWC with ``channels_last``)."""
        images = (inputs - self.pixel_mean) / self.pixel_std
        if self.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        return images

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

    @staticmethod
    def stack_part_maps(data_samples: List[PartDataSample]) -> Tensor:
        """Ground-truth part maps of a batch, [B, 1, H, W] (``ignore_index`` where unlabelled)."""
        return torch.stack([sample.gt_sem_seg.data for sample in data_samples])

    def training_outputs(self, inputs: Tensor) -> Dict[str, Tensor]:
        """What the losses need from one forward of [0, 1] ``inputs``: ``class_logits``."""
        return dict(class_logits=self.extract_logits(inputs)[0])

    def compute_losses(self,
                       outputs: Dict[str, Tensor],
                       data_samples: List[PartDataSample],
                       with_class: bool = True,
                       with_parts: bool = True) -> Dict[str, Tensor]:
        """The model's loss terms from :meth:`training_outputs`: here the class loss.

        ``with_class`` / ``with_parts`` select terms, so that objectives such as TRADES can
        take the class term from clean and the part term from adversarial outputs.
        """
        if not with_class:
            return {}
        class_logits = outputs['class_logits']
        labels = self.stack_labels(data_samples).to(class_logits.device)
        accuracy = (class_logits.argmax(dim=1) == labels).float().mean() * 100
        return {
            self.loss_cls.loss_name: self.class_loss_weight * self.loss_cls(class_logits, labels),
            'acc_cls': accuracy.detach()
        }

    @property
    def class_loss_weight(self) -> float:
        """Weight of the class term in the training loss."""
        return 1.0

    def standard_loss(self, inputs: Tensor,
                      data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """The clean training loss of ``inputs``."""
        return self.compute_losses(self.training_outputs(inputs), data_samples)

    def loss(self, inputs: Tensor, data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """The training loss: clean, or the objective an adversarial-training hook set.

        The objective is called here, inside ``forward``, because under DDP mmengine's wrapper
        runs its own ``train_step`` and reaches the model only through ``forward``.
        """
        with self.batch_context(inputs, data_samples):
            if self.train_objective is not None:
                return self.train_objective(self, inputs, data_samples)
            return self.standard_loss(inputs, data_samples)

    def predict(self,
                inputs: Tensor,
                data_samples: Optional[List[PartDataSample]] = None) -> List[PartDataSample]:
        """Class (``pred_label``, ``pred_score``) and, for part models, ``pred_sem_seg``.

        For each attack in ``eval_attacks`` (set while validating or testing robustness) each
        sample also gets, under the attack's name, the prediction on its adversarial image:
        ``adv_pred_labels[name]`` [1], ``adv_pred_scores[name]`` [C] and, for part models,
        ``adv_pred_part_maps[name]`` [1, H, W]. Attacks enable gradients themselves, so this
        works inside mmengine's no-grad val/test loops.
        """
        if data_samples is None:
            data_samples = [PartDataSample() for _ in range(inputs.shape[0])]
        with self.batch_context(inputs, data_samples):
            return self._predict(inputs, data_samples)

    def _predict_clean(self, inputs: Tensor, data_samples: List[PartDataSample]) -> None:
        """Attach the predictions on the clean ``inputs`` to ``data_samples``."""
        class_logits, seg_logits = self.extract_logits(inputs)
        self._attach_predictions(data_samples, class_logits, seg_logits)

    def _predict(self, inputs: Tensor,
                 data_samples: List[PartDataSample]) -> List[PartDataSample]:
        self._predict_clean(inputs, data_samples)
        if not self.eval_attacks:
            return data_samples
        adv_scores, adv_part_maps = {}, {}
        for name, attack in self.eval_attacks.items():
            adversarial = attack(self, inputs, data_samples)
            with torch.no_grad():
                adv_class_logits, adv_seg_logits = self.extract_logits(adversarial)
            adv_scores[name] = adv_class_logits.softmax(dim=1)
            if adv_seg_logits is not None:
                adv_part_maps[name] = adv_seg_logits.argmax(dim=1, keepdim=True)
        for index, sample in enumerate(data_samples):
            sample.adv_pred_scores = {name: scores[index] for name, scores in adv_scores.items()}
            sample.adv_pred_labels = {name: scores[index].argmax(dim=0, keepdim=True)
                                      for name, scores in adv_scores.items()}
            if adv_part_maps:
                sample.adv_pred_part_maps = {name: maps[index]
                                             for name, maps in adv_part_maps.items()}
        return data_samples

    @staticmethod
    def _attach_predictions(data_samples: List[PartDataSample], class_logits: Tensor,
                            seg_logits: Optional[Tensor]) -> None:
        scores = class_logits.softmax(dim=1)
        for index, sample in enumerate(data_samples):
            sample.pred_score = scores[index]
            sample.pred_label = scores[index].argmax(dim=0, keepdim=True)
            if seg_logits is not None:
                sample.pred_sem_seg = PixelData(
                    data=seg_logits[index].argmax(dim=0, keepdim=True))
