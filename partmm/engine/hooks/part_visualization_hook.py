"""Draw the image beside its true and predicted part maps during validation and testing."""
import os.path as osp
from typing import Sequence

import numpy as np
from mmseg.engine.hooks import SegVisualizationHook

from partmm.registry import HOOKS
from partmm.structures import PartDataSample


@HOOKS.register_module()
class PartVisualizationHook(SegVisualizationHook):
    """mmseg's ``SegVisualizationHook`` drawing the network input itself.

    mmseg's hook re-reads the original image from ``img_path``, but a part model's maps live
    in the frame of its input (after resizing and cropping), so this hook draws the batch's
    own input image (uint8 BGR [3, H, W]) instead. With ``PartVisualizer`` (the configs'
    visualizer) every drawn sample is the image beside its true and predicted part maps,
    drawn as maps, with the true and predicted class above (``tools/test.py --show-dir``
    saves one per test image). Arguments as mmseg's hook.
    """

    def _after_iter(self,
                    runner,
                    batch_idx: int,
                    data_batch: dict,
                    outputs: Sequence[PartDataSample],
                    mode: str = 'val') -> None:
        if not self.draw or mode == 'train':
            return
        if not self.every_n_inner_iters(batch_idx, self.interval):
            return
        for image, output in zip(data_batch['inputs'], outputs):
            rgb = np.ascontiguousarray(image.permute(1, 2, 0).flip(-1).cpu().numpy())
            self._visualizer.add_datasample(
                f'{mode}_{osp.basename(output.img_path)}', rgb, data_sample=output,
                show=self.show, wait_time=self.wait_time, step=runner.iter)
