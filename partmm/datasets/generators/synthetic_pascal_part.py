"""Synthetic PASCAL-Part: a small stand-in release in the real raw format (VOC2010 images plus
PASCAL-Part ``.mat`` annotations).

Every image shows one main object and, in some images, a smaller second object behind it.
Objects are drawn from sub-parts named as PASCAL-Part names them (``lwing``, ``engine_1``,
``wheel_2``, ``torso``, ``lfpa``, ``muzzle``, ...), with the polygon helpers, placement,
backgrounds and colours of the synthetic PartImageNet renderer: colours and textures are drawn
from the same distributions for every class, so only part shape and layout tell the classes
apart. One image in six has a main object of another VOC class (person, bottle, tvmonitor,
chair), which the converter drops; second objects are of the 5 classes or of those.

* ``<out_dir>/JPEGImages/<id>.jpg``: RGB JPEG (quality 95, no chroma subsampling), each image
  of its own size, ids ``2010_000001``, ``2010_000002``, ...;
* ``<out_dir>/Annotations_Part/<id>.mat``: MATLAB v5 file (zlib-compressed) holding the struct
  ``anno`` with ``imname`` and ``objects`` (struct array: ``class``, ``class_ind`` (uint8
  [1, 1], VOC index), ``mask`` (uint8 [H, W], 0/1), ``parts``: struct array of ``part_name``
  and ``mask``, or ``[]`` for objects without parts, as for chairs);
* ``<out_dir>/partmm_manifest.synthetic_pascal_part.json``: the arguments, written last.

Masks follow the rendered picture in the way the converter's painting rules expect of the
real annotations: a sub-part's mask holds its visible pixels, except that the car's
``leftside`` covers the windows, doors and wheels drawn on it (as PASCAL-Part's car sides do);
the second object's masks also cover what the main object hides, so only the rule "main object
first" reproduces the picture; in half of those images the second object comes first in the
file. The second object's mask area is always smaller than the main object's.
"""
import io
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import scipy.io
from PIL import Image, ImageDraw

from partmm.datasets import pascal_part_meta as meta
from partmm.datasets.output_guard import write_output

# The synthetic PartImageNet renderer's geometry, placement and appearance helpers.
from .shapes import (
    band,
    bar,
    ellipse,
    part_colours,
    poly,
    random_background,
)
from .synthetic_partimagenet import PIXEL_NOISE_STD, place_object

PRODUCER = 'synthetic_pascal_part'  # names the release's manifest
OTHER_CLASSES = ('person', 'bottle', 'tvmonitor', 'chair')  # VOC classes the converter drops
IMAGES_PER_CYCLE = len(meta.CLASSES) + 1  # the 5 classes, then one other-class image
ID_PREFIX = '2010_'

_SECOND_OBJECT_PROB = 0.4
_SECOND_KEPT_CLASS_PROB = 0.6  # else one of OTHER_CLASSES
_SECOND_SCALE = (0.4, 0.65)  # side of the second object's canvas / the image's
_SECOND_SHRINK = 0.75  # applied until the second object is smaller than the main one
_SECOND_TRIES = 4
# mat header text (116 bytes): fixed, where scipy writes the time, so that files are
# byte-identical for the same arguments.
_MAT_HEADER = b'MATLAB 5.0 MAT-file, written by partmm synthetic_pascal_part'

Polygon = np.ndarray  # [N, 2] float (x, y); object frame: x to the front, y down
# (sub-part name as PASCAL-Part spells it, or None for object pixels without a part, polygons)
SubPart = Tuple[Optional[str], List[Polygon]]
# Sub-parts whose masks keep the pixels that later sub-parts of the object are drawn over.
_AMODAL = {'car': frozenset({'leftside'})}


