"""Fades without copies: curtains of the background's colour over what fades.

Manim's ``FadeIn`` and ``FadeOut`` deep-copy the mobject they fade (a ``FadeIn`` makes three
copies), and a text's copy carries every glyph's parsed SVG path along: a title card's fades cost
more than all its frames. A curtain, a rectangle of the background's colour laid over the
mobject and lifted (or lowered), gives the same pixels as fading the mobject itself wherever the
curtain covers only the mobject and the background: blending the mobject's colour towards the
background's by a factor is what either does. Only the rectangle is animated.

:func:`covering_boxes` is the geometry: the curtains must not overlap (where two overlap, the
covered part would fade twice as fast), so boxes that meet are merged into one.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import Animation, Mobject, Rectangle, VGroup

__all__ = ["CURTAIN_MARGIN", "Glide", "covering_boxes", "curtains"]

#: How far a curtain reaches beyond its mobject's bounding box (scene units), so that
#: anti-aliased edges and strokes are covered too.
CURTAIN_MARGIN = 0.08


def covering_boxes(boxes: np.ndarray, margin: float = CURTAIN_MARGIN) -> np.ndarray:
    """Return rectangles that cover ``boxes`` grown by ``margin`` and do not overlap.

    Parameters
    ----------
    boxes
        Shape (N, 4): each row ``(left, bottom, right, top)``.
    margin
        How far each box is grown on every side before the boxes are compared.

    Returns
    -------
    numpy.ndarray
        Shape (M, 4), M ≤ N: the grown boxes, where any two that overlap or touch are replaced by
        the box around both, again until no two meet.
    """
    grown = np.asarray(boxes, dtype=np.float64).reshape(-1, 4) + margin * np.array([-1, -1, 1, 1])
    merged = list(grown)
    while pair := next(
        (
            (i, j)
            for i in range(len(merged))
            for j in range(i + 1, len(merged))
            if _meet(merged[i], merged[j])
        ),
        None,
    ):
        i, j = pair
        a, b = merged[i], merged.pop(j)
        merged[i] = np.concatenate([np.minimum(a[:2], b[:2]), np.maximum(a[2:], b[2:])])
    return np.array(merged).reshape(-1, 4)


def _meet(a: np.ndarray, b: np.ndarray) -> bool:
    """Return whether boxes ``a`` and ``b`` (``left, bottom, right, top``) overlap or touch."""
    return bool(a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3])


def _box(mobject: Mobject, shift: np.ndarray) -> np.ndarray:
    """Return the box ``(left, bottom, right, top)`` that ``mobject`` sweeps from ``-shift``
    away to where it is."""
    low, high = mobject.get_critical_point((-1, -1, 0)), mobject.get_critical_point((1, 1, 0))
    return np.concatenate([np.minimum(low, low - shift)[:2], np.maximum(high, high - shift)[:2]])


def curtains(
    mobjects: Sequence[Mobject],
    colour: Any,
    opacity: float,
    shift: Sequence[float] | np.ndarray | None = None,
    margin: float = CURTAIN_MARGIN,
) -> VGroup:
    """Return the curtains over ``mobjects``: rectangles of ``colour`` at ``opacity`` covering
    each one's bounding box (and the way it comes from, ``shift`` away, if it glides in), grown
    by ``margin`` and merged where they meet.

    Whatever else lies under a curtain fades with it: fade this way what stands on the
    background alone (a title card, a data card).
    """
    vector = np.zeros(3) if shift is None else np.asarray(shift, dtype=np.float64)
    boxes = covering_boxes(np.array([_box(m, vector) for m in mobjects]), margin)
    rectangles = [
        Rectangle(
            width=right - left,
            height=top - bottom,
            fill_color=colour,
            fill_opacity=opacity,
            stroke_width=0,
        ).move_to(np.array([(left + right) / 2, (bottom + top) / 2, 0.0]))
        for left, bottom, right, top in boxes.tolist()
    ]
    return VGroup(*rectangles)


class Glide(Animation):
    """Move a mobject by ``vector`` over the animation (with the rate function), without the
    copy of the mobject that Manim's animations start from.

    Parameters
    ----------
    mobject
        What glides; it ends ``vector`` away from where it is when the animation begins.
    vector
        The whole move, in scene units.
    """

    def __init__(
        self, mobject: Mobject, vector: Sequence[float] | np.ndarray, **kwargs: Any
    ) -> None:
        self.vector = np.asarray(vector, dtype=np.float64)
        self._done = 0.0
        super().__init__(mobject, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return Mobject()  # the move is relative: nothing to interpolate from

    def begin(self) -> None:
        self._done = 0.0
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        progress = float(self.rate_func(alpha))
        self.mobject.shift((progress - self._done) * self.vector)
        self._done = progress
