"""Cityscapes-Panoptic-Parts object crops as prepared by
``tools/dataset_converters/cityscapes_parts.py``."""
from partmm.registry import DATASETS

from . import cityscapes_parts_meta
from .part_seg_dataset import PartSegDataset


@DATASETS.register_module()
class CityscapesPartsDataset(PartSegDataset):
    """Cityscapes-Panoptic-Parts or the synthetic one: 2 classes (human, vehicle), 9 parts
    (:class:`PartSegDataset`).

    Reads a split list written by the converter, ``splits/paper/<split>.json`` under
    ``data_root``: one square crop per human or vehicle instance, its part map labelling the
    parts of every instance in the crop (0 background, 1..4 human torso, head, arms, legs, 5..9
    vehicle windows, wheels, lights, license plate, chassis). ``label_type``,
    ``part_label_fraction`` and the data infos are :class:`PartSegDataset`'s; each data info
    also names its source (``raw_split``, ``city``, ``image_stem``, ``sid``, ``iid``,
    ``crop_box``).
    """

    METAINFO = cityscapes_parts_meta.metainfo()
    CONVERTER = ('tools/dataset_converters/cityscapes_parts.py (the release), after '
                 'tools/dataset_converters/synthetic_cityscapes_parts.py for the synthetic one')

    def missing_ann_file_hint(self) -> str:
        return f'run tools/dataset_converters/cityscapes_parts.py {self.data_root} first'
