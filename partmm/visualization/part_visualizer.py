"""Drawing part maps with the dataset's part names: the image beside its part maps."""
import math
from typing import List, Optional, Sequence, Tuple

import cv2
import mmcv
import numpy as np
from mmengine.dist import master_only
from mmseg.visualization import SegLocalVisualizer

from partmm.registry import VISUALIZERS
from partmm.structures import DEFAULT_IGNORE_INDEX, PartDataSample

from .part_maps import (
    label_name,
    legend_entries,
    part_map_to_rgb,
    part_palette,
)

WHITE, BLACK, FRAME = (255, 255, 255), (0, 0, 0), (160, 160, 160)
CORRECT, WRONG = (26, 127, 55), (198, 40, 40)
FONT = cv2.FONT_HERSHEY_SIMPLEX
MARGIN = GAP = 6

# (swatch colour or None, text, text colour): one entry of a line of text.
Entry = Tuple[Optional[Tuple[int, int, int]], str, Tuple[int, int, int]]


@VISUALIZERS.register_module()
class PartVisualizer(SegLocalVisualizer):
    """mmseg's visualizer for part maps, drawing them as maps beside the image.

    Wherever predictions are drawn (``add_datasample`` with ``draw_pred``, as the
    ``PartVisualizationHook`` of ``tools/test.py --show-dir`` does), the picture is panels
    side by side (mmseg's visualizer puts ground truth and prediction side by side too): the
    image, the true part map and the predicted part map, each map drawn as a map
    (:func:`partmm.visualization.part_map_to_rgb`: palette colours, background black,
    unlabelled pixels grey), never tinted over the image. Above them: the true and the
    predicted class (green when right, red when wrong); below: a legend of the part names
    present (``with_labels``). A call that draws annotations only (``draw_pred=False``, as
    ``tools/misc/browse_dataset.py`` does to show what the model is fed) keeps mmseg's
    overlay of the true part map on the image, with opacity ``alpha``.

    The runner hands every visualizer the dataset's metainfo, whose ``classes`` are the object
    classes; part maps index ``part_names`` instead, so this visualizer swaps them in (the
    object classes stay under ``object_classes``) and builds a fixed palette unless the
    metainfo brings one for the parts (``part_palette``).

    Args:
        min_panel_size: Images smaller than this (pixels, longer side) are drawn enlarged by
            the smallest integer factor reaching it, pixels repeated, so maps stay exact
            and small inputs (64 px crops) stay legible.
        font_scale: Scale of the text (OpenCV's Hershey font, as mmseg's labels).
        Others: as mmseg's ``SegLocalVisualizer``.
    """

    def __init__(self, name: str = 'visualizer', *args, min_panel_size: int = 128,
                 font_scale: float = 0.4, **kwargs) -> None:
        super().__init__(name, *args, **kwargs)
        self.min_panel_size = min_panel_size
        self.font_scale = font_scale

    @property
    def dataset_meta(self) -> dict:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        if dataset_meta and 'part_names' in dataset_meta:
            part_names = list(dataset_meta['part_names'])
            dataset_meta = dict(
                dataset_meta,
                object_classes=dataset_meta.get('classes'),
                classes=part_names,
                palette=dataset_meta.get('part_palette') or part_palette(len(part_names)))
        self._dataset_meta = dataset_meta

    def draw_part_maps(self, image: np.ndarray, data_sample: PartDataSample,
                       draw_gt: bool = True, with_labels: bool = True) -> np.ndarray:
        """The image beside its true and predicted part maps, with the classes and a legend.

        Args:
            image: [H, W, 3] uint8 RGB, in the frame of the part maps.
            data_sample: Its ``gt_sem_seg`` and ``pred_sem_seg`` ([1, H, W] part labels;
                either may be missing), ``gt_label``, ``pred_label`` (object classes) and
                metainfo ``ignore_index`` (else the dataset's, else 255).
            draw_gt: Whether to draw the true part map.
            with_labels: Whether to add the legend of part names.

        Returns:
            [H', W', 3] uint8 RGB: the panels (image, true parts, predicted parts) on white.
        """
        meta = self.dataset_meta or {}
        ignore_index = int(data_sample.metainfo.get(
            'ignore_index', meta.get('ignore_index', DEFAULT_IGNORE_INDEX)))
        height, width = image.shape[:2]
        panels = [('image', np.asarray(image, dtype=np.uint8))]
        labels = set()
        for key, caption, wanted in (('gt_sem_seg', 'true parts', draw_gt),
                                     ('pred_sem_seg', 'predicted parts', True)):
            if not wanted or key not in data_sample:
                continue
            part_map = data_sample.get(key).data
            if hasattr(part_map, 'cpu'):
                part_map = part_map.cpu().numpy()
            if tuple(part_map.shape[-2:]) != (height, width):
                raise ValueError(f'{key}: part map of shape {list(part_map.shape[-2:])} does '
                                 f'not match the image\'s {[height, width]}')
            panels.append((caption, part_map_to_rgb(part_map, meta['palette'], ignore_index,
                                                    where=key)))
            labels.update(int(v) for v in np.unique(part_map))

        scale = max(1, math.ceil(self.min_panel_size / max(height, width)))
        panel_h, panel_w = height * scale, width * scale
        canvas_w = 2 * MARGIN + len(panels) * panel_w + (len(panels) - 1) * GAP
        line_h = self._text_size('Ag')[1] + 6
        title = self._title(data_sample, meta.get('object_classes'))
        legend = self._legend(sorted(labels), meta, ignore_index) if with_labels else []
        title_at, title_lines = self._flow(title, canvas_w - 2 * MARGIN)
        legend_at, legend_lines = self._flow(legend, canvas_w - 2 * MARGIN)
        panels_y = MARGIN + (title_lines + 1) * line_h
        legend_y = panels_y + panel_h + GAP
        canvas_h = legend_y + legend_lines * line_h + MARGIN
        canvas = np.full((canvas_h, canvas_w, 3), WHITE, dtype=np.uint8)

        self._draw_entries(canvas, title, title_at, MARGIN, line_h)
        for index, (caption, picture) in enumerate(panels):
            x = MARGIN + index * (panel_w + GAP)
            self._draw_entries(canvas, [(None, caption, BLACK)], [(x, 0)],
                               panels_y - line_h, line_h)
            canvas[panels_y:panels_y + panel_h, x:x + panel_w] = np.repeat(
                np.repeat(picture, scale, axis=0), scale, axis=1)
        self._draw_entries(canvas, legend, legend_at, legend_y, line_h)
        return canvas

    @master_only
    def add_datasample(self,
                       name: str,
                       image: np.ndarray,
                       data_sample: Optional[PartDataSample] = None,
                       draw_gt: bool = True,
                       draw_pred: bool = True,
                       show: bool = False,
                       wait_time: float = 0,
                       out_file: Optional[str] = None,
                       step: int = 0,
                       with_labels: Optional[bool] = True) -> None:
        """Draw ``data_sample`` on ``image`` and save it to the backends (or ``out_file``).

        With ``draw_pred``: :meth:`draw_part_maps`. Without it: mmseg's overlay of the
        true part map. Arguments as mmseg's ``SegLocalVisualizer.add_datasample``.
        """
        if data_sample is None or not draw_pred:
            super().add_datasample(name, image, data_sample, draw_gt, draw_pred, show,
                                   wait_time, out_file, step, with_labels)
            return
        drawn = self.draw_part_maps(image, data_sample, draw_gt, bool(with_labels))
        self.set_image(drawn)
        if show:
            self.show(drawn, win_name=name, wait_time=wait_time)
        if out_file is not None:
            mmcv.imwrite(mmcv.rgb2bgr(drawn), out_file)
        else:
            self.add_image(name, drawn, step)

    def _text_size(self, text: str) -> Tuple[int, int]:
        (width, height), baseline = cv2.getTextSize(text, FONT, self.font_scale, 1)
        return width, height + baseline

    @staticmethod
    def _title(data_sample: PartDataSample,
               classes: Optional[Sequence[str]]) -> List[Entry]:
        """``true: <class>`` and ``pred: <class>`` (green if right, red if wrong)."""
        def name(label: int) -> str:
            return label_name(classes, label, 'class')

        true = int(data_sample.gt_label[0]) if 'gt_label' in data_sample else None
        entries = [] if true is None else [(None, f'true: {name(true)}', BLACK)]
        if 'pred_label' in data_sample:
            pred = int(data_sample.pred_label[0])
            colour = BLACK if true is None else (CORRECT if pred == true else WRONG)
            entries.append((None, f'pred: {name(pred)}', colour))
        return entries

    @staticmethod
    def _legend(labels: Sequence[int], meta: dict, ignore_index: int) -> List[Entry]:
        """A swatch and a name for each label present: background, unlabelled, parts."""
        return [(tuple(int(c) for c in colour), text, BLACK) for colour, text in
                legend_entries(labels, meta['palette'], meta.get('classes'), ignore_index)]

    def _flow(self, entries: Sequence[Entry], width: int) -> Tuple[List[Tuple[int, int]], int]:
        """Lay ``entries`` left to right from ``MARGIN``, wrapping at ``width`` pixels.

        Returns:
            Each entry's (x, line) and the number of lines.
        """
        positions, x, line = [], 0, 0
        for swatch, text, _ in entries:
            size = self._entry_width(swatch, text)
            if x > 0 and x + size > width:
                x, line = 0, line + 1
            positions.append((MARGIN + x, line))
            x += size + 3 * GAP
        return positions, (line + 1 if entries else 0)

    def _entry_width(self, swatch: Optional[Tuple[int, int, int]], text: str) -> int:
        text_w, text_h = self._text_size(text)
        return text_w + (text_h + GAP if swatch is not None else 0)

    def _draw_entries(self, canvas: np.ndarray, entries: Sequence[Entry],
                      positions: Sequence[Tuple[int, int]], top: int, line_h: int) -> None:
        """Draw each entry at (x, ``top`` + line * ``line_h``) of ``canvas``."""
        for (swatch, text, colour), (x, line) in zip(entries, positions):
            y = top + line * line_h
            (_, text_h), baseline = cv2.getTextSize(text, FONT, self.font_scale, 1)
            if swatch is not None:
                side = text_h + baseline
                canvas[y + 2:y + 2 + side, x:x + side] = FRAME
                canvas[y + 3:y + 1 + side, x + 1:x + side - 1] = swatch
                x += side + GAP
            cv2.putText(canvas, text, (x, y + 2 + text_h), FONT, self.font_scale, colour, 1,
                        cv2.LINE_AA)
