"""Distribution-shift evaluation sets built from a partmm dataset, in the released layouts.

From a converted root (``tools/dataset_converters/partimagenet.py``) and one of its split lists,
write the two sets of the original code's robustness evaluation, laid out as its releases so
that :class:`ShapeTextureDataset` and :class:`SpuriousBackgroundDataset` read them:

* shape-vs-texture cue conflict (``part-imagenet-geirhos``)::

      <out_dir>/StyleJPEGImages/<wnid>/<wnid>_<n>.png   content shape, another class's texture
      <out_dir>/part_maps/<wnid>_<n>.png                the content image's part map (copy)

* spurious backgrounds (``part-imagenet-mixed``)::

      <out_dir>/spurious/<split>/<wnid>/<wnid>_<n>.png  foreground <wnid>_<n> on the background
                                                        of an image of another class

* ``<out_dir>/meta.json``: ``wnid_to_class`` (wnid -> class name, read by the loaders), and per
  set (``shape_texture`` keyed by source split list, ``spurious_background`` by output split)
  the settings, the donor of every output image and the skipped source images;
* ``<out_dir>/partmm_manifest.shift_sets.<set>.json``: each set's settings, written last.

A folder holds one shape-vs-texture set and one spurious-background set per split; each is
replaced as a unit (see :mod:`partmm.datasets.output_guard`).

No style-transfer network or weights are needed: both sets use classical image operations
(see :func:`transfer_texture` and :func:`remove_foreground`). Images are written as PNG so
that copied pixels stay exact.

Pairing: every source image gets one donor (texture or background) image. The donor's class is
drawn uniformly among the other classes present, then the donor uniformly among that class's
eligible images, with ``numpy.random.default_rng([seed, 0])`` walking the split list in order;
per-image randomness (texture and grain patches) uses ``default_rng([seed, 1, index])``. The same
source and arguments therefore give byte-identical files.
"""
import json
import os
import os.path as osp
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmengine.fileio import load
from PIL import Image
from scipy import ndimage

from partmm.datasets import partimagenet_meta as meta
from partmm.datasets.output_guard import file_digest, write_output

PRODUCER = 'shift_sets'  # prefix of the sets' manifest names
SHAPE_TEXTURE_DIR = 'StyleJPEGImages'
SPURIOUS_DIR = 'spurious'
_EPS = 1.0  # in 0..255 units: keeps colour statistics of flat regions finite


@dataclass
class _Source:
    """One image of the source split list (paths joined with the source root)."""
    stem: str
    wnid: str
    label: int
    img_path: str
    seg_map_path: str
    rel_img_path: str


