"""segmentation_models_pytorch's DeepLabV3+ decoder as an mmseg decode head."""
from typing import List, Sequence

from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from segmentation_models_pytorch.base import initialization
from segmentation_models_pytorch.base.heads import SegmentationHead
from segmentation_models_pytorch.decoders.deeplabv3.decoder import DeepLabV3PlusDecoder
from torch import Tensor

from partmm.registry import MODELS


@MODELS.register_module()
class SMPDeepLabV3PlusHead(BaseDecodeHead):
    """The decoder and segmentation head of ``smp.DeepLabV3Plus``, exactly.

    The original part models' segmenter is ``segmentation_models_pytorch.DeepLabV3Plus``
    (encoder output stride 16, decoder 256 channels, atrous rates 12/24/36, upsampling 4). It
    differs from mmseg's ``DepthwiseSeparableASPPHead``: a separable 3x3 conv after the ASPP
    projection, separable fuse convolution, dropout 0.5 in the ASPP, and the final x4 bilinear
    upsampling with ``align_corners=True``. This head runs smp's own modules on the features of
    :class:`SMPEncoder` (all of them, the input first), so the network and its parameter names
    (``decoder.*``, ``segmentation_head.*``) are smp's.

    ``inputs``: the encoder's feature maps -> part logits [B, num_classes, H / s, W / s] with
    ``s = output_stride / upsampling`` (the input size at the defaults).

    Args:
        encoder_channels (Sequence[int]): ``SMPEncoder.out_channels``, e.g.
            (3, 64, 256, 512, 1024, 2048) for ResNet-50.
        decoder_channels (int): Defaults to 256.
        atrous_rates (Sequence[int]): Defaults to (12, 24, 36).
        output_stride (int): The encoder's, 8 or 16. Defaults to 16.
        upsampling (int): Bilinear upsampling of the logits. Defaults to 4.
        aspp_separable (bool): Depthwise-separable ASPP convolutions. Defaults to True.
        aspp_dropout (float): Dropout after the ASPP projection. Defaults to 0.5.
        **kwargs: :class:`BaseDecodeHead` arguments (``num_classes``, ``loss_decode``, ...);
            ``in_channels``, ``channels``, ``align_corners`` and ``dropout_ratio`` follow from
            the above.
    """

    def __init__(self,
                 encoder_channels: Sequence[int],
                 decoder_channels: int = 256,
                 atrous_rates: Sequence[int] = (12, 24, 36),
                 output_stride: int = 16,
                 upsampling: int = 4,
                 aspp_separable: bool = True,
                 aspp_dropout: float = 0.5,
                 **kwargs) -> None:
        # smp's segmentation head upsamples with align_corners=True: any further resize of the
        # logits (PartClassifier, mmseg's loss) must follow it. Without init_cfg, since
        # BaseDecodeHead's default targets conv_seg, which this head does not have.
        kwargs.setdefault('init_cfg', None)
        super().__init__(
            in_channels=encoder_channels[-1], channels=decoder_channels, dropout_ratio=0,
            align_corners=True, **kwargs)
        # smp's segmentation head classifies instead of mmseg's conv_seg.
        del self.conv_seg
        self.decoder = DeepLabV3PlusDecoder(
            encoder_channels=tuple(encoder_channels), encoder_depth=len(encoder_channels) - 1,
            out_channels=decoder_channels, atrous_rates=tuple(atrous_rates),
            output_stride=output_stride, aspp_separable=aspp_separable,
            aspp_dropout=aspp_dropout)
        self.segmentation_head = SegmentationHead(
            in_channels=decoder_channels, out_channels=self.num_classes, kernel_size=1,
            upsampling=upsampling)
        initialization.initialize_decoder(self.decoder)
        initialization.initialize_head(self.segmentation_head)

    def forward(self, inputs: List[Tensor]) -> Tensor:
        """Part logits from the encoder's feature maps (input first)."""
        return self.segmentation_head(self.decoder(list(inputs)))
