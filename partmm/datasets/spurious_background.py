"""Spurious-correlation set (the original code's ``part-imagenet-mixed``)."""
import os.path as osp
from typing import List

from partmm.registry import DATASETS

from .wnid_folder_dataset import WnidFolderDataset, WnidToClass, list_wnid_images


@DATASETS.register_module()
class SpuriousBackgroundDataset(WnidFolderDataset):
    """Foregrounds of one class pasted on backgrounds of another class; no part maps.

    Layout (``data_root``)::

        spurious/<split>/<wnid>/<name>.<png|jpg|jpeg|bmp>

    The label is the class of the ``<wnid>`` folder (the foreground's class). Every sample
    gets an all-ignore (255) part map, so class accuracy works and part metrics have no
    labelled pixel; metainfo ``with_part_maps`` is False.

    Args:
        data_root (str): Folder holding ``spurious/``.
        split (str): Sub-folder of ``spurious/`` to read. Defaults to 'test'.
        img_dir (str): Image folder. Defaults to 'spurious'.
        wnid_to_class (dict | str, optional): See :meth:`WnidClassTable.resolve`; the
            original code used a hard-coded table of ImageNet wnids.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments (``pipeline``, ...).
    """

    def __init__(self,
                 data_root: str,
                 split: str = 'test',
                 img_dir: str = 'spurious',
                 wnid_to_class: WnidToClass = None,
                 **kwargs) -> None:
        self.split = split
        self.img_dir = img_dir
        super().__init__(data_root=data_root, wnid_to_class=wnid_to_class, **kwargs)

    def load_data_list(self) -> List[dict]:
        table = self._class_table()
        images = list_wnid_images(osp.join(self.data_root, self.img_dir, self.split))
        self._metainfo['with_part_maps'] = False
        return [self._data_info(img_path, None, wnid, table) for wnid, img_path in images]
