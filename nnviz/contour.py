"""Level lines of a sampled field (marching squares), vectorised in numpy."""

from __future__ import annotations

import numpy as np

__all__ = ["level_segments"]

# For each of the 16 corner cases (bit 0: top-left, 1: top-right, 2: bottom-right,
# 3: bottom-left above the level), the pairs of cell edges the line crosses.
# Edges: 0 top, 1 right, 2 bottom, 3 left. Saddles (5, 10) take both diagonal pairs.
_CASES: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((3, 0),), 2: ((0, 1),), 3: ((3, 1),), 4: ((1, 2),), 5: ((3, 0), (1, 2)),
    6: ((0, 2),), 7: ((3, 2),), 8: ((2, 3),), 9: ((2, 0),), 10: ((0, 1), (2, 3)),
    11: ((2, 1),), 12: ((1, 3),), 13: ((1, 0),), 14: ((0, 3),),
}  # fmt: skip


def level_segments(
    values: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    level: float = 0.5,
) -> np.ndarray:
    """Return the segments of the line ``values == level``.

    Parameters
    ----------
    values
        Samples at the pixel centres of an image, shape ``(rows, cols)``; row 0 is the top.
    x_range, y_range
        The extent of the image in data units (as in :func:`nnviz.forward.grid_points`).
    level
        The level to trace.

    Returns
    -------
    numpy.ndarray
        Segments in data units, shape ``(M, 2, 2)``: ``M`` pairs of end points. Within a cell the
        crossing points are found by linear interpolation along its edges, so a linear field is
        traced exactly.
    """
    rows, cols = values.shape
    dx = (x_range[1] - x_range[0]) / cols
    dy = (y_range[1] - y_range[0]) / rows
    xs = x_range[0] + dx * (np.arange(cols) + 0.5)
    ys = y_range[1] - dy * (np.arange(rows) + 0.5)

    tl, tr = values[:-1, :-1], values[:-1, 1:]
    bl, br = values[1:, :-1], values[1:, 1:]
    case = (
        (tl > level).astype(np.int8)
        | (tr > level).astype(np.int8) << 1
        | (br > level).astype(np.int8) << 2
        | (bl > level).astype(np.int8) << 3
    )
    segments = []
    for code, pairs in _CASES.items():
        r, c = np.nonzero(case == code)
        if len(r) == 0:
            continue
        corners = (tl[r, c], tr[r, c], br[r, c], bl[r, c])
        x0, x1 = xs[c], xs[c + 1]
        y0, y1 = ys[r], ys[r + 1]  # y0 is the top edge (larger y)
        for a, b in pairs:
            segments.append(
                np.stack(
                    [_edge_point(a, corners, x0, x1, y0, y1, level),
                     _edge_point(b, corners, x0, x1, y0, y1, level)],
                    axis=1,
                )
            )  # fmt: skip
    if not segments:
        return np.empty((0, 2, 2))
    return np.concatenate(segments)


def _edge_point(
    edge: int,
    corners: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    x0: np.ndarray,
    x1: np.ndarray,
    y0: np.ndarray,
    y1: np.ndarray,
    level: float,
) -> np.ndarray:
    tl, tr, br, bl = corners

    def fraction(start: np.ndarray, end: np.ndarray) -> np.ndarray:
        return (level - start) / (end - start)

    if edge == 0:  # top: tl -> tr
        return np.column_stack([x0 + fraction(tl, tr) * (x1 - x0), y0])
    if edge == 1:  # right: tr -> br
        return np.column_stack([x1, y0 + fraction(tr, br) * (y1 - y0)])
    if edge == 2:  # bottom: bl -> br
        return np.column_stack([x0 + fraction(bl, br) * (x1 - x0), y1])
    # left: tl -> bl
    return np.column_stack([x0, y0 + fraction(tl, bl) * (y1 - y0)])
