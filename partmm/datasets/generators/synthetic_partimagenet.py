"""Synthetic PartImageNet: a small stand-in dataset written in the official release format.

Every image shows one object of one of the 11 PartImageNet classes, built from that class's parts
(simple polygons: rotated bars, polygonal ellipses, triangles, bent bands) in a class-specific
layout. Colours and textures are drawn from the same distributions for every class, so only part
shape and layout tell the classes apart. Objects are redrawn until every part label covers at
least ``MIN_PART_FRACTION`` of the configs' test crop (24 px of the 64 px crop of the default
72 px images), so that no part is too small for a stride-4 segmenter to see. The output can be
fed unchanged to ``tools/dataset_converters/partimagenet.py``:

* ``<out_dir>/images/<split>/<wnid>_<n>.JPEG``: RGB JPEG (quality 95, no chroma subsampling);
* ``<out_dir>/annotations/<split>/<split>.json``: COCO-style ``images``, ``annotations``
  (official category ids 0..39, polygons in pixel coordinates, ``bbox`` [x, y, w, h], ``area``)
  and ``categories`` (``partimagenet_meta.OFFICIAL_CATEGORIES``);
* ``<out_dir>/partmm_manifest.synthetic_partimagenet.json``: the arguments, written last.

Annotations are listed in drawing order (back to front), so painting them in order, later over
earlier, reproduces the rendered picture; polygons are clipped to the image and parts left with
no area inside it are not annotated. Like the official split, the splits are disjoint in
synsets: per class the last synthetic wnid is the test split, the second-last the val split and
the rest the train split.
"""
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Sequence, Tuple, Union

import numpy as np
from PIL import Image, ImageDraw

from partmm.datasets import partimagenet_meta as meta
from partmm.datasets.converters.partimagenet import rasterise
from partmm.datasets.output_guard import write_output

from .shapes import (
    Polygon,
    arc,
    band,
    bar,
    clip_polygon,
    ellipse,
    part_colours,
    poly,
    polygon_area,
    polygon_bbox,
    random_background,
)

PRODUCER = 'synthetic_partimagenet'  # names the release's manifest
SPLITS = ('train', 'val', 'test')
MIN_WNIDS_PER_CLASS = 3  # one test, one val and at least one train synset

# Pose and appearance ranges (shared by all classes so only shape and layout are informative).
_MAX_ROTATION_DEG = 25.0
_BOX_AREA_FRACTION = (0.35, 0.8)  # object's bounding-box area / image area
_MAX_BOX_SIDE = 0.95  # the object's box never exceeds this fraction of an image side
_MAX_OVERHANG = 0.08  # fraction of the object's box allowed outside the image
PIXEL_NOISE_STD = 6.0
# Every part of an object covers at least this fraction of the configs' test crop (the central
# CROP_FRACTION of each side: 64 of 72 px) in the part map, i.e. 24 px at the default 64 px
# crop; objects are redrawn until it holds (at most _MAX_ATTEMPTS times).
CROP_FRACTION = 64 / 72
MIN_PART_FRACTION = 24 / 64**2
_MAX_ATTEMPTS = 50
# Recorded in the manifest's settings: a release drawn by an older version of this generator is
# other data (version 2 redraws objects for MIN_PART_FRACTION and draws some parts larger), so
# it is not reused, and runs trained on it can tell.
GENERATOR_VERSION = 2

Part = Tuple[str, List[Polygon]]  # (part name as in partimagenet_meta.class_parts, polygons)


