"""A grid of adversarial examples with their predicted part maps, for the report.

In: a list of examples (clean and adversarial image, predicted part maps, labels; torch tensors
or numpy arrays), the class and part names and a part palette. Out: one PNG at ``out_path``.

Rows are examples; columns are the clean image, its predicted part map, the adversarial image,
its predicted part map, the amplified perturbation and, when any example has one, the true part
map. Part maps are drawn as maps beside the images, never tinted over them
(:func:`partmm.visualization.part_map_to_rgb`): each part in its palette colour, background
black, unlabelled pixels (``ignore_index``, 255 unless the dataset says otherwise) grey. On
images whose parts are flat colours a tint would hide a model that predicts no parts at all.
A legend names the colours.
"""
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from partmm.structures import DEFAULT_IGNORE_INDEX
from partmm.visualization.part_maps import (
    BACKGROUND,
    label_name,
    legend_entries,
    part_map_to_rgb,
    part_palette,
)

CORRECT, WRONG = '#1a7f37', '#c62828'


def _array(value: Any) -> np.ndarray:
    """A numpy copy of a torch tensor (any device) or array-like."""
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


def _image(value: Any, where: str) -> np.ndarray:
    """[3, H, W] RGB in [0, 1] -> [H, W, 3] float, clipped so rounding never breaks imshow."""
    image = _array(value).astype(np.float64)
    if image.ndim != 3 or image.shape[0] != 3:
        raise ValueError(f'{where}: expected an RGB image of shape [3, H, W], got '
                         f'{list(image.shape)}')
    return np.clip(image.transpose(1, 2, 0), 0.0, 1.0)


def _part_map(value: Any, shape: Tuple[int, int], where: str) -> np.ndarray:
    """[H, W] (or [1, H, W]) integer labels matching the image size."""
    part_map = _array(value)
    while part_map.ndim > 2 and part_map.shape[0] == 1:
        part_map = part_map[0]
    if part_map.shape != shape:
        raise ValueError(f'{where}: expected a part map of shape {list(shape)} (the image\'s '
                         f'H, W), got {list(part_map.shape)}')
    return part_map.astype(np.int64)


def _part_pixels(part_map: np.ndarray, ignore_index: int) -> np.ndarray:
    return (part_map != BACKGROUND) & (part_map != ignore_index)


