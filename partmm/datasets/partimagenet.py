"""PartImageNet as prepared by ``tools/dataset_converters/partimagenet.py``."""
import os.path as osp

from partmm.registry import DATASETS

from . import partimagenet_meta
from .part_seg_dataset import PartSegDataset


@DATASETS.register_module()
class PartImageNetDataset(PartSegDataset):
    """PartImageNet or the synthetic one: 11 classes, 40 parts (:class:`PartSegDataset`).

    Reads a split list written by the converter, ``splits/<paper|official|original>/
    <split>.json`` under ``data_root``; ``label_type``, ``part_label_fraction`` and the data
    infos are :class:`PartSegDataset`'s.
    """

    METAINFO = partimagenet_meta.metainfo()
    CONVERTER = ('tools/dataset_converters/partimagenet.py (the release), after '
                 'tools/dataset_converters/synthetic_partimagenet.py for the synthetic one')

    def missing_ann_file_hint(self) -> str:
        # The original split is made only from the original preparation's lists.
        from_lists = ' --split-from <its PartSegmentations/All>' if osp.basename(
            osp.dirname(self.ann_file)) == 'original' else ''
        return f'run tools/dataset_converters/partimagenet.py {self.data_root}{from_lists} first'
