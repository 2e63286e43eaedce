"""PACO object crops as prepared by ``tools/dataset_converters/paco.py``."""
from typing import List

from partmm.registry import DATASETS

from . import paco_meta
from .part_seg_dataset import PartSegDataset


@DATASETS.register_module()
class PacoDataset(PartSegDataset):
    """PACO or the synthetic one: one sample per object crop (:class:`PartSegDataset`).

    The label spaces are the release's: ``classes`` (the OBJECT categories), ``part_names``
    (background, then the ``<object>:<part>`` categories) and ``part_to_class`` come from the
    split file's metainfo, so ``METAINFO`` is empty. Reads ``splits/paper/<split>.json`` under
    ``data_root``; ``label_type``, ``part_label_fraction`` and the data infos are
    :class:`PartSegDataset`'s. Pixels of objects without part annotations are unlabelled
    (255), which the losses and the part metrics ignore.

    Raises:
        ValueError: If the split's part maps are uint16 (more than 254 part labels, as the
            whole release has): ``LoadPartAnnotations`` reads uint8 maps with 255 as the
            unlabelled value only.
    """

    METAINFO: dict = dict()
    CONVERTER = ('tools/dataset_converters/paco.py (the release), after '
                 'tools/dataset_converters/synthetic_paco.py for the synthetic one')

    def missing_ann_file_hint(self) -> str:
        return (f'run tools/dataset_converters/paco.py <PACO root> --out-dir {self.data_root} '
                'first')

    def load_data_list(self) -> List[dict]:
        data_list = super().load_data_list()
        ignore_index = self._metainfo.get('ignore_index', paco_meta.UNLABELLED_UINT8)
        if ignore_index != paco_meta.UNLABELLED_UINT8:
            raise ValueError(
                f'{self.ann_file}: its {len(self._part_metainfo["part_names"])} part labels '
                f'are stored in uint16 part maps (unlabelled = {ignore_index}), which '
                'LoadPartAnnotations does not read: it takes uint8 maps with 255 as the '
                'unlabelled value, i.e. at most 254 part labels')
        return data_list
