"""The baseline ("normal") classifier: any timm model."""
from typing import Optional, Tuple

import timm
from mmengine.logging import print_log
from timm.models import load_pretrained
from torch import Tensor

from partmm.registry import MODELS

from .base_pixel_classifier import BasePixelClassifier


@MODELS.register_module()
class TimmClassifier(BasePixelClassifier):
    """A timm image classifier trained with cross-entropy, in partmm's pipeline.

    ``inputs`` [B, 3, H, W] in [0, 1] -> normalise -> ``timm.create_model(model_name)`` ->
    class logits [B, C]. It has no part map; the pipeline's part annotations are ignored.

    Args:
        model_name (str): timm model name, e.g. ``'resnet50'``.
        num_classes (int): Number of object classes C.
        pretrained (bool): Load timm's pretrained weights for ``model_name`` (a tag such as
            ``'resnet50.ram_in1k'`` picks them) in :meth:`init_weights`, i.e. when a run starts
            training, not when the model is built; the classifier is left at its
            initialisation when ``num_classes`` differs from the weights'. They come from the
            Hugging Face hub or timm's URL (cached under ``HF_HOME`` / ``TORCH_HOME``); offline,
            point ``model_kwargs.pretrained_cfg_overlay.file`` at a local copy, timm's own
            override. Defaults to False.
        checkpoint_path (str): A full local checkpoint of the timm model (classifier
            included), loaded when the model is built. Defaults to ''.
        model_kwargs (dict, optional): Extra ``timm.create_model`` arguments.
        **kwargs: :class:`BasePixelClassifier` arguments.
    """

    def __init__(self,
                 model_name: str,
                 num_classes: int,
                 pretrained: bool = False,
                 checkpoint_path: str = '',
                 model_kwargs: Optional[dict] = None,
                 **kwargs) -> None:
        super().__init__(num_classes=num_classes, **kwargs)
        self.pretrained = pretrained
        self.network = timm.create_model(
            model_name, pretrained=False, checkpoint_path=checkpoint_path,
            num_classes=num_classes, **(model_kwargs or {}))

    def init_weights(self) -> None:
        """Initialise, then load timm's pretrained weights if ``pretrained``."""
        super().init_weights()
        if self.pretrained:
            source = self.network.pretrained_cfg
            load_pretrained(self.network, num_classes=self.num_classes)
            print_log(f'loaded the pretrained weights of {source.get("architecture")}.'
                      f'{source.get("tag")} from '
                      f'{source.get("file") or source.get("hf_hub_id") or source.get("url")}',
                      logger='current')

    def extract_logits(self, inputs: Tensor) -> Tuple[Tensor, None]:
        """Class logits [B, C] from [0, 1] images; no part logits."""
        return self.network(self.normalize(inputs)), None
