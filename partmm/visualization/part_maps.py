"""Part maps drawn as maps: the colours shared by ``--show-dir`` pictures and the report.

A part map is drawn on its own, never tinted over the image: on images whose parts are flat
colours (the synthetic datasets) a tint of the predicted parts is indistinguishable from the
image, so a model that predicts all background would look perfect. In a drawn map each part
label has its palette colour, background (label 0) is black and unlabelled pixels
(``ignore_index``: 255, or 65535 in the uint16 maps of the whole PACO) are grey.
"""
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

from partmm.structures import DEFAULT_IGNORE_INDEX

BACKGROUND = 0
BACKGROUND_COLOUR = (0, 0, 0)
UNLABELLED_COLOUR = (96, 96, 96)
# Part colours differ from the greys by at least this much between their largest and smallest
# channel, so no part can be mistaken for background or unlabelled pixels.
_MIN_CHROMA = 60


def part_palette(num_labels: int, seed: int = 0) -> List[Tuple[int, int, int]]:
    """A fixed colour per part label: background (label 0) black, parts clearly coloured.

    The part colours are picked one by one from random candidates, each the farthest (in RGB)
    from those already taken, black and the unlabelled grey included, so that the first labels
    (small datasets) get colours that are easy to tell apart.

    Args:
        num_labels: Part labels, background included.
        seed: Seed of the candidates; the same seed gives the same palette.

    Returns:
        ``num_labels`` RGB tuples in 0..255.
    """
    rng = np.random.RandomState(seed)
    candidates = rng.randint(40, 256, size=(max(4096, 2 * num_labels), 3))
    candidates = candidates[candidates.max(axis=1) - candidates.min(axis=1) >= _MIN_CHROMA]
    taken = np.array([BACKGROUND_COLOUR, UNLABELLED_COLOUR], dtype=np.float64)
    distance = np.linalg.norm(candidates[:, None] - taken[None], axis=-1).min(axis=1)
    colours = [BACKGROUND_COLOUR]
    for _ in range(1, num_labels):
        pick = int(distance.argmax())
        colours.append(tuple(int(c) for c in candidates[pick]))
        distance = np.minimum(distance, np.linalg.norm(candidates - candidates[pick], axis=1))
    return colours[:num_labels]


def part_map_to_rgb(part_map: np.ndarray, palette: Sequence[Sequence[int]],
                    ignore_index: int = DEFAULT_IGNORE_INDEX,
                    where: str = 'part_map') -> np.ndarray:
    """Colour a part map as a map.

    Args:
        part_map: [H, W] int part labels (a torch tensor or a [1, H, W] array also work).
        palette: RGB (0..255) per part label; its entry 0 is not used (background is black).
        ignore_index: Value of unlabelled pixels.
        where: Names the map in errors.

    Returns:
        [H, W, 3] uint8 RGB: palette colours, background black, unlabelled pixels grey.
    """
    if hasattr(part_map, 'detach'):
        part_map = part_map.detach().cpu().numpy()
    labels = np.asarray(part_map)
    while labels.ndim > 2 and labels.shape[0] == 1:
        labels = labels[0]
    if labels.ndim != 2:
        raise ValueError(f'{where}: expected a part map of shape [H, W], got '
                         f'{list(labels.shape)}')
    labels = labels.astype(np.int64)
    colours = np.asarray(palette, dtype=np.uint8).reshape(-1, 3).copy()
    if not len(colours):
        raise ValueError(f'{where}: the palette has no colours')
    unlabelled = labels == ignore_index
    bad = np.unique(labels[~unlabelled & ((labels < 0) | (labels >= len(colours)))])
    if bad.size:
        raise ValueError(f'{where}: label {int(bad[0])} has no palette colour (the palette has '
                         f'{len(colours)}; unlabelled pixels are {ignore_index})')
    colours[BACKGROUND] = BACKGROUND_COLOUR
    rgb = colours[np.where(unlabelled, BACKGROUND, labels)]
    rgb[unlabelled] = UNLABELLED_COLOUR
    return rgb


def label_name(names: Optional[Sequence[str]], index: int, prefix: str) -> str:
    """``names[index]``, or ``'<prefix> <index>'`` when there is no such name."""
    return names[index] if names is not None and 0 <= index < len(names) else f'{prefix} {index}'


def legend_entries(labels: Iterable[int], palette: Sequence[Sequence[int]],
                   part_names: Optional[Sequence[str]],
                   ignore_index: int = DEFAULT_IGNORE_INDEX) -> List[Tuple[Sequence[int], str]]:
    """(RGB colour, name) of each label drawn in a map: background, unlabelled, then the parts
    in label order, each colour as :func:`part_map_to_rgb` draws it."""
    labels = {int(label) for label in labels}
    entries = []
    if BACKGROUND in labels:
        entries.append((BACKGROUND_COLOUR, 'background'))
    if ignore_index in labels:
        entries.append((UNLABELLED_COLOUR, 'unlabelled'))
    return entries + [(palette[label], label_name(part_names, label, 'part'))
                      for label in sorted(labels - {BACKGROUND, ignore_index})]
