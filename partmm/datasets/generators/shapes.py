"""Drawing helpers of the synthetic releases: polygons, colours and backgrounds.

Polygons are float arrays [N, 2] of (x, y) points. Shape primitives (``ellipse``, ``bar``,
``band``, ...) work in an object frame about 2 units across (x to the front, y down); the
generators pose them into pixels, then ``clip_polygon`` clips them to the image.
"""
from typing import List, Sequence, Tuple, Union

import numpy as np

Polygon = np.ndarray  # [N, 2] float (x, y)

_BACKGROUND_TEXTURE_STD = 25.0
_BACKGROUND_GRADIENT_MAX = 40.0
_MIN_PART_BACKGROUND_DIST = 90.0  # RGB distance that keeps parts visible on the background
_MIN_PART_PART_DIST = 50.0
_COLOUR_CANDIDATES = 32


def random_background(size: Tuple[int, int], rng: np.random.Generator) -> np.ndarray:
    """Random colour + low-frequency texture + linear gradient, uint8 [H, W, 3]."""
    height, width = size
    base = rng.uniform(0, 255, 3)
    grid = rng.normal(0.0, _BACKGROUND_TEXTURE_STD, (4, 4, 3))
    texture = np.einsum('yi,ijc,xj->yxc', interpolation_matrix(height, 4), grid,
                        interpolation_matrix(width, 4))
    direction = rng.normal(size=2)
    direction /= np.linalg.norm(direction) + 1e-12
    ys, xs = np.mgrid[0:height, 0:width]
    ramp = (xs / width - 0.5) * direction[0] + (ys / height - 0.5) * direction[1]
    gradient = ramp[..., None] * rng.uniform(0, _BACKGROUND_GRADIENT_MAX, 3)
    return np.clip(base + texture + gradient, 0, 255).round().astype(np.uint8)


def interpolation_matrix(num_out: int, num_in: int) -> np.ndarray:
    """[num_out, num_in] weights that linearly interpolate ``num_in`` knots onto ``num_out``."""
    position = np.linspace(0, num_in - 1, num_out)
    knots = np.arange(num_in)
    return np.clip(1.0 - np.abs(position[:, None] - knots[None, :]), 0.0, None)


def part_colours(num_parts: int, background: np.ndarray,
                  rng: np.random.Generator) -> List[np.ndarray]:
    """Independent uniform RGB colours, redrawn until they stand out from background and
    from the parts before them (the best candidate is kept when none qualifies)."""
    colours: List[np.ndarray] = []
    for _ in range(num_parts):
        candidates = rng.integers(0, 256, (_COLOUR_CANDIDATES, 3))
        bg_dist = np.linalg.norm(candidates - background, axis=1)
        part_dist = (np.min([np.linalg.norm(candidates - c, axis=1) for c in colours], axis=0)
                     if colours else np.full(len(candidates), np.inf))
        ok = (bg_dist >= _MIN_PART_BACKGROUND_DIST) & (part_dist >= _MIN_PART_PART_DIST)
        best = int(np.argmax(ok)) if ok.any() else int(np.argmax(np.minimum(bg_dist, part_dist)))
        colours.append(candidates[best].astype(np.uint8))
    return colours


# ---------------------------------------------------------------------------------------------
# Polygon geometry (pixel frame)


def clip_polygon(polygon: Polygon, width: int, height: int) -> Union[Polygon, None]:
    """Clip to the image rectangle [0, W] x [0, H] and round to 0.01; None if nothing is left."""
    for axis, limit in ((0, 0.0), (0, float(width)), (1, 0.0), (1, float(height))):
        polygon = _clip_half_plane(polygon, axis, limit, keep_above=limit == 0.0)
        if len(polygon) < 3:
            return None
    polygon = np.round(polygon, 2)
    keep = np.any(polygon != np.roll(polygon, 1, axis=0), axis=1)
    polygon = polygon[keep]
    return polygon if len(polygon) >= 3 and polygon_area(polygon) > 0 else None


def _clip_half_plane(polygon: Polygon, axis: int, limit: float, keep_above: bool) -> Polygon:
    """Sutherland-Hodgman step: keep the part of ``polygon`` on one side of a line."""
    sign = 1.0 if keep_above else -1.0
    inside = sign * (polygon[:, axis] - limit) >= 0
    out = []
    for i in range(len(polygon)):
        current, previous = polygon[i], polygon[i - 1]
        if inside[i] != inside[i - 1]:
            t = (limit - previous[axis]) / (current[axis] - previous[axis])
            out.append(previous + t * (current - previous))
        if inside[i]:
            out.append(current)
    return np.array(out).reshape(-1, 2)


def polygon_area(polygon: Polygon) -> float:
    """Area of a simple polygon [N, 2] (shoelace formula)."""
    x, y = polygon[:, 0], polygon[:, 1]
    return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)


def polygon_bbox(polygons: List[Polygon]) -> List[float]:
    """Tight [x, y, w, h] box of the polygons."""
    points = np.concatenate(polygons)
    (x0, y0), (x1, y1) = points.min(0), points.max(0)
    return [round(float(x0), 2), round(float(y0), 2), round(float(x1 - x0), 2),
            round(float(y1 - y0), 2)]


# ---------------------------------------------------------------------------------------------
# Shape primitives (object frame; about 2 units across)


def ellipse(cx: float, cy: float, rx: float, ry: float, angle: float = 0.0,
             num: int = 20) -> Polygon:
    """``num``-gon approximating an ellipse with radii (rx, ry), rotated by ``angle`` rad."""
    t = np.linspace(0, 2 * np.pi, num, endpoint=False)
    return rotate(np.stack([rx * np.cos(t), ry * np.sin(t)], 1), angle) + (cx, cy)


def arc(cx: float, cy: float, rx: float, ry: float, half_angle: float,
         num: int = 9) -> Polygon:
    """Front cap of an ellipse: the arc within ``half_angle`` of +x, closed by its chord."""
    t = np.linspace(-half_angle, half_angle, num)
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def bar(start: Sequence[float], end: Sequence[float], width: float) -> Polygon:
    """Rectangle of the given width along the segment start -> end."""
    start, end = np.asarray(start, float), np.asarray(end, float)
    direction = (end - start) / np.linalg.norm(end - start)
    normal = np.array([-direction[1], direction[0]]) * width / 2
    return np.stack([start + normal, end + normal, end - normal, start - normal])


def band(centre: np.ndarray, widths: np.ndarray) -> Polygon:
    """Polygon of a bent strip around the polyline ``centre`` [N, 2] with per-point widths."""
    tangent = np.gradient(centre, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1) * (np.asarray(widths) / 2)[:, None]
    return np.concatenate([centre + normal, (centre - normal)[::-1]])


def poly(*points: Tuple[float, float]) -> Polygon:
    return np.array(points, dtype=float)


def rotate(points: np.ndarray, angle: float) -> np.ndarray:
    cos, sin = np.cos(angle), np.sin(angle)
    return points @ np.array([[cos, sin], [-sin, cos]])
