"""Synthetic Cityscapes-Panoptic-Parts: small street scenes written in the release's format.

Every image is a street scene (sky, buildings, vegetation, poles, sidewalk, road, sometimes
the ego vehicle's bonnet) with human (person, rider) and vehicle (car, truck, bus) instances
built from their parts: humans from torso, head, arms and legs, vehicles from chassis,
windows, wheels, lights and license plate. Per scene there are one to three large instances
(most above the converter's default ``min_area`` of 1000 pixels on the default 128 x 256
canvas), one to three small distant ones (below it), sometimes a large human and a large
vehicle overlapping each other, and sometimes a group of people labelled by semantic id only,
as the release labels crowds. Riders sit on bicycles (an instance class without parts). Part
colours are drawn per instance from one distribution for both classes, so only part shape and
layout tell humans from vehicles.

Labels follow the release's uid format (:mod:`partmm.datasets.cityscapes_parts_meta`):
stuff as sid-only uids (7 road, 8 sidewalk, 11 building, 17 pole, 21 vegetation, 23 sky, 1 ego
vehicle), instances per sid numbered from 0 in drawing order, part pixels ``sid * 100000 +
iid * 100 + pid``; some large instances carry a void-part patch (pid 0), and some instances
(mostly small ones) only instance-level uids ``sid * 1000 + iid``, as in the release.

Output (``out_dir``), the release's layout and encodings:

* ``leftImg8bit/{train,val}/<city>/<city>_<n:06d>_000019_leftImg8bit.png``: RGB PNG;
* ``gtFinePanopticParts/{train,val}/<city>/<city>_<n:06d>_000019_gtFinePanopticParts.tif``:
  int32 uids written by PIL from an int32 array (mode ``I``, 32-bit signed samples) with
  deflate (zlib) compression, like the release's files, which PIL reads back as mode ``I``;
* ``partmm_manifest.synthetic_cityscapes_parts.json``: the arguments, written last.

Cities are real Cityscapes names (three train, two val), so the layout is the release's; the
manifest marks the folder as synthetic.
"""
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np
from PIL import Image, ImageDraw

from partmm.datasets import cityscapes_parts_meta as meta
from partmm.datasets.generators.shapes import (
    bar,
    ellipse,
    interpolation_matrix,
    part_colours,
    poly,
)
from partmm.datasets.output_guard import write_output

PRODUCER = 'synthetic_cityscapes_parts'  # names the release's manifest
CITIES: Dict[str, Tuple[str, ...]] = {'train': ('aachen', 'bochum', 'bremen'),
                                      'val': ('frankfurt', 'lindau')}
FRAME = 19  # Cityscapes annotates the 20th frame of each snippet: <city>_<seq>_000019
VAL_FRACTION = 1 / 6  # about the release's 500 val / 2975 train images
MIN_SIZE = (64, 128)  # (height, width): room for a scene and one large instance

# sids of the scene and the Cityscapes colours they are drawn around (jittered per image).
ROAD, SIDEWALK, BUILDING, POLE, VEGETATION, SKY, EGO_VEHICLE, BICYCLE = 7, 8, 11, 17, 21, 23, \
    1, 33
_STUFF_COLOURS = {ROAD: (128, 64, 128), SIDEWALK: (244, 35, 232), BUILDING: (70, 70, 70),
                  POLE: (153, 153, 153), VEGETATION: (107, 142, 35), SKY: (70, 130, 180),
                  EGO_VEHICLE: (40, 40, 40), BICYCLE: (119, 11, 32)}
_COLOUR_JITTER = 25.0
_TEXTURE_STD = 12.0
_PIXEL_NOISE_STD = 5.0

# Sizes in units of the image height (so the scenes scale with --image-size).
_LARGE_HUMAN = (0.64, 0.86)  # height; about 1000..2000 pixels at 128 px
_LARGE_VEHICLE = (0.55, 0.95)  # length; cars of 70..120 pixels at 128 px
_SMALL_HUMAN = (0.11, 0.3)
_SMALL_VEHICLE = (0.14, 0.34)
_VEHICLE_HEIGHT = {26: 0.42, 27: 0.62, 28: 0.52}  # height / length
_P_OVERLAP = 0.35  # a large human and a large vehicle overlapping
_P_CROWD = 0.3  # a group of people labelled by sid only
_P_RIDER = 0.3  # a human is a rider on a bicycle
_P_VOID_PATCH = 0.3  # a large instance gets a void-part patch
_P_INSTANCE_ONLY = (0.05, 0.5)  # large, small instances labelled without parts

