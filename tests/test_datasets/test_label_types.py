"""The three label types of the papers (part, object, fg), chosen by one dataset key."""
import numpy as np
import pytest

from partmm.datasets import PartImageNetDataset, partimagenet_meta
from partmm.registry import TRANSFORMS

PIPELINE = [dict(type='LoadImageFromFile'), dict(type='LoadPartAnnotations')]


def loaded(synthetic_root, label_type, **kwargs):
    dataset = PartImageNetDataset(ann_file='splits/paper/val.json', data_root=synthetic_root,
                                  label_type=label_type, pipeline=PIPELINE, **kwargs)
    return dataset, [dataset[i] for i in range(len(dataset))]


def test_object_and_fg_labels_follow_the_part_labels(synthetic_root):
    _, parts = loaded(synthetic_root, 'part')
    to_class = np.array(partimagenet_meta.PART_TO_CLASS_INDEX)
    for label_type, expected_names in (
            ('object', ('background', *partimagenet_meta.CLASSES)),
            ('fg', ('background', 'foreground'))):
        dataset, samples = loaded(synthetic_root, label_type)
        assert dataset.metainfo['part_names'] == expected_names
        assert dataset.metainfo['classes'] == partimagenet_meta.CLASSES
        assert dataset.metainfo['label_type'] == label_type
        for part, sample in zip(parts, samples):
            part_map, new_map = part['gt_seg_map'], sample['gt_seg_map']
            labelled = part_map > 0
            assert (new_map[~labelled] == 0).all()
            if label_type == 'object':
                np.testing.assert_array_equal(new_map[labelled], to_class[part_map[labelled]] + 1)
                # One object per synthetic image: its class, and only its class, is painted.
                assert set(np.unique(new_map[labelled])) <= {sample['gt_label'] + 1}
                np.testing.assert_array_equal(sample['gt_bboxes_labels'],
                                              to_class[part['gt_bboxes_labels']] + 1)
            else:
                assert (new_map[labelled] == 1).all()
                assert (sample['gt_bboxes_labels'] == 1).all()
            np.testing.assert_array_equal(sample['gt_bboxes'], part['gt_bboxes'])


def test_unlabelled_pixels_stay_unlabelled(synthetic_root):
    _, samples = loaded(synthetic_root, 'object', part_label_fraction=0.5)
    withheld = [s['gt_seg_map'] for s in samples if s['seg_map_path'] is None]
    assert withheld and all((m == 255).all() for m in withheld)
    load = TRANSFORMS.build(dict(type='LoadPartAnnotations'))
    table = np.arange(256, dtype=np.uint8)
    table[1:] = 7
    table[255] = 255
    result = load.transform(dict(
        img=np.zeros((2, 2, 3), np.uint8), seg_map_path=None, part_boxes=[], part_labels=[],
        num_part_labels=41, part_label_lut=table))
    assert (result['gt_seg_map'] == 255).all()


def test_an_unknown_label_type_is_refused(synthetic_root):
    with pytest.raises(ValueError, match="label_type must be one of .* got 'objects'"):
        PartImageNetDataset(ann_file='splits/paper/val.json', data_root=synthetic_root,
                            label_type='objects')
