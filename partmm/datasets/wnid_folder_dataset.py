"""Base of the evaluation sets stored as one folder per wnid, and their wnid -> class tables.

The distribution-shift sets of the original code (shape-vs-texture, spurious backgrounds) keep
images in ``<wnid>/`` folders and take an image's class from its folder's wnid. This module
lists such folders and resolves wnids to the 11 PartImageNet super-classes.
"""
import glob
import os
import os.path as osp
from typing import Dict, List, Mapping, Optional, Tuple, Union

import numpy as np
from mmengine.fileio import load

from . import partimagenet_meta
from .checked_dataset import CheckedDataset

IMG_EXTENSIONS = ('.png', '.jpg', '.jpeg', '.bmp')

# A wnid -> class table (values: class index or class name), a JSON file holding one, a
# partmm-converted dataset root, or None (see ``WnidClassTable.resolve``).
WnidToClass = Union[None, str, Mapping[str, Union[int, str]]]

class WnidClassTable:
    """wnid -> class index, from an explicit table or (``table`` None) the synthetic wnid rule.

    Args:
        table (dict[str, int], optional): wnid -> class index; None decodes synthetic wnids.
        source (str): Where the table came from, quoted in errors.
    """

    def __init__(self, table: Optional[Dict[str, int]], source: str) -> None:
        self.table = table
        self.source = source

    @classmethod
    def resolve(cls, wnid_to_class: WnidToClass, data_root: str) -> 'WnidClassTable':
        """Build the table of a dataset under ``data_root``.

        ``wnid_to_class`` may be a dict (wnid -> class index or name), the path of a JSON file
        holding such a dict (or a ``meta.json`` with a ``wnid_to_class`` key), or a
        partmm-converted dataset root whose ``splits/*/*.json`` list each image's ``wnid`` and
        ``gt_label``. None looks, in order, for ``<data_root>/meta.json`` (written by the
        generators), for split lists under ``<data_root>/splits`` (a release unpacked into a
        converted root, as the original README does) and otherwise decodes synthetic wnids.

        Raises:
            FileNotFoundError: If a given path does not exist or a root has no split lists.
            ValueError: If a class is unknown or a wnid maps to two classes.
        """
        if wnid_to_class is None:
            meta_file = osp.join(data_root, partimagenet_meta.META_FILE)
            if osp.isfile(meta_file):
                return cls._from_json(meta_file)
            if osp.isdir(osp.join(data_root, 'splits')):
                return cls._from_converted_root(data_root)
            return cls(None, 'the synthetic wnid rule (n9xxxxxxx)')
        if isinstance(wnid_to_class, Mapping):
            return cls(_class_indices(wnid_to_class, 'wnid_to_class'), 'wnid_to_class')
        if osp.isdir(wnid_to_class):
            return cls._from_converted_root(wnid_to_class)
        if osp.isfile(wnid_to_class):
            return cls._from_json(wnid_to_class)
        raise FileNotFoundError(f'wnid_to_class {wnid_to_class} is neither a JSON file nor a '
                                'partmm-converted dataset root')

    @classmethod
    def _from_json(cls, path: str) -> 'WnidClassTable':
        content = load(path)
        if isinstance(content, dict) and isinstance(content.get('wnid_to_class'), dict):
            content = content['wnid_to_class']
        if not isinstance(content, dict):
            raise ValueError(f'{path} holds no wnid -> class object')
        return cls(_class_indices(content, path), path)

    @classmethod
    def _from_converted_root(cls, root: str) -> 'WnidClassTable':
        split_files = sorted(glob.glob(osp.join(root, 'splits', '*', '*.json')))
        if not split_files:
            raise FileNotFoundError(f'no partmm split lists {root}/splits/*/*.json to read '
                                    'the wnid -> class table from')
        table: Dict[str, int] = {}
        for path in split_files:
            for entry in load(path).get('data_list', []):
                if 'wnid' in entry and 'gt_label' in entry:
                    _add(table, entry['wnid'], int(entry['gt_label']), path)
        return cls(table, f'{root}/splits')

    def class_of(self, wnid: str, folder: str) -> int:
        """Class index of the images in ``folder`` (named ``wnid``).

        Raises:
            ValueError: If the table does not know ``wnid``; the message names the folder.
        """
        class_index = (partimagenet_meta.synthetic_wnid_class(wnid) if self.table is None
                       else self.table.get(wnid))
        if class_index is None:
            raise ValueError(f'folder {folder}: wnid {wnid!r} has no class in {self.source}; '
                           'pass wnid_to_class (a dict, a JSON file or a converted root)')
        return class_index