def generate_synthetic_partimagenet(out_dir: str,
                                    num_images: int = 3300,
                                    image_size: Union[int, Tuple[int, int]] = 72,
                                    seed: int = 0,
                                    wnids_per_class: int = 3,
                                    overwrite: bool = False) -> dict:
    """Write a synthetic PartImageNet release to ``out_dir``.

    Images are spread evenly over the 11 classes, then over each class's ``wnids_per_class``
    synthetic synsets (leftovers go to the first classes and synsets). The same arguments
    always give byte-identical images and JSONs.

    The release owns ``out_dir`` (see :mod:`partmm.datasets.output_guard`): it is written
    beside it and renamed into place, with the manifest ``partmm_manifest.
    synthetic_partimagenet.json`` recording the arguments. If ``out_dir`` already holds the
    release of the same arguments, nothing is written (what else is there, such as the
    converter's part maps and splits, stays); if it holds anything else, that is an error
    unless ``overwrite``, which replaces the whole folder.

    Args:
        out_dir: Folder of the release (created if needed).
        num_images: Total number of images over all splits.
        image_size: Image side in pixels, or ``(height, width)``.
        seed: Seed of all random choices.
        wnids_per_class: Synthetic synsets per class (3..100); one goes to test, one to val,
            the rest to train.
        overwrite: Replace ``out_dir`` if it holds something else.

    Returns:
        Summary: ``out_dir``, ``num_images``, ``num_annotations``, ``image_size`` (h, w),
        ``wnids`` (class name -> its wnids), ``splits`` (split -> dict with ``num_images``,
        ``num_annotations``, ``wnids`` and the ``json`` path) and ``reused`` (True when the
        release was already there).

    Raises:
        ValueError: If ``wnids_per_class`` is outside 3..100, ``num_images`` leaves a synset
            without images (``num_images < 11 * wnids_per_class``), or ``image_size`` is below
            8 pixels.
        OutputExistsError: If ``out_dir`` holds something else and ``overwrite`` is False.
    """
    height, width = _check_arguments(num_images, image_size, wnids_per_class)
    plan = _plan_images(num_images, wnids_per_class)

    def write(work_dir: str) -> dict:
        summary = dict(out_dir=out_dir, num_images=num_images, num_annotations=0,
                       image_size=[height, width], wnids=_wnids_by_class(wnids_per_class),
                       splits={})
        for split in SPLITS:
            coco = _generate_split(work_dir, split, plan[split], (height, width), seed)
            json_path = osp.join('annotations', split, f'{split}.json')
            _write_json(coco, osp.join(work_dir, json_path))
            summary['splits'][split] = dict(
                num_images=len(coco['images']), num_annotations=len(coco['annotations']),
                wnids=sorted({image['file_name'].split('_')[0] for image in coco['images']}),
                json=osp.join(out_dir, json_path))
            summary['num_annotations'] += len(coco['annotations'])
        return summary

    settings = dict(num_images=num_images, image_size=[height, width], seed=seed,
                    wnids_per_class=wnids_per_class, generator_version=GENERATOR_VERSION)
    return write_output(out_dir, PRODUCER, settings, write, overwrite=overwrite)


def wnid_split(k: int, wnids_per_class: int) -> str:
    """Split of the ``k``-th synset of a class: last -> test, second-last -> val, else train."""
    if k == wnids_per_class - 1:
        return 'test'
    if k == wnids_per_class - 2:
        return 'val'
    return 'train'


def _check_arguments(num_images: int, image_size: Union[int, Tuple[int, int]],
                     wnids_per_class: int) -> Tuple[int, int]:
    """Validate the arguments and return the image size as (height, width)."""
    if not MIN_WNIDS_PER_CLASS <= wnids_per_class <= meta.MAX_WNIDS_PER_CLASS:
        raise ValueError(f'wnids_per_class must be in {MIN_WNIDS_PER_CLASS}..'
                         f'{meta.MAX_WNIDS_PER_CLASS} (one test, one val and at least one train '
                         f'synset per class), got {wnids_per_class}')
    # One image per synset at least, so that every split holds every class.
    num_synsets = meta.NUM_CLASSES * wnids_per_class
    if num_images < num_synsets:
        raise ValueError(f'num_images={num_images} is too small: {meta.NUM_CLASSES} classes x '
                         f'{wnids_per_class} wnids need at least one image each, i.e. '
                         f'num_images >= {num_synsets}')
    size = (image_size, ) * 2 if isinstance(image_size, (int, np.integer)) else tuple(image_size)
    if len(size) != 2 or any(not isinstance(s, (int, np.integer)) or s < 8 for s in size):
        raise ValueError(f'image_size must be an int >= 8 or a (height, width) pair of them, '
                         f'got {image_size!r}')
    return int(size[0]), int(size[1])


def _wnids_by_class(wnids_per_class: int) -> Dict[str, List[str]]:
    """Class name -> its synthetic wnids in synset order."""
    return {name: [meta.synthetic_wnid(ci, k) for k in range(wnids_per_class)]
            for ci, name in enumerate(meta.CLASSES)}


