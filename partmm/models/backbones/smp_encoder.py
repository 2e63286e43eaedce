"""An encoder of segmentation_models_pytorch (smp) as an mmseg backbone."""
from typing import List, Optional

from mmengine.model import BaseModule
from mmengine.runner.checkpoint import CheckpointLoader
from segmentation_models_pytorch.encoders import get_encoder
from torch import Tensor

from partmm.registry import MODELS


@MODELS.register_module()
class SMPEncoder(BaseModule):
    """The encoder that ``segmentation_models_pytorch`` builds for its segmentation models.

    The original part models build their segmenter with smp (0.3.0); this wraps smp's own
    encoder (a torchvision ResNet for ``resnet*``, its last stages dilated to reach
    ``output_stride``), so a part model can use exactly that network inside an mmseg
    ``EncoderDecoder``, with :class:`SMPDeepLabV3PlusHead` as the decode head.

    ``inputs`` [B, 3, H, W] (normalised; H and W multiples of ``output_stride``) -> a list of
    ``depth + 1`` feature maps, the input itself first, as smp's decoders expect: for
    ``resnet50`` at output stride 16, channels (3, 64, 256, 512, 1024, 2048) at strides
    (1, 2, 4, 8, 16, 16).

    Pretrained weights come through ``init_cfg=dict(type='Pretrained', checkpoint=...)``
    with any scheme mmengine loads (``torchvision://resnet50``, ``open-mmlab://...``, a URL or
    a local file). Unlike mmengine's default, loading is strict: every encoder weight must be
    in the checkpoint (a classifier's ``fc.*`` is allowed as extra), or it raises.

    Args:
        name (str): smp encoder name, e.g. ``'resnet50'``.
        depth (int): Number of stages. Defaults to 5.
        output_stride (int): 8 or 16 (dilated), or 32. Defaults to 16.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 name: str,
                 depth: int = 5,
                 output_stride: int = 16,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.encoder = get_encoder(
            name, in_channels=3, depth=depth, weights=None, output_stride=output_stride)

    @property
    def out_channels(self) -> List[int]:
        """Channels of each returned feature map, the input's first."""
        return list(self.encoder.out_channels)

    def forward(self, inputs: Tensor) -> List[Tensor]:
        """Feature maps of ``inputs`` [B, 3, H, W], shallowest (the input) first."""
        height, width = inputs.shape[-2:]
        # smp's models refuse such inputs in forward; the decoder's skip connection would
        # otherwise fail with a shape mismatch deep inside.
        stride = self.encoder.output_stride
        if height % stride or width % stride:
            raise ValueError(f'{type(self).__name__}: input size {height}x{width} is not a '
                             f'multiple of {stride} (the encoder\'s output stride)')
        return self.encoder(inputs)

    def init_weights(self) -> None:
        """Load ``init_cfg``'s pretrained checkpoint into the encoder (strictly), or keep
        smp's initialisation."""
        if self.init_cfg is None or self.init_cfg.get('type') != 'Pretrained':
            super().init_weights()
            return
        checkpoint = self.init_cfg['checkpoint']
        state = CheckpointLoader.load_checkpoint(checkpoint, map_location='cpu')
        state = state.get('state_dict', state)
        own = self.encoder.state_dict()
        missing = [key for key in own if key not in state]
        unexpected = [key for key in state if key not in own and not key.startswith('fc.')]
        if missing or unexpected:
            raise KeyError(
                f'pretrained checkpoint {checkpoint} does not fit the {type(self).__name__} '
                f'encoder: missing {missing[:5]} ({len(missing)} in all), unexpected '
                f'{unexpected[:5]} ({len(unexpected)} in all)')
        # Strict: a weight of another shape raises here.
        self.encoder.load_state_dict({key: state[key] for key in own}, strict=True)
        self._is_init = True