def generate_shape_texture_set(source_root: str,
                               out_dir: str,
                               ann_file: str = 'splits/paper/test.json',
                               seed: int = 0,
                               lowpass_sigma: float = 0.02,
                               patch_fraction: float = 0.125,
                               overwrite: bool = False) -> dict:
    """Write the shape-vs-texture set of one split list (see the module docstring).

    Each source image with a foreground keeps its part map, its parts' shapes and their relative
    shading and receives the colours and fine texture of a donor image of another class
    (:func:`transfer_texture`); its label stays the content class. Images without foreground
    pixels are skipped (recorded in ``meta.json``); donors must have a foreground too.

    The set is ``StyleJPEGImages/`` and ``part_maps/`` of ``out_dir``, replaced as a unit
    through :mod:`partmm.datasets.output_guard` (manifest ``partmm_manifest.shift_sets.
    shape_texture.json``; settings: the arguments but ``source_root``, and a hash of the split
    list). The set of the same settings is reused as it is; any other is an error unless
    ``overwrite``. Other sets in ``out_dir`` are left alone.

    Args:
        source_root: Converted dataset root (``part_maps/``, ``splits/``).
        out_dir: Output root (created if needed).
        ann_file: Source split list, relative to ``source_root``.
        seed: Seed of the pairing and of the texture patches.
        lowpass_sigma: Gaussian sigma of the low/high-frequency split, as a fraction of the
            image's shorter side.
        patch_fraction: Side of the texture patches, as a fraction of the donor's shorter side.
        overwrite: Replace a shape-vs-texture set of other settings or unknown origin.

    Returns:
        Summary: ``out_dir``, ``num_images``, ``pairs`` (output image -> donor image, both
        relative to their roots), ``skipped`` (source images without foreground) and
        ``reused`` (True when the set was already there).

    Raises:
        FileNotFoundError: If ``source_root`` or the split list does not exist.
        ValueError: If the split list lacks part maps or has fewer than two usable classes.
        OutputExistsError: If ``out_dir`` holds another shape-vs-texture set and
            ``overwrite`` is False.
    """
    source_list = _source_list(source_root, ann_file)
    if osp.realpath(out_dir) == osp.realpath(source_root):
        raise ValueError(f'out_dir {out_dir} is the source root: the set\'s part_maps/ would '
                         'replace the converted ones; write the shift sets to their own folder')
    sources = _load_sources(source_root, source_list)

    def write(work_dir: str) -> dict:
        has_fg = [bool((_read_part_map(s) > 0).any()) for s in sources]
        contents = [i for i, ok in enumerate(has_fg) if ok]
        donors = _pick_donors(sources, contents, has_fg, np.random.default_rng([seed, 0]))
        pairs = {}
        for index, donor in zip(contents, donors):
            source, texture = sources[index], sources[donor]
            part_map = _read_part_map(source)
            image = transfer_texture(_read_image(source), part_map, _read_image(texture),
                                     _read_part_map(texture),
                                     np.random.default_rng([seed, 1, index]),
                                     lowpass_sigma=lowpass_sigma, patch_fraction=patch_fraction)
            rel_path = f'{SHAPE_TEXTURE_DIR}/{source.wnid}/{source.stem}.png'
            _save(image, osp.join(work_dir, rel_path))
            _save(part_map, osp.join(work_dir, meta.PART_MAP_DIR, f'{source.stem}.png'))
            pairs[rel_path] = texture.rel_img_path
        skipped = [sources[i].rel_img_path for i, ok in enumerate(has_fg) if not ok]
        record = dict(source_root=source_root, ann_file=ann_file, seed=seed,
                      lowpass_sigma=lowpass_sigma, patch_fraction=patch_fraction,
                      num_images=len(pairs), pairs=pairs, skipped=skipped)
        # One set per folder: the section's earlier entries described the replaced images.
        _write_meta(out_dir, work_dir, sources, lambda content: content.update(
            shape_texture={ann_file: record}))
        return dict(out_dir=out_dir, num_images=len(pairs), pairs=pairs, skipped=skipped)

    settings = dict(ann_file=ann_file, source_sha256=file_digest(source_list), seed=seed,
                    lowpass_sigma=lowpass_sigma, patch_fraction=patch_fraction)
    return write_output(out_dir, f'{PRODUCER}.shape_texture', settings, write,
                        entries=(SHAPE_TEXTURE_DIR, meta.PART_MAP_DIR), shared=(meta.META_FILE, ),
                        overwrite=overwrite)