Polygon = np.ndarray  # [N, 2] float (x, y)
Parts = List[Tuple[int, List[Polygon]]]  # (pid, polygons), back to front


def generate_synthetic_cityscapes_parts(out_dir: str,
                                        num_images: int = 480,
                                        image_size: Union[int, Tuple[int, int]] = (128, 256),
                                        seed: int = 0,
                                        overwrite: bool = False) -> dict:
    """Write a synthetic Cityscapes-Panoptic-Parts release to ``out_dir``.

    About a sixth of the images (at least one per city) go to val, the rest to train; each
    split's images are shared out evenly over its cities. The same arguments always give
    byte-identical files.

    The release owns ``out_dir`` (see :mod:`partmm.datasets.output_guard`): if it already holds
    the release of the same arguments, nothing is written (what else is there, such as the
    converter's crops and splits, stays); if it holds anything else, that is an error unless
    ``overwrite``, which replaces the whole folder.

    Args:
        out_dir: Folder of the release (created if needed).
        num_images: Total number of images over both splits (>= 5, one per city).
        image_size: ``(height, width)`` or one int for the height of a 1:2 canvas; at least
            64 x 128.
        seed: Seed of all random choices.
        overwrite: Replace ``out_dir`` if it holds something else.

    Returns:
        Summary: ``out_dir``, ``num_images``, ``image_size`` (h, w), ``splits`` (split -> dict
        with ``num_images``, ``cities`` and ``instances``: class name -> instances visible in
        the labels) and ``reused`` (True when the release was already there).

    Raises:
        ValueError: If ``num_images`` leaves a city without images or ``image_size`` is below
            64 x 128.
        OutputExistsError: If ``out_dir`` holds something else and ``overwrite`` is False.
    """
    height, width = _check_arguments(num_images, image_size)
    plan = _plan_images(num_images)

    def write(work_dir: str) -> dict:
        splits = {}
        for split, items in plan.items():
            instances = [0] * meta.NUM_CLASSES
            for city_index, n in items:
                uids = _write_scene(work_dir, split, city_index, n, (height, width), seed)
                for ci, count in enumerate(_count_instances(uids)):
                    instances[ci] += count
            splits[split] = dict(num_images=len(items), cities=list(CITIES[split]),
                                 instances=dict(zip(meta.CLASSES, instances)))
        return dict(out_dir=out_dir, num_images=num_images, image_size=[height, width],
                    splits=splits)

    settings = dict(num_images=num_images, image_size=[height, width], seed=seed)
    return write_output(out_dir, PRODUCER, settings, write, overwrite=overwrite)


def image_stem(city: str, n: int) -> str:
    """``<city>_<n:06d>_000019``: the stem of image ``n`` of a synthetic city."""
    return f'{city}_{n:06d}_{FRAME:06d}'


def _check_arguments(num_images: int, image_size: Union[int, Tuple[int, int]]
                     ) -> Tuple[int, int]:
    """Validate the arguments and return the image size as (height, width)."""
    num_cities = sum(len(cities) for cities in CITIES.values())
    if not isinstance(num_images, (int, np.integer)) or num_images < num_cities:
        raise ValueError(f'num_images must be an int >= {num_cities} (one image per city), '
                         f'got {num_images!r}')
    size = (image_size, 2 * image_size) if isinstance(image_size, (int, np.integer)) \
        else tuple(image_size)
    if len(size) != 2 or any(not isinstance(s, (int, np.integer)) for s in size) \
            or size[0] < MIN_SIZE[0] or size[1] < MIN_SIZE[1]:
        raise ValueError(f'image_size must be (height, width) of at least {MIN_SIZE}, or one '
                         f'height >= {MIN_SIZE[0]}, got {image_size!r}')
    return int(size[0]), int(size[1])


