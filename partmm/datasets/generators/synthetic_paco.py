"""Synthetic PACO-LVIS: a small stand-in release written in PACO's JSON format.

Every image (COCO-like, 160x120 by default) shows one to three objects of six PACO object
classes, each built from that class's PACO parts (``mug:handle``, ``bicycle:wheel``, ...) as
simple polygons in a class-specific layout; colours and backgrounds are drawn from the same
distributions for every class, so only part shape and layout tell the classes apart. The
output can be fed unchanged to ``tools/dataset_converters/paco.py``:

* ``<out_dir>/coco/{train2017,val2017}/<image id, 12 digits>.jpg``: RGB JPEG (quality 95, no
  chroma subsampling); as in PACO-LVIS, a JSON split's images come from both folders;
* ``<out_dir>/annotations/paco_lvis_v1_{train,val,test}.json``: ``images`` (``file_name``
  relative to the COCO root, e.g. ``train2017/000000000042.jpg``), ``annotations`` (object
  annotations have ``id == obj_ann_id``, part annotations the ``obj_ann_id`` of their object;
  ids unique over the whole release), ``categories`` (the six objects, ``supercategory``
  ``'OBJECT'``, then their object-parts ``'<object>:<part>'``, ``'PART'``, including a few
  that never occur; with ``full_label_space``, placeholder objects and parts that never occur
  pad them to PACO-LVIS's 75 objects and 456 object-parts), ``part_categories``,
  ``attributes`` and ``attr_type_to_attr_idxs``;
* ``<out_dir>/partmm_manifest.synthetic_paco.json``: the arguments, written last.

Object masks are polygons; part masks are polygons or compressed RLE (``counts`` a string),
about half each, as both occur in the release. About one object in seven has no part
annotations and one in eight is tiny (its box under 1 % of the image, which the converter
skips). Annotations are listed in drawing order (back to front), so painting them in order,
later over earlier, reproduces the picture.
"""
import json
import os
import os.path as osp
from typing import Callable, Dict, List, Sequence, Tuple, Union

import numpy as np
from PIL import Image, ImageDraw
from pycocotools import mask as mask_utils

from partmm.datasets import paco_meta as meta
from partmm.datasets.generators.shapes import (
    band,
    bar,
    clip_polygon,
    ellipse,
    part_colours,
    poly,
    random_background,
)
from partmm.datasets.output_guard import write_output

PRODUCER = 'synthetic_paco'  # names the release's manifest
COCO_DIR = 'coco'
ANNOTATION_DIR = 'annotations'

# Objects in the order of PACO's class list; per class the parts drawn (real PACO part names)
# and parts that are categories of the release but never drawn.
CLASS_PARTS: Dict[str, Tuple[Tuple[str, ...], Tuple[str, ...]]] = {
    'bicycle': (('wheel', 'down_tube', 'saddle', 'handlebar'), ('pedal', )),
    'bottle': (('body', 'label', 'neck', 'cap'), ('base', )),
    'chair': (('leg', 'back', 'seat'), ('arm', )),
    'mug': (('handle', 'body', 'base', 'rim'), ('text', )),
    'scissors': (('handle', 'blade'), ('screw', )),
    'lamp': (('base', 'pipe', 'shade'), ('bulb', )),
}
CLASSES = tuple(CLASS_PARTS)

_OBJECTS_PER_IMAGE = ((1, 2, 3), (0.4, 0.4, 0.2))
_TINY_PROBABILITY = 0.12
_NO_PARTS_PROBABILITY = 0.15
_RLE_PROBABILITY = 0.5
_BOX_AREA_FRACTION = (0.05, 0.3)  # of the image, before rotation
_TINY_AREA_FRACTION = (0.002, 0.005)  # stays under the converter's 1 % after rasterising
_MAX_BOX_SIDE = 0.9  # fraction of an image side
_MAX_ROTATION_DEG = 15.0
_PLACEMENT_TRIES = 8
_PIXEL_NOISE_STD = 6.0
_TRAIN2017_FRACTION = 0.85  # PACO-LVIS splits draw on COCO train2017 and val2017 alike
# A few attributes with PACO's attribute-type layout; the synthetic annotations carry none.
_ATTRIBUTES = (('color', 'black'), ('color', 'white'), ('color', 'red'),
               ('pattern_marking', 'plain'), ('material', 'plastic'),
               ('transparency', 'opaque'))

