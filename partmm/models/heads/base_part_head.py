"""What every class head of a part model shares: its sizes and what it reads."""
from typing import Dict, List, Optional, Tuple

from mmengine.model import BaseModule
from torch import Tensor

from partmm.structures import PartDataSample

# What PartClassifier can hand a head, by name (the order of a head's ``inputs`` is the order
# of its forward arguments):
# - 'seg_logits': part logits [B, P, H, W] at the input size;
# - 'images': the normalised input images [B, 3, H, W];
# - 'features': the segmentor's backbone feature maps (list, shallow to deep);
# - 'decoder_features': the decode head's last feature map before its classifier [B, D, h, w];
# query segmenters (QueryPartClassifier) only, the last decoder layer's:
# - 'query_class_logits': per-query class logits [B, Q, P + 1] (no-object last);
# - 'query_mask_logits': per-query mask logits [B, Q, h, w];
# part detectors (DINOPartClassifier) only, the last decoder layer's matching queries':
# - 'query_part_logits': per-query part logits [B, Q, P - 1] (no background, sigmoid-trained);
# - 'query_boxes': per-query boxes [B, Q, 4], normalised (cx, cy, w, h).
HEAD_INPUTS = ('seg_logits', 'images', 'features', 'decoder_features', 'query_class_logits',
               'query_mask_logits', 'query_part_logits', 'query_boxes')


class BasePartHead(BaseModule):
    """Class logits [B, C] from what a part model's segmenter produced.

    Subclasses set ``inputs`` (names from ``HEAD_INPUTS``, default the part logits only) and
    implement ``forward`` with those arguments, in that order; a head with loss terms of its
    own returns them from :meth:`extra_losses`.

    Args:
        num_classes (int): C, number of object classes.
        num_part_labels (int): P, segmentation labels including background.
        drop_background (bool): Leave the background channel (label 0) out of the masks the
            head reads (``no_bg`` in the original code).
        init_cfg (dict, optional): mmengine initialisation config.
    """

    inputs: Tuple[str, ...] = ('seg_logits', )

    def __init__(self,
                 num_classes: int,
                 num_part_labels: int,
                 drop_background: bool = False,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        unknown = set(self.inputs) - set(HEAD_INPUTS)
        if unknown:
            raise ValueError(f'{type(self).__name__}.inputs names {sorted(unknown)}; a part '
                             f'head can read {HEAD_INPUTS}')
        if num_part_labels < 2:
            raise ValueError(f'num_part_labels must include background and >= 1 part, '
                             f'got {num_part_labels}')
        self.num_classes = num_classes
        self.num_part_labels = num_part_labels
        self.drop_background = drop_background

    def check_inputs(self, available: Tuple[str, ...], model_name: str) -> None:
        """A ValueError unless every one of the head's ``inputs`` is in ``available`` (what
        the part model ``model_name`` produces)."""
        missing = [name for name in self.inputs if name not in available]
        if missing:
            raise ValueError(f'model.part_head ({type(self).__name__}) reads {missing}, which '
                             f'{model_name} does not produce; it gives {available}')

    def arguments(self, outputs: Dict[str, object]) -> List[object]:
        """The head's forward arguments (its ``inputs``, in order) from a model's outputs."""
        return [outputs[name] for name in self.inputs]

    @property
    def num_mask_channels(self) -> int:
        """K: the part masks the head reads, P or P - 1 without background."""
        return self.num_part_labels - 1 if self.drop_background else self.num_part_labels

    def check_seg_logits(self, seg_logits: Tensor) -> None:
        """A ValueError unless ``seg_logits`` is [B, P, H, W] with this head's P."""
        if seg_logits.dim() != 4 or seg_logits.shape[1] != self.num_part_labels:
            raise ValueError(f'{type(self).__name__} expects {self.num_part_labels} part '
                             f'channels, got seg logits of shape {tuple(seg_logits.shape)}')

    def select_masks(self, masks: Tensor) -> Tensor:
        """[B, P, H, W] -> [B, K, H, W]: the background channel dropped if asked."""
        return masks[:, 1:] if self.drop_background else masks

    def extra_losses(self, seg_logits: Tensor,
                     data_samples: List[PartDataSample]) -> Dict[str, Tensor]:
        """Loss terms of the head's own, weighted, from part logits [B, P, H, W] and the
        batch's samples; added to the part model's losses. None by default."""
        return {}
