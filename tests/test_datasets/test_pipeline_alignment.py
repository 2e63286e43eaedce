"""Image, part map and part boxes stay aligned through every transform."""
import copy
import os.path as osp

import numpy as np
import pytest
from helpers import PART_WBBOX
from mmengine.config import Config

from partmm.datasets import PartImageNetDataset
from partmm.registry import TRANSFORMS


@pytest.fixture(scope='module')
def dataset(synthetic_root):
    return PartImageNetDataset(ann_file='splits/paper/train.json', data_root=synthetic_root,
                               pipeline=[])


def load(dataset, index: int) -> dict:
    """A sample after loading, with the image replaced by its part map in every channel.

    With nearest interpolation for the image too, any misalignment between the image and the
    part map after a transform shows up as a pixel where the two differ.
    """
    results = copy.deepcopy(dataset.get_data_info(index))
    results = TRANSFORMS.build(dict(type='LoadImageFromFile'))(results)
    results = TRANSFORMS.build(dict(type='LoadPartAnnotations'))(results)
    results['img'] = np.repeat(results['gt_seg_map'][..., None], 3, axis=2).copy()
    return results


def assert_aligned(results: dict) -> None:
    part_map = results['gt_seg_map']
    assert results['img'].shape[:2] == part_map.shape
    np.testing.assert_array_equal(results['img'][..., 0], part_map)
    boxes, labels = results['gt_bboxes'], results['gt_bboxes_labels']
    assert len(boxes) == len(labels)
    for label in np.unique(part_map):
        if label in (0, 255):
            continue
        ys, xs = np.nonzero(part_map == label)
        own = boxes[labels == label]
        assert len(own), f'part {label} is in the map but has no box'
        inside = np.zeros(len(xs), dtype=bool)
        # Pixel (x, y) spans [x, x + 1). pycocotools paints a pixel whose centre is inside the
        # polygon, so it can reach 0.5 px past the tight box; resizing by s scales that to
        # 0.5 s, and nearest sampling adds up to 1 px.
        tol = 0.5 * max(results.get('scale_factor', (1.0, 1.0))) + 1
        for x1, y1, x2, y2 in own:
            inside |= ((xs >= x1 - tol) & (xs + 1 <= x2 + tol) & (ys >= y1 - tol)
                       & (ys + 1 <= y2 + tol))
        assert inside.all(), f'pixels of part {label} lie outside its boxes'


TRANSFORM_CASES = {
    'random_resized_crop': dict(type='RandomResizedCrop', scale=64, crop_scale=(0.2, 1.0),
                                interpolation='nearest'),
    'random_resized_crop_non_square': dict(type='RandomResizedCrop', scale=(48, 32),
                                           crop_scale=(0.1, 0.5), interpolation='nearest'),
    'flip': dict(type='RandomFlip', prob=1.0, direction='horizontal'),
    'random_resized_crop_antialias': dict(type='RandomResizedCrop', scale=64,
                                          crop_scale=(0.2, 1.0), interpolation='nearest',
                                          antialias=True),
    'resize_short_edge': dict(type='ResizeShortestEdge', scale=100, max_size=1 << 16),
    'resize_short_side_antialias': dict(type='ResizeShortSide', scale=100,
                                        interpolation='nearest', antialias=True),
    'center_crop': dict(type='CenterCrop', crop_size=50),
}


@pytest.mark.parametrize('case', sorted(TRANSFORM_CASES))
def test_transform_keeps_alignment(dataset, case):
    transform = TRANSFORMS.build(TRANSFORM_CASES[case])
    if case == 'resize_short_edge':
        transform.resize.interpolation = 'nearest'
    np.random.seed(0)
    for index in range(len(dataset)):
        results = load(dataset, index)
        assert_aligned(results)
        results = transform(results)
        assert_aligned(results)


def test_transforms_move_boxes_as_expected(dataset):
    results = load(dataset, 0)
    height, width = results['gt_seg_map'].shape
    boxes = results['gt_bboxes'].copy()
    flipped = TRANSFORMS.build(dict(type='RandomFlip', prob=1.0))(copy.deepcopy(results))
    np.testing.assert_allclose(flipped['gt_bboxes'][:, 0], width - boxes[:, 2])
    resized = TRANSFORMS.build(dict(type='ResizeShortestEdge', scale=2 * min(height, width),
                                    max_size=1 << 16))(copy.deepcopy(results))
    np.testing.assert_allclose(resized['gt_bboxes'], 2 * boxes, atol=1e-4)
    crop = TRANSFORMS.build(dict(type='RandomResizedCrop', scale=(width, height),
                                 crop_scale=(1.0, 1.0), ratio=(width / height, width / height)))
    whole = crop(copy.deepcopy(results))
    np.testing.assert_allclose(whole['gt_bboxes'], boxes, atol=1e-4)
    np.testing.assert_array_equal(whole['gt_seg_map'], results['gt_seg_map'])


def test_full_train_and_test_pipelines_pack_aligned_samples(synthetic_root, configs_dir):
    cfg = Config.fromfile(osp.join(configs_dir, PART_WBBOX))
    for pipeline, size in ((cfg.train_pipeline, 64), (cfg.test_pipeline, 64)):
        dataset = PartImageNetDataset(ann_file='splits/paper/val.json',
                                      data_root=synthetic_root, pipeline=pipeline)
        for index in range(len(dataset)):
            packed = dataset[index]
            sample = packed['data_samples']
            assert packed['inputs'].shape == (3, size, size)
            assert sample.gt_sem_seg.data.shape == (1, size, size)
            assert sample.gt_label.item() == dataset.get_data_info(index)['gt_label']
            boxes = sample.gt_instances.bboxes
            assert ((boxes[:, 2] > boxes[:, 0]) & (boxes[:, 3] > boxes[:, 1])).all()
            assert boxes.min() >= 0 and boxes.max() <= size
            present = set(sample.gt_sem_seg.data.unique().tolist()) - {0}
            assert present <= set(sample.gt_instances.labels.tolist())
