"""Shape-vs-texture cue-conflict set (the original code's ``part-imagenet-geirhos``)."""
import os.path as osp
from typing import List

from mmengine.fileio import load

from partmm.registry import DATASETS

from .wnid_folder_dataset import WnidFolderDataset, WnidToClass, list_wnid_images


@DATASETS.register_module()
class ShapeTextureDataset(WnidFolderDataset):
    """Images whose object keeps its shape but wears the texture of another class.

    Layout (``data_root``)::

        StyleJPEGImages/<wnid>/<wnid>_<n>.png   stylised image (.jpg/.jpeg/.bmp also read)
        part_maps/<wnid>_<n>.png                part map of the content image, uint8,
                                                0 = background, 1..40 parts (partmm format)

    The label is the class of the image's ``<wnid>`` folder, i.e. of the content (shape)
    image. The original loader took masks of the content images from its prepared
    PartSegmentations tree; ``part_maps/`` is partmm's equivalent, so the released
    ``shapeVStexture.tar.gz`` unpacked into a converted PartImageNet root (as the original
    README does) reads as is, and ``generate_shape_texture_set`` writes both folders.

    Args:
        data_root (str): Folder holding ``img_dir`` and ``part_map_dir``.
        ann_file (str): Optional partmm split list (relative to ``data_root``, e.g.
            ``splits/paper/test.json``); when given, only images whose file stem it lists are
            kept (the release pools the val and test images). Defaults to '' (all images).
        img_dir (str): Image folder. Defaults to 'StyleJPEGImages'.
        part_map_dir (str): Part-map folder. Defaults to 'part_maps'.
        with_part_maps (bool): Load part maps. False gives every sample an all-ignore (255)
            part map, for sets without masks: class accuracy still works and part metrics
            have no labelled pixel (metainfo ``with_part_maps`` says so). Defaults to True.
        wnid_to_class (dict | str, optional): See :meth:`WnidClassTable.resolve`.
        **kwargs: :class:`mmengine.dataset.BaseDataset` arguments (``pipeline``, ...).
    """

    def __init__(self,
                 data_root: str,
                 ann_file: str = '',
                 img_dir: str = 'StyleJPEGImages',
                 part_map_dir: str = 'part_maps',
                 with_part_maps: bool = True,
                 wnid_to_class: WnidToClass = None,
                 **kwargs) -> None:
        self.img_dir = img_dir
        self.part_map_dir = part_map_dir
        self.with_part_maps = with_part_maps
        super().__init__(data_root=data_root, ann_file=ann_file, wnid_to_class=wnid_to_class,
                         **kwargs)

    def load_data_list(self) -> List[dict]:
        table = self._class_table()
        images = list_wnid_images(osp.join(self.data_root, self.img_dir))
        if self.ann_file:
            listed = self._listed_stems()
            images = [(wnid, path) for wnid, path in images if _stem(path) in listed]
            if not images:
                raise ValueError(f'none of the images in {osp.join(self.data_root, self.img_dir)}'
                                 f' is listed in {self.ann_file}')
        part_map_dir = osp.join(self.data_root, self.part_map_dir)
        seg_map_paths = [osp.join(part_map_dir, f'{_stem(img_path)}.png') if self.with_part_maps
                         else None for _, img_path in images]
        if self.with_part_maps:
            self.check_files_exist(
                seg_map_paths, f'{osp.join(self.data_root, self.img_dir)} (its part maps in '
                f'{part_map_dir})', hint='Pass with_part_maps=False to evaluate without part maps')
        self._metainfo['with_part_maps'] = self.with_part_maps
        return [self._data_info(img_path, seg_map_path, wnid, table)
                for (wnid, img_path), seg_map_path in zip(images, seg_map_paths)]

    def _listed_stems(self) -> set:
        """File stems of the images in the split list ``ann_file``."""
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(f'split list {self.ann_file} does not exist')
        content = load(self.ann_file)
        if not isinstance(content, dict) or 'data_list' not in content:
            raise ValueError(f'{self.ann_file} is not a partmm split list (no "data_list")')
        return {_stem(entry['img_path']) for entry in content['data_list']}


def _stem(path: str) -> str:
    return osp.splitext(osp.basename(path))[0]
