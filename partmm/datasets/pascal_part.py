"""PASCAL-Part as prepared by ``tools/dataset_converters/pascal_part.py``."""
from partmm.registry import DATASETS

from . import pascal_part_meta
from .part_seg_dataset import PartSegDataset


@DATASETS.register_module()
class PascalPartDataset(PartSegDataset):
    """PASCAL-Part (or the synthetic one): 5 classes, 15 grouped parts (:class:`PartSegDataset`).

    Reads a split list written by the converter, ``splits/paper/<split>.json`` under
    ``data_root`` (the papers' seeded per-class 80/10/10 split); ``label_type``,
    ``part_label_fraction`` and the data infos are :class:`PartSegDataset`'s.
    """

    METAINFO = pascal_part_meta.metainfo()
    CONVERTER = ('tools/dataset_converters/pascal_part.py (the release), after '
                 'tools/dataset_converters/synthetic_pascal_part.py for the synthetic one')

    def missing_ann_file_hint(self) -> str:
        return f'run tools/dataset_converters/pascal_part.py {self.data_root} first'