def _plan_images(num_images: int, wnids_per_class: int) -> Dict[str, List[Tuple[int, int, int]]]:
    """Split -> (class index, synset index k, image number n) of every image, in file order.

    Images are shared out evenly over the classes, then over each class's synsets; leftovers go
    one each to the first classes and, within a class, to its first synsets.
    """
    plan: Dict[str, List[Tuple[int, int, int]]] = {split: [] for split in SPLITS}
    for class_index, class_count in enumerate(_share(num_images, meta.NUM_CLASSES)):
        for k, count in enumerate(_share(class_count, wnids_per_class)):
            plan[wnid_split(k, wnids_per_class)].extend(
                (class_index, k, n) for n in range(count))
    return plan


def _share(total: int, parts: int) -> List[int]:
    """Split ``total`` into ``parts`` near-equal counts, larger ones first."""
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts)]


def _generate_split(out_dir: str, split: str, items: Sequence[Tuple[int, int, int]],
                    size: Tuple[int, int], seed: int) -> dict:
    """Render and save the images of one split; return its COCO dict."""
    image_dir = osp.join(out_dir, 'images', split)
    os.makedirs(image_dir, exist_ok=True)
    images, annotations = [], []
    for image_id, (class_index, k, n) in enumerate(items, start=1):
        file_name = f'{meta.synthetic_wnid(class_index, k)}_{n}.JPEG'
        picture, parts = _render_image(class_index, k, n, size, seed)
        picture.save(osp.join(image_dir, file_name), quality=95, subsampling=0)
        images.append(dict(id=image_id, file_name=file_name, width=size[1], height=size[0]))
        for category_id, polygons, bbox, area in parts:
            annotations.append(dict(
                id=len(annotations) + 1, image_id=image_id, category_id=category_id,
                segmentation=[p.ravel().tolist() for p in polygons], bbox=bbox, area=area,
                iscrowd=0))
    return dict(images=images, annotations=annotations,
                categories=[dict(c) for c in meta.OFFICIAL_CATEGORIES])


def _write_json(coco: dict, path: str) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(coco, f)


# ---------------------------------------------------------------------------------------------
# Rendering


def _render_image(class_index: int, k: int, n: int, size: Tuple[int, int],
                  seed: int) -> Tuple[Image.Image, List[tuple]]:
    """Draw image ``n`` of synset ``k`` of a class.

    The object (layout and pose) is redrawn until each of its part labels covers at least
    :func:`min_part_pixels` pixels of the part map inside the central crop (see
    ``CROP_FRACTION``); after ``_MAX_ATTEMPTS`` draws the one whose smallest part is largest
    is kept.

    Returns:
        The RGB picture and, in drawing order, one ``(official category id, polygons, bbox,
        area)`` per visible part, polygons being [N, 2] pixel coordinates rounded to 0.01.
    """
    # Seeds are keyed by (class, synset, image), so results do not depend on processing order.
    synset_rng = np.random.default_rng([seed, 0, class_index, k])
    rng = np.random.default_rng([seed, 1, class_index, k, n])
    class_name = meta.CLASSES[class_index]
    synset_variation = synset_rng.uniform(-1, 1, 4)
    min_pixels = min_part_pixels(size)
    best, best_pixels = None, -1
    for _ in range(_MAX_ATTEMPTS):
        variation = np.clip(synset_variation + rng.uniform(-0.3, 0.3, 4), -1.3, 1.3)
        placed = place_object(_LAYOUTS[class_name](variation, rng), size, rng,
                              box_area_fraction=_BOX_AREA_FRACTION)
        pixels = min(crop_part_pixels(placed, size).values())
        if pixels > best_pixels:
            best, best_pixels = placed, pixels
        if pixels >= min_pixels:
            break
    background = random_background(size, rng)
    colours = part_colours(len(best), background.reshape(-1, 3).mean(0), rng)
    picture = Image.fromarray(background)
    visible = _draw_parts(ImageDraw.Draw(picture), class_name, best, colours, size)
    noisy = np.asarray(picture, dtype=np.float32) + rng.normal(
        0.0, PIXEL_NOISE_STD, (*size, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).round().astype(np.uint8)), visible


def min_part_pixels(size: Tuple[int, int]) -> int:
    """Fewest part-map pixels each part covers inside the central crop of an image of ``size``
    (``MIN_PART_FRACTION`` of the crop's area, at least 1)."""
    crop_h, crop_w = central_crop(size)[2:]
    return max(1, int(np.ceil(MIN_PART_FRACTION * crop_h * crop_w)))