def draw_adversarial_overlays(examples: List[dict], class_names: Optional[Sequence[str]],
                              part_names: Optional[Sequence[str]],
                              palette: Optional[Sequence[Sequence[int]]], out_path: str,
                              title: Optional[str] = None,
                              ignore_index: int = DEFAULT_IGNORE_INDEX) -> str:
    """Draw the examples grid and save it as ``out_path`` (PNG); returns ``out_path``.

    Args:
        examples: Dicts with ``image`` and ``adv_image`` ([3, H, W] float RGB in [0, 1]),
            ``part_map`` and ``adv_part_map`` (predicted [H, W] int), ``gt_part_map``
            ([H, W] int, ``ignore_index`` = unlabelled, or None), ``label``, ``pred_label``,
            ``adv_pred_label`` (ints) and ``attack`` (its name).
        class_names: Object class names indexed by label (None: "class <i>").
        part_names: Part names indexed by part label, background first (None: "part <i>").
        palette: RGB (0..255) per part label; None uses partmm's part palette
            (:func:`partmm.visualization.part_palette`), as the visualizer does.
        out_path: PNG to write.
        title: Figure title.
        ignore_index: Value of unlabelled pixels in ``gt_part_map`` (the dataset's).
    """
    if not examples:
        raise ValueError('examples: expected at least one example to draw')
    rows = []
    for i, example in enumerate(examples):
        where = f'examples[{i}]'
        missing = [key for key in ('image', 'adv_image', 'part_map', 'adv_part_map', 'label',
                                   'pred_label', 'adv_pred_label') if key not in example]
        if missing:
            raise ValueError(f'{where}: missing keys {missing}')
        image = _image(example['image'], f'{where}.image')
        shape = image.shape[:2]
        gt = example.get('gt_part_map')
        rows.append(dict(
            image=image, adv_image=_image(example['adv_image'], f'{where}.adv_image'),
            part_map=_part_map(example['part_map'], shape, f'{where}.part_map'),
            adv_part_map=_part_map(example['adv_part_map'], shape, f'{where}.adv_part_map'),
            gt_part_map=None if gt is None else _part_map(gt, shape, f'{where}.gt_part_map'),
            label=int(example['label']), pred_label=int(example['pred_label']),
            adv_pred_label=int(example['adv_pred_label']),
            attack=str(example.get('attack') or 'adversarial')))

    maps = [row[key] for row in rows for key in ('part_map', 'adv_part_map', 'gt_part_map')
            if row[key] is not None]
    present = sorted({int(v) for m in maps for v in np.unique(m[_part_pixels(m, ignore_index)])})
    if palette is None:
        num_labels = len(part_names) if part_names is not None else max(present, default=0) + 1
        palette = part_palette(max(num_labels, max(present, default=0) + 1))
    colours = np.asarray(palette, dtype=np.float64).reshape(-1, 3)
    if present and present[-1] >= len(colours):
        raise ValueError(f'palette: has {len(colours)} colours but the part maps use label '
                         f'{present[-1]}')

    with_gt = any(row['gt_part_map'] is not None for row in rows)
    ncols = 6 if with_gt else 5
    # Row height follows the tallest image's aspect so panels are not padded with blank space.
    aspect = max(row['image'].shape[0] / row['image'].shape[1] for row in rows)
    # (RGB in [0, 1], name) of what the maps show.
    legend = [(np.asarray(colour, dtype=np.float64) / 255.0, name) for colour, name in
              legend_entries({int(v) for m in maps for v in np.unique(m)}, colours, part_names,
                             ignore_index)]
    legend_height = 0.5 + 0.2 * np.ceil(len(legend) / 6)
    fig = Figure(figsize=(2.5 * ncols, (2.5 * aspect + 0.6) * len(rows) + legend_height
                          + (0.4 if title else 0.0)), layout='constrained')
    axes = np.asarray(fig.subplots(len(rows), ncols, squeeze=False))
    for r, row in enumerate(rows):
        true = label_name(class_names, row['label'], 'class')
        clean_ok = row['pred_label'] == row['label']
        adv_ok = row['adv_pred_label'] == row['label']
        clean_pred = label_name(class_names, row['pred_label'], 'class')
        adv_pred = label_name(class_names, row['adv_pred_label'], 'class')
        delta = row['adv_image'] - row['image']
        size = float(np.abs(delta).max())
        # Centred at grey and stretched so the largest change reaches black or white.
        gain = 0.5 / size if size > 0 else 1.0
        panels = [
            (row['image'], f'clean\ntrue {true} / pred {clean_pred}', clean_ok),
            (part_map_to_rgb(row['part_map'], colours, ignore_index,
                             f'examples[{r}].part_map'),
             f'predicted parts (clean)\npred {clean_pred}', clean_ok),
            (row['adv_image'], f'{row["attack"]}\ntrue {true} / pred {adv_pred}', adv_ok),
            (part_map_to_rgb(row['adv_part_map'], colours, ignore_index,
                             f'examples[{r}].adv_part_map'),
             f'predicted parts ({row["attack"]})\npred {adv_pred}', adv_ok),
            (np.clip(0.5 + gain * delta, 0, 1),
             f'perturbation ×{gain:.0f}\nmax |δ| = {size * 255:.1f}/255', None)]
        if with_gt:
            gt = row['gt_part_map']
            panels.append((None, 'no true part map', None) if gt is None else (
                part_map_to_rgb(gt, colours, ignore_index, f'examples[{r}].gt_part_map'),
                f'true parts\n{true}', None))
        for c, (picture, text, ok) in enumerate(panels):
            ax = axes[r, c]
            if picture is None:
                ax.set_axis_off()
            else:
                ax.imshow(picture, interpolation='nearest')
            ax.set_title(text, fontsize=8,
                         color='black' if ok is None else (CORRECT if ok else WRONG))
            ax.set_xticks([])
            ax.set_yticks([])
        axes[r, 0].set_ylabel(f'#{r}', fontsize=9)
    handles = [Patch(facecolor=colour, edgecolor='0.6', label=text) for colour, text in legend]
    fig.legend(handles=handles, loc='outside lower center', ncol=min(6, len(handles)),
               fontsize=8, title='part maps (predicted and true)', title_fontsize=8)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.savefig(out_path, dpi=110, facecolor='white')
    return out_path
