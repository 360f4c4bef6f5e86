"""Where the two most probable classes tie, traced on a grid of class probabilities.

The boundary of a ``k``-class field is where its most probable class changes: there the two
most probable classes are equally probable. For each pair of classes ``(i, j)``,
:func:`tie_lines` traces the zero line of ``p_i − p_j`` through the cells of the grid (the
squares between four pixel centres) whose corners change sign, by marching squares: in each
such cell a straight segment between the points of its edges where the linear interpolation of
``p_i − p_j`` along the edge is zero, as :func:`nnviz.contour.level_segments` (contourpy)
traces a level line, so a linear field is traced exactly. For two classes (softmax, or one
sigmoid unit read as two) these are the segments of the 0.5 line of P(class 1).

Of those segments it keeps the parts where ``i`` and ``j`` beat every other class ``d``. The
cut is made inside the cells too: every class's probability is interpolated linearly along the
edges to the segment's ends, each deficit ``(p_i + p_j)/2 − p_d`` linearly between the ends,
and the segment is cut where a deficit turns negative, so the lines end at the points where
three classes tie to the grid's resolution rather than at the nearest cell.

Only the cells where a pair's difference changes sign are visited, all at once with array
operations, so the cost grows with the length of the lines rather than with the number of
pairs times the number of pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TieLines", "tie_lines"]


@dataclass(frozen=True)
class TieLines:
    """Line segments where two classes tie on top.

    Attributes
    ----------
    segments
        Pairs of end points in data units, shape ``(M, 2, 2)``.
    pairs
        The two classes ``(i, j)``, ``i < j``, that tie along each segment, shape ``(M, 2)``.
    """

    segments: np.ndarray
    pairs: np.ndarray

    def of(self, i: int, j: int) -> np.ndarray:
        """Return the segments of the pair ``(i, j)``, shape ``(m, 2, 2)``."""
        low, high = min(i, j), max(i, j)
        return self.segments[(self.pairs[:, 0] == low) & (self.pairs[:, 1] == high)]


def _empty() -> TieLines:
    return TieLines(np.zeros((0, 2, 2)), np.zeros((0, 2), dtype=np.intp))


def tie_lines(
    probabilities: np.ndarray, x_range: tuple[float, float], y_range: tuple[float, float]
) -> TieLines:
    """Return where the two most probable classes tie, as segments exact to the grid.

    Parameters
    ----------
    probabilities
        P(class c) at the pixel centres of an image, shape ``(rows, cols, k)``, row 0 at the
        top (:func:`nnviz.forward.class_probability_grid`).
    x_range, y_range
        The extent of the image in data units (pixel centres half a pixel inside, as in
        :func:`nnviz.forward.grid_points`).

    Returns
    -------
    TieLines
        The segments and the pair of classes along each, pair by pair in order.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    rows, cols, k = p.shape
    if rows < 2 or cols < 2:
        return _empty()
    # The cells whose corners change sign, for every pair: flat index of the top-left corner.
    layers = np.ascontiguousarray(np.moveaxis(p, -1, 0))  # each class's probabilities, contiguous
    found, found_pair = [], []
    pair_list = [(i, j) for i in range(k) for j in range(i + 1, k)]
    for index, (i, j) in enumerate(pair_list):
        above = layers[i] > layers[j]
        across = above[:, 1:] != above[:, :-1]  # neighbours in a row differ
        down = above[1:, :-1] != above[:-1, :-1]  # neighbours in a column differ
        change = across[:-1] | across[1:] | down
        cells = np.flatnonzero(change)
        found.append(cells)
        found_pair.append(np.full(len(cells), index))
    flat, pair = np.concatenate(found), np.concatenate(found_pair)
    if len(flat) == 0:
        return _empty()
    r, c = np.divmod(flat, cols - 1)
    pairs = np.array(pair_list, dtype=np.intp)[pair]
    i, j = pairs[:, 0], pairs[:, 1]
    # Corners clockwise from the top left: their probabilities (4, n, k) and positions (4, n, 2).
    corner_r = np.stack([r, r, r + 1, r + 1])
    corner_c = np.stack([c, c + 1, c + 1, c])
    P = p[corner_r, corner_c]
    dx = (x_range[1] - x_range[0]) / cols
    dy = (y_range[1] - y_range[0]) / rows
    xy = np.stack([x_range[0] + dx * (corner_c + 0.5), y_range[1] - dy * (corner_r + 0.5)], -1)
    cells = np.arange(len(r))
    f = P[:, cells, i] - P[:, cells, j]  # (4, n)
    # Edge e runs from corner e to corner e + 1: top, right, bottom, left.
    f_next = np.roll(f, -1, axis=0)
    crosses = (f > 0) != (f_next > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(crosses, f / (f - f_next), 0.0)[..., None]
    points = xy + t * (np.roll(xy, -1, axis=0) - xy)  # (4, n, 2)
    values = P + t * (np.roll(P, -1, axis=0) - P)  # (4, n, k)
    # A cell crossed on two edges holds one segment between them; on four (a saddle), two,
    # each cutting off a corner of the sign the centre (the mean of the corners) does not have.
    two = crosses.sum(axis=0) == 2
    start_edge = np.argmax(crosses, axis=0)
    end_edge = 3 - np.argmax(crosses[::-1], axis=0)
    ends = [(start_edge[two], end_edge[two], cells[two])]
    saddle = ~two
    centre_above = f[:, saddle].mean(axis=0) > 0
    for corner in range(4):
        cut = (f[corner, saddle] > 0) != centre_above
        ends.append((np.full(cut.sum(), (corner - 1) % 4), np.full(cut.sum(), corner),
                     cells[saddle][cut]))  # fmt: skip
    a = np.concatenate([e[0] for e in ends])
    b = np.concatenate([e[1] for e in ends])
    n = np.concatenate([e[2] for e in ends])
    segments = np.stack([points[a, n], points[b, n]], axis=1)
    kept = _keep_on_top(segments, values[a, n], values[b, n], i[n], j[n])
    order = np.argsort(pair[n][kept], kind="stable")
    return TieLines(segments[kept][order], pairs[n][kept][order])


def _keep_on_top(
    segments: np.ndarray, start: np.ndarray, end: np.ndarray, i: np.ndarray, j: np.ndarray
) -> np.ndarray:
    """Cut the tie ``segments`` of the pairs ``(i, j)`` in place to where both classes beat
    every other class, and return which segments keep a length.

    ``start`` and ``end`` are every class's probability at the two ends, shape ``(M, k)``.
    """
    k = start.shape[1]
    if k == 2:
        return np.ones(len(segments), dtype=bool)
    rows = np.arange(len(segments))
    low, high = np.zeros(len(segments)), np.ones(len(segments))
    tie0 = (start[rows, i] + start[rows, j]) / 2
    tie1 = (end[rows, i] + end[rows, j]) / 2
    for d in range(k):
        other = (i != d) & (j != d)
        g0 = np.where(other, tie0 - start[:, d], 1.0)  # the deficit of class d at each end
        g1 = np.where(other, tie1 - end[:, d], 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            turn = g0 / (g0 - g1)  # where g0 + t (g1 − g0) = 0
        low = np.where((g0 < 0) & (g1 >= 0), np.maximum(low, turn), low)
        high = np.where((g0 >= 0) & (g1 < 0), np.minimum(high, turn), high)
        high = np.where((g0 < 0) & (g1 < 0), -1.0, high)  # below at both ends: nothing left
    keep = high > low
    step = segments[:, 1] - segments[:, 0]
    start_point = segments[:, 0].copy()
    segments[:, 0] = start_point + low[:, None] * step
    segments[:, 1] = start_point + high[:, None] * step
    return keep
