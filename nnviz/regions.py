"""Where each class wins in the last hidden layer's space: exact regions, no grid (numpy only).

From the last hidden layer ``h`` the network's class scores are affine,
``a_c(h) = w_c·h + b_c`` for ``c = 0 … k−1`` (:class:`ClassScores`: the output layer's
logits, or ``0`` and the one logit of a sigmoid unit, read as two classes), and class ``c`` is
the most probable exactly where its score is the largest, since softmax and the sigmoid keep
the order of the scores. So the regions are the argmax cells of ``k`` affine functions:

- width 1 (:func:`argmax_intervals`): intervals of the number line, between the points where
  two scores cross;
- width 2 (:func:`argmax_cells`, :func:`tie_segments`): convex polygons, the box cut by the
  half-planes ``a_c − a_d ≥ 0`` for every other class ``d``, and the segments between two
  cells, where two scores tie above all others;
- width 3 (:func:`tie_polygons`): the planes ``a_i = a_j`` cut to where ``i`` and ``j`` are
  the two most probable classes, convex polygons inside the view's cube.

Every piece is computed by clipping convex polygons with half-planes or half-spaces
(:func:`clip_half_space`, Sutherland–Hodgman one plane at a time), so corners are exact up to
floating-point rounding. Ties between equal scores go to the lower class, as
:meth:`nnviz.heads.OutputHead.predict` decides.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from nnviz.forward import Weights
from nnviz.heads import head
from nnviz.view import Box

__all__ = [
    "Cell",
    "ClassScores",
    "Tie",
    "argmax_cells",
    "argmax_intervals",
    "clip_half_space",
    "polygon_area",
    "tie_polygons",
    "tie_segments",
]

#: Pieces whose size is below this share of the view's size (area, length) are dropped as
#: rounding noise: a cell that only touches a corner, a tie that only touches a cell.
_NEGLIGIBLE = 1e-12


@dataclass(frozen=True)
class ClassScores:
    """The class scores of the last hidden layer, ``a(h) = normals · h + offsets``.

    Attributes
    ----------
    normals
        One row per class, shape ``(k, width)``.
    offsets
        Shape ``(k,)``.
    """

    normals: np.ndarray
    offsets: np.ndarray

    @classmethod
    def from_weights(cls, weights: Weights, output: str = "softmax") -> ClassScores:
        """Return the scores of a network's output layer, for the output head ``output``.

        ``k`` softmax units score class ``c`` with their logit ``c``; one sigmoid unit of logit
        ``z`` scores class 0 with ``0`` and class 1 with ``z`` (P(class 1) > 1/2 exactly where
        ``z > 0``).
        """
        W = np.asarray(weights.W[-1], dtype=np.float64)
        b = np.asarray(weights.b[-1], dtype=np.float64)
        if head(output).link == "sigmoid":
            return cls(np.vstack([np.zeros_like(W[:1]), W[:1]]), np.array([0.0, b[0]]))
        return cls(W, b)

    @property
    def classes(self) -> int:
        """The number of classes ``k``."""
        return len(self.offsets)

    @property
    def width(self) -> int:
        """The width of the layer the scores are functions of."""
        return int(self.normals.shape[1])

    def __call__(self, points: np.ndarray) -> np.ndarray:
        """Return every class's score at ``points`` (N, width), shape ``(N, k)``."""
        return np.asarray(points, dtype=np.float64) @ self.normals.T + self.offsets

    def winner(self, points: np.ndarray) -> np.ndarray:
        """Return the class of largest score at each point (ties to the lower class)."""
        return np.argmax(self(points), axis=-1)

    def difference(self, i: int, d: int) -> tuple[np.ndarray, float]:
        """Return ``a_i − a_d`` as ``(normal, offset)``."""
        return self.normals[i] - self.normals[d], float(self.offsets[i] - self.offsets[d])


@dataclass(frozen=True)
class Cell:
    """The region where one class has the largest score.

    Attributes
    ----------
    label
        The class.
    polygon
        The corners in order, counter-clockwise, shape ``(M, 2)``, ``M ≥ 3``.
    """

    label: int
    polygon: np.ndarray


@dataclass(frozen=True)
class Tie:
    """Where two classes tie above all the others.

    Attributes
    ----------
    pair
        The two classes ``(i, j)``, ``i < j``.
    points
        A segment's two ends, shape ``(2, 2)`` (:func:`tie_segments`), or a polygon's corners
        in order, shape ``(M, 3)`` (:func:`tie_polygons`).
    """

    pair: tuple[int, int]
    points: np.ndarray


