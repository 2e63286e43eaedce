"""Packing of part samples into model inputs and :class:`PartDataSample`."""
import numpy as np
import torch
from mmengine.structures import InstanceData
from mmseg.datasets.transforms import PackSegInputs

from partmm.registry import TRANSFORMS
from partmm.structures import PartDataSample


@TRANSFORMS.register_module()
class PackPartInputs(PackSegInputs):
    """Pack image, part map, class label and part boxes.

    Output: ``inputs`` (uint8 [3, H, W]) and ``data_samples`` (:class:`PartDataSample` with
    ``gt_sem_seg``, ``gt_label`` and ``gt_instances``). Boxes that crops reduced to zero width
    or height are dropped with their labels, since their part is no longer in the image.

    Args:
        meta_keys (tuple[str]): Keys copied into the sample's metainfo; mmseg's defaults plus
            ``crop_bbox`` and ``ignore_index`` (the part map's unlabelled value).
    """

    def __init__(self,
                 meta_keys=('img_path', 'seg_map_path', 'ori_shape', 'img_shape', 'pad_shape',
                            'scale_factor', 'flip', 'flip_direction', 'crop_bbox',
                            'ignore_index')) -> None:
        super().__init__(meta_keys=meta_keys)

    def transform(self, results: dict) -> dict:
        packed = super().transform(results)
        seg_sample = packed['data_samples']
        sample = PartDataSample(metainfo=seg_sample.metainfo)
        if 'gt_sem_seg' in seg_sample:
            sample.gt_sem_seg = seg_sample.gt_sem_seg
        if 'gt_label' in results:
            sample.gt_label = torch.tensor([int(results['gt_label'])], dtype=torch.long)
        if results.get('gt_bboxes') is not None:
            boxes = np.asarray(results['gt_bboxes'], dtype=np.float32).reshape(-1, 4)
            keep = (boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])
            labels = np.asarray(results['gt_bboxes_labels'], dtype=np.int64)
            sample.gt_instances = InstanceData(
                bboxes=torch.from_numpy(boxes[keep]), labels=torch.from_numpy(labels[keep]))
        packed['data_samples'] = sample
        return packed
