"""PACO object crops as prepared by ``tools/dataset_converters/paco.py``."""
from partmm.registry import DATASETS

from .part_seg_dataset import PartSegDataset


@DATASETS.register_module()
class PacoDataset(PartSegDataset):
    """PACO or the synthetic one: one sample per object crop (:class:`PartSegDataset`).

    The label spaces are the release's: ``classes`` (the OBJECT categories), ``part_names``
    (background, then the ``<object>:<part>`` categories), ``part_to_class`` and
    ``ignore_index`` come from the split file's metainfo, so ``METAINFO`` is empty. Reads
    ``splits/paper/<split>.json`` under ``data_root``; ``label_type``, ``part_label_fraction``
    and the data infos are :class:`PartSegDataset`'s. Pixels of objects without part
    annotations are unlabelled, which the losses and the part metrics ignore: 255 in the uint8
    maps of a release with at most 255 part labels (the synthetic one), 65535 in the uint16
    maps of the whole release (457 part labels); part-model configs for the latter set
    ``model.segmentor.decode_head.ignore_index = 65535``.
    """

    METAINFO: dict = dict()
    CONVERTER = ('tools/dataset_converters/paco.py (the release), after '
                 'tools/dataset_converters/synthetic_paco.py for the synthetic one')

    def missing_ann_file_hint(self) -> str:
        return (f'run tools/dataset_converters/paco.py <PACO root> --out-dir {self.data_root} '
                'first')