def generate_spurious_background_set(source_root: str,
                                     out_dir: str,
                                     ann_file: str = 'splits/paper/test.json',
                                     split: Optional[str] = None,
                                     seed: int = 0,
                                     classes: Optional[Sequence[str]] = None,
                                     hole_margin: float = 0.01,
                                     lowpass_sigma: float = 0.02,
                                     patch_fraction: float = 0.125,
                                     overwrite: bool = False) -> dict:
    """Write the spurious-background set of one split list (see the module docstring).

    Each source image's foreground (part map > 0) is pasted, pixel for pixel, onto the
    background of a donor image of another class whose own object was removed by
    :func:`remove_foreground` (the donor background is resized bilinearly when the sizes
    differ). The label is the foreground's class. Images without foreground are skipped, and
    donors need some background left.

    The set is ``spurious/<split>/`` of ``out_dir``, replaced as a unit through
    :mod:`partmm.datasets.output_guard` (manifest ``partmm_manifest.shift_sets.
    spurious_background.<split>.json``; settings: the arguments but ``source_root`` and
    ``split``, and a hash of the split list). The set of the same settings is reused as it is;
    any other is an error unless ``overwrite``. Other sets in ``out_dir`` are left alone.

    Args:
        source_root: Converted dataset root (``part_maps/``, ``splits/``).
        out_dir: Output root (created if needed).
        ann_file: Source split list, relative to ``source_root``.
        split: Output sub-folder of ``spurious/``; defaults to the split list's file stem.
        seed: Seed of the pairing and of the grain patches.
        classes: Class names to use for both foregrounds and backgrounds (the original set
            used Fish, Bird, Reptile and Quadruped); None uses every class.
        hole_margin: Dilation of the removed object, as a fraction of the shorter side.
        lowpass_sigma: First inpainting blur sigma, as a fraction of the shorter side.
        patch_fraction: Side of the background grain patches, as a fraction of the shorter
            side.
        overwrite: Replace a set of this split of other settings or unknown origin.

    Returns:
        Summary: ``out_dir``, ``split``, ``num_images``, ``pairs`` (output image -> background
        donor), ``skipped`` and ``reused`` (True when the set was already there).

    Raises:
        FileNotFoundError: If ``source_root`` or the split list does not exist.
        ValueError: If ``split`` is not a folder name, a class name is unknown, the split list
            lacks part maps or fewer than two usable classes remain.
        OutputExistsError: If ``out_dir`` holds another set of this split and ``overwrite`` is
            False.
    """
    split = osp.splitext(osp.basename(ann_file))[0] if split is None else split
    if not split or split != osp.basename(split) or split.startswith('.'):
        raise ValueError(f'split must be a folder name, got {split!r}')
    if classes is not None:
        unknown = sorted(set(classes) - set(meta.CLASSES))
        if unknown:
            raise ValueError(f'unknown classes {unknown}; expected names of {meta.CLASSES}')
    source_list = _source_list(source_root, ann_file)
    all_sources = _load_sources(source_root, source_list)

    def write(work_dir: str) -> dict:
        sources = all_sources if classes is None else [
            s for s in all_sources if meta.CLASSES[s.label] in classes]
        has_fg, has_bg = [], []
        for source in sources:
            fg = _read_part_map(source) > 0
            has_fg.append(bool(fg.any()))
            has_bg.append(not _dilate(fg, hole_margin).all())
        contents = [i for i, ok in enumerate(has_fg) if ok]
        donors = _pick_donors(sources, contents, has_bg, np.random.default_rng([seed, 0]))
        pairs = {}
        for index, donor in zip(contents, donors):
            source, background = sources[index], sources[donor]
            image = _read_image(source)
            fg = _read_part_map(source) > 0
            filled = remove_foreground(_read_image(background), _read_part_map(background) > 0,
                                       np.random.default_rng([seed, 1, index]),
                                       hole_margin=hole_margin, lowpass_sigma=lowpass_sigma,
                                       patch_fraction=patch_fraction)
            if filled.shape != image.shape:
                filled = np.asarray(Image.fromarray(filled).resize(
                    (image.shape[1], image.shape[0]), Image.BILINEAR))
            rel_path = f'{SPURIOUS_DIR}/{split}/{source.wnid}/{source.stem}.png'
            _save(np.where(fg[..., None], image, filled), osp.join(work_dir, rel_path))
            pairs[rel_path] = background.rel_img_path
        skipped = [sources[i].rel_img_path for i, ok in enumerate(has_fg) if not ok]
        record = dict(source_root=source_root, ann_file=ann_file, seed=seed,
                      classes=None if classes is None else list(classes),
                      hole_margin=hole_margin, lowpass_sigma=lowpass_sigma,
                      patch_fraction=patch_fraction, num_images=len(pairs), pairs=pairs,
                      skipped=skipped)
        _write_meta(out_dir, work_dir, sources, lambda content: content.setdefault(
            'spurious_background', {}).update({split: record}))
        return dict(out_dir=out_dir, split=split, num_images=len(pairs), pairs=pairs,
                    skipped=skipped)

    settings = dict(ann_file=ann_file, source_sha256=file_digest(source_list), seed=seed,
                    classes=None if classes is None else list(classes),
                    hole_margin=hole_margin, lowpass_sigma=lowpass_sigma,
                    patch_fraction=patch_fraction)
    return write_output(out_dir, f'{PRODUCER}.spurious_background.{split}', settings, write,
                        entries=(f'{SPURIOUS_DIR}/{split}', ), shared=(meta.META_FILE, ),
                        overwrite=overwrite)