def _plan_images(num_images: int) -> Dict[str, List[Tuple[int, int]]]:
    """Split -> (city index, image number) of every image, cities in turn."""
    num_val = max(len(CITIES['val']), round(num_images * VAL_FRACTION))
    counts = dict(train=num_images - num_val, val=num_val)
    return {split: [(i % len(CITIES[split]), i // len(CITIES[split]))
                    for i in range(counts[split])] for split in CITIES}


def _count_instances(uids: np.ndarray) -> List[int]:
    """Human and vehicle instances with pixels in a uid map."""
    sids, iids, _ = meta.decode_uids(uids)
    keys = np.unique(sids[iids >= 0] * 1000 + iids[iids >= 0])
    return [sum(meta.sid_class(key // 1000) == ci for key in keys.tolist())
            for ci in range(meta.NUM_CLASSES)]


def _write_scene(out_dir: str, split: str, city_index: int, n: int, size: Tuple[int, int],
                 seed: int) -> np.ndarray:
    """Render image ``n`` of a city, save image and labels; return its uids [H, W]."""
    rng = np.random.default_rng([seed, list(CITIES).index(split), city_index, n])
    uids, colours = _render_labels(size, rng)
    city = CITIES[split][city_index]
    stem = image_stem(city, n)
    for folder, suffix in ((meta.IMAGE_DIR, meta.IMAGE_SUFFIX),
                           (meta.LABEL_DIR, meta.LABEL_SUFFIX)):
        os.makedirs(osp.join(out_dir, folder, split, city), exist_ok=True)
    Image.fromarray(_render_image(uids, colours, rng)).save(
        osp.join(out_dir, meta.IMAGE_DIR, split, city, stem + meta.IMAGE_SUFFIX))
    Image.fromarray(uids.astype(np.int32)).save(
        osp.join(out_dir, meta.LABEL_DIR, split, city, stem + meta.LABEL_SUFFIX),
        compression='tiff_adobe_deflate')
    return uids


# ---------------------------------------------------------------------------------------------
# Scene labels


class _Canvas:
    """A uid map being painted (later over earlier) and the colour of each uid painted."""

    def __init__(self, size: Tuple[int, int]) -> None:
        self.image = Image.new('I', (size[1], size[0]), 0)
        self.draw = ImageDraw.Draw(self.image)
        self.colours: Dict[int, np.ndarray] = {}
        self.next_iid: Dict[int, int] = {}

    def fill(self, polygons: Sequence[Polygon], uid: int, colour: np.ndarray) -> None:
        for polygon in polygons:
            self.draw.polygon([tuple(xy) for xy in polygon.tolist()], fill=uid)
        self.colours.setdefault(uid, np.asarray(colour, dtype=float))

    def new_instance(self, sid: int) -> int:
        """The next instance id of ``sid`` in this image (0, 1, ...)."""
        iid = self.next_iid.get(sid, 0)
        self.next_iid[sid] = iid + 1
        return iid


def _render_labels(size: Tuple[int, int], rng: np.random.Generator
                   ) -> Tuple[np.ndarray, Dict[int, np.ndarray]]:
    """The scene's uid map (int64 [H, W]) and the colour of each uid."""
    height, width = size
    canvas = _Canvas(size)
    stuff = {sid: np.clip(np.array(colour) + rng.uniform(-_COLOUR_JITTER, _COLOUR_JITTER, 3),
                          0, 255) for sid, colour in _STUFF_COLOURS.items()}
    horizon = int(height * rng.uniform(0.36, 0.48))
    _draw_background(canvas, size, horizon, stuff, rng)
    background = np.mean(list(stuff.values()), axis=0)
    for obj in sorted(_plan_objects(size, horizon, rng), key=lambda o: o['ground']):
        _draw_object(canvas, obj, stuff, background, rng)
    if rng.random() < 0.25:  # the ego vehicle's bonnet along the bottom edge
        top = height - max(2, int(0.06 * height))
        canvas.fill([poly((0, height), (0, top + 2), (width / 2, top), (width, top + 2),
                           (width, height))], EGO_VEHICLE, stuff[EGO_VEHICLE])
    return np.asarray(canvas.image, dtype=np.int64), canvas.colours


def _draw_background(canvas: _Canvas, size: Tuple[int, int], horizon: int,
                     stuff: Dict[int, np.ndarray], rng: np.random.Generator) -> None:
    """Sky, a skyline of buildings and trees, poles, sidewalk and road."""
    height, width = size
    canvas.fill([poly((0, 0), (width, 0), (width, height), (0, height))], SKY, stuff[SKY])
    x = float(rng.uniform(-20, 0))
    while x < width:
        block = rng.uniform(0.15, 0.4) * width
        top = horizon - rng.uniform(0.15, 0.9) * horizon
        sid = VEGETATION if rng.random() < 0.25 else BUILDING
        shape = ellipse(x + block / 2, top + (horizon - top) / 2, block / 2,
                         (horizon - top) / 2 + 4) if sid == VEGETATION else \
            poly((x, horizon + 2), (x, top), (x + block, top), (x + block, horizon + 2))
        canvas.fill([shape], sid, stuff[sid])
        x += block
    curb = horizon + (height - horizon) * rng.uniform(0.1, 0.25)
    canvas.fill([poly((0, horizon), (width, horizon), (width, curb + 6), (0, curb))],
                SIDEWALK, stuff[SIDEWALK])
    canvas.fill([poly((0, curb), (width, curb + 6), (width, height), (0, height))], ROAD,
                stuff[ROAD])
    for _ in range(rng.integers(0, 3)):
        foot = rng.uniform(0, width)
        canvas.fill([bar((foot, horizon + 2), (foot, horizon * rng.uniform(0.1, 0.5)),
                          max(1.5, 0.012 * height))], POLE, stuff[POLE])


def _plan_objects(size: Tuple[int, int], horizon: int, rng: np.random.Generator
                  ) -> List[dict]:
    """The scene's humans, vehicles and crowds: class, sid, size, position, ground line."""
    height, width = size
    near, far = (horizon + 0.55 * (height - horizon), height * 1.02), \
        (horizon + 2, horizon + 0.35 * (height - horizon))
    objects = []

    def add(class_index: int, large: bool, x: float) -> None:
        extent = (_LARGE_HUMAN, _LARGE_VEHICLE)[class_index] if large else \
            (_SMALL_HUMAN, _SMALL_VEHICLE)[class_index]
        if class_index == 0:
            sid = meta.HUMAN_SIDS[int(rng.random() < _P_RIDER)]
        else:
            sid = int(rng.choice(meta.VEHICLE_SIDS))
        objects.append(dict(class_index=class_index, sid=sid, large=large, x=x,
                            size=rng.uniform(*extent) * height,
                            ground=rng.uniform(*(near if large else far)),
                            flip=rng.random() < 0.5,
                            instance_only=rng.random() < _P_INSTANCE_ONLY[0 if large else 1]))

    for _ in range(rng.integers(1, 4)):
        add(int(rng.integers(0, 2)), True, rng.uniform(0.05, 0.95) * width)
    for _ in range(rng.integers(1, 4)):
        add(int(rng.integers(0, 2)), False, rng.uniform(0, 1) * width)
    if rng.random() < _P_OVERLAP:
        x = rng.uniform(0.2, 0.8) * width
        add(0, True, x)
        add(1, True, x + rng.uniform(-0.2, 0.2) * height)
    if rng.random() < _P_CROWD:
        objects.append(dict(class_index=-1, sid=24, large=False, x=rng.uniform(0, width),
                            size=rng.uniform(*_SMALL_HUMAN) * height * 1.5,
                            ground=rng.uniform(*far), flip=False, instance_only=False))
    return objects


def _draw_object(canvas: _Canvas, obj: dict, stuff: Dict[int, np.ndarray],
                 background: np.ndarray, rng: np.random.Generator) -> None:
    """Paint one instance (or crowd) from its parts, with its own part colours."""
    sid = obj['sid']
    if obj['class_index'] < 0:
        _draw_crowd(canvas, obj, rng)
        return
    if sid == 25:  # the rider's bicycle, an instance without parts, under the rider
        _draw_bicycle(canvas, obj, stuff[BICYCLE])
    parts = _human(rng, riding=sid == 25) if obj['class_index'] == 0 else _vehicle(sid, rng)
    placed = _place(parts, obj)
    iid = canvas.new_instance(sid)
    colours = part_colours(len(placed), background, rng)
    for (pid, polygons), colour in zip(placed, colours):
        uid = meta.encode_uids(sid, iid, -1 if obj['instance_only'] else pid)
        canvas.fill(polygons, int(uid), colour)
    if obj['large'] and not obj['instance_only'] and rng.random() < _P_VOID_PATCH:
        points = np.concatenate([p for _, polygons in placed for p in polygons])
        centre = points.mean(0) + rng.uniform(-0.15, 0.15, 2) * obj['size']
        radius = obj['size'] * rng.uniform(0.04, 0.08)
        canvas.fill([ellipse(*centre, radius, radius * rng.uniform(0.6, 1.4))],
                    int(meta.encode_uids(sid, iid, 0)), rng.integers(0, 256, 3))


def _place(parts: Parts, obj: dict) -> Parts:
    """Object-frame parts (x centred, ground at y = 0, y up is negative) to pixels."""
    sign = -1.0 if obj['flip'] else 1.0
    scale = np.array([sign, 1.0]) * obj['size']
    offset = np.array([obj['x'], obj['ground']])
    return [(pid, [p * scale + offset for p in polygons]) for pid, polygons in parts]


def _draw_crowd(canvas: _Canvas, obj: dict, rng: np.random.Generator) -> None:
    """A few overlapping people silhouettes, all one sid-only uid (no instance, no parts)."""
    polygons = []
    for k in range(int(rng.integers(3, 6))):
        person = dict(obj, x=obj['x'] + (k - 2) * 0.22 * obj['size'],
                      size=obj['size'] * rng.uniform(0.8, 1.0), flip=rng.random() < 0.5)
        polygons += [p for _, ps in _place(_human(rng, riding=False), person) for p in ps]
    canvas.fill(polygons, obj['sid'], rng.integers(0, 256, 3))


def _draw_bicycle(canvas: _Canvas, obj: dict, colour: np.ndarray) -> None:
    """Two wheels and a frame under a rider: one instance of sid 33, without parts."""
    r = 0.17
    frame = [ellipse(-0.28, -r, r, r, num=16), ellipse(0.28, -r, r, r, num=16),
             bar((-0.28, -r), (0.0, -0.42), 0.05), bar((0.0, -0.42), (0.28, -r), 0.05),
             bar((-0.28, -r), (0.05, -r), 0.05)]
    iid = canvas.new_instance(BICYCLE)
    canvas.fill(_place([(0, frame)], obj)[0][1], int(meta.encode_uids(BICYCLE, iid, -1)),
                colour)


# ---------------------------------------------------------------------------------------------
# Instance layouts. Object frame: x centred on the object, ground at y = 0, up is negative y;
# humans are 1 unit tall, vehicles 1 unit long. Parts back to front as (pid, polygons).


def _human(rng: np.random.Generator, riding: bool) -> Parts:
    """Standing or riding person: legs, torso, arms, head (pids 4, 1, 3, 2)."""
    lean = rng.uniform(0.08, 0.16) if riding else rng.uniform(-0.03, 0.03)
    hip = np.array([lean * 0.3, -0.47 if riding else -0.46])
    shoulder = np.array([lean, -0.8])
    if riding:  # thighs forward to the knees, shins down to the pedals
        knee = hip + (0.2, -0.02)
        legs = [bar(hip, knee, 0.1), bar(knee, (knee[0] + rng.uniform(-0.05, 0.02), -0.2),
                                             0.085)]
    else:
        stride = rng.uniform(0.0, 0.13)
        legs = [bar(hip + (s * 0.045, 0), (hip[0] + s * (0.03 + stride), -0.01), 0.09)
                for s in (-1, 1)]
    torso = poly(shoulder + (-0.125, 0), shoulder + (0.125, 0), hip + (0.1, 0.03),
                  hip + (-0.1, 0.03))
    arms = []
    for s in (-1, 1):
        if riding:
            hand = shoulder + (0.3, 0.3 + 0.03 * s)
        else:
            hand = shoulder + (s * rng.uniform(0.05, 0.16), rng.uniform(0.26, 0.36))
        arms.append(bar(shoulder + (s * 0.11, 0.02), hand, 0.065))
    head = ellipse(shoulder[0] + 0.02, -0.9, 0.07, 0.09)
    return [(4, legs), (1, [torso]), (3, arms), (2, [head])]


def _vehicle(sid: int, rng: np.random.Generator) -> Parts:
    """Side view of a car, truck or bus: chassis, windows, lights, license plate, wheels
    (pids 5, 1, 3, 4, 2); the front is at +x."""
    h = _VEHICLE_HEIGHT[sid] * rng.uniform(0.9, 1.1)
    radius = rng.uniform(0.09, 0.11) * (1.2 if sid != 26 else 1.0)
    axle = -radius * 0.9
    if sid == 26:  # car: low body with a cabin
        chassis = [poly((-0.5, axle + 0.02), (-0.5, -0.55 * h), (-0.3, -0.6 * h),
                         (-0.18, -h), (0.2, -h), (0.32, -0.6 * h), (0.5, -0.52 * h),
                         (0.5, axle + 0.02))]
        windows = [poly((-0.15, -0.93 * h), (-0.02, -0.93 * h), (-0.02, -0.63 * h),
                         (-0.26, -0.63 * h)),
                   poly((0.02, -0.93 * h), (0.18, -0.93 * h), (0.27, -0.63 * h),
                         (0.02, -0.63 * h))]
        wheels = (-0.3, 0.3)
    elif sid == 27:  # truck: tall cargo box and a cab at the front
        cab = rng.uniform(0.22, 0.28)
        chassis = [poly((-0.5, axle + 0.02), (-0.5, -h), (0.5 - cab - 0.02, -h),
                         (0.5 - cab - 0.02, -0.75 * h), (0.44, -0.75 * h),
                         (0.5, -0.45 * h), (0.5, axle + 0.02))]
        windows = [poly((0.5 - cab + 0.03, -0.7 * h), (0.42, -0.7 * h), (0.47, -0.47 * h),
                         (0.5 - cab + 0.03, -0.47 * h))]
        wheels = (-0.36, -0.2, 0.36)
    else:  # bus: long box with a row of windows
        chassis = [poly((-0.5, axle + 0.02), (-0.5, -h), (0.47, -h), (0.5, -0.9 * h),
                         (0.5, axle + 0.02))]
        count = int(rng.integers(4, 7))
        pitch = 0.9 / count
        windows = [poly((-0.46 + k * pitch, -0.88 * h), (-0.46 + (k + 0.8) * pitch, -0.88 * h),
                         (-0.46 + (k + 0.8) * pitch, -0.55 * h), (-0.46 + k * pitch, -0.55 * h))
                   for k in range(count)]
        wheels = (-0.3, 0.32)
    light_y = -0.45 * h if sid == 26 else -0.3 * h
    lights = [poly((x0, light_y), (x0 + 0.035, light_y), (x0 + 0.035, light_y + 0.06 * h),
                    (x0, light_y + 0.06 * h)) for x0 in (-0.5, 0.465)]
    plate_y = axle - 0.1 * h
    plate = poly((-0.5, plate_y - 0.05), (-0.47, plate_y - 0.05), (-0.47, plate_y),
                  (-0.5, plate_y))
    tyres = [ellipse(x, -radius, radius, radius, num=16) for x in wheels]
    return [(5, chassis), (1, windows), (3, lights), (4, [plate]), (2, tyres)]


# ---------------------------------------------------------------------------------------------
# Image


def _render_image(uids: np.ndarray, colours: Dict[int, np.ndarray],
                  rng: np.random.Generator) -> np.ndarray:
    """uint8 [H, W, 3]: each uid's colour, a low-frequency texture and pixel noise."""
    height, width = uids.shape
    values, inverse = np.unique(uids, return_inverse=True)
    table = np.stack([colours[int(uid)] for uid in values])
    grid = rng.normal(0.0, _TEXTURE_STD, (6, 12, 3))
    texture = np.einsum('yi,ijc,xj->yxc', interpolation_matrix(height, 6), grid,
                        interpolation_matrix(width, 12), optimize=True)
    picture = table[inverse.reshape(height, width)] + texture + rng.normal(
        0.0, _PIXEL_NOISE_STD, (height, width, 3))
    return np.clip(picture, 0, 255).round().astype(np.uint8)