#: A point, or a vector, as plain floats: the polygons here have a handful of corners, for which
#: Python's own arithmetic is several times faster than NumPy's calls on tiny arrays.
_Point = tuple[float, ...]
#: The half-space ``normal·p + offset ≥ 0``.
_Half = tuple[_Point, float]


def _dot(a: _Point, b: _Point) -> float:
    if len(a) == 2:
        return a[0] * b[0] + a[1] * b[1]
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]


def _cross(a: _Point, b: _Point) -> _Point:
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def _clip(polygon: list[_Point], half: _Half) -> list[_Point]:
    """Sutherland–Hodgman for one half-space, on plain floats (see :func:`clip_half_space`)."""
    normal, offset = half
    values = [_dot(normal, p) + offset for p in polygon]
    if not polygon or min(values) >= 0:
        return polygon
    if max(values) <= 0:
        return [p for p, v in zip(polygon, values, strict=True) if v == 0]
    kept = []
    count = len(polygon)
    for k in range(count):
        following = k + 1 if k + 1 < count else 0
        a, b, p = values[k], values[following], polygon[k]
        if a >= 0:
            kept.append(p)
        if (a > 0 > b) or (a < 0 < b):  # the side from k to k + 1 crosses the boundary
            t = a / (a - b)
            kept.append(tuple(x + t * (y - x) for x, y in zip(p, polygon[following], strict=True)))
    return kept


def clip_half_space(polygon: np.ndarray, normal: np.ndarray, offset: float) -> np.ndarray:
    """Return the part of a convex polygon where ``normal·p + offset ≥ 0`` (Sutherland–Hodgman
    for one half-plane).

    The polygon may lie in any dimension (a polygon of a plane in 3-D is cut by a half-space
    the same way).

    Parameters
    ----------
    polygon
        Corners in order around the polygon, shape ``(M, d)``.
    normal, offset
        The half-space, ``normal`` of shape ``(d,)``. A zero ``normal`` keeps everything when
        ``offset ≥ 0`` and nothing otherwise.

    Returns
    -------
    numpy.ndarray
        The kept corners in the same order, shape ``(K, d)``; ``K`` is 0 when nothing is kept.
        A corner on the boundary is kept once, not doubled.
    """
    corners = np.asarray(polygon, dtype=np.float64)
    half = (tuple(np.asarray(normal, dtype=np.float64).tolist()), float(offset))
    kept = _clip([tuple(p) for p in corners.tolist()], half)
    return np.array(kept, dtype=np.float64).reshape(-1, corners.shape[1])


def _area(polygon: list[_Point]) -> float:
    """The area of a polygon of the plane, or of a plane in 3-D."""
    if len(polygon) < 3:
        return 0.0
    if len(polygon[0]) == 2:
        twice = sum(
            p[0] * q[1] - p[1] * q[0]
            for p, q in zip(polygon, polygon[1:] + polygon[:1], strict=True)
        )
        return abs(twice) / 2
    ox, oy, oz = polygon[0]
    total = (0.0, 0.0, 0.0)
    for p, q in itertools.pairwise(polygon[1:]):
        c = _cross((p[0] - ox, p[1] - oy, p[2] - oz), (q[0] - ox, q[1] - oy, q[2] - oz))
        total = (total[0] + c[0], total[1] + c[1], total[2] + c[2])
    return math.sqrt(_dot(total, total)) / 2


def polygon_area(polygon: np.ndarray) -> float:
    """Return the area of a planar polygon (M, 2) or of a polygon in a plane of 3-D (M, 3)."""
    return _area([tuple(p) for p in np.asarray(polygon, dtype=np.float64).tolist()])


def _check_width(scores: ClassScores, width: int, what: str) -> None:
    if scores.width != width:
        raise ValueError(f"{what} are drawn for a layer of width {width}, not {scores.width}")


