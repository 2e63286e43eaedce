"""Images with a class label, a part map and part boxes, as partmm's converters write them."""
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmengine.fileio import load

from partmm.registry import DATASETS
from partmm.structures import DEFAULT_IGNORE_INDEX

from .checked_dataset import CheckedDataset

LABEL_TYPES = ('part', 'object', 'fg')


def label_type_metainfo(metainfo: dict, label_type: str) -> dict:
    """``metainfo`` of part labels -> that of ``label_type`` labels.

    ``part``: unchanged. ``object``: one label per class, ``part_names`` =
    (background, *classes) and ``part_to_class`` = (-1, 0, ..., C-1). ``fg``: (background,
    foreground), ``part_to_class`` = (-1, -1) (the foreground is of no one class).
    """
    if label_type not in LABEL_TYPES:
        raise ValueError(f'label_type must be one of {LABEL_TYPES}, got {label_type!r}')
    if label_type == 'part':
        return dict(metainfo)
    classes = tuple(metainfo['classes'])
    if label_type == 'object':
        names, to_class = ('background', *classes), (-1, *range(len(classes)))
    else:
        names, to_class = ('background', 'foreground'), (-1, -1)
    return dict(metainfo, part_names=names, part_to_class=to_class, label_type=label_type)


def label_lookup_table(part_to_class: Sequence[int], label_type: str,
                       ignore_index: int = DEFAULT_IGNORE_INDEX) -> Optional[np.ndarray]:
    """Table from part labels to ``label_type`` labels, or None for ``part``.

    It covers every value of the stored maps: uint8 [256] for maps whose ``ignore_index`` is
    at most 255, else uint16 [65536]. Background (0) stays 0 and every value past the part
    labels (``ignore_index`` included) stays itself, so unlabelled pixels remain unlabelled.
    """
    if label_type == 'part':
        return None
    dtype = np.uint8 if ignore_index <= np.iinfo(np.uint8).max else np.uint16
    table = np.arange(np.iinfo(dtype).max + 1, dtype=dtype)
    for part, class_index in enumerate(part_to_class):
        if part == 0:
            continue
        table[part] = class_index + 1 if label_type == 'object' else 1
    return table


