"""Drawing part maps with the dataset's part names."""
from typing import List, Tuple

import numpy as np
from mmseg.visualization import SegLocalVisualizer

from partmm.registry import VISUALIZERS


def part_palette(num_labels: int, seed: int = 0) -> List[Tuple[int, int, int]]:
    """A fixed colour per part label; background (label 0) black."""
    colours = np.random.RandomState(seed).randint(40, 256, size=(num_labels, 3))
    colours[0] = 0
    return [tuple(int(c) for c in colour) for colour in colours]


@VISUALIZERS.register_module()
class PartVisualizer(SegLocalVisualizer):
    """mmseg's visualizer for part maps: labels and colours come from ``part_names``.

    The runner hands every visualizer the dataset's metainfo, whose ``classes`` are the object
    classes; part maps index ``part_names`` instead, so this visualizer swaps them in (the
    object classes stay under ``object_classes``) and builds a fixed palette unless the
    metainfo brings one for the parts (``part_palette``).
    """

    @property
    def dataset_meta(self) -> dict:
        return self._dataset_meta

    @dataset_meta.setter
    def dataset_meta(self, dataset_meta: dict) -> None:
        if dataset_meta and 'part_names' in dataset_meta:
            part_names = list(dataset_meta['part_names'])
            dataset_meta = dict(
                dataset_meta,
                object_classes=dataset_meta.get('classes'),
                classes=part_names,
                palette=dataset_meta.get('part_palette') or part_palette(len(part_names)))
        self._dataset_meta = dataset_meta
