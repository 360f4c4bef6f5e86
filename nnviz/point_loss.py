"""Each point's loss as the size of its dot: the levels, the radii and the legend's scale.

A point's cross-entropy ``−log P(y | x)`` (:meth:`nnviz.heads.OutputHead.point_losses`) is
put in one of a few levels (:data:`LOSS_EDGES`), and each level has one dot radius
(:data:`RADIUS_FACTORS` times the panel's dot radius), growing with the loss. Levels, not a
continuous size: the legend can name every size on screen, and the camera draws each size as
a few sprites (:class:`nnviz.manim_adapter.camera.DotSprites`) instead of one per dot and
frame. A misclassified point's loss is at least ``log 2`` (its class has at most half the
probability), so its dot is at least the middle size; it is also ringed.
"""

from __future__ import annotations

import itertools

import numpy as np

__all__ = [
    "LOSS_EDGES",
    "RADIUS_FACTORS",
    "legend_scale",
    "loss_levels",
    "radius_factors",
]

#: The upper edges of the loss levels but the last: a loss below ``LOSS_EDGES[0]`` is level
#: 0, one of ``LOSS_EDGES[-1]`` or more the last level. 0.1 is a point the network is 90 %
#: sure of, log 2 ≈ 0.69 a point on the boundary (two classes), 1.5 a point it puts
#: confidently in another class (P(y) ≈ 0.22).
LOSS_EDGES: tuple[float, ...] = (0.1, 0.3, 0.7, 1.5)
#: The dot's radius at each level, a factor of the panel's dot radius (strictly growing: the
#: dot's area roughly doubles from one level to the next).
RADIUS_FACTORS: tuple[float, ...] = (0.6, 0.85, 1.15, 1.55, 2.0)

if len(RADIUS_FACTORS) != len(LOSS_EDGES) + 1:  # pragma: no cover - a table's consistency
    raise AssertionError("one radius per loss level")


def loss_levels(losses: np.ndarray) -> np.ndarray:
    """Return each point's loss level, 0 to ``len(LOSS_EDGES)``, as intp.

    A loss equal to an edge belongs to the level above it; NaN (no loss) is level 0.
    """
    values = np.nan_to_num(np.asarray(losses, dtype=np.float64), nan=0.0)
    return np.searchsorted(np.asarray(LOSS_EDGES), values, side="right").astype(np.intp)


def radius_factors(losses: np.ndarray) -> np.ndarray:
    """Return each point's dot radius as a factor of the panel's radius: its level's
    :data:`RADIUS_FACTORS` entry, so the radii take only those few values (never the
    rounding noise of a continuous size)."""
    return np.asarray(RADIUS_FACTORS)[loss_levels(losses)]


def legend_scale() -> list[tuple[str, float]]:
    """Return the legend's scale: for each level, its words (``< 0.1``, ``0.1–0.3``, …,
    ``≥ 1.5``) and its radius factor, smallest first."""
    edges = LOSS_EDGES
    words = [f"< {edges[0]:g}"]
    words += [f"{low:g}–{high:g}" for low, high in itertools.pairwise(edges)]
    words.append(f"≥ {edges[-1]:g}")
    return list(zip(words, RADIUS_FACTORS, strict=True))
