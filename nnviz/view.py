"""Where things go on screen: linear maps from a data box to a rectangle of the frame, and
the box a plane of the user's data is shown in (one scale for both axes, or each its own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from nnviz.data import DATASETS

__all__ = [
    "AXIS_SCALES",
    "AxisScales",
    "Box",
    "Scales",
    "Viewport",
    "axis_scales_for",
    "axis_segments",
    "check_axis_scales",
    "clip_polygon",
    "data_box",
    "per_axis_box",
    "soft_coverage",
    "square_box_around",
]

Box = tuple[tuple[float, float], tuple[float, float]]

#: How a plane of the data maps its two axes to the square on screen: ``"equal"``, one scale
#: for both (angles and distances true; right where both axes share units), ``"per-axis"``,
#: each axis its own range (right where they do not), or ``"auto"``, chosen by the data
#: (:func:`axis_scales_for`).
AxisScales = Literal["auto", "equal", "per-axis"]
#: The resolved choice: what a plane is drawn with.
Scales = Literal["equal", "per-axis"]
#: The settings of :data:`AxisScales`, in the order ``--axis-scales`` lists them.
AXIS_SCALES: tuple[str, ...] = ("auto", "equal", "per-axis")


@dataclass(frozen=True)
class Viewport:
    """A rectangle of the Manim frame, in scene units.

    Attributes
    ----------
    centre
        Centre of the rectangle ``(x, y)``.
    width, height
        Size of the rectangle.
    """

    centre: tuple[float, float]
    width: float
    height: float

    def to_screen(self, points: np.ndarray, box: Box) -> np.ndarray:
        """Map data ``points`` (N, 2) inside ``box`` to scene coordinates (N, 3), z = 0."""
        (x0, x1), (y0, y1) = box
        out = np.zeros((len(points), 3))
        out[:, 0] = self.centre[0] + ((points[:, 0] - x0) / (x1 - x0) - 0.5) * self.width
        out[:, 1] = self.centre[1] + ((points[:, 1] - y0) / (y1 - y0) - 0.5) * self.height
        return out

    def to_data(self, points: np.ndarray, box: Box) -> np.ndarray:
        """Map scene points (N, 2 or 3) inside the rectangle back to data points (N, 2) of
        ``box``: the inverse of :meth:`to_screen`."""
        (x0, x1), (y0, y1) = box
        points = np.asarray(points, dtype=np.float64)
        out = np.empty((len(points), 2))
        out[:, 0] = x0 + ((points[:, 0] - self.centre[0]) / self.width + 0.5) * (x1 - x0)
        out[:, 1] = y0 + ((points[:, 1] - self.centre[1]) / self.height + 0.5) * (y1 - y0)
        return out

    def corners(self) -> np.ndarray:
        """Return the corners UL, UR, DL, DR as scene points, shape (4, 3)."""
        cx, cy = self.centre
        w, h = self.width / 2, self.height / 2
        return np.array(
            [[cx - w, cy + h, 0], [cx + w, cy + h, 0], [cx - w, cy - h, 0], [cx + w, cy - h, 0]],
            dtype=np.float64,
        )


def square_box_around(points: np.ndarray, margin: float = 0.15) -> Box:
    """Return a square box holding ``points`` with a relative ``margin``, centred on them."""
    low, high = points.min(axis=0), points.max(axis=0)
    half = (high - low).max() * (0.5 + margin)
    mid = (low + high) / 2
    return (float(mid[0] - half), float(mid[0] + half)), (
        float(mid[1] - half),
        float(mid[1] + half),
    )


def per_axis_box(points: np.ndarray, margin: float = 0.15) -> Box:
    """Return the box holding ``points`` with each axis its own range: the points' extent
    along it and a relative ``margin`` of that extent on either side, centred on them.

    An axis along which every point has the same value ``v`` gets the extent
    ``max(|v|, 1)`` (a range of about ``v ± 0.6|v|`` at the default margin), so the box is
    never empty.
    """
    low, high = points.min(axis=0), points.max(axis=0)
    mid = (low + high) / 2
    extent = high - low
    extent = np.where(extent > 0, extent, np.maximum(np.abs(mid), 1.0))
    half = extent * (0.5 + margin)
    return (float(mid[0] - half[0]), float(mid[0] + half[0])), (
        float(mid[1] - half[1]),
        float(mid[1] + half[1]),
    )


def data_box(points: np.ndarray, scales: Scales, margin: float = 0.15) -> Box:
    """Return the box a plane of ``points`` is shown in: :func:`square_box_around` for
    ``"equal"`` scales, :func:`per_axis_box` for ``"per-axis"``."""
    if scales == "equal":
        return square_box_around(points, margin)
    if scales == "per-axis":
        return per_axis_box(points, margin)
    raise ValueError(f"unknown scales {scales!r}; use 'equal' or 'per-axis'")


def check_axis_scales(setting: str) -> None:
    """Raise :class:`ValueError` in one line unless ``setting`` is in :data:`AXIS_SCALES`."""
    if setting not in AXIS_SCALES:
        raise ValueError(f"unknown axis scales {setting!r}; choose one of {', '.join(AXIS_SCALES)}")


def axis_scales_for(setting: str, dataset: str) -> Scales:
    """Return the scales a plane of a run's data is drawn with.

    ``"auto"`` gives ``"equal"`` for nnviz's built-in data sets (:data:`nnviz.config.DATASETS`:
    both coordinates are of one made-up unit) and ``"per-axis"`` for data from outside, a CSV
    file or your own training loop, whose columns may be of any units and ranges;
    ``"equal"`` and ``"per-axis"`` are taken as they are.

    Raises
    ------
    ValueError
        For a setting not in :data:`AXIS_SCALES`.
    """
    check_axis_scales(setting)
    if setting == "auto":
        return "equal" if dataset in DATASETS else "per-axis"
    return "equal" if setting == "equal" else "per-axis"


def axis_segments(box: Box) -> np.ndarray:
    """Return the parts of the axes x = 0 and y = 0 inside ``box``, shape (M, 2, 2), M ≤ 2."""
    (x0, x1), (y0, y1) = box
    segments = []
    if x0 <= 0 <= x1:
        segments.append([[0.0, y0], [0.0, y1]])
    if y0 <= 0 <= y1:
        segments.append([[x0, 0.0], [x1, 0.0]])
    return np.array(segments, dtype=np.float64).reshape(-1, 2, 2)


def clip_polygon(polygon: np.ndarray, box: Box) -> np.ndarray:
    """Return the part of a convex polygon inside ``box`` (Sutherland–Hodgman).

    Parameters
    ----------
    polygon
        Corners in order around the polygon, shape ``(M, 2)``.
    box
        ``((x_min, x_max), (y_min, y_max))``.

    Returns
    -------
    numpy.ndarray
        The clipped polygon's corners in the same order, shape ``(K, 2)``; ``K`` is 0 when the
        polygon misses the box.
    """
    corners = np.asarray(polygon, dtype=np.float64).reshape(-1, 2)
    (x0, x1), (y0, y1) = box
    # Each edge of the box as (axis, limit, sign): a point p is inside when sign·(p[axis] −
    # limit) <= 0.
    for axis, limit, sign in ((0, x0, -1.0), (0, x1, 1.0), (1, y0, -1.0), (1, y1, 1.0)):
        if len(corners) == 0:
            break
        following = np.roll(corners, -1, axis=0)
        a = sign * (corners[:, axis] - limit)
        b = sign * (following[:, axis] - limit)
        kept: list[np.ndarray] = []
        for k in range(len(corners)):
            if a[k] <= 0:
                kept.append(corners[k])
            if (a[k] <= 0) != (b[k] <= 0):  # the side from k to k + 1 crosses the edge
                t = a[k] / (a[k] - b[k])
                kept.append(corners[k] + t * (following[k] - corners[k]))
        corners = np.array(kept, dtype=np.float64).reshape(-1, 2)
    return corners


def soft_coverage(covered: np.ndarray) -> np.ndarray:
    """Return an opacity for an image of a covered region: 1 on covered pixels, the share of
    covered pixels among the 3 x 3 neighbours elsewhere, so the region's edge is anti-aliased
    instead of a staircase (and a one-pixel line stays fully opaque)."""
    mask = np.asarray(covered, dtype=np.float64)
    padded = np.pad(mask, 1)
    rows, cols = mask.shape
    neighbours = sum(padded[dr : dr + rows, dc : dc + cols] for dr in range(3) for dc in range(3))
    return np.maximum(mask, neighbours / 9.0)
