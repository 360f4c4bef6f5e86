"""The network's formula and, where they fit, its live weights, following the epoch clock."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import LEFT, UP, MathTex, VGroup
from typing_extensions import Self

from nnviz.activations import activation as lookup
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.diagram.formula import (
    SOFTMAX_TEX,
    format_number,
    general_formula,
    matrix_rows,
)
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.readout import GlyphText

__all__ = ["WeightReadout"]


class WeightReadout(FollowsClock, VGroup):
    """The network's formula and, where they fit, the live weights of the clock's epoch.

    A network of one hidden layer of at most :attr:`LIVE_WIDTH` units shows
    ``ŷ = σ(w₂·a(W₁x + b₁) + b₂)`` and its weights: names are static ``MathTex``; numbers are
    :class:`~nnviz.mobjects.readout.GlyphText` rows formatted by :func:`matrix_rows` (``W₁``
    and ``b₁`` as a matrix and a column, a row each per hidden unit; ``w₂`` as a row; ``b₂``
    as a number). A deeper or wider network shows only its general formula,
    ``ŷ = σ(W₃ a₂(W₂ a₁(W₁x + b₁) + b₂) + b₃)`` and each layer's activation: dozens of
    live numbers could not be read, and the diagram's links show the same weights.

    A softmax output of k classes shows ``p_c = e^{z_c} / Σ_j e^{z_j}`` with
    ``z_c = w_c·a(W₁x + b₁) + b_c`` (or the general ``z``); its live weights into each output
    node, ``w_c`` and ``b_c``, are one row per class (:attr:`output_rows`, placed beside the
    nodes by :meth:`place_outputs`), and only ``W₁`` and ``b₁`` stay in the bottom line.

    Parameters
    ----------
    context
        The run (continuous in the epoch), the epoch tracker, colours and font.
    font_size
        Size of the numbers (names are a little larger).
    """

    ALPHABET = "0123456789.−[]⎡⎢⎣⎤⎥⎦ "
    NAMES: tuple[tuple[str, str], ...] = (
        ("W1", "W_1 ="),
        ("b1", "b_1 ="),
        ("W2", "w_2 ="),
        ("b2", "b_2 ="),
    )

    #: The widest single hidden layer whose weights are shown live.
    LIVE_WIDTH = 2
    #: The widest a general formula may be (scene units); a longer one is scaled down.
    MAX_WIDTH = 8.4
    #: Size of the numbers beside a softmax output's nodes (k rows in the diagram's room).
    OUTPUT_FONT_SIZE = 16

    def __init__(self, context: BlockContext, font_size: float = 20) -> None:
        super().__init__()
        self.trajectory = trajectory = context.trajectory
        self.clock = context.clock
        theme = context.theme
        widths = tuple(trajectory.run.hidden_widths)
        output = trajectory.run.config.output_head.link
        #: Whether the output is a softmax (one unit per class).
        self.softmax = output == "softmax"
        #: Whether the live weights are shown (one hidden layer of at most LIVE_WIDTH units).
        self.live = len(widths) == 1 and widths[0] <= self.LIVE_WIDTH
        if self.live:
            activation = lookup(trajectory.activations[0]).display
            head = (
                rf"{SOFTMAX_TEX},\quad z_c = w_c \cdot a(W_1 x + b_1) + b_c,"
                if self.softmax
                else r"\hat{y} = \sigma\big(w_2 \cdot a(W_1 x + b_1) + b_2\big),"
            )
            parts: tuple[str, str] = (head, rf"\quad a = \text{{{activation}}}")
        else:
            parts = general_formula(trajectory.activations, output)
        self.formula = MathTex(*parts, font_size=34 if self.live else 30, color=theme.foreground)
        if self.formula.width > self.MAX_WIDTH:
            self.formula.scale_to_fit_width(self.MAX_WIDTH)
        self.formula[1].set_color(theme.muted)
        names = (self.NAMES[:2] if self.softmax else self.NAMES) if self.live else ()
        self.names = {key: MathTex(tex, font_size=30, color=theme.muted) for key, tex in names}
        self.rows: dict[str, list[GlyphText]] = {}
        for key, texts in self.texts().items():
            longest = max(len(text) for text in texts) + 2  # room for a number of 10 or more
            size = self.OUTPUT_FONT_SIZE if key == "out" else font_size
            self.rows[key] = [
                GlyphText("", self.ALPHABET, size, max_length=longest, color=theme.foreground)
                for _ in texts
            ]
        #: One row ``[ w_c ]  b_c`` per class, the weights into output node ``c`` (softmax).
        self.output_rows = self.rows.pop("out", [])
        #: The names over the output rows' columns, ``w_c`` and ``b_c``.
        self.output_names = VGroup(
            *(MathTex(tex, font_size=26, color=theme.muted) for tex in ("w_c", "b_c"))
        ) if self.output_rows else VGroup()  # fmt: skip
        self.add(self.formula, *self.names.values(), *(g for r in self.rows.values() for g in r))
        self.add(*self.output_rows, self.output_names)
        self.refresh()

    def arrange_at(self, left: float, top: float, gap: float = 0.4, row_gap: float = 0.36) -> Self:
        """Put the formula's top-left corner at ``(left, top)`` and the weights in one line
        below it: names centred on the line, two-row blocks ``row_gap`` apart, ``gap`` between
        blocks."""
        self.formula.move_to(np.array([left, top, 0.0]), aligned_edge=LEFT + UP)
        if not self.live:
            return self
        centre = self.formula.get_bottom()[1] - 0.55
        digit = self.rows["W1"][0]._glyphs["0"]
        digit_half = (digit[:, 1].max() + digit[:, 1].min()) / 2
        x = left
        for key, rows in self.rows.items():
            name = self.names[key]
            equals = name[0][-1]  # the "=": the block is centred on its height
            name.shift(np.array([x, centre, 0.0]) - [name.get_left()[0], equals.get_center()[1], 0])
            start = name.get_right()[0] + 0.15
            offsets = (np.arange(len(rows)) - (len(rows) - 1) / 2) * -row_gap
            for row, offset in zip(rows, offsets, strict=True):
                row.place(np.array([start, centre + offset - digit_half, 0.0]))
            x = start + max(len(row.text or "") for row in rows) * rows[0].advance + gap
        return self

    def place_outputs(self, left: float, ys: Sequence[float]) -> Self:
        """Put the output rows (softmax) in a column whose left edge is ``left``, row ``c``
        centred on height ``ys[c]`` (its output node's), under the names ``w_c`` and ``b_c``."""
        if not self.output_rows:
            return self
        row = self.output_rows[0]
        digit = row._glyphs["0"]
        digit_half = (digit[:, 1].max() + digit[:, 1].min()) / 2
        for glyphs, y in zip(self.output_rows, ys, strict=True):
            glyphs.place(np.array([left, y - digit_half, 0.0]))
        # The text is "[ w … ] b": w_c over the bracket, b_c over the last number.
        text = row.text or ""
        split = text.index("]") + 1
        number = len(text) - split
        w_name, b_name = self.output_names
        above = max(ys) + 0.42
        w_name.move_to(np.array([left + split * row.advance / 2, above, 0.0]))
        b_name.move_to(np.array([left + (split + number / 2) * row.advance, above, 0.0]))
        return self

    def texts(self) -> dict[str, list[str]]:
        """Return the rows shown for the clock's epoch: ``W1``, ``b1``, ``W2`` and ``b2``; for
        a softmax output ``W1``, ``b1`` and ``out`` (one ``[ w_c ]  b_c`` per class); none for
        a network whose weights are not shown live."""
        if not self.live:
            return {}
        w = self.trajectory.state(self.clock.get_value()).weights
        first = {"W1": matrix_rows(w.W1), "b1": matrix_rows(w.b1[:, None])}
        if self.softmax:
            out = [
                f"{matrix_rows(row)[0]} {format_number(float(bias))}"
                for row, bias in zip(w.W2, w.b2, strict=True)
            ]
            return {**first, "out": out}
        return {**first, "W2": matrix_rows(w.W2), "b2": [format_number(float(w.b2[0]))]}

    def refresh(self) -> Self:
        """Show the weights of the clock's epoch."""
        rows = {**self.rows, "out": self.output_rows}
        for key, texts in self.texts().items():
            for row, text in zip(rows[key], texts, strict=True):
                row.set_text(text)
        return self