class _Contests:
    """Where each class beats each other, as half-spaces of plain floats."""

    def __init__(self, scores: ClassScores) -> None:
        self.classes = scores.classes
        normals = np.asarray(scores.normals, np.float64)
        offsets = np.asarray(scores.offsets, np.float64)
        rows = (normals[:, None, :] - normals[None, :, :]).tolist()
        shifts = (offsets[:, None] - offsets[None, :]).tolist()
        self._differences = [
            [(tuple(row), shift) for row, shift in zip(row_i, shift_i, strict=True)]
            for row_i, shift_i in zip(rows, shifts, strict=True)
        ]

    def difference(self, i: int, d: int) -> _Half:
        """``a_i − a_d`` as ``(normal, offset)``."""
        return self._differences[i][d]

    def wins(self, i: int, d: int) -> _Half | bool:
        """The half-space where class ``i`` beats class ``d`` (``a_i − a_d ≥ 0``), or
        ``True`` / ``False`` when the difference is a constant (equal scores: the lower class
        wins)."""
        normal, offset = self.difference(i, d)
        if any(normal):
            return normal, offset
        return offset > 0 or (offset == 0 and i < d)

    def tie_halves(self, i: int, j: int) -> list[_Half] | None:
        """The half-spaces where ``i`` and ``j`` beat every other class, or ``None`` when a
        class beats them everywhere."""
        halves = []
        for d in range(self.classes):
            if d in (i, j):
                continue
            for own in (i, j):
                half = self.wins(own, d)
                if half is False:
                    return None
                if half is not True:
                    halves.append(half)
        return halves


def _box_sides(box: tuple[tuple[float, float], ...]) -> list[_Half]:
    """The half-spaces whose intersection is the box: ``x_n ≥ low`` and ``x_n ≤ high``."""
    sides = []
    for axis, (low, high) in enumerate(box):
        unit = tuple(1.0 if n == axis else 0.0 for n in range(len(box)))
        sides.append((unit, -float(low)))
        sides.append((tuple(-x for x in unit), float(high)))
    return sides


def argmax_cells(scores: ClassScores, box: Box) -> list[Cell]:
    """Return the region of each class inside ``box``, for scores of a width-2 layer.

    Cell ``c`` is the box cut by the half-planes ``a_c − a_d ≥ 0`` of every other class ``d``;
    classes that win nowhere in the box (or only on a line) have no cell. The cells tile the
    box: they overlap only on their edges, and their areas add up to the box's.

    Returns
    -------
    list[Cell]
        One per class that wins somewhere in the box, in class order; corners
        counter-clockwise.
    """
    _check_width(scores, 2, "argmax cells")
    (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in box)
    square: list[_Point] = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    least = _NEGLIGIBLE * _area(square)
    contests = _Contests(scores)
    cells = []
    for c in range(scores.classes):
        polygon = square
        for d in range(scores.classes):
            if d == c:
                continue
            half = contests.wins(c, d)
            if half is False:
                polygon = []
            elif half is not True:
                polygon = _clip(polygon, half)
            if len(polygon) < 3:
                break
        if len(polygon) >= 3 and _area(polygon) > least:
            cells.append(Cell(c, np.array(polygon, dtype=np.float64)))
    return cells


def _clip_line(start: _Point, direction: _Point, halves: list[_Half]) -> tuple[float, float] | None:
    """Return the interval of ``t`` where ``start + t·direction`` lies in every half-space
    ``normal·p + offset ≥ 0`` (Liang–Barsky), or ``None`` when it is empty."""
    low, high = -np.inf, np.inf
    for normal, offset in halves:
        at_start = _dot(normal, start) + offset
        rate = _dot(normal, direction)
        if rate > 0:
            low = max(low, -at_start / rate)
        elif rate < 0:
            high = min(high, -at_start / rate)
        elif at_start < 0:
            return None
    if not low < high:
        return None
    return low, high


def tie_segments(scores: ClassScores, box: Box) -> list[Tie]:
    """Return the ties between two cells inside ``box``, for scores of a width-2 layer: for
    each pair ``i < j``, the segment of the line ``a_i = a_j`` where both beat every other
    class (the edge the two cells of :func:`argmax_cells` share), when it has a length.

    Returns
    -------
    list[Tie]
        Segments, shape ``(2, 2)`` each, in the order of the pairs.
    """
    _check_width(scores, 2, "tie segments")
    sides = _box_sides(box)
    (x0, x1), (y0, y1) = box
    least = _NEGLIGIBLE * float(np.hypot(x1 - x0, y1 - y0))
    contests = _Contests(scores)
    ties = []
    for i in range(scores.classes):
        for j in range(i + 1, scores.classes):
            (nx, ny), offset = contests.difference(i, j)
            halves = contests.tie_halves(i, j)
            if (nx == 0 and ny == 0) or halves is None:
                continue  # equal scores tie everywhere or nowhere: no line
            square = nx * nx + ny * ny
            length = float(np.sqrt(square))
            start = (-offset * nx / square, -offset * ny / square)  # nearest the origin
            direction = (-ny / length, nx / length)
            span = _clip_line(start, direction, sides + halves)
            if span is not None and span[1] - span[0] > least:
                ends = [[start[n] + t * direction[n] for n in range(2)] for t in span]
                ties.append(Tie((i, j), np.array(ends, dtype=np.float64)))
    return ties