Polygon = np.ndarray  # [N, 2] float (x, y); object frame: x to the right, y down
Part = Tuple[str, List[Polygon]]  # (PACO part name, polygons)


def generate_synthetic_paco(out_dir: str,
                            num_images: int = 500,
                            image_size: Union[int, Tuple[int, int]] = (120, 160),
                            seed: int = 0,
                            full_label_space: bool = False,
                            overwrite: bool = False) -> dict:
    """Write a synthetic PACO-LVIS release to ``out_dir``.

    ``num_images`` are shared out 80/10/10 over the train, val and test JSONs (val and test
    get ``num_images // 10`` each). The same arguments always give byte-identical images and
    JSONs. The release owns ``out_dir`` (see :mod:`partmm.datasets.output_guard`): a release
    of the same arguments is kept as it is (the converter's output inside it too); anything
    else there is an error unless ``overwrite``, which replaces the whole folder.

    Args:
        out_dir: Folder of the release (created if needed).
        num_images: Total number of images over the three JSONs (at least 10).
        image_size: ``(height, width)`` in pixels, or one int for square images (>= 32).
        seed: Seed of all random choices.
        full_label_space: Pad the categories with never-drawn placeholders to the size of
            PACO-LVIS's (75 objects, 456 object-parts), so that the converted release has the
            whole release's label spaces and uint16 part maps, and the configs for it run
            offline. The images are the same either way.
        overwrite: Replace ``out_dir`` if it holds something else.

    Returns:
        Summary: ``out_dir``, ``num_images``, ``num_objects``, ``num_part_annotations``,
        ``image_size`` (h, w), ``classes`` and ``splits`` (split -> ``num_images``,
        ``num_objects``, ``tiny_objects``, ``objects_without_parts``, ``part_annotations``,
        ``rle_parts``, ``polygon_parts`` and the ``json`` path) and ``reused``.

    Raises:
        ValueError: If ``num_images`` < 10 or ``image_size`` is below 32 pixels.
        OutputExistsError: If ``out_dir`` holds something else and ``overwrite`` is False.
    """
    height, width = _check_arguments(num_images, image_size)
    counts = dict(train=num_images - 2 * (num_images // 10), val=num_images // 10,
                  test=num_images // 10)

    def write(work_dir: str) -> dict:
        ids = dict(image=0, annotation=0)  # unique over the release, as PACO's
        summary = dict(out_dir=out_dir, num_images=num_images, num_objects=0,
                       num_part_annotations=0, image_size=[height, width],
                       classes=list(CLASSES), splits={})
        for split_index, split in enumerate(meta.SPLITS):
            coco, stats = _generate_split(work_dir, split_index, counts[split],
                                          (height, width), seed, ids, full_label_space)
            path = osp.join(ANNOTATION_DIR, meta.json_name('lvis', split))
            os.makedirs(osp.join(work_dir, ANNOTATION_DIR), exist_ok=True)
            with open(osp.join(work_dir, path), 'w') as f:
                json.dump(coco, f)
            summary['splits'][split] = dict(stats, json=osp.join(out_dir, path))
            summary['num_objects'] += stats['num_objects']
            summary['num_part_annotations'] += stats['part_annotations']
        return summary

    settings = dict(num_images=num_images, image_size=[height, width], seed=seed)
    if full_label_space:  # kept out otherwise, so that existing releases are reused as they are
        settings['full_label_space'] = True
    return write_output(out_dir, PRODUCER, settings, write, overwrite=overwrite)


def category_table(full_label_space: bool = False) -> List[dict]:
    """The release's ``categories``: objects (ids from 1), then object-parts by part name.

    With ``full_label_space``, placeholder objects ``unused_object_NN`` and their parts
    ``unused_object_NN:part_M`` (never drawn) follow with the next ids, up to PACO-LVIS's
    category counts; the drawn categories keep their ids.
    """
    objects = list(CLASSES)
    parts = sorted(((part, CLASSES.index(name)) for name, (drawn, extra) in CLASS_PARTS.items()
                    for part in drawn + extra))
    parts = [f'{CLASSES[ci]}{meta.PART_SEPARATOR}{part}' for part, ci in parts]
    extra_objects, extra_parts = [], []
    if full_label_space:
        extra_objects = [f'unused_object_{k:02d}'
                         for k in range(meta.RELEASE_NUM_OBJECTS - len(objects))]
        extra_parts = [f'{extra_objects[k % len(extra_objects)]}{meta.PART_SEPARATOR}part_'
                       f'{k // len(extra_objects)}'
                       for k in range(meta.RELEASE_NUM_OBJECT_PARTS - len(parts))]
    kinds = [meta.OBJECT_SUPERCATEGORY, meta.PART_SUPERCATEGORY] * 2
    groups = (objects, parts, extra_objects, extra_parts)
    named = [(kind, name) for kind, group in zip(kinds, groups) for name in group]
    return [dict(supercategory=kind, name=name, id=i)
            for i, (kind, name) in enumerate(named, start=1)]


def _check_arguments(num_images: int, image_size: Union[int, Tuple[int, int]]) -> Tuple[int, int]:
    """Validate the arguments and return the image size as (height, width)."""
    if not isinstance(num_images, (int, np.integer)) or num_images < 10:
        raise ValueError(f'num_images must be an int >= 10 (one val and one test image at '
                         f'least), got {num_images!r}')
    size = (image_size, ) * 2 if isinstance(image_size, (int, np.integer)) else tuple(image_size)
    if len(size) != 2 or any(not isinstance(s, (int, np.integer)) or s < 32 for s in size):
        raise ValueError(f'image_size must be an int >= 32 or a (height, width) pair of them, '
                         f'got {image_size!r}')
    return int(size[0]), int(size[1])


def _generate_split(work_dir: str, split_index: int, num_images: int, size: Tuple[int, int],
                    seed: int, ids: Dict[str, int],
                    full_label_space: bool) -> Tuple[dict, dict]:
    """Render and save one JSON's images; return its content and its counts."""
    categories = category_table(full_label_space)
    category_id = {c['name']: c['id'] for c in categories}
    images, annotations = [], []
    stats = dict(num_images=num_images, num_objects=0, tiny_objects=0, objects_without_parts=0,
                 part_annotations=0, rle_parts=0, polygon_parts=0)
    for n in range(num_images):
        rng = np.random.default_rng([seed, split_index, n])
        picture, objects = _render_image(size, rng)
        ids['image'] += 1
        folder = 'train2017' if rng.random() < _TRAIN2017_FRACTION else 'val2017'
        file_name = f'{folder}/{ids["image"]:012d}.jpg'
        os.makedirs(osp.join(work_dir, COCO_DIR, folder), exist_ok=True)
        picture.save(osp.join(work_dir, COCO_DIR, file_name), quality=95, subsampling=0)
        images.append(dict(id=ids['image'], file_name=file_name, width=size[1], height=size[0],
                           license=1, neg_category_ids=[], not_exhaustive_category_ids=[],
                           neg_category_ids_attrs=[], not_exhaustive_category_ids_attrs=[]))
        for obj in objects:
            ids['annotation'] += 1
            object_id = ids['annotation']
            polygons = [p.ravel().tolist() for _, part_polygons, _ in obj['parts']
                        for p in part_polygons]
            annotations.append(_annotation(object_id, object_id, ids['image'],
                                           category_id[obj['class_name']], polygons, obj['rle']))
            stats['num_objects'] += 1
            stats['tiny_objects'] += obj['tiny']
            stats['objects_without_parts'] += not obj['annotate_parts']
            if not obj['annotate_parts']:
                continue
            for name, part_polygons, rle in obj['parts']:
                ids['annotation'] += 1
                as_rle = rng.random() < _RLE_PROBABILITY
                segmentation = (dict(size=list(size), counts=rle['counts'].decode('ascii'))
                                if as_rle else [p.ravel().tolist() for p in part_polygons])
                annotations.append(_annotation(
                    ids['annotation'], object_id, ids['image'],
                    category_id[f'{obj["class_name"]}{meta.PART_SEPARATOR}{name}'], segmentation,
                    rle))
                stats['part_annotations'] += 1
                stats['rle_parts' if as_rle else 'polygon_parts'] += 1
    return dict(
        info=dict(description='synthetic PACO-LVIS written by partmm', version='v1'),
        licenses=[dict(id=1, name='synthetic', url='')],
        images=images, annotations=annotations,
        categories=_with_counts(categories, annotations, images),
        part_categories=[dict(supercategory=meta.PART_SUPERCATEGORY, id=i, name=name)
                         for i, name in enumerate(sorted({p for drawn, extra in
                                                          CLASS_PARTS.values()
                                                          for p in drawn + extra}))],
        attributes=[dict(supercategory='ATTR', id=i, name=name)
                    for i, (_, name) in enumerate(_ATTRIBUTES)],
        attr_type_to_attr_idxs={kind: [i for i, (k, _) in enumerate(_ATTRIBUTES) if k == kind]
                                for kind in dict.fromkeys(k for k, _ in _ATTRIBUTES)},
    ), stats


def _annotation(ann_id: int, obj_ann_id: int, image_id: int, category_id: int,
                segmentation: object, rle: dict) -> dict:
    """One PACO annotation (object or part) with its box and area from ``rle``."""
    return dict(
        id=ann_id, bbox=[round(float(b), 2) for b in mask_utils.toBbox(rle)],
        area=float(mask_utils.area(rle)), category_id=category_id, image_id=image_id,
        segmentation=segmentation, attribute_ids=[], dom_color_ids=[], obj_ann_id=obj_ann_id,
        unknown_color=1, unknown_pattern_marking=1, unknown_material=1,
        unknown_transparency=1, iscrowd=0)


def _with_counts(categories: List[dict], annotations: List[dict],
                 images: List[dict]) -> List[dict]:
    """Categories with LVIS's ``image_count``, ``instance_count``, ``synset`` and
    ``frequency`` (r: 1-10 images, c: 11-100, f: more) over this JSON."""
    instances: Dict[int, int] = {}
    image_sets: Dict[int, set] = {}
    for ann in annotations:
        instances[ann['category_id']] = instances.get(ann['category_id'], 0) + 1
        image_sets.setdefault(ann['category_id'], set()).add(ann['image_id'])
    table = []
    for category in categories:
        image_count = len(image_sets.get(category['id'], ()))
        table.append(dict(
            category, image_count=image_count,
            instance_count=instances.get(category['id'], 0),
            synset=f'{category["name"].split(meta.PART_SEPARATOR)[-1]}.n.01',
            frequency='r' if image_count <= 10 else 'c' if image_count <= 100 else 'f'))
    return table


# ---------------------------------------------------------------------------------------------
# Rendering


def _render_image(size: Tuple[int, int], rng: np.random.Generator) -> Tuple[Image.Image, list]:
    """Draw one image.

    Returns:
        The RGB picture and, in drawing order, one dict per visible object: ``class_name``,
        ``tiny``, ``annotate_parts``, ``rle`` (the object mask, compressed RLE) and ``parts``
        (visible parts in drawing order: ``(part name, clipped polygons, RLE)``).
    """
    height, width = size
    background = random_background(size, rng)
    picture = Image.fromarray(background)
    draw = ImageDraw.Draw(picture)
    taken: List[np.ndarray] = []
    objects = []
    for _ in range(rng.choice(_OBJECTS_PER_IMAGE[0], p=_OBJECTS_PER_IMAGE[1])):
        class_name = CLASSES[rng.integers(len(CLASSES))]
        tiny = bool(rng.random() < _TINY_PROBABILITY)
        annotate_parts = bool(rng.random() >= _NO_PARTS_PROBABILITY)
        area = rng.uniform(*(_TINY_AREA_FRACTION if tiny else _BOX_AREA_FRACTION))
        layout = _LAYOUTS[class_name](rng.uniform(-1, 1, 4), rng)
        placed, box = _place(layout, area * height * width, size, taken, rng)
        parts = []
        for name, polygons in placed:
            clipped = [q for q in (clip_polygon(p, width, height) for p in polygons)
                       if q is not None]
            if not clipped:
                continue
            rle = mask_utils.merge(mask_utils.frPyObjects(
                [q.ravel().tolist() for q in clipped], height, width))
            if mask_utils.area(rle) > 0:
                parts.append((name, clipped, rle))
        if not parts:
            continue
        taken.append(box)
        colours = part_colours(len(parts), background.reshape(-1, 3).mean(0), rng)
        for (_, polygons, _), colour in zip(parts, colours):
            for polygon in polygons:
                draw.polygon([tuple(xy) for xy in polygon.tolist()], fill=tuple(colour.tolist()))
        objects.append(dict(class_name=class_name, tiny=tiny, annotate_parts=annotate_parts,
                            rle=mask_utils.merge([rle for _, _, rle in parts]), parts=parts))
    noisy = np.asarray(picture, dtype=np.float32) + rng.normal(0.0, _PIXEL_NOISE_STD,
                                                               (*size, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).round().astype(np.uint8)), objects


def _place(parts: List[Part], area: float, size: Tuple[int, int], taken: Sequence[np.ndarray],
           rng: np.random.Generator) -> Tuple[List[Part], np.ndarray]:
    """Flip, rotate, scale (box area ``area`` px, sides capped) and move object-frame parts
    into pixel coordinates, where they overlap the ``taken`` boxes least; return them and
    their box [x1, y1, x2, y2]."""
    height, width = size
    flip = -1.0 if rng.random() < 0.5 else 1.0
    angle = np.deg2rad(rng.uniform(-_MAX_ROTATION_DEG, _MAX_ROTATION_DEG))
    cos, sin = np.cos(angle), np.sin(angle)
    linear = np.array([[cos, -sin], [sin, cos]]) @ np.diag([flip, 1.0])
    posed = [(name, [p @ linear.T for p in polygons]) for name, polygons in parts]
    points = np.concatenate([p for _, polygons in posed for p in polygons])
    low, extent = points.min(0), np.ptp(points, 0)
    scale = min(np.sqrt(area / np.prod(extent)), _MAX_BOX_SIDE * width / extent[0],
                _MAX_BOX_SIDE * height / extent[1])
    box_size = extent * scale
    offsets = rng.uniform(0, np.array([width, height]) - box_size, (_PLACEMENT_TRIES, 2))
    overlaps = [max((_iou(np.concatenate([o, o + box_size]), t) for t in taken), default=0.0)
                for o in offsets]
    offset = offsets[int(np.argmin(overlaps))]
    placed = [(name, [(p - low) * scale + offset for p in polygons]) for name, polygons in posed]
    return placed, np.concatenate([offset, offset + box_size])


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two [x1, y1, x2, y2] boxes."""
    inter = np.prod(np.clip(np.minimum(a[2:], b[2:]) - np.maximum(a[:2], b[:2]), 0, None))
    union = np.prod(a[2:] - a[:2]) + np.prod(b[2:] - b[:2]) - inter
    return float(inter / union) if union > 0 else 0.0


# ---------------------------------------------------------------------------------------------
# Class layouts (object frame, about 2 units across). Each returns parts back to front; ``v``
# holds four variations in [-1, 1] that stretch proportions by up to ~15 %.


def _bicycle(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: two wheels, a down tube, a saddle and a handlebar."""
    radius, base = 0.36 * (1 + 0.12 * v[0]), 0.62 * (1 + 0.12 * v[1])
    head = np.array([0.38, -0.3 * (1 + 0.15 * v[2])])
    seat = np.array([-0.2, -0.42 * (1 + 0.15 * v[3])])
    wheels = [('wheel', [ellipse(s * base, 0.3, radius, radius, num=24)]) for s in (-1, 1)]
    tube = ('down_tube', [bar((-0.05, 0.32), head, 0.12), bar((-0.05, 0.32), seat, 0.1)])
    saddle = ('saddle', [poly(seat + (-0.2, -0.08), seat + (0.15, -0.08), seat + (0.12, 0.04),
                               seat + (-0.16, 0.04))])
    top = head + (0.05, -0.22)
    handlebar = ('handlebar', [bar(head, top, 0.09), bar(top + (-0.1, 0), top + (0.16, 0.03),
                                                           0.09)])
    return wheels + [tube, saddle, handlebar]


def _bottle(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Upright: body with a label band, a tapering neck and a cap."""
    half_w, bottom = 0.32 * (1 + 0.12 * v[0]), 0.9 * (1 + 0.1 * v[1])
    shoulder, neck_w = -0.25 * (1 + 0.2 * v[2]), 0.11 * (1 + 0.15 * v[3])
    body = poly((-half_w, shoulder), (half_w, shoulder), (half_w, bottom), (-half_w, bottom))
    band = rng.uniform(0.05, 0.3)
    label = poly((-half_w, band), (half_w, band), (half_w, band + 0.35), (-half_w, band + 0.35))
    top = shoulder - 0.45
    neck = poly((-half_w, shoulder + 0.01), (half_w, shoulder + 0.01), (neck_w, top),
                 (-neck_w, top))
    cap = poly((-neck_w - 0.03, top + 0.01), (neck_w + 0.03, top + 0.01),
                (neck_w + 0.03, top - 0.2), (-neck_w - 0.03, top - 0.2))
    return [('body', [body]), ('label', [label]), ('neck', [neck]), ('cap', [cap])]


def _chair(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: two legs, a tall back at the rear and a flat seat."""
    depth, leg = 0.5 * (1 + 0.12 * v[0]), 0.8 * (1 + 0.12 * v[1])
    back_h, splay = 0.85 * (1 + 0.15 * v[2]), 0.06 * (1 + v[3])
    legs = [('leg', [bar((s * (depth - 0.06), 0.1), (s * (depth - 0.06 + splay), 0.1 + leg),
                          0.1)]) for s in (-1, 1)]
    back = poly((-depth, 0.05), (-depth + 0.13, 0.05), (-depth + 0.05, -back_h),
                 (-depth - 0.08, -back_h))
    seat = poly((-depth, -0.02), (depth, -0.02), (depth, 0.12), (-depth, 0.12))
    return legs + [('back', [back]), ('seat', [seat])]


def _mug(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Side view: handle ring at the side, body, base plate, rim ellipse on top."""
    half_w, height = 0.45 * (1 + 0.12 * v[0]), 1.05 * (1 + 0.12 * v[1])
    ring, thick = 0.28 * (1 + 0.15 * v[2]), 0.1 * (1 + 0.2 * v[3])
    top, bottom = -height / 2, height / 2
    t = np.linspace(-np.pi / 2, np.pi / 2, 12)
    handle = band(np.stack([half_w - 0.05 + ring * np.cos(t), ring * np.sin(t)], 1),
                   np.full(12, thick))
    body = poly((-half_w, top), (half_w, top), (half_w * 0.92, bottom), (-half_w * 0.92, bottom))
    base = poly((-half_w * 0.95, bottom - 0.06), (half_w * 0.95, bottom - 0.06),
                 (half_w * 0.9, bottom + 0.05), (-half_w * 0.9, bottom + 0.05))
    rim = ellipse(0, top, half_w * 1.02, 0.08)
    return [('handle', [handle]), ('body', [body]), ('base', [base]), ('rim', [rim])]


def _scissors(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Top view: two finger rings on the left, two crossing blades to the right."""
    length, spread = 1.2 * (1 + 0.12 * v[0]), 0.22 * (1 + 0.2 * v[1])
    ring_x, ring_r = 0.25 * (1 + 0.15 * v[2]), 0.2 * (1 + 0.15 * v[3])
    handles = [('handle', [ellipse(-ring_x - ring_r, s * spread, ring_r, ring_r * 0.75)])
               for s in (-1, 1)]
    blades = [('blade', [poly((-ring_x, s * spread * 0.9), (-ring_x + 0.05, s * spread * 0.4),
                               (length, -s * 0.06 * spread), (length - 0.1, -s * 0.2 * spread))])
              for s in (-1, 1)]
    return handles + blades


def _lamp(v: np.ndarray, rng: np.random.Generator) -> List[Part]:
    """Upright: flat round base, a slanted pipe and a conical shade on top."""
    base_r, height = 0.42 * (1 + 0.12 * v[0]), 1.1 * (1 + 0.12 * v[1])
    lean, shade_w = 0.15 * v[2], 0.45 * (1 + 0.15 * v[3])
    bottom = height / 2
    top = np.array([lean, -height / 2 + 0.35])
    base = ellipse(0, bottom, base_r, 0.1)
    pipe = bar((0, bottom), top, 0.07)
    shade = poly(top + (-shade_w * 0.45, -0.4), top + (shade_w * 0.45, -0.4),
                  top + (shade_w, 0.05), top + (-shade_w, 0.05))
    return [('base', [base]), ('pipe', [pipe]), ('shade', [shade])]


_LAYOUTS: Dict[str, Callable[[np.ndarray, np.random.Generator], List[Part]]] = {
    'bicycle': _bicycle, 'bottle': _bottle, 'chair': _chair, 'mug': _mug,
    'scissors': _scissors, 'lamp': _lamp,
}
if set(_LAYOUTS) != set(CLASSES) or any(
        {name for name, _ in _LAYOUTS[c](np.zeros(4), np.random.default_rng(0))}
        != set(CLASS_PARTS[c][0]) for c in CLASSES):
    raise RuntimeError('synthetic PACO layouts do not draw exactly the parts of CLASS_PARTS')
