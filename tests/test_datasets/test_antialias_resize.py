"""``antialias=True`` resizes exactly as torchvision does on the original code's PIL images."""
import copy
import os.path as osp

import mmcv
import numpy as np
import pytest
import torchvision.transforms as T
import torchvision.transforms.functional as F
from mmengine.config import Config
from PIL import Image

from partmm.registry import TRANSFORMS

NEAREST = T.InterpolationMode.NEAREST
# Labels of the test part maps: background, two parts and unlabelled.
LABELS = (0, 3, 7, 255)


def make_results(height: int, width: int, seed: int = 0) -> dict:
    """Loaded-sample results: a BGR uint8 image [H, W, 3] as ``LoadImageFromFile`` gives it,
    a blocky part map [H, W] and two part boxes."""
    rng = np.random.default_rng(seed)
    rgb = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    blocks = rng.choice(LABELS, size=(height // 7 + 1, width // 5 + 1)).astype(np.uint8)
    part_map = blocks.repeat(7, axis=0).repeat(5, axis=1)[:height, :width].copy()
    boxes = np.array([[3, 5, width // 2, height - 4], [width / 3, 1, width - 2, height / 2]],
                     dtype=np.float32)
    return dict(img=np.ascontiguousarray(rgb[..., ::-1]), img_shape=(height, width),
                gt_seg_map=part_map, seg_fields=['gt_seg_map'], gt_bboxes=boxes,
                gt_bboxes_labels=np.array([3, 7]))


def pil_pair(results: dict):
    """The original code's inputs: the RGB PIL image and the PIL part map."""
    return Image.fromarray(results['img'][..., ::-1]), Image.fromarray(results['gt_seg_map'])


def checkerboard(size: int) -> np.ndarray:
    """A 1-pixel black and white checkerboard, uint8 [size, size, 3]."""
    board = ((np.indices((size, size)).sum(axis=0) % 2) * 255).astype(np.uint8)
    return np.repeat(board[..., None], 3, axis=2)


@pytest.mark.parametrize('scale', [64, (48, 32)])
def test_random_resized_crop_antialias_matches_torchvision(scale):
    transform = TRANSFORMS.build(dict(type='RandomResizedCrop', scale=scale, antialias=True))
    width, height = (scale, scale) if isinstance(scale, int) else scale
    results = make_results(150, 200)
    image, part_map = pil_pair(results)
    # Crops of 8-100 % of the image: down- and upscaled to the output size.
    for seed in range(8):
        np.random.seed(seed)
        out = transform(copy.deepcopy(results))
        x1, y1, x2, y2 = out['crop_bbox']
        box = (y1, x1, y2 - y1, x2 - x1)
        expected = F.resized_crop(image, *box, [height, width])
        np.testing.assert_array_equal(out['img'][..., ::-1], np.asarray(expected))
        expected_map = F.resized_crop(part_map, *box, [height, width], interpolation=NEAREST)
        np.testing.assert_array_equal(out['gt_seg_map'], np.asarray(expected_map))


@pytest.mark.parametrize('shape,scale', [((300, 405), 256), ((405, 300), 256),
                                         ((97, 131), 64), ((40, 57), 64), ((80, 80), 64)])
def test_resize_short_side_antialias_matches_torchvision(shape, scale):
    results = make_results(*shape)
    image, part_map = pil_pair(results)
    out = TRANSFORMS.build(dict(type='ResizeShortSide', scale=scale, antialias=True))(results)
    np.testing.assert_array_equal(out['img'][..., ::-1], np.asarray(T.Resize(scale)(image)))
    expected_map = T.Resize(scale, interpolation=NEAREST)(part_map)
    np.testing.assert_array_equal(out['gt_seg_map'], np.asarray(expected_map))


def test_resize_short_side_truncates_the_long_side_like_torchvision():
    # 256 * 405 / 300 = 345.6: torchvision truncates to 345, mmseg's ResizeShortestEdge
    # rounds to 346, and CenterCrop(224) then starts at column 60 instead of 61.
    for antialias in (False, True):
        out = TRANSFORMS.build(dict(type='ResizeShortSide', scale=256,
                                    antialias=antialias))(make_results(300, 405))
        assert out['img'].shape == (256, 345, 3)
    mmseg = TRANSFORMS.build(dict(type='ResizeShortestEdge', scale=256, max_size=1 << 16))
    assert mmseg(make_results(300, 405))['img'].shape == (256, 346, 3)


def test_paper_pipelines_resize_like_the_original(configs_dir, tmp_path):
    cfg = Config.fromfile(osp.join(configs_dir, '_base_', 'datasets', 'partimagenet-224.py'))
    path = str(tmp_path / 'image.png')
    rgb = np.random.default_rng(0).integers(0, 256, (300, 405, 3), dtype=np.uint8)
    Image.fromarray(rgb).save(path)
    image = Image.open(path).convert('RGB')

    def load() -> dict:
        return TRANSFORMS.build(cfg.test_pipeline[0])(dict(img_path=path))

    resize, center_crop = (TRANSFORMS.build(step) for step in cfg.test_pipeline[2:4])
    out = center_crop(resize(load()))
    expected = T.Compose([T.Resize(256), T.CenterCrop(224)])(image)
    np.testing.assert_array_equal(out['img'][..., ::-1], np.asarray(expected))

    crop = TRANSFORMS.build(cfg.train_pipeline[2])
    np.random.seed(0)
    out = crop(load())
    x1, y1, x2, y2 = out['crop_bbox']
    expected = F.resized_crop(image, y1, x1, y2 - y1, x2 - x1, [224, 224])
    np.testing.assert_array_equal(out['img'][..., ::-1], np.asarray(expected))


@pytest.mark.parametrize('transform', [
    dict(type='RandomResizedCrop', scale=(48, 32)),
    dict(type='ResizeShortSide', scale=100),
])
def test_antialias_moves_boxes_and_labels_as_without(transform):
    results = make_results(90, 130)
    outs = []
    for antialias in (False, True):
        np.random.seed(0)
        outs.append(TRANSFORMS.build(dict(transform, antialias=antialias))(
            copy.deepcopy(results)))
    plain, smooth = outs
    for key in ('gt_bboxes', 'gt_bboxes_labels', 'img_shape', 'scale_factor'):
        np.testing.assert_array_equal(smooth[key], plain[key])
    assert smooth.get('crop_bbox') == plain.get('crop_bbox')
    assert smooth['gt_seg_map'].shape == plain['gt_seg_map'].shape
    assert set(np.unique(smooth['gt_seg_map'])) <= set(LABELS)


def test_default_resizes_with_cv2_as_before():
    results = make_results(90, 130)
    np.random.seed(0)
    out = TRANSFORMS.build(dict(type='RandomResizedCrop', scale=(48, 32)))(
        copy.deepcopy(results))
    x1, y1, x2, y2 = out['crop_bbox']
    for key, interpolation in (('img', 'bilinear'), ('gt_seg_map', 'nearest')):
        expected = mmcv.imresize(results[key][y1:y2, x1:x2], (48, 32),
                                 interpolation=interpolation, backend='cv2')
        np.testing.assert_array_equal(out[key], expected)
    out = TRANSFORMS.build(dict(type='ResizeShortSide', scale=64))(copy.deepcopy(results))
    for key, interpolation in (('img', 'bilinear'), ('gt_seg_map', 'nearest')):
        expected = mmcv.imresize(results[key], (92, 64), interpolation=interpolation,
                                 backend='cv2')
        np.testing.assert_array_equal(out[key], expected)


@pytest.mark.parametrize('transform', [
    dict(type='RandomResizedCrop', scale=64, crop_scale=(1.0, 1.0), ratio=(1.0, 1.0)),
    dict(type='ResizeShortSide', scale=64),
])
def test_antialiased_downscale_of_a_checkerboard_is_smooth(transform):
    # Downscaled 200 -> 64 px, a 1-pixel checkerboard is a uniform mid grey; cv2's bilinear
    # samples 2x2 pixels per output pixel and leaves a moire pattern instead.
    stds = {}
    for antialias in (False, True):
        out = TRANSFORMS.build(dict(transform, antialias=antialias))(dict(img=checkerboard(200)))
        assert out['img'].shape == (64, 64, 3)
        stds[antialias] = out['img'].astype(float).std()
    assert stds[True] <= 1.0
    assert stds[False] >= 20 * stds[True]


@pytest.mark.parametrize('transform', [
    dict(type='RandomResizedCrop', scale=(53, 41), crop_scale=(0.2, 1.0), antialias=True),
    dict(type='ResizeShortSide', scale=71, antialias=True),
])
def test_uint16_part_maps_take_the_pixels_uint8_maps_take(transform):
    """PACO's uint16 maps (more than 255 part labels) are resized as the uint8 ones are."""
    for seed in range(20):
        narrow = make_results(97 + seed, 131 - seed, seed=seed)
        wide = copy.deepcopy(narrow)
        wide['gt_seg_map'] = narrow['gt_seg_map'].astype(np.uint16) * 257  # 255 -> 65535
        np.random.seed(seed)
        narrow = TRANSFORMS.build(transform)(narrow)
        np.random.seed(seed)
        wide = TRANSFORMS.build(transform)(wide)
        assert wide['gt_seg_map'].dtype == np.uint16
        np.testing.assert_array_equal(wide['gt_seg_map'],
                                      narrow['gt_seg_map'].astype(np.uint16) * 257)
