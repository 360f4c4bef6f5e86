"""The legend of dots sized by their loss: :class:`PointLossLegend`."""

from __future__ import annotations

import numpy as np
from manim import LEFT, UP, VGroup

from nnviz.mobjects.shapes import DOT_RADIUS, ClassDots
from nnviz.mobjects.typeset import theme_text
from nnviz.point_loss import legend_scale
from nnviz.theme import Theme

__all__ = ["PointLossLegend"]


class PointLossLegend(VGroup):
    """``dot size: point's loss``, a dot of every size with its range of losses under it
    (:func:`nnviz.point_loss.legend_scale`), and a ringed dot, ``misclassified``.

    The dots are a :class:`~nnviz.mobjects.shapes.ClassDots` sized as the panels size theirs
    (:meth:`~nnviz.mobjects.shapes.ClassDots.mark_points` with the scale's factors), drawn by
    the same camera path: a size in the legend is the size on screen.

    Parameters
    ----------
    theme
        Colours and font; the dots are in the theme's muted colour, the ring in its
        foreground, as the panels ring theirs.
    radius
        The panels' dot radius (scene units).
    font_size
        Size of the words.
    """

    def __init__(self, theme: Theme, radius: float = DOT_RADIUS, font_size: float = 13) -> None:
        super().__init__()
        scale = legend_scale()
        factors = np.array([factor for _, factor in scale] + [scale[-2][1]])
        ringed = np.zeros(len(factors), dtype=bool)
        ringed[-1] = True
        self.dots = ClassDots(np.zeros(len(factors), dtype=np.intp), (theme.muted,), radius,
                              stroke_color=theme.dot_outline)  # fmt: skip
        self.dots.mark_points(factors, ringed, theme.foreground)
        # The size dots side by side, a column of the widest dot's width each, the words under
        # them; the ringed dot and ``misclassified`` after the title, on its line.
        widest = radius * max(factors)
        column = 2 * widest + 0.58
        x = column * np.arange(len(scale), dtype=np.float64)
        title = theme_text(theme, "dot size: point's loss", font_size=font_size,
                           color=theme.muted)  # fmt: skip
        title.move_to(np.array([x[0] - widest, widest + 0.2, 0.0]), LEFT)
        ring_x = title.get_right()[0] + 0.3 + widest
        wrong = theme_text(theme, "misclassified", font_size=font_size - 2, color=theme.muted)
        wrong.move_to(np.array([ring_x + widest + 0.08, title.get_center()[1], 0.0]), LEFT)
        x = np.append(x, ring_x)
        self.dots.place(np.column_stack([x, [0.0] * (len(x) - 1) + [title.get_center()[1]],
                                         np.zeros_like(x)]))  # fmt: skip
        words = VGroup(
            *(
                theme_text(theme, word, font_size=font_size - 2, color=theme.muted).move_to(
                    np.array([x[k], -widest - 0.1, 0.0]), UP
                )
                for k, (word, _) in enumerate(scale)
            )
        )
        self.add(title, self.dots, words, wrong)
        self.title, self.words, self.wrong = title, words, wrong
        #: The scale shown: each size's words and radius factor, smallest first.
        self.sizes = scale