# ---------------------------------------------------------------------------------------------
# Image operations


def transfer_texture(content: np.ndarray,
                     content_parts: np.ndarray,
                     texture: np.ndarray,
                     texture_parts: np.ndarray,
                     rng: np.random.Generator,
                     lowpass_sigma: float = 0.02,
                     patch_fraction: float = 0.125) -> np.ndarray:
    """Give the foreground of ``content`` the colours and fine texture of ``texture``'s object.

    1. Split both images into low and high frequencies with a part-wise normalised-convolution
       Gaussian blur (each part blurred with only its own pixels), so part boundaries stay
       sharp in the low band and leave no edge in the high band.
    2. Colour transfer: map the content foreground's low band, channel by channel, from its
       own mean and standard deviation to those of the donor foreground's low band (Reinhard
       et al. 2001, in RGB). Shapes, part boundaries and relative shading survive; colours
       become the donor's.
    3. Texture: cover the content image with square patches of the donor's high band, each
       drawn uniformly at random among the squares lying inside one donor part (away from
       part boundaries, which would carry the donor's edges), and add them to the recoloured
       low band. Patches are ``patch_fraction`` of the donor's shorter side, or smaller where
       the donor's parts are too thin (down to single pixels).

    The background (part map 0) is left unchanged.

    Args:
        content: uint8 [H, W, 3] image whose shape is kept.
        content_parts: [H, W] part map of ``content`` (0 = background).
        texture: uint8 [h, w, 3] donor image.
        texture_parts: [h, w] part map of ``texture``; must have foreground pixels.
        rng: Source of the patch positions.
        lowpass_sigma: Blur sigma as a fraction of each image's shorter side.
        patch_fraction: Patch side as a fraction of the donor's shorter side.

    Returns:
        uint8 [H, W, 3] image.
    """
    fg = content_parts > 0
    donor_fg = texture_parts > 0
    if not donor_fg.any():
        raise ValueError('the texture donor has no foreground pixels')
    low = _partwise_lowpass(content.astype(np.float32), content_parts, lowpass_sigma)
    donor = texture.astype(np.float32)
    donor_low = _partwise_lowpass(donor, texture_parts, lowpass_sigma)
    mean, std = low[fg].mean(0), low[fg].std(0) + _EPS
    donor_mean, donor_std = donor_low[donor_fg].mean(0), donor_low[donor_fg].std(0) + _EPS
    recoloured = (low - mean) / std * donor_std + donor_mean
    inside_parts = donor_fg & ~_label_boundaries(texture_parts)
    grain = _tile_patches(donor - donor_low, inside_parts if inside_parts.any() else donor_fg,
                          fg.shape, _patch_side(patch_fraction, donor_fg.shape), rng)
    out = content.astype(np.float32)
    out[fg] = recoloured[fg] + grain[fg]
    return np.clip(out, 0, 255).round().astype(np.uint8)