def _class_indices(mapping: Mapping[str, Union[int, str]], source: str) -> Dict[str, int]:
    """wnid -> class index, accepting class indices or class names as values."""
    table: Dict[str, int] = {}
    for wnid, value in mapping.items():
        if isinstance(value, str) and value in partimagenet_meta.CLASSES:
            _add(table, wnid, partimagenet_meta.CLASSES.index(value), source)
        elif (isinstance(value, (int, np.integer)) and not isinstance(value, bool)
              and 0 <= value < partimagenet_meta.NUM_CLASSES):
            _add(table, wnid, int(value), source)
        else:
            raise ValueError(f'{source}: wnid {wnid!r} maps to {value!r}, which is neither a '
                             f'class name of {partimagenet_meta.CLASSES} nor an index 0..'
                             f'{partimagenet_meta.NUM_CLASSES - 1}')
    return table


def _add(table: Dict[str, int], wnid: str, class_index: int, source: str) -> None:
    if table.setdefault(wnid, class_index) != class_index:
        raise ValueError(f'{source}: wnid {wnid!r} maps to two classes, '
                         f'{table[wnid]} and {class_index}')


def list_wnid_images(folder: str) -> List[Tuple[str, str]]:
    """(wnid, image path) of every image file ``<folder>/<wnid>/<name>``, sorted.

    Only files with an extension in ``IMG_EXTENSIONS`` (any case) count; other entries are
    ignored, so stray files such as ``.DS_Store`` do not break loading.

    Raises:
        FileNotFoundError: If ``folder`` does not exist.
        ValueError: If it holds no image.
    """
    if not osp.isdir(folder):
        raise FileNotFoundError(f'image folder {folder} does not exist')
    images = []
    for wnid in sorted(os.listdir(folder)):
        wnid_dir = osp.join(folder, wnid)
        if not osp.isdir(wnid_dir):
            continue
        images.extend((wnid, osp.join(wnid_dir, name)) for name in sorted(os.listdir(wnid_dir))
                      if osp.splitext(name)[1].lower() in IMG_EXTENSIONS)
    if not images:
        raise ValueError(f'{folder} holds no images: expected {folder}/<wnid>/<name> with an '
                         f'extension in {IMG_EXTENSIONS}')
    return images


class WnidFolderDataset(CheckedDataset):
    """Base of the wnid-folder evaluation sets; subclasses implement ``load_data_list``.

    Data infos have the keys of :class:`PartImageNetDataset` (``img_path``, ``seg_map_path``,
    ``gt_label``, ``part_boxes``, ``part_labels``, ``num_part_labels``, ...), so its pipelines
    apply unchanged; ``seg_map_path`` None makes ``LoadPartAnnotations`` fill the part map with
    its ignore index (255). Part boxes are empty: the released layouts carry none.

    Metainfo: that of :class:`PartImageNetDataset` plus ``with_part_maps`` (bool), which tells
    an evaluation tool whether part metrics mean anything on this set.

    Args:
        data_root (str): Root folder of the set.
        wnid_to_class (dict | str, optional): See :meth:`WnidClassTable.resolve`.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments (``pipeline``, ...).
    """

    METAINFO = partimagenet_meta.metainfo()

    def __init__(self, data_root: str, wnid_to_class: WnidToClass = None, **kwargs) -> None:
        if not osp.isdir(data_root):
            raise FileNotFoundError(
                f'data_root {data_root} does not exist; generate the set with '
                'tools/dataset_converters/make_shift_sets.py or unpack the released one there')
        self.wnid_to_class = wnid_to_class
        super().__init__(data_root=data_root, **kwargs)

    def _class_table(self) -> WnidClassTable:
        return WnidClassTable.resolve(self.wnid_to_class, self.data_root)

    def _data_info(self, img_path: str, seg_map_path: Optional[str], wnid: str,
                   table: WnidClassTable) -> dict:
        """The data info of one image, labelled by the class of its wnid folder."""
        gt_label = table.class_of(wnid, osp.dirname(img_path))
        return dict(
            img_path=img_path,
            seg_map_path=seg_map_path,
            gt_label=gt_label,
            class_name=self._metainfo['classes'][gt_label],
            wnid=wnid,
            part_boxes=[],
            part_labels=[],
            num_part_labels=len(self._metainfo['part_names']),
            reduce_zero_label=False,
            seg_fields=[])

    def get_gt_labels(self) -> np.ndarray:
        """Class label of every sample, int64 [N]."""
        return np.array([self.get_data_info(i)['gt_label'] for i in range(len(self))],
                        dtype=np.int64)
