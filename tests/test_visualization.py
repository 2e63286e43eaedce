"""Part maps drawn as maps: the colours, the --show-dir picture (PartVisualizer, its hook)."""
import glob
import math
import os.path as osp
from types import SimpleNamespace

import mmcv
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData

from partmm.engine.hooks import PartVisualizationHook
from partmm.structures import PartDataSample
from partmm.visualization import (
    UNLABELLED_COLOUR,
    PartVisualizer,
    part_map_to_rgb,
    part_palette,
)

CLASSES = ['Aeroplane', 'Bird']
PART_NAMES = ['background', 'Head', 'Body', 'Tail']


@pytest.mark.parametrize('ignore_index', [255, 65535])
def test_part_map_to_rgb_draws_the_map_itself(ignore_index):
    palette = [(10, 200, 30), (255, 0, 0), (0, 255, 0)]
    part_map = np.array([[0, 1, ignore_index, 2]] * 3, dtype=np.int64)
    rgb = part_map_to_rgb(torch.from_numpy(part_map)[None], palette, ignore_index)
    assert rgb.dtype == np.uint8 and rgb.shape == (3, 4, 3)
    np.testing.assert_array_equal(rgb[:, 0], 0)  # background black, whatever palette[0] is
    np.testing.assert_array_equal(rgb[:, 1], [[255, 0, 0]] * 3)
    np.testing.assert_array_equal(rgb[:, 2], [UNLABELLED_COLOUR] * 3)
    np.testing.assert_array_equal(rgb[:, 3], [[0, 255, 0]] * 3)
    with pytest.raises(ValueError, match='gt: label 3 has no palette colour'):
        part_map_to_rgb(np.array([[0, 3]]), palette, ignore_index, where='gt')


def test_part_palette_keeps_parts_apart_from_background_and_unlabelled():
    palette = np.array(part_palette(458))
    assert len(palette) == 458 and tuple(palette[0]) == (0, 0, 0)
    parts = palette[1:]
    assert (parts.max(axis=1) - parts.min(axis=1) >= 60).all()  # no black or grey part
    first = parts[:20].astype(float)  # a small dataset's parts: far apart from each other
    distance = np.linalg.norm(first[:, None] - first[None], axis=-1)
    assert distance[~np.eye(20, dtype=bool)].min() > 80
    assert part_palette(41) == [tuple(c) for c in palette[:41]]  # fixed colours per label


def _visualizer(name: str, save_dir: str = None) -> PartVisualizer:
    visualizer = PartVisualizer.get_instance(
        name, save_dir=save_dir,
        vis_backends=None if save_dir is None else [dict(type='LocalVisBackend')])
    visualizer.dataset_meta = dict(classes=CLASSES, part_names=PART_NAMES)
    return visualizer


def _sample(pred_map: torch.Tensor, gt_map: torch.Tensor, ignore_index: int = 255,
            pred_label: int = 1) -> PartDataSample:
    sample = PartDataSample(metainfo=dict(ignore_index=ignore_index, img_path='a/img_0.png'))
    sample.gt_sem_seg = PixelData(data=gt_map[None])
    sample.pred_sem_seg = PixelData(data=pred_map[None])
    sample.gt_label = torch.tensor([1])
    sample.pred_label = torch.tensor([pred_label])
    return sample


def _true_map(ignore_index: int) -> torch.Tensor:
    """A 40 x 48 part map: three parts, background and a row of unlabelled pixels."""
    gt = torch.zeros(40, 48, dtype=torch.long)
    gt[8:20, 10:30], gt[20:32, 10:30], gt[14:26, 30:40] = 1, 2, 3
    gt[0] = ignore_index
    return gt


def _painted(gt: torch.Tensor, palette) -> np.ndarray:
    """The worst case for a tint: an image whose parts are flat patches of their own colour."""
    image = np.full((*gt.shape, 3), 40, dtype=np.uint8)
    for label in (1, 2, 3):
        image[gt.numpy() == label] = palette[label]
    return image


def _find(canvas: np.ndarray, panel: np.ndarray, x: int) -> int:
    """The row at which ``panel`` sits in ``canvas`` at column ``x``."""
    height, width = panel.shape[:2]
    rows = [y for y in range(canvas.shape[0] - height + 1)
            if np.array_equal(canvas[y:y + height, x:x + width], panel)]
    assert len(rows) == 1, 'panel not found'
    return rows[0]