def generate_synthetic_pascal_part(out_dir: str,
                                   num_images: int = 1500,
                                   image_size: Union[int, Tuple[int, int]] = (64, 96),
                                   seed: int = 0,
                                   overwrite: bool = False) -> dict:
    """Write a synthetic PASCAL-Part release to ``out_dir``.

    Image ``n`` (0-based) has a main object of class ``CLASSES[n % 6]`` for ``n % 6 < 5`` and
    of an other VOC class otherwise, so the 5 classes get equal shares. The same arguments
    always give byte-identical images and ``.mat`` files.

    The release owns ``out_dir`` (see :mod:`partmm.datasets.output_guard`): if it already
    holds the release of the same arguments, nothing is written (the converter's part maps and
    splits stay); if it holds anything else, that is an error unless ``overwrite``, which
    replaces the whole folder.

    Args:
        out_dir: Folder of the release (created if needed).
        num_images: Number of images (and annotation files).
        image_size: Side in pixels of every image, or ``(min, max)``: each image's height and
            width are drawn uniformly from that range.
        seed: Seed of all random choices.
        overwrite: Replace ``out_dir`` if it holds something else.

    Returns:
        Summary: ``out_dir``, ``num_images``, ``image_size`` ([min, max] side),
        ``main_classes`` (class -> number of images whose largest object is of it; the 5
        classes are kept by the converter, the others dropped), ``second_objects`` (number
        of images with a second object), ``second_first`` (of those, how many list it first)
        and ``reused`` (True when the release was already there).

    Raises:
        ValueError: If ``num_images`` < 1 or ``image_size`` is not a side or a (min, max)
            pair of sides >= 32.
        OutputExistsError: If ``out_dir`` holds something else and ``overwrite`` is False.
    """
    sides = _check_arguments(num_images, image_size)

    def write(work_dir: str) -> dict:
        image_dir = osp.join(work_dir, meta.IMAGE_DIR)
        ann_dir = osp.join(work_dir, meta.ANNOTATION_DIR)
        os.makedirs(image_dir)
        os.makedirs(ann_dir)
        main_classes: Dict[str, int] = {}
        second_objects = second_first = 0
        for n in range(num_images):
            stem = synthetic_id(n)
            picture, objects, main = _render_image(n, sides, seed)
            picture.save(osp.join(image_dir, f'{stem}.jpg'), quality=95, subsampling=0)
            save_annotation(osp.join(ann_dir, f'{stem}.mat'), stem, objects)
            name = objects[main][0]
            main_classes[name] = main_classes.get(name, 0) + 1
            second_objects += len(objects) > 1
            second_first += main > 0
        return dict(out_dir=out_dir, num_images=num_images, image_size=list(sides),
                    main_classes=dict(sorted(main_classes.items())),
                    second_objects=second_objects, second_first=second_first)

    settings = dict(num_images=num_images, image_size=list(sides), seed=seed)
    return write_output(out_dir, PRODUCER, settings, write, overwrite=overwrite)


def synthetic_id(n: int) -> str:
    """VOC-style id of synthetic image ``n`` (0-based), e.g. 0 -> ``2010_000001``."""
    return f'{ID_PREFIX}{n + 1:06d}'


def save_annotation(path: str, imname: str,
                    objects: Sequence[Tuple[str, np.ndarray, Sequence[Tuple[str, np.ndarray]]]]
                    ) -> None:
    """Write one annotation file in PASCAL-Part's format.

    Args:
        path: ``.mat`` file to write.
        imname: Image id stored as ``anno.imname``.
        objects: ``(class name, mask, parts)`` per object, in file order; masks are [H, W]
            (non-zero = inside) and stored as uint8 0/1; ``parts`` lists ``(part name, mask)``
            and is stored as ``[]`` when empty.
    """
    records = np.empty((1, len(objects)), dtype=[('class', 'O'), ('class_ind', 'O'),
                                                  ('mask', 'O'), ('parts', 'O')])
    for i, (class_name, mask, parts) in enumerate(objects):
        part_records = np.zeros((0, 0))  # MATLAB's [] (0x0 double)
        if parts:
            part_records = np.empty((1, len(parts)), dtype=[('part_name', 'O'), ('mask', 'O')])
            for j, (part_name, part_mask) in enumerate(parts):
                part_records[0, j] = (part_name, _uint8_mask(part_mask))
        records[0, i] = (class_name, np.array([[meta.voc_class_index(class_name)]], np.uint8),
                         _uint8_mask(mask), part_records)
    anno = np.empty((1, 1), dtype=[('imname', 'O'), ('objects', 'O')])
    anno[0, 0] = (imname, records)
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, dict(anno=anno), do_compression=True)
    content = bytearray(buffer.getvalue())
    content[:116] = _MAT_HEADER.ljust(116)
    with open(path, 'wb') as f:
        f.write(content)