def central_crop(size: Tuple[int, int]) -> Tuple[int, int, int, int]:
    """(top, left, height, width) of the configs' test crop: ``CROP_FRACTION`` of each side,
    centred (as mmcv's CenterCrop places it)."""
    height, width = size
    crop_h, crop_w = (max(1, int(round(CROP_FRACTION * s))) for s in (height, width))
    return (height - crop_h) // 2, (width - crop_w) // 2, crop_h, crop_w


def crop_part_pixels(parts: List[Part], size: Tuple[int, int]) -> Dict[str, int]:
    """Part name -> its pixels (all its instances together) in the central crop of the part
    map that the converter paints from ``parts`` (pixel-frame, back to front: clipped to the
    image, rasterised by pycocotools, later parts over earlier)."""
    height, width = size
    names = list(dict.fromkeys(name for name, _ in parts))
    label_map = np.zeros(size, dtype=np.int32)
    for name, polygons in parts:
        clipped = [q for q in (clip_polygon(p, width, height) for p in polygons)
                   if q is not None]
        if clipped:
            mask = rasterise([q.ravel().tolist() for q in clipped], height, width)
            label_map[mask] = names.index(name) + 1
    top, left, crop_h, crop_w = central_crop(size)
    counts = np.bincount(label_map[top:top + crop_h, left:left + crop_w].ravel(),
                         minlength=len(names) + 1)
    return {name: int(count) for name, count in zip(names, counts[1:])}


def _draw_parts(draw: ImageDraw.ImageDraw, class_name: str, parts: List[Part],
                colours: List[np.ndarray], size: Tuple[int, int]) -> List[tuple]:
    """Fill the parts' polygons, clipped to the image, back to front; return the annotations
    (official category id, polygons, bbox, area) of the parts left with some area."""
    height, width = size
    visible = []
    for (name, polygons), colour in zip(parts, colours):
        clipped = [q for q in (clip_polygon(p, width, height) for p in polygons) if q is not None]
        area = round(sum(polygon_area(q) for q in clipped), 2)
        if area <= 0:
            continue
        for polygon in clipped:
            draw.polygon([tuple(xy) for xy in polygon.tolist()], fill=tuple(colour.tolist()))
        official_id = meta.LABEL_TO_OFFICIAL_ID[meta.part_label(class_name, name)]
        visible.append((official_id, clipped, polygon_bbox(clipped), area))
    return visible


def place_object(parts: List[Part], size: Tuple[int, int], rng: np.random.Generator,
                 box_area_fraction: Tuple[float, float] = (0.35, 0.8)) -> List[Part]:
    """Flip, rotate, scale and translate object-frame parts into pixel coordinates; the
    object's box covers a uniform ``box_area_fraction`` of the image (capped by
    ``_MAX_BOX_SIDE``). The default is the synthetic PASCAL-Part's (which places its objects
    with this function)."""
    height, width = size
    flip = -1.0 if rng.random() < 0.5 else 1.0
    angle = np.deg2rad(rng.uniform(-_MAX_ROTATION_DEG, _MAX_ROTATION_DEG))
    cos, sin = np.cos(angle), np.sin(angle)
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.diag([flip, 1.0])
    posed = [(name, [p @ linear.T for p in polygons]) for name, polygons in parts]
    points = np.concatenate([p for _, polygons in posed for p in polygons])
    low, extent = points.min(0), np.ptp(points, 0)
    area_fraction = rng.uniform(*box_area_fraction)
    scale = min(np.sqrt(area_fraction * height * width / np.prod(extent)),
                _MAX_BOX_SIDE * width / extent[0], _MAX_BOX_SIDE * height / extent[1])
    box = extent * scale
    image_wh = np.array([width, height], dtype=float)
    offset = rng.uniform(-_MAX_OVERHANG * box, image_wh - box + _MAX_OVERHANG * box)
    return [(name, [(p - low) * scale + offset for p in polygons]) for name, polygons in posed]


# ---------------------------------------------------------------------------------------------
# Class layouts. Each returns parts back to front; ``v`` holds four per-synset (plus small
# per-image) variations in about [-1, 1] that stretch proportions by up to ~15 %.