@pytest.mark.parametrize('ignore_index', [255, 65535])
def test_all_background_prediction_looks_nothing_like_a_perfect_one(ignore_index):
    visualizer = _visualizer(f'maps_{ignore_index}')
    palette = visualizer.dataset_meta['palette']
    gt = _true_map(ignore_index)
    image = _painted(gt, palette)
    perfect = visualizer.draw_part_maps(
        image, _sample(gt.clamp(max=3), gt, ignore_index))
    nothing = visualizer.draw_part_maps(
        image, _sample(torch.zeros_like(gt), gt, ignore_index))
    assert perfect.shape == nothing.shape

    # Panels image | true parts | predicted parts, each 48 px wide enlarged to >= 128 px.
    scale = math.ceil(128 / 48)
    width, margin, gap = 48 * scale, 6, 6
    assert perfect.shape[1] == 2 * margin + 3 * width + 2 * gap

    def enlarged(picture: np.ndarray) -> np.ndarray:
        return np.repeat(np.repeat(picture, scale, axis=0), scale, axis=1)

    true_rgb = part_map_to_rgb(gt, palette, ignore_index)
    y = _find(perfect, enlarged(image), margin)
    assert _find(perfect, enlarged(true_rgb), margin + width + gap) == y
    pred_x = margin + 2 * (width + gap)
    predicted = (slice(y, y + 40 * scale), slice(pred_x, pred_x + width))
    perfect_panel, nothing_panel = perfect[predicted], nothing[predicted]
    # The true map's unlabelled row is grey there; the prediction has no unlabelled pixels.
    np.testing.assert_array_equal(true_rgb[0], [UNLABELLED_COLOUR] * 48)
    labels = gt.numpy()
    parts = enlarged(((labels >= 1) & (labels <= 3))[..., None])[..., 0]
    assert (nothing_panel == 0).all()  # all background: black, the parts nowhere
    assert (perfect_panel[parts] != 0).any(axis=-1).all()  # every part pixel coloured
    assert np.abs(perfect_panel.astype(int) - nothing_panel).max(axis=-1)[parts].min() >= 60
    # Only the prediction panel tells them apart.
    differs = (perfect != nothing).any(axis=-1)
    differs[predicted] = False
    assert not differs.any()


def test_add_datasample_saves_the_panels_and_keeps_mmseg_overlay_for_annotations(tmp_path):
    visualizer = _visualizer('add_datasample')
    gt = _true_map(255)
    image = np.random.RandomState(0).randint(0, 256, (40, 48, 3)).astype(np.uint8)
    sample = _sample(gt.clamp(max=3), gt, pred_label=0)
    out = str(tmp_path / 'drawn.png')
    visualizer.add_datasample('x', image, sample, out_file=out)
    drawn = mmcv.imread(out, channel_order='rgb')
    np.testing.assert_array_equal(drawn, visualizer.draw_part_maps(image, sample))
    np.testing.assert_array_equal(visualizer.get_image(), drawn)
    # Without the true map: image | predicted parts.
    assert visualizer.draw_part_maps(image, sample, draw_gt=False).shape[1] == \
        2 * 6 + 2 * 144 + 6
    # Annotations alone (tools/misc/browse_dataset.py): mmseg's overlay, the input's size.
    visualizer.add_datasample('y', image, sample, draw_pred=False, out_file=out)
    assert mmcv.imread(out).shape == (40, 48, 3)
    with pytest.raises(ValueError, match=r'pred_sem_seg: part map of shape \[8, 8\]'):
        visualizer.draw_part_maps(image, _sample(torch.zeros(8, 8, dtype=torch.long), gt))


def test_hook_saves_image_beside_true_and_predicted_maps(tmp_path):
    visualizer = _visualizer('hook_draw', save_dir=str(tmp_path))
    hook = PartVisualizationHook(draw=True, interval=1)
    gt = _true_map(65535)
    bgr = torch.randint(0, 256, (2, 3, 40, 48), dtype=torch.uint8,
                        generator=torch.Generator().manual_seed(0))
    outputs = [_sample(gt.clamp(max=3), gt, 65535), _sample(torch.zeros_like(gt), gt, 65535)]
    outputs[1].set_metainfo(dict(img_path='a/img_1.png'))
    hook._after_iter(SimpleNamespace(iter=0), 0, dict(inputs=list(bgr)), outputs, mode='test')

    saved = sorted(glob.glob(osp.join(str(tmp_path), '**', '*.png'), recursive=True))
    assert [osp.basename(path) for path in saved] == ['test_img_0.png_0.png',
                                                      'test_img_1.png_0.png']
    for path, image, output in zip(saved, bgr, outputs):
        drawn = mmcv.imread(path, channel_order='rgb')
        rgb = image.permute(1, 2, 0).flip(-1).numpy()
        np.testing.assert_array_equal(drawn, visualizer.draw_part_maps(rgb, output))