def _uint8_mask(mask: np.ndarray) -> np.ndarray:
    return (np.asarray(mask) > 0).astype(np.uint8)


def _check_arguments(num_images: int, image_size: Union[int, Tuple[int, int]]) -> Tuple[int, int]:
    """Validate the arguments and return the (min, max) image side."""
    if not isinstance(num_images, (int, np.integer)) or num_images < 1:
        raise ValueError(f'num_images must be a positive int, got {num_images!r}')
    sides = (image_size, ) * 2 if isinstance(image_size, (int, np.integer)) else tuple(image_size)
    if (len(sides) != 2 or any(not isinstance(s, (int, np.integer)) or s < 32 for s in sides)
            or sides[0] > sides[1]):
        raise ValueError(f'image_size must be an int >= 32 or a (min, max) pair of them, got '
                         f'{image_size!r}')
    return int(sides[0]), int(sides[1])


# ---------------------------------------------------------------------------------------------
# Rendering


def _render_image(n: int, sides: Tuple[int, int], seed: int
                  ) -> Tuple[Image.Image, List[Tuple[str, np.ndarray, list]], int]:
    """Draw image ``n``.

    Returns:
        The RGB picture, its objects in file order as ``(class name, bool [H, W] mask,
        [(part name, bool [H, W] mask), ...])`` and the index of the main object among them.
    """
    rng = np.random.default_rng([seed, n])  # per image, so images do not depend on each other
    size = tuple(int(s) for s in rng.integers(sides[0], sides[1] + 1, 2))  # (height, width)
    slot = n % IMAGES_PER_CYCLE
    main_class = (meta.CLASSES[slot] if slot < len(meta.CLASSES)
                  else OTHER_CLASSES[(n // IMAGES_PER_CYCLE) % len(OTHER_CLASSES)])
    main = (main_class, place_object(_layout(main_class, rng), size, rng))
    main_masks = _rasterise(main, size)
    drawn = [main]  # back to front
    objects = [(main_class, *main_masks)]
    if rng.random() < _SECOND_OBJECT_PROB:
        second = _second_object(size, int(main_masks[0].sum()), rng)
        if second is not None:
            drawn.insert(0, second[0])
            objects.append((second[0][0], *second[1]))
    main_index = 0
    if len(objects) > 1 and rng.random() < 0.5:
        objects.reverse()
        main_index = 1
    return _paint(drawn, size, rng), objects, main_index


def _second_object(size: Tuple[int, int], main_area: int, rng: np.random.Generator
                   ) -> Optional[Tuple[Tuple[str, List[SubPart]], Tuple[np.ndarray, list]]]:
    """A smaller object placed anywhere in the image, or None if none fits under the main
    object's area; returns ``((class, placed sub-parts), its masks)``."""
    height, width = size
    kept = rng.random() < _SECOND_KEPT_CLASS_PROB
    class_name = str(rng.choice(meta.CLASSES if kept else OTHER_CLASSES))
    layout = _layout(class_name, rng)
    scale = rng.uniform(*_SECOND_SCALE)
    for _ in range(_SECOND_TRIES):
        canvas = (max(8, int(height * scale)), max(8, int(width * scale)))
        offset = rng.uniform(0, 1, 2) * (width - canvas[1], height - canvas[0])
        placed = [(name, [p + offset for p in polygons])
                  for name, polygons in place_object(layout, canvas, rng)]
        masks = _rasterise((class_name, placed), size)
        if 0 < masks[0].sum() < main_area:
            return (class_name, placed), masks
        scale *= _SECOND_SHRINK
    return None


def _rasterise(obj: Tuple[str, List[SubPart]], size: Tuple[int, int]
               ) -> Tuple[np.ndarray, list]:
    """Object mask and ``[(part name, mask)]`` (non-empty ones, drawing order) of one placed
    object, with PIL's polygon fill as the picture is drawn.

    The object mask is the union of its polygons; a sub-part's mask is where it is the last
    drawn, or all its polygons for the class's amodal sub-parts.
    """
    class_name, parts = obj
    height, width = size
    index = Image.new('L', (width, height), 0)
    draw = ImageDraw.Draw(index)
    amodal = _AMODAL.get(class_name, frozenset())
    own: Dict[int, np.ndarray] = {}
    for j, (name, polygons) in enumerate(parts, start=1):
        for polygon in polygons:
            draw.polygon(_xy(polygon), fill=j)
        if name in amodal:
            alone = Image.new('L', (width, height), 0)
            for polygon in polygons:
                ImageDraw.Draw(alone).polygon(_xy(polygon), fill=1)
            own[j] = np.asarray(alone) > 0
    index = np.asarray(index)
    masks = []
    for j, (name, _) in enumerate(parts, start=1):
        mask = own[j] if j in own else index == j
        if name is not None and mask.any():
            masks.append((name, mask))
    return index > 0, masks


def _paint(drawn: List[Tuple[str, List[SubPart]]], size: Tuple[int, int],
           rng: np.random.Generator) -> Image.Image:
    """Background, then the objects' sub-parts back to front, each in its own colour, plus
    pixel noise."""
    background = random_background(size, rng)
    num_parts = sum(len(parts) for _, parts in drawn)
    colours = iter(part_colours(num_parts, background.reshape(-1, 3).mean(0), rng))
    picture = Image.fromarray(background)
    draw = ImageDraw.Draw(picture)
    for _, parts in drawn:
        for _, polygons in parts:
            colour = tuple(next(colours).tolist())
            for polygon in polygons:
                draw.polygon(_xy(polygon), fill=colour)
    noisy = np.asarray(picture, dtype=np.float32) + rng.normal(
        0.0, PIXEL_NOISE_STD, (*size, 3))
    return Image.fromarray(np.clip(noisy, 0, 255).round().astype(np.uint8))


def _xy(polygon: Polygon) -> List[Tuple[float, float]]:
    return [tuple(p) for p in polygon.tolist()]


def _layout(class_name: str, rng: np.random.Generator) -> List[SubPart]:
    """Sub-parts of one object of ``class_name`` in its object frame, back to front."""
    variation = rng.uniform(-1, 1, 4)
    return _LAYOUTS[class_name](variation, rng)


# ---------------------------------------------------------------------------------------------
# Class layouts (object frame: about 2 units across, x to the front, y down). ``v`` holds four
# variations in [-1, 1] that stretch proportions by up to ~20 %.


def _aeroplane(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    """Side view: far wing, fin, tail cone, fuselage, landing gear, near wing and engines."""
    half, r = 0.95 * (1 + 0.1 * v[0]), 0.13 * (1 + 0.15 * v[1])
    fin, span = 0.4 * (1 + 0.2 * v[2]), 0.55 * (1 + 0.15 * v[3])
    sweep = rng.uniform(0.1, 0.3)
    parts: List[SubPart] = [
        ('rwing', [poly((0.15, -0.5 * r), (-0.1 - sweep, -r - 0.25), (-0.3 - sweep, -r - 0.25),
                         (-0.12, -0.5 * r))]),
        ('tail', [poly((-0.6 * half, -0.9 * r), (-0.95 * half, -r - fin),
                        (-1.05 * half, -r - fin), (-half, -0.9 * r))]),
        ('stern', [poly((-0.35 * half, -r), (-half, -0.9 * r), (-half, -0.3 * r),
                         (-0.35 * half, r))]),
        ('body', [poly((-0.35 * half, -r), (0.7 * half, -r), (0.9 * half, -0.6 * r),
                        (half, 0.0), (0.9 * half, 0.7 * r), (0.7 * half, r),
                        (-0.35 * half, r))]),
    ]
    if rng.random() < 0.5:  # landing gear down
        parts += [(f'wheel_{k}', [ellipse(x, r + 0.08, 0.06, 0.06, num=10)])
                  for k, x in enumerate((0.45 * half, -0.1), start=1)]
    parts.append(('lwing', [poly((0.25, 0.2 * r), (-0.25 - sweep, r + span),
                                  (-0.45 - sweep, r + span), (-0.15, 0.2 * r))]))
    engines = 1 if rng.random() < 0.5 else 2
    parts += [(f'engine_{k}', [ellipse(0.05 - sweep * f, r + span * f, 0.14, 0.06)])
              for k, f in zip((1, 2), (0.4, 0.75)[:engines])]
    return parts


def _bird(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    """Side view: far wing, tail, legs with feet, round torso, near wing, neck, head, beak."""
    rx, ry = 0.42 * (1 + 0.12 * v[0]), 0.27 * (1 + 0.12 * v[1])
    tail, leg = 0.45 * (1 + 0.2 * v[2]), 0.35 * (1 + 0.15 * v[3])
    parts: List[SubPart] = [
        ('rwing', [ellipse(-0.05, -0.15, rx * 0.6, ry * 0.35, angle=-0.5)]),
        ('tail', [poly((-rx + 0.1, -0.02), (-rx - tail, -0.15), (-rx - tail, 0.12),
                        (-rx + 0.1, 0.08))]),
    ]
    for side, x in (('l', -0.05), ('r', 0.1)):
        ankle = (x - 0.03, ry + leg)
        parts += [(f'{side}leg', [bar((x, ry * 0.7), ankle, 0.06)]),
                  (f'{side}foot', [bar(ankle, (ankle[0] + 0.16, ankle[1]), 0.06)])]
    hx, hy = rx * 0.98, -ry - 0.12
    beak = 0.18 * (1 + 0.3 * rng.uniform(-1, 1))
    parts += [
        ('torso', [ellipse(0, 0, rx, ry, angle=-0.1)]),
        ('lwing', [ellipse(-0.1, -0.02, rx * 0.7, ry * 0.5, angle=-0.25)]),
        ('neck', [bar((rx * 0.7, -ry * 0.4), (rx * 0.95, -ry - 0.05), 0.16)]),
        ('head', [ellipse(hx, hy, 0.16, 0.15)]),
        ('beak', [poly((hx + 0.12, hy - 0.05), (hx + 0.12 + beak, hy + 0.01),
                        (hx + 0.12, hy + 0.06))]),
        ('leye', [ellipse(hx + 0.05, hy - 0.04, 0.035, 0.035, num=8)]),
    ]
    return parts


def _car(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    """Side view: side panel (amodal), roof, front and back faces, doors, windows, headlight,
    mirror, wheels."""
    half, low = 1.0 * (1 + 0.1 * v[0]), 0.3 * (1 + 0.1 * v[1])
    cabin, radius = 0.38 * (1 + 0.15 * v[2]), 0.2 * (1 + 0.1 * v[3])
    doors = 2 if rng.random() < 0.6 else 1
    door_edges = np.linspace(-0.42, 0.42, doors + 1)
    parts: List[SubPart] = [
        ('leftside', [poly((-half, low), (-half, -0.05), (-0.5, -0.08), (-0.35, -cabin),
                            (0.3, -cabin), (0.52, -0.08), (half, 0.0), (half, low))]),
        ('roofside', [poly((-0.33, -cabin - 0.05), (0.28, -cabin - 0.05), (0.3, -cabin),
                            (-0.35, -cabin))]),
        ('frontside', [poly((half, 0.0), (half + 0.06, 0.05), (half + 0.06, low), (half, low))]),
        ('backside', [poly((-half - 0.05, -0.03), (-half, -0.05), (-half, low),
                            (-half - 0.05, low))]),
    ]
    parts += [(f'door_{k}', [poly((x0 + 0.02, -0.06), (x1 - 0.02, -0.06),
                                   (x1 - 0.02, low - 0.08), (x0 + 0.02, low - 0.08))])
              for k, (x0, x1) in enumerate(zip(door_edges[:-1], door_edges[1:]), start=1)]
    parts += [
        ('window_1', [poly((-0.3, -cabin + 0.05), (-0.05, -cabin + 0.05), (-0.05, -0.1),
                            (-0.43, -0.1))]),
        ('window_2', [poly((0.02, -cabin + 0.05), (0.26, -cabin + 0.05), (0.44, -0.1),
                            (0.02, -0.1))]),
        ('headlight_1', [ellipse(half - 0.06, 0.06, 0.06, 0.04, num=10)]),
        ('leftmirror', [poly((0.45, -0.16), (0.58, -0.18), (0.58, -0.08), (0.47, -0.08))]),
    ]
    parts += [(f'wheel_{k}', [ellipse(s * half * 0.6, low, radius, radius)])
              for k, s in enumerate((-1, 1), start=1)]
    return parts


def _cat_or_dog(v: np.ndarray, rng: np.random.Generator, dog: bool) -> List[SubPart]:
    """Side view: far legs, tail, torso, near legs, neck, head with ears, eyes, nose (and the
    dog's muzzle). Cats: long low body, short legs, long curved tail, pointed ears; dogs:
    longer legs, short raised tail, hanging ears, a muzzle."""
    half = (0.55 if dog else 0.62) * (1 + 0.1 * v[0])
    depth = (0.25 if dog else 0.2) * (1 + 0.12 * v[1])
    leg = (0.55 if dog else 0.3) * (1 + 0.15 * v[2])
    neck_top = np.array([0.62, -0.36 if dog else -0.28]) * (1 + 0.1 * v[3])
    parts: List[SubPart] = []
    legs = {'lb': -0.75, 'lf': 0.7, 'rb': -0.6, 'rf': 0.55}  # x / half; l = far, r = near

    def add_leg(key: str) -> None:
        x = legs[key] * half + rng.uniform(-0.04, 0.04)
        foot = np.array([x + rng.uniform(-0.06, 0.06), depth + leg])
        parts.append((f'{key}leg', [bar((x, 0.0), foot, 0.12)]))
        parts.append((f'{key}pa', [ellipse(foot[0] + 0.04, foot[1], 0.08, 0.045, num=10)]))

    add_leg('lb')
    add_leg('lf')
    if dog:
        parts.append(('tail', [bar((-half + 0.05, -0.1), (-half - 0.22, -0.42), 0.09)]))
    else:
        t = np.linspace(0, 1, 10)
        centre = np.stack([-half + 0.05 - 0.45 * t, 0.05 - 0.55 * t ** 1.5
                           + 0.08 * np.sin(3 * t)], 1)
        parts.append(('tail', [band(centre, np.full(10, 0.09))]))
    parts.append(('torso', [ellipse(0, 0, half, depth)]))
    add_leg('rb')
    add_leg('rf')
    hx, hy = neck_top + (0.05, -0.08)
    parts += [('neck', [bar((half * 0.7, -0.05), neck_top, 0.24 if dog else 0.2)]),
              ('head', [ellipse(hx, hy, 0.18, 0.17 if dog else 0.18)])]
    if dog:
        parts += [('muzzle', [ellipse(hx + 0.22, hy + 0.06, 0.17, 0.08)]),
                  ('lear', [ellipse(hx - 0.1, hy + 0.06, 0.06, 0.14, angle=0.3)]),
                  ('nose', [ellipse(hx + 0.38, hy + 0.04, 0.04, 0.035, num=8)])]
    else:
        parts += [('lear', [poly((hx - 0.16, hy - 0.08), (hx - 0.12, hy - 0.33),
                                  (hx - 0.01, hy - 0.15))]),
                  ('rear', [poly((hx - 0.02, hy - 0.16), (hx + 0.06, hy - 0.36),
                                  (hx + 0.13, hy - 0.1))]),
                  ('nose', [poly((hx + 0.16, hy + 0.02), (hx + 0.21, hy + 0.04),
                                  (hx + 0.16, hy + 0.07))])]
    parts.append(('leye', [ellipse(hx + 0.07, hy - 0.04, 0.035, 0.03, num=8)]))
    return parts


def _cat(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    return _cat_or_dog(v, rng, dog=False)


def _dog(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    return _cat_or_dog(v, rng, dog=True)


def _person(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    """Upright: legs, torso, arms, neck, head, hair."""
    width, height = 0.22 * (1 + 0.12 * v[0]), 0.4 * (1 + 0.12 * v[1])
    leg, arm = 0.75 * (1 + 0.12 * v[2]), 0.6 * (1 + 0.12 * v[3])
    parts: List[SubPart] = [
        (f'{s}lleg', [bar((x * width * 0.45, height * 0.7), (x * width * 0.6, height + leg),
                           0.14)]) for s, x in (('l', -1), ('r', 1))]
    parts.append(('torso', [ellipse(0, 0, width, height)]))
    for s, x in (('l', -1), ('r', 1)):
        swing = rng.uniform(0.1, 0.7)
        hand = (x * (width + arm * np.sin(swing)), -height * 0.6 + arm * np.cos(swing))
        parts.append((f'{s}larm', [bar((x * width * 0.8, -height * 0.6), hand, 0.12)]))
    t = np.linspace(1.1 * np.pi, 1.9 * np.pi, 9)  # upper arc of the head, closed by its chord
    parts += [('neck', [bar((0, -height * 0.9), (0, -height - 0.12), 0.12)]),
              ('head', [ellipse(0, -height - 0.25, 0.17, 0.2)]),
              ('hair', [np.stack([0.2 * np.cos(t), -height - 0.26 + 0.22 * np.sin(t)], 1)])]
    return parts


def _bottle(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    """Upright: body with shoulders and neck, cap on top."""
    half, height = 0.3 * (1 + 0.15 * v[0]), 1.6 * (1 + 0.1 * v[1])
    neck, shoulder = 0.11 * (1 + 0.15 * v[2]), 0.45 * (1 + 0.15 * v[3])
    bottom, top = height / 2, -height / 2
    body = poly((-half, bottom), (half, bottom), (half, top + shoulder),
                 (neck, top + shoulder * 0.45), (neck, top + 0.1), (-neck, top + 0.1),
                 (-neck, top + shoulder * 0.45), (-half, top + shoulder))
    cap = poly((-neck - 0.03, top + 0.14), (neck + 0.03, top + 0.14), (neck + 0.03, top - 0.06),
                (-neck - 0.03, top - 0.06))
    return [('body', [body]), ('cap', [cap])]


def _tvmonitor(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    """Front view: stand and frame (no part in PASCAL-Part) around the screen."""
    half_w, half_h = 0.8 * (1 + 0.1 * v[0]), 0.55 * (1 + 0.1 * v[1])
    border = 0.08 * (1 + 0.3 * v[2])
    stand = poly((-0.2, half_h), (0.2, half_h), (0.35, half_h + 0.25), (-0.35, half_h + 0.25))
    frame = poly((-half_w, -half_h), (half_w, -half_h), (half_w, half_h), (-half_w, half_h))
    screen = poly((-half_w + border, -half_h + border), (half_w - border, -half_h + border),
                   (half_w - border, half_h - border), (-half_w + border, half_h - border))
    return [(None, [stand]), (None, [frame]), ('screen', [screen])]


def _chair(v: np.ndarray, rng: np.random.Generator) -> List[SubPart]:
    """Side view: legs, seat and back; PASCAL-Part annotates chairs without parts."""
    seat_y, depth = 0.1 * (1 + 0.5 * v[0]), 0.5 * (1 + 0.15 * v[1])
    back_h, leg = 0.75 * (1 + 0.15 * v[2]), 0.6 * (1 + 0.15 * v[3])
    legs = [bar((x, seat_y), (x, seat_y + leg), 0.08) for x in (-depth + 0.05, depth - 0.05)]
    seat = poly((-depth, seat_y - 0.06), (depth, seat_y - 0.06), (depth, seat_y + 0.06),
                 (-depth, seat_y + 0.06))
    back = bar((-depth + 0.04, seat_y), (-depth - 0.08, seat_y - back_h), 0.09)
    return [(None, legs), (None, [seat]), (None, [back])]


_LAYOUTS: Dict[str, Callable[[np.ndarray, np.random.Generator], List[SubPart]]] = {
    'aeroplane': _aeroplane, 'bird': _bird, 'car': _car, 'cat': _cat, 'dog': _dog,
    'person': _person, 'bottle': _bottle, 'tvmonitor': _tvmonitor, 'chair': _chair,
}
if set(_LAYOUTS) != set(meta.CLASSES) | set(OTHER_CLASSES):
    raise RuntimeError('synthetic PASCAL-Part layouts do not cover the classes drawn')