def _aeroplane(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Top view: fuselage, two swept wings with an engine each, tail plane, nose."""
    half_len, span = 0.85 * (1 + 0.12 * v[0]), 0.9 * (1 + 0.12 * v[1])
    sweep, chord = 0.3 * (1 + 0.3 * v[2]), 0.32 * (1 + 0.12 * v[3])
    wings = [poly((0.2, 0), (0.2 - sweep, s * span), (0.2 - sweep - 0.2, s * span),
                   (0.2 - chord, 0)) for s in (-1, 1)]
    engines = [ellipse(0.12 - sweep * 0.45, s * span * 0.45, 0.18, 0.1) for s in (-1, 1)]
    tail = poly((-half_len + 0.2, 0), (-half_len - 0.02, -0.4), (-half_len - 0.12, -0.4),
                 (-half_len - 0.05, 0), (-half_len - 0.12, 0.4), (-half_len - 0.02, 0.4))
    body = poly((half_len, -0.13), (-half_len + 0.05, -0.09), (-half_len - 0.05, 0),
                 (-half_len + 0.05, 0.09), (half_len, 0.13))
    nose = arc(half_len - 0.02, 0, 0.36, 0.13, np.pi / 2)
    return ([('Wing', [w]) for w in wings] + [('Engine', [e]) for e in engines]
            + [('Tail', [tail]), ('Body', [body]), ('Head', [nose])])


def _bicycle(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: two wheels, diamond frame, handlebar, seat."""
    radius, base = 0.42 * (1 + 0.1 * v[0]), 0.68 * (1 + 0.1 * v[1])
    rear, front = np.array([-base, 0.3]), np.array([base, 0.3])
    bracket = np.array([0.0, 0.32])
    seat_joint = np.array([-0.25, -0.32 * (1 + 0.15 * v[2])])
    head_joint = np.array([0.45, -0.3 * (1 + 0.15 * v[2])])
    tube = 0.15
    frame = [bar(rear, seat_joint, tube), bar(seat_joint, bracket, tube),
             bar(bracket, head_joint, tube), bar(seat_joint, head_joint, tube),
             bar(head_joint, front, tube), bar(rear, bracket, tube),
             bar(seat_joint, seat_joint + (-0.04, -0.18), tube)]
    stem_top = head_joint + (-0.05, -0.22 * (1 + 0.2 * v[3]))
    handlebar = [bar(head_joint, stem_top, tube), bar(stem_top + (-0.12, 0),
                                                          stem_top + (0.12, 0), tube)]
    seat_centre = seat_joint + (-0.06, -0.24)
    seat = poly(seat_centre + (-0.2, -0.07), seat_centre + (0.16, -0.07),
                 seat_centre + (0.14, 0.08), seat_centre + (-0.16, 0.08))
    return ([('Tier', [ellipse(*rear, radius, radius, num=24)]),
             ('Tier', [ellipse(*front, radius, radius, num=24)]),
             ('Body', frame), ('Head', handlebar), ('Seat', [seat])])


def _biped(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Upright: legs, torso, arms, head, sometimes a tail."""
    half_w, half_h = 0.25 * (1 + 0.12 * v[0]), 0.42 * (1 + 0.12 * v[1])
    leg, arm = 0.62 * (1 + 0.12 * v[2]), 0.55 * (1 + 0.12 * v[3])
    parts: List[Part] = []
    if rng.random() < 0.5:
        tail = np.stack([np.linspace(-0.1, -half_w - 0.45, 8),
                         half_h * 0.6 + 0.25 * np.sin(np.linspace(0, 2.5, 8))], 1)
        parts.append(('Tail', [band(tail, np.full(8, 0.13))]))
    spread = rng.uniform(0.0, 0.25)
    for s in (-1, 1):
        parts.append(('Foot', [bar((s * half_w * 0.5, half_h * 0.5),
                                    (s * (half_w * 0.5 + spread * 0.5), half_h + leg), 0.17)]))
    parts.append(('Body', [ellipse(0, 0, half_w, half_h)]))
    for s in (-1, 1):
        swing = rng.uniform(0.15, 0.9)
        hand = np.array([s * half_w * 0.8, -half_h * 0.55]) + arm * np.array(
            [s * np.sin(swing), np.cos(swing)])
        parts.append(('Hand', [bar((s * half_w * 0.8, -half_h * 0.55), hand, 0.14)]))
    parts.append(('Head', [ellipse(0, -half_h - 0.2, 0.21, 0.23)]))
    return parts


def _bird(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: fan tail, thin legs with toes, round body, wing on top, head with beak."""
    rx, ry = 0.5 * (1 + 0.12 * v[0]), 0.32 * (1 + 0.12 * v[1])
    tail_len, leg = 0.5 * (1 + 0.15 * v[2]), 0.42 * (1 + 0.15 * v[3])
    tail = poly((-rx + 0.15, -0.05), (-rx - tail_len, -0.3), (-rx - tail_len, 0.08))
    feet = []
    for x in (-0.12, 0.1):
        ankle = (x - 0.05, ry + leg)
        feet.append(('Foot', [bar((x, ry * 0.6), ankle, 0.1),
                              bar(ankle, (ankle[0] + 0.2, ankle[1]), 0.1)]))
    body = ellipse(0, 0, rx, ry, angle=-0.15)
    wing = ellipse(-0.08, -0.04, rx * 0.75, ry * 0.45, angle=-0.3)
    head = ellipse(rx * 0.95, -ry - 0.05, 0.19, 0.18)
    head[0] = (rx * 0.95 + 0.42, -ry - 0.02)  # pulling the front vertex out makes the beak
    return [('Tail', [tail])] + feet + [('Body', [body]), ('Wing', [wing]), ('Head', [head])]


def _boat(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: a main sail and a jib above a trapezoid hull."""
    length, depth = 0.95 * (1 + 0.12 * v[0]), 0.3 * (1 + 0.15 * v[1])
    mast = 1.05 * (1 + 0.12 * v[2])
    boom = 0.65 * (1 + 0.15 * v[3])
    main = poly((-0.02, -mast), (-0.02, -0.05), (-0.02 - boom, -0.05))
    jib = poly((0.08, -mast * 0.85), (0.08, -0.05), (length * 0.75, -0.05))
    hull = poly((-length, 0.0), (length + 0.1, -0.05), (length * 0.7, depth),
                 (-length * 0.8, depth))
    return [('Sail', [main]), ('Sail', [jib]), ('Body', [hull])]


def _bottle(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Upright: body with shoulders and neck, wider lip on top."""
    half_w, height = 0.3 * (1 + 0.15 * v[0]), 1.6 * (1 + 0.1 * v[1])
    neck_w, shoulder = 0.11 * (1 + 0.15 * v[2]), 0.45 * (1 + 0.15 * v[3])
    bottom, top = height / 2, -height / 2
    body = poly((-half_w, bottom), (half_w, bottom), (half_w, top + shoulder),
                 (neck_w, top + shoulder * 0.45), (neck_w, top + 0.1), (-neck_w, top + 0.1),
                 (-neck_w, top + shoulder * 0.45), (-half_w, top + shoulder))
    mouth = poly((-neck_w - 0.05, top + 0.16), (neck_w + 0.05, top + 0.16),
                  (neck_w + 0.05, top - 0.04), (-neck_w - 0.05, top - 0.04))
    return [('Body', [body]), ('Mouth', [mouth])]


def _car(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: body with cabin, two wheels, side mirror at the cabin's front."""
    length, low = 1.0 * (1 + 0.1 * v[0]), 0.32 * (1 + 0.12 * v[1])
    cabin_h, radius = 0.36 * (1 + 0.15 * v[2]), 0.22 * (1 + 0.1 * v[3])
    body = poly((-length, low), (-length, -0.02), (-0.55, -0.04), (-0.4, -cabin_h),
                 (0.3, -cabin_h), (0.55, -0.04), (length, 0.06), (length, low))
    wheels = [('Tier', [ellipse(s * length * 0.6, low, radius, radius)]) for s in (-1, 1)]
    mirror = poly((0.4, -0.17), (0.62, -0.19), (0.62, -0.01), (0.43, -0.01))
    return [('Body', [body])] + wheels + [('Side Mirror', [mirror])]


def _fish(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: forked tail, dorsal and ventral fins, oval body, head cap at the front."""
    rx, ry = 0.7 * (1 + 0.1 * v[0]), 0.32 * (1 + 0.15 * v[1])
    fork, fin = 0.38 * (1 + 0.15 * v[2]), 0.3 * (1 + 0.15 * v[3])
    tail = poly((-rx + 0.1, 0), (-rx - fork, -fork), (-rx - fork * 0.55, 0),
                 (-rx - fork, fork))
    dorsal = poly((-0.3, -ry * 0.8), (0.2, -ry * 0.85), (-0.35, -ry - fin))
    ventral = poly((-0.15, ry * 0.8), (0.15, ry * 0.8), (-0.2, ry + fin * 0.6))
    body = ellipse(0, 0, rx, ry, num=24)
    head = arc(0, 0, rx * 1.02, ry * 1.02, 1.1)  # front cap, closed by a straight gill line
    return [('Tail', [tail]), ('Fin', [dorsal]), ('Fin', [ventral]), ('Body', [body]),
            ('Head', [head])]


def _quadruped(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: tail, four vertical legs, horizontal body with neck, raised head."""
    half_len, half_h = 0.72 * (1 + 0.12 * v[0]), 0.27 * (1 + 0.12 * v[1])
    leg, neck = 0.55 * (1 + 0.15 * v[2]), 0.28 * (1 + 0.2 * v[3])
    tail_tip = (-half_len - 0.35, rng.uniform(-0.45, 0.25))
    tail = bar((-half_len + 0.05, -0.05), tail_tip, 0.15)
    legs = [('Foot', [bar((x * half_len, 0.0), (x * half_len + rng.uniform(-0.08, 0.08),
                                                 half_h + leg), 0.16)])
            for x in (-0.8, -0.5, 0.5, 0.8)]
    body = [ellipse(0, 0, half_len, half_h),
            bar((half_len * 0.6, 0.0), (half_len + 0.05, -half_h - neck * 0.6), 0.24)]
    head = ellipse(half_len + 0.15, -half_h - neck, 0.25, 0.16, angle=0.35)
    return [('Tail', [tail])] + legs + [('Body', body), ('Head', [head])]


def _reptile(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Top/side view: long tapering tail, four short splayed legs, low long body, flat head."""
    half_len, half_h = 0.55 * (1 + 0.12 * v[0]), 0.17 * (1 + 0.15 * v[1])
    tail_len, leg = 0.75 * (1 + 0.15 * v[2]), 0.38 * (1 + 0.15 * v[3])
    t = np.linspace(0, 1, 10)
    bend = rng.uniform(-0.25, 0.25)
    tail = band(np.stack([-half_len + 0.1 - tail_len * t, bend * t ** 2], 1),
                 0.24 - 0.12 * t)
    legs = []
    for x, s in ((-0.6, -1), (-0.6, 1), (0.6, -1), (0.6, 1)):
        hip = np.array([x * half_len, 0.0])
        foot = hip + leg * np.array([np.sign(x) * 0.6, s * 0.8])
        legs.append(('Foot', [bar(hip, foot, 0.17)]))
    body = ellipse(0, 0, half_len, half_h)
    head = ellipse(half_len + 0.17, 0.0, 0.26, 0.12)
    return [('Tail', [tail])] + legs + [('Body', [body]), ('Head', [head])]


def _snake(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """A long wavy band ending in an oval head."""
    amplitude, periods = 0.22 * (1 + 0.2 * v[0]), 1.25 * (1 + 0.15 * v[1])
    width = 0.17 * (1 + 0.12 * v[2])
    phase = rng.uniform(0, 2 * np.pi)
    t = np.linspace(0, 1, 40)
    centre = np.stack([-1.0 + 1.85 * t, amplitude * np.sin(2 * np.pi * periods * t + phase)], 1)
    body = band(centre, width * (0.6 + 0.4 * np.minimum(1.0, 4 * t)))
    tangent = centre[-1] - centre[-2]
    angle = float(np.arctan2(tangent[1], tangent[0]))
    head_centre = centre[-1] + 0.1 * tangent / np.linalg.norm(tangent)
    head = ellipse(*head_centre, 0.19 * (1 + 0.1 * v[3]), width * 0.75, angle=angle)
    return [('Body', [body]), ('Head', [head])]


_LAYOUTS: Dict[str, Callable[[np.ndarray, np.random.Generator], List[Part]]] = {
    'Aeroplane': _aeroplane, 'Bicycle': _bicycle, 'Biped': _biped, 'Bird': _bird,
    'Boat': _boat, 'Bottle': _bottle, 'Car': _car, 'Fish': _fish, 'Quadruped': _quadruped,
    'Reptile': _reptile, 'Snake': _snake,
}
if set(_LAYOUTS) != set(meta.CLASSES):
    raise RuntimeError('synthetic PartImageNet layouts do not cover partimagenet_meta.CLASSES')