def remove_foreground(image: np.ndarray,
                      mask: np.ndarray,
                      rng: np.random.Generator,
                      hole_margin: float = 0.01,
                      lowpass_sigma: float = 0.02,
                      patch_fraction: float = 0.125) -> np.ndarray:
    """Fill ``mask`` (dilated by ``hole_margin``) from the surrounding background.

    1. Low band, normalised-convolution inpainting: a hole pixel takes the Gaussian-weighted
       mean of the known (non-hole) pixels, ``blur(image * known) / blur(known)``. Sigma
       starts at ``lowpass_sigma`` of the shorter side (at least 1 px) and doubles; each pixel
       is filled at the first sigma whose known weight there reaches ``min(0.05, known
       fraction / 2)``, so pixels near the rim take local colours and the middle of large
       holes a wider average.
    2. High band: the hole also gets random square patches of the background's own grain
       (image minus its first-sigma normalised blur) taken from inside the known region, as
       in :func:`transfer_texture`, so the filled region is not a smooth silhouette of the
       removed object (which would be a shape cue of its class).

    The dilation also removes the object's rim (anti-aliasing, compression halo).

    Args:
        image: uint8 [H, W, 3].
        mask: bool [H, W], True on the object to remove.
        rng: Source of the grain patch positions.
        hole_margin: Dilation radius as a fraction of the shorter side (at least 1 px).
        lowpass_sigma: First blur sigma as a fraction of the shorter side.
        patch_fraction: Grain patch side as a fraction of the shorter side.

    Returns:
        uint8 [H, W, 3]; pixels outside the dilated mask are unchanged.
    """
    hole = _dilate(mask, hole_margin)
    known = ~hole
    if not known.any():
        raise ValueError('cannot remove the foreground: the image has no background pixels')
    pixels = image.astype(np.float32)
    values = pixels * known[..., None]
    weight_known = known.astype(np.float32)
    threshold = min(0.05, weight_known.mean() / 2)
    filled = pixels.copy()
    remaining = hole.copy()
    sigma = max(1.0, lowpass_sigma * min(mask.shape))
    grain = None
    while remaining.any():
        weight = ndimage.gaussian_filter(weight_known, sigma, mode='reflect')
        ready = remaining & (weight >= threshold)
        if grain is not None and not ready.any():
            sigma *= 2
            continue
        blurred = ndimage.gaussian_filter(values, (sigma, sigma, 0), mode='reflect')
        if grain is None:  # the first (finest) blur defines the background's grain
            low = blurred / np.maximum(weight, 1e-6)[..., None]
            grain = _tile_patches(pixels - low, known, mask.shape,
                                  _patch_side(patch_fraction, mask.shape), rng)
        filled[ready] = blurred[ready] / weight[ready][:, None]
        remaining &= ~ready
        sigma *= 2
    filled[hole] += grain[hole]
    return np.clip(filled, 0, 255).round().astype(np.uint8)


def _partwise_lowpass(image: np.ndarray, part_map: np.ndarray,
                      sigma_fraction: float) -> np.ndarray:
    """Gaussian blur of float [H, W, 3] within each foreground part (background copied)."""
    sigma = max(0.5, sigma_fraction * min(part_map.shape))
    low = image.copy()
    for label in np.unique(part_map[part_map > 0]):
        region = part_map == label
        weight = ndimage.gaussian_filter(region.astype(np.float32), sigma, mode='nearest')
        blurred = ndimage.gaussian_filter(image * region[..., None], (sigma, sigma, 0),
                                          mode='nearest')
        # The centre tap is positive, so every pixel of the region has weight > 0.
        low[region] = blurred[region] / weight[region][:, None]
    return low


def _label_boundaries(part_map: np.ndarray) -> np.ndarray:
    """True where a pixel's 3x3 neighbourhood holds another label."""
    return (ndimage.maximum_filter(part_map, 3, mode='nearest')
            != ndimage.minimum_filter(part_map, 3, mode='nearest'))


def _patch_side(fraction: float, shape: Tuple[int, int]) -> int:
    return max(1, round(fraction * min(shape)))