@DATASETS.register_module()
class PartSegDataset(CheckedDataset):
    """Samples of a split list written by one of partmm's converters.

    Reads ``splits/<kind>/<split>.json`` under ``data_root`` (MMEngine ``BaseDataset`` format).
    Each data info handed to the pipeline has ``img_path``, ``seg_map_path`` (None when the
    sample's part labels are withheld), ``gt_label``, ``part_boxes`` ([N, 4] x1 y1 x2 y2),
    ``part_labels`` ([N], 1..P-1), ``num_part_labels``, ``ignore_index`` and, for the object and
    fg label types, ``part_label_lut`` (applied by ``LoadPartAnnotations`` to the part map and
    the box labels).

    Metainfo: ``classes`` (C names), ``part_names`` (P names, background first),
    ``part_to_class`` (class index of each part label, -1 for background) and
    ``ignore_index`` (the part maps' value for unlabelled pixels: 255, or 65535 in the uint16
    maps of a release with more than 255 part labels), from the subclass's ``METAINFO`` or,
    where that is empty, from the split file (a dataset whose part set is the release's, like
    PACO). Models read their sizes from it; a split file whose classes or parts
    disagree with ``METAINFO`` is an error, as are an empty split file and images or part maps
    it lists that are missing on disk (checked when the data list is loaded).

    Args:
        ann_file (str): Split list, relative to ``data_root``.
        data_root (str): Converter output folder.
        label_type (str): ``'part'`` (default), ``'object'`` (every part pixel takes its
            object's class, 1 + C labels) or ``'fg'`` (foreground vs background, 2 labels).
        part_label_fraction (float): Fraction of samples that keep their part map and boxes
            (semi-supervised training); the rest keep only their class. 1.0 keeps all.
        part_label_seed (int): Seed of the fixed shuffle that picks the samples keeping part
            labels, so a fraction means the same subset in every run. Defaults to 0.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments (``pipeline``,
            ``test_mode``, ``indices``, ``metainfo``, ``lazy_init``, ...).
    """

    METAINFO: dict = dict()
    # The command that writes this dataset's split lists, named when one is missing.
    CONVERTER = 'the dataset converter in tools/dataset_converters/'

    def __init__(self,
                 ann_file: str,
                 data_root: str,
                 label_type: str = 'part',
                 part_label_fraction: float = 1.0,
                 part_label_seed: int = 0,
                 **kwargs) -> None:
        if not 0.0 <= part_label_fraction <= 1.0:
            raise ValueError(f'part_label_fraction must be in [0, 1], got {part_label_fraction}')
        if label_type not in LABEL_TYPES:
            raise ValueError(f'label_type must be one of {LABEL_TYPES}, got {label_type!r}')
        if not osp.isdir(data_root):
            raise FileNotFoundError(f'data_root {data_root} does not exist; make it with '
                                    f'{self.CONVERTER}')
        self.label_type = label_type
        self.part_label_fraction = part_label_fraction
        self.part_label_seed = part_label_seed
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def missing_ann_file_hint(self) -> str:
        """How to make the missing split list ``self.ann_file``."""
        return f'run {self.CONVERTER} first'

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'annotation file {self.ann_file} does not exist; '
                                    f'{self.missing_ann_file_hint()}')
        annotations = load(self.ann_file)
        if not isinstance(annotations, dict) or 'data_list' not in annotations:
            raise ValueError(f'{self.ann_file} is not a partmm split list (no "data_list")')
        file_meta = annotations.get('metainfo', {})
        for key in ('classes', 'part_names'):
            if key in self.METAINFO and key in file_meta and \
                    tuple(file_meta[key]) != tuple(self.METAINFO[key]):
                raise ValueError(
                    f'metainfo["{key}"] of {self.ann_file} ({len(file_meta[key])} entries) '
                    f'disagrees with the dataset\'s ({len(self.METAINFO[key])} entries)')
        for key, value in file_meta.items():
            self._metainfo.setdefault(key, value)
        for key in ('classes', 'part_names', 'part_to_class'):
            if key not in self._metainfo:
                raise KeyError(f'{self.ann_file}: no metainfo["{key}"] in the split file or '
                               f'the dataset ({type(self).__name__})')
        self._metainfo.setdefault('ignore_index', DEFAULT_IGNORE_INDEX)
        self._part_metainfo = dict(self._metainfo)
        self._label_lut = label_lookup_table(self._metainfo['part_to_class'], self.label_type,
                                             self._metainfo['ignore_index'])
        self._metainfo.update(label_type_metainfo(self._metainfo, self.label_type))
        data_list = [self.parse_data_info(raw) for raw in annotations['data_list']]
        if not data_list:
            raise ValueError(f'split list {self.ann_file} is empty: its "data_list" has no '
                             'entries')
        self._withhold_part_labels(data_list)
        self.check_files_exist(
            [info['img_path'] for info in data_list]
            + [info['seg_map_path'] for info in data_list if info['seg_map_path'] is not None],
            self.ann_file)
        return data_list

    def _withhold_part_labels(self, data_list: List[dict]) -> None:
        """Drop part maps and boxes of all but ``part_label_fraction`` of the samples."""
        if self.part_label_fraction >= 1.0 or not data_list:
            return
        order = np.random.RandomState(self.part_label_seed).permutation(len(data_list))
        num_kept = int(round(self.part_label_fraction * len(data_list)))
        for index in order[num_kept:]:
            info = data_list[index]
            info.update(seg_map_path=None, part_boxes=[], part_labels=[])

    def parse_data_info(self, raw_data_info: dict) -> dict:
        info = dict(raw_data_info)
        for key in ('img_path', 'seg_map_path', 'gt_label'):
            if key not in info:
                raise KeyError(f'an entry of {self.ann_file} has no "{key}": {raw_data_info}')
        num_classes = len(self._metainfo['classes'])
        num_part_labels = len(self._part_metainfo['part_names'])
        if not 0 <= int(info['gt_label']) < num_classes:
            raise ValueError(f'{self.ann_file}: gt_label {info["gt_label"]} of '
                             f'{info["img_path"]} is outside 0..{num_classes - 1}')
        part_labels = [int(label) for label in info.get('part_labels', [])]
        bad = [label for label in part_labels if not 0 < label < num_part_labels]
        if bad:
            raise ValueError(f'{self.ann_file}: part label {bad[0]} of {info["img_path"]} is '
                             f'outside 1..{num_part_labels - 1}')
        info['img_path'] = osp.join(self.data_root, info['img_path'])
        if info['seg_map_path'] is not None:
            info['seg_map_path'] = osp.join(self.data_root, info['seg_map_path'])
        info['gt_label'] = int(info['gt_label'])
        info['part_labels'] = part_labels
        info['part_boxes'] = info.get('part_boxes', [])
        # The part map is checked against the stored labels; the table maps them after.
        info['num_part_labels'] = num_part_labels
        info['ignore_index'] = self._metainfo['ignore_index']
        if self._label_lut is not None:
            info['part_label_lut'] = self._label_lut
        info['reduce_zero_label'] = False
        info['seg_fields'] = []
        return info

    def get_gt_labels(self) -> np.ndarray:
        """Class label of every sample, int64 [N]."""
        return np.array([self.get_data_info(i)['gt_label'] for i in range(len(self))],
                        dtype=np.int64)
