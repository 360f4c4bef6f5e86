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

The same tracing runs on the logits (:func:`logit_tie_lines`), the picture's fast path: the
softmax is monotone in the logits' differences (``p_i > p_j`` exactly where ``z_i > z_j``),
so ``z_i − z_j`` has the zero set of ``p_i − p_j`` and the deficits ``(z_i + z_j)/2 − z_d``
have the signs of ``p_i − p_d`` on the tie, and the lines need no probabilities. Within a cell
the two interpolate differently (linearly in the logits rather than in the probabilities):
both are exact for a field linear in what they interpolate, and meet the true line to the
grid's resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["TieLines", "logit_tie_lines", "tie_lines"]


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
    return _trace(np.moveaxis(p, -1, 0), x_range, y_range)


def logit_tie_lines(
    planes: np.ndarray, x_range: tuple[float, float], y_range: tuple[float, float]
) -> TieLines:
    """Return where the two most probable classes tie, traced on the logits (no softmax).

    :func:`tie_lines` on the logits: each pair's segments lie on the zero line of
    ``z_i − z_j``, interpolated linearly along the cells' edges, and are cut where a third
    class's logit passes the pair's mean logit.

    Parameters
    ----------
    planes
        The logits of ``k ≥ 2`` classes at the pixel centres of an image, class-major: shape
        ``(k, rows, cols)``, row 0 at the top (:func:`nnviz.forward.class_logit_grid` of a
        softmax output; for one sigmoid unit, whose classes tie where its logit is 0, the
        planes ``(0, z)``, or :func:`nnviz.contour.level_segments` of ``z`` at level 0).
    x_range, y_range
        The extent of the image in data units (pixel centres half a pixel inside).

    Returns
    -------
    TieLines
        The segments and the pair of classes along each, pair by pair in order.
    """
    z = np.asarray(planes)
    if z.ndim != 3 or len(z) < 2:
        raise ValueError(f"logit planes of shape (k >= 2, rows, cols), not {z.shape}")
    return _trace(z, x_range, y_range)


#: The corners of a cell clockwise from its top left, as offsets of pixel centres (columns
#: right, rows down); edge ``e`` runs from corner ``e`` to corner ``_NEXT[e]``: top, right,
#: bottom, left.
_CORNER_COL = np.array([0, 1, 1, 0])
_CORNER_ROW = np.array([0, 0, 1, 1])
_NEXT = np.array([1, 2, 3, 0])


def _trace(
    layers: np.ndarray, x_range: tuple[float, float], y_range: tuple[float, float]
) -> TieLines:
    """The tie lines of a field held class-major, ``layers`` of shape ``(k, rows, cols)``:
    probabilities or logits."""
    k, rows, cols = layers.shape
    if rows < 2 or cols < 2:
        return _empty()
    # The cells whose corners change sign, for every pair: flat index of the top-left corner.
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
    pairs = np.array(pair_list, dtype=np.intp).reshape(-1, 2)
    i, j = pairs[pair, 0], pairs[pair, 1]
    # Every cell's corners (4, n) as flat pixel indices, and the pair's values there.
    values = layers.reshape(k, -1)
    corners = (r * cols + c) + (_CORNER_ROW * cols + _CORNER_COL)[:, None]
    zi = values[i, corners].astype(np.float64)
    zj = values[j, corners].astype(np.float64)
    f = zi - zj
    deficit = np.zeros((0, 4, len(f[0])))
    if k > 2:
        # Each other class's deficit (z_i + z_j)/2 − z_d at the corners, (k − 2, 4, n). A cell
        # where one is negative at every corner is negative along all its edges: the pair is
        # beaten there, and the cell is dropped before any line is traced through it.
        others = np.array([[d for d in range(k) if d not in ij] for ij in pair_list])[pair]
        deficit = (zi + zj) / 2 - values[others.T[:, None, :], corners]
        live = ~(deficit < 0).all(axis=1).any(axis=0)
        r, c, pair, f, deficit = r[live], c[live], pair[live], f[:, live], deficit[..., live]
    # A cell crossed on two edges holds one segment between them; on four (a saddle), two,
    # each cutting off a corner of the sign the centre (the mean of the corners) does not have.
    positive = f > 0
    crosses = positive != positive[_NEXT]
    two = crosses.sum(axis=0) == 2
    cells = np.arange(len(pair))
    start_edge = np.argmax(crosses, axis=0)
    end_edge = 3 - np.argmax(crosses[::-1], axis=0)
    ends = [(start_edge[two], end_edge[two], cells[two])]
    saddle = ~two
    if saddle.any():
        centre_above = f[:, saddle].mean(axis=0) > 0
        for corner in range(4):
            cut = (f[corner, saddle] > 0) != centre_above
            ends.append((np.full(cut.sum(), (corner - 1) % 4), np.full(cut.sum(), corner),
                         cells[saddle][cut]))  # fmt: skip
    a = np.concatenate([e[0] for e in ends])
    b = np.concatenate([e[1] for e in ends])
    n = np.concatenate([e[2] for e in ends])
    # Where each segment's ends cross their edges: the zero of f interpolated along the edge.
    step = np.array([(x_range[1] - x_range[0]) / cols, (y_range[1] - y_range[0]) / rows])
    origin = np.array([x_range[0], y_range[1]])
    sides = []
    for edge in (a, b):
        f0, f1 = f[edge, n], f[_NEXT[edge], n]
        t = f0 / (f0 - f1)  # the signs differ: never 0 / 0
        col = c[n] + 0.5 + _CORNER_COL[edge] + t * (_CORNER_COL[_NEXT[edge]] - _CORNER_COL[edge])
        row = r[n] + 0.5 + _CORNER_ROW[edge] + t * (_CORNER_ROW[_NEXT[edge]] - _CORNER_ROW[edge])
        point = origin + np.stack([col, -row], axis=-1) * step
        g0, g1 = deficit[:, edge, n], deficit[:, _NEXT[edge], n]
        sides.append((point, g0 + t * (g1 - g0)))
    segments = np.stack([sides[0][0], sides[1][0]], axis=1)
    kept = _keep_on_top(segments, sides[0][1], sides[1][1])
    order = np.argsort(pair[n][kept], kind="stable")
    return TieLines(segments[kept][order], pairs[pair[n][kept][order]])


def _keep_on_top(segments: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Cut the tie ``segments`` in place to where both classes of their pair beat every other
    class, and return which segments keep a length.

    ``start`` and ``end`` are the deficits ``(v_i + v_j)/2 − v_d`` of the other classes ``d``
    at the two ends, shape ``(k − 2, M)``; each is linear along the segment, and the segment
    is kept where every one is at least 0.
    """
    if len(start) == 0:
        return np.ones(len(segments), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        turn = start / (start - end)  # where start + t (end − start) = 0
    rising = (start < 0) & (end >= 0)
    falling = (start >= 0) & (end < 0)
    low = np.where(rising, turn, 0.0).max(axis=0)
    high = np.where(falling, turn, 1.0).min(axis=0)
    keep = (high > low) & ~((start < 0) & (end < 0)).any(axis=0)  # below at both ends: none
    step = segments[:, 1] - segments[:, 0]
    start_point = segments[:, 0].copy()
    segments[:, 0] = start_point + low[:, None] * step
    segments[:, 1] = start_point + high[:, None] * step
    return keep