def _tile_patches(values: np.ndarray, mask: np.ndarray, shape: Tuple[int, int], patch: int,
                  rng: np.random.Generator) -> np.ndarray:
    """Cover ``shape`` with random square patches of ``values`` taken from inside ``mask``.

    The patch side is ``patch`` or, if no such square fits inside the mask, the largest odd
    side that fits (chessboard distance to the nearest non-mask pixel, image border included).
    """
    distance = ndimage.distance_transform_cdt(np.pad(mask, 1), metric='chessboard')[1:-1, 1:-1]
    radius = int(min((patch - 1) // 2, distance.max() - 1))
    ys, xs = np.nonzero(distance > radius)
    side = 2 * radius + 1
    rows, cols = -(-shape[0] // side), -(-shape[1] // side)
    picks = rng.integers(len(ys), size=rows * cols)
    offsets = np.arange(side) - radius
    ys = ys[picks][:, None, None] + offsets[None, :, None]
    xs = xs[picks][:, None, None] + offsets[None, None, :]
    tiles = values[ys, xs].reshape(rows, cols, side, side, -1)
    canvas = tiles.transpose(0, 2, 1, 3, 4).reshape(rows * side, cols * side, -1)
    return canvas[:shape[0], :shape[1]]


def _dilate(mask: np.ndarray, margin: float) -> np.ndarray:
    radius = max(1, round(margin * min(mask.shape)))
    return ndimage.binary_dilation(mask, np.ones((2 * radius + 1, ) * 2, dtype=bool))


# ---------------------------------------------------------------------------------------------
# Source split list, pairing, output


def _source_list(source_root: str, ann_file: str) -> str:
    """Path of the source split list, which must exist."""
    if not osp.isdir(source_root):
        raise FileNotFoundError(f'source dataset root {source_root} does not exist')
    path = osp.join(source_root, ann_file)
    if not osp.isfile(path):
        raise FileNotFoundError(f'split list {path} does not exist; convert the dataset with '
                                'tools/dataset_converters/partimagenet.py first')
    return path


def _load_sources(source_root: str, path: str) -> List[_Source]:
    """The images of the partmm split list ``path``, which must carry part maps."""
    content = load(path)
    if not isinstance(content, dict) or 'data_list' not in content:
        raise ValueError(f'{path} is not a partmm split list (no "data_list")')
    if not content['data_list']:
        raise ValueError(f'split list {path} is empty: there are no images to build the set '
                         'from (pick a split with images, or convert more data)')
    sources = []
    for entry in content['data_list']:
        if entry.get('seg_map_path') is None:
            raise ValueError(f'{path}: {entry.get("img_path")} has no part map; the shift sets '
                             'need the foreground of every image')
        stem = osp.splitext(osp.basename(entry['img_path']))[0]
        sources.append(_Source(
            stem=stem, wnid=entry.get('wnid', stem.split('_')[0]), label=int(entry['gt_label']),
            img_path=osp.join(source_root, entry['img_path']),
            seg_map_path=osp.join(source_root, entry['seg_map_path']),
            rel_img_path=entry['img_path']))
    return sources


def _pick_donors(sources: List[_Source], contents: Sequence[int], eligible: Sequence[bool],
                 rng: np.random.Generator) -> List[int]:
    """Donor index of each content image: uniform other class, then uniform image of it."""
    by_class: Dict[int, List[int]] = {}
    for index, ok in enumerate(eligible):
        if ok:
            by_class.setdefault(sources[index].label, []).append(index)
    donors = []
    for index in contents:
        others = sorted(c for c in by_class if c != sources[index].label)
        if not others:
            raise ValueError(f'{sources[index].rel_img_path} has no donor: no usable image of '
                             'another class in the split list')
        members = by_class[others[rng.integers(len(others))]]
        donors.append(members[rng.integers(len(members))])
    return donors


def _read_image(source: _Source) -> np.ndarray:
    with Image.open(source.img_path) as image:
        return np.asarray(image.convert('RGB'))


def _read_part_map(source: _Source) -> np.ndarray:
    with Image.open(source.seg_map_path) as part_map:
        return np.asarray(part_map)


def _save(array: np.ndarray, path: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    Image.fromarray(array).save(path)


def _write_meta(out_dir: str, work_dir: str, sources: Sequence[_Source],
                update: Callable[[dict], None]) -> None:
    """Write ``<out_dir>/meta.json`` with ``update`` applied and the wnids' classes merged in,
    into ``work_dir`` (it is swapped in with the set)."""
    path = osp.join(out_dir, meta.META_FILE)
    content = load(path) if osp.isfile(path) else {}
    table = content.setdefault('wnid_to_class', {})
    for source in sources:
        name = meta.CLASSES[source.label]
        if table.setdefault(source.wnid, name) != name:
            raise ValueError(f'{path} maps wnid {source.wnid} to {table[source.wnid]}, but '
                             f'{source.rel_img_path} is {name}')
    update(content)
    with open(osp.join(work_dir, meta.META_FILE), 'w') as f:
        json.dump(content, f, indent=1, sort_keys=True)
