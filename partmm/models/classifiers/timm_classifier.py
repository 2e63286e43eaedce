"""The baseline ("normal") classifier: any timm model."""
from typing import Optional, Tuple

import timm
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
        pretrained (bool): Load timm's pretrained weights (needs network access or a cache).
            Defaults to False.
        checkpoint_path (str): Local weights for the timm model. Defaults to ''.
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
        self.network = timm.create_model(
            model_name, pretrained=pretrained, checkpoint_path=checkpoint_path,
            num_classes=num_classes, **(model_kwargs or {}))

    def extract_logits(self, inputs: Tensor) -> Tuple[Tensor, None]:
        """Class logits [B, C] from [0, 1] images; no part logits."""
        return self.network(self.normalize(inputs)), None