def _plane_square(
    normal: _Point, offset: float, box: tuple[tuple[float, float], ...]
) -> list[_Point]:
    """A square of the plane ``normal·p + offset = 0`` that holds all of the plane inside the
    box: centred where the plane is nearest the box's centre, as wide as the box's diagonal
    (every point of the box is that close to the centre, and closer still to its projection)."""
    centre = tuple((low + high) / 2 for low, high in box)
    radius = math.sqrt(sum(((high - low) / 2) ** 2 for low, high in box))
    shift = (_dot(normal, centre) + offset) / _dot(normal, normal)
    nearest = tuple(c - shift * n for c, n in zip(centre, normal, strict=True))
    # u: across the plane, along the cross product with the axis the normal leans on least.
    axis = min(range(3), key=lambda n: abs(normal[n]))
    u = _cross(normal, tuple(1.0 if n == axis else 0.0 for n in range(3)))
    scale = radius / math.sqrt(_dot(u, u))
    u = tuple(x * scale for x in u)
    v = _cross(normal, u)
    scale = radius / math.sqrt(_dot(v, v))
    v = tuple(x * scale for x in v)  # u, v and the normal turn counter-clockwise
    return [
        tuple(p + a * x + b * y for p, x, y in zip(nearest, u, v, strict=True))
        for a, b in ((-1, -1), (1, -1), (1, 1), (-1, 1))
    ]


def tie_polygons(scores: ClassScores, cube: tuple[tuple[float, float], ...]) -> list[Tie]:
    """Return the ties between two classes inside ``cube``, for scores of a width-3 layer: for
    each pair ``i < j``, the part of the plane ``a_i = a_j`` where both beat every other class
    (the face two regions share), when it has an area.

    A square of the plane that holds the cube's cut is clipped by the cube's six faces (giving
    :func:`nnviz.projection.plane_in_cube`'s polygon) and by the half-spaces ``a_i − a_d ≥ 0``
    and ``a_j − a_d ≥ 0`` of every other class ``d``.

    Returns
    -------
    list[Tie]
        Convex polygons, corners in order, shape ``(M, 3)`` each, in the order of the pairs.
    """
    _check_width(scores, 3, "tie planes")
    sides = _box_sides(cube)
    sizes = [high - low for low, high in cube]
    least = _NEGLIGIBLE * _dot(tuple(sizes), tuple(sizes))
    contests = _Contests(scores)
    ties = []
    for i in range(scores.classes):
        for j in range(i + 1, scores.classes):
            normal, offset = contests.difference(i, j)
            halves = contests.tie_halves(i, j)
            if not any(normal) or halves is None:
                continue
            polygon = _plane_square(normal, offset, cube)
            for half in sides + halves:
                polygon = _clip(polygon, half)
                if len(polygon) < 3:
                    break
            if len(polygon) >= 3 and _area(polygon) > least:
                ties.append(Tie((i, j), np.array(polygon, dtype=np.float64)))
    return ties


def argmax_intervals(
    scores: ClassScores, interval: tuple[float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Return where each class wins on a stretch of the number line, for a width-1 layer.

    Returns
    -------
    breaks : numpy.ndarray
        The ends of the pieces, sorted, shape ``(m + 1,)``: the interval's ends and the points
        inside where the winner changes (where two scores cross).
    labels : numpy.ndarray
        The class that wins on each piece ``[breaks[n], breaks[n + 1]]``, shape ``(m,)``;
        neighbouring pieces have different classes.
    """
    _check_width(scores, 1, "argmax intervals")
    low, high = (float(v) for v in interval)
    if not low < high:
        raise ValueError(f"an interval needs low < high, got {interval}")
    slopes, offsets = scores.normals[:, 0], scores.offsets
    i, j = np.triu_indices(scores.classes, k=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        crossings = -(offsets[i] - offsets[j]) / (slopes[i] - slopes[j])
    inside = crossings[np.isfinite(crossings) & (crossings > low) & (crossings < high)]
    points = np.unique(np.concatenate([[low, high], inside]))
    # No two scores cross inside a piece, so the winner at its middle wins on all of it.
    labels = scores.winner(((points[:-1] + points[1:]) / 2)[:, None])
    changes = np.concatenate([[True], labels[1:] != labels[:-1]])
    return np.append(points[:-1][changes], high), labels[changes]
