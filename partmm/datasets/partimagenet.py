"""PartImageNet as prepared by ``tools/dataset_converters/partimagenet.py``."""
import os.path as osp
from typing import List

import numpy as np
from mmengine.fileio import load

from partmm.registry import DATASETS

from . import partimagenet_meta
from .checked_dataset import CheckedDataset


@DATASETS.register_module()
class PartImageNetDataset(CheckedDataset):
    """Images with a class label, a part map and part boxes (PartImageNet or the synthetic one).

    Reads a split list written by the converter (``splits/<paper|official|original>/<split>.json``
    under ``data_root``). Each data info handed to the pipeline has ``img_path``,
    ``seg_map_path`` (None when the sample's part labels are withheld), ``gt_label``,
    ``part_boxes`` ([N, 4] x1 y1 x2 y2), ``part_labels`` ([N], 1..P-1) and ``num_part_labels``.

    Metainfo: ``classes`` (11 names), ``part_names`` (41 names, background first) and
    ``part_to_class`` (class index of each part label, -1 for background). Models read their
    sizes from it; a split file whose classes or parts disagree with it is an error, as are an
    empty split file and images or part maps it lists that are missing on disk (checked when
    the data list is loaded, see :class:`CheckedDataset`).

    Args:
        ann_file (str): Split list, relative to ``data_root``.
        data_root (str): Converter output folder (the release root by default).
        part_label_fraction (float): Fraction of samples that keep their part map and boxes
            (semi-supervised training); the rest keep only their class. 1.0 keeps all.
        part_label_seed (int): Seed of the fixed shuffle that picks the samples keeping part
            labels, so a fraction means the same subset in every run. Defaults to 0.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments (``pipeline``,
            ``test_mode``, ``indices``, ``metainfo``, ``lazy_init``, ...).
    """

    METAINFO = partimagenet_meta.metainfo()

    def __init__(self,
                 ann_file: str,
                 data_root: str,
                 part_label_fraction: float = 1.0,
                 part_label_seed: int = 0,
                 **kwargs) -> None:
        if not 0.0 <= part_label_fraction <= 1.0:
            raise ValueError(f'part_label_fraction must be in [0, 1], got {part_label_fraction}')
        if not osp.isdir(data_root):
            raise FileNotFoundError(
                f'data_root {data_root} does not exist; generate it with '
                'tools/dataset_converters/synthetic_partimagenet.py or convert the release '
                'with tools/dataset_converters/partimagenet.py')
        self.part_label_fraction = part_label_fraction
        self.part_label_seed = part_label_seed
        super().__init__(ann_file=ann_file, data_root=data_root, **kwargs)

    def load_data_list(self) -> List[dict]:
        if not osp.isfile(self.ann_file):
            # The original split is made only from the original preparation's lists.
            from_lists = ' --split-from <its PartSegmentations/All>' if osp.basename(
                osp.dirname(self.ann_file)) == 'original' else ''
            raise FileNotFoundError(
                f'annotation file {self.ann_file} does not exist; run '
                f'tools/dataset_converters/partimagenet.py {self.data_root}{from_lists} first')
        annotations = load(self.ann_file)
        if not isinstance(annotations, dict) or 'data_list' not in annotations:
            raise ValueError(f'{self.ann_file} is not a partmm split list (no "data_list")')
        file_meta = annotations.get('metainfo', {})
        for key in ('classes', 'part_names'):
            if key in file_meta and tuple(file_meta[key]) != tuple(self._metainfo[key]):
                raise ValueError(
                    f'metainfo["{key}"] of {self.ann_file} ({len(file_meta[key])} entries) '
                    f'disagrees with the dataset\'s ({len(self._metainfo[key])} entries)')
        for key, value in file_meta.items():
            self._metainfo.setdefault(key, value)
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
        num_part_labels = len(self._metainfo['part_names'])
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
        info['num_part_labels'] = num_part_labels
        info['reduce_zero_label'] = False
        info['seg_fields'] = []
        return info

    def get_gt_labels(self) -> np.ndarray:
        """Class label of every sample, int64 [N]."""
        return np.array([self.get_data_info(i)['gt_label'] for i in range(len(self))],
                        dtype=np.int64)
