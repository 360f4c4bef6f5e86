"""Text that changes every frame, composed from glyphs rendered once."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import Text, VGroup, VMobject
from typing_extensions import Self

from nnviz.formatting import fit_number, range_decimals
from nnviz.mobjects.typeset import typeset_once

__all__ = ["GlyphSlot", "GlyphText", "place_range_labels"]

MONOSPACE_FONT = "DejaVu Sans Mono"


class Glyphs(dict[str, np.ndarray]):
    """Glyph points by character; shared, never copied (Manim deep-copies mobjects on fades)."""

    def __deepcopy__(self, memo: dict[int, object]) -> Glyphs:
        return self


_GLYPH_CACHE: dict[tuple[str, float, str], tuple[Glyphs, float]] = {}


def _glyphs(alphabet: str, font_size: float, font: str) -> tuple[Glyphs, float]:
    """Render ``alphabet`` once; return each glyph's points relative to the left end of its
    cell's baseline, and the advance from one cell to the next."""
    key = (alphabet, font_size, font)
    if key not in _GLYPH_CACHE:
        visible = "".join(ch for ch in alphabet if not ch.isspace())
        text = typeset_once(Text, visible, font=font, font_size=font_size)
        # Monospace cells are equally wide: ten more characters add ten advances of ink.
        short = typeset_once(Text, "0" * 10, font=font, font_size=font_size)
        long = typeset_once(Text, "0" * 20, font=font, font_size=font_size)
        advance = (long.width - short.width) / 10
        left = text.get_left()[0]
        baseline = text.get_bottom()[1]
        glyphs = Glyphs()
        for index, (char, glyph) in enumerate(zip(visible, text.submobjects, strict=True)):
            cell = np.array([left + index * advance, baseline, 0.0])
            glyphs[char] = glyph.points - cell
        _GLYPH_CACHE[key] = (glyphs, advance)
    return _GLYPH_CACHE[key]


class GlyphSlot(VMobject):
    """One character cell of a :class:`GlyphText`: a glyph's points, moved.

    :attr:`glyph` is the glyph's shared points and :attr:`written` the array
    :meth:`GlyphText.set_text` wrote; while ``points`` is still that array, the camera may draw
    the glyph's path built once, translated (see :mod:`nnviz.manim_adapter.camera`).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.glyph: np.ndarray | None = None
        self.written: np.ndarray | None = None

    def write(self, glyph: np.ndarray | None, offset: np.ndarray) -> None:
        """Show ``glyph`` (its points relative to its cell) at ``offset``, or nothing."""
        self.glyph = glyph
        self.points = np.zeros((0, 3)) if glyph is None else glyph + offset
        self.written = self.points


class GlyphText(VGroup):
    """A line of monospace text that can change every frame at the cost of a few array copies.

    Manim's ``Text`` and ``DecimalNumber`` typeset anew on every change (milliseconds each) and
    replace their submobjects, which Manim's per-animation list of moving mobjects does not see.
    This renders each character of ``alphabet`` once and keeps ``max_length`` glyph slots whose
    points are overwritten in place.

    Parameters
    ----------
    text
        The initial text; every character must be in ``alphabet`` or a space.
    alphabet
        The characters the text may use.
    font_size
        Font size, as for :class:`manim.Text`.
    max_length
        The longest text it will show.
    color
        Fill colour of the glyphs.
    """

    def __init__(
        self,
        text: str = "",
        alphabet: str = "0123456789.-+%/ eainf",
        font_size: float = 24,
        max_length: int = 8,
        font: str = MONOSPACE_FONT,
        color: str = "#FFFFFF",
        **kwargs: Any,
    ) -> None:
        slots = [
            GlyphSlot(fill_color=color, fill_opacity=1.0, stroke_width=0) for _ in range(max_length)
        ]
        super().__init__(*slots, **kwargs)
        self._glyphs, self.advance = _glyphs(alphabet, font_size, font)
        self.max_length = max_length
        self.text: str | None = None
        self.anchor = np.zeros(3)
        self.set_text(text)

    def set_text(self, text: str) -> Self:
        """Show ``text``, its baseline starting at the anchor (see :meth:`place`)."""
        if text == self.text:
            return self
        if len(text) > self.max_length:
            raise ValueError(f"{text!r} is longer than {self.max_length} characters")
        missing = {ch for ch in text if not ch.isspace() and ch not in self._glyphs}
        if missing:
            raise ValueError(f"characters {''.join(sorted(missing))!r} are not in the alphabet")
        for index, slot in enumerate(self.submobjects):
            char = text[index] if index < len(text) else " "
            offset = self.anchor + np.array([index * self.advance, 0.0, 0.0])
            if isinstance(slot, GlyphSlot):
                slot.write(None if char.isspace() else self._glyphs[char], offset)
            else:  # a slot Manim has replaced (a copy, a transform's target)
                slot.points = np.zeros((0, 3)) if char.isspace() else self._glyphs[char] + offset
        self.text = text
        return self

    def place(self, point: np.ndarray) -> Self:
        """Put the left end of the baseline at ``point`` and lay the text out again."""
        self.anchor = np.asarray(point, dtype=np.float64)
        current, self.text = self.text, None
        return self.set_text(current or "")

    def glyph_middle(self, char: str) -> float:
        """Return the height of the middle of ``char``'s glyph above the baseline (to centre a
        text of such glyphs on a point)."""
        heights = self._glyphs[char][:, 1]
        return float(heights.max() + heights.min()) / 2

    @property
    def text_width(self) -> float:
        """Width of the current text's cells."""
        return len(self.text or "") * self.advance


def place_range_labels(
    labels: Sequence[GlyphText],
    box: tuple[tuple[float, float], tuple[float, float]],
    edges: tuple[float, float, float, float],
    y_side: str = "left",
) -> None:
    """Write a view box's limits at the corners of its frame, each axis's with the decimals
    its own extent needs (:func:`nnviz.formatting.range_decimals`).

    Parameters
    ----------
    labels
        Four texts: x min, x max, y min, y max.
    box
        The data box ``((x0, x1), (y0, y1))``.
    edges
        The frame's ``(left, top, right, bottom)`` in scene units.
    y_side
        ``"left"`` or ``"right"``: where the y limits go.
    """
    (x0, x1), (y0, y1) = box
    left, top, right, bottom = edges
    gap, advance = 0.08, labels[0].advance
    # Each axis with the decimals its own extent needs (one for any range wider than 0.5),
    # scientific notation when they do not fit (a diverged run's hidden space).
    width = labels[0].max_length
    texts = [
        fit_number(float(v), width, range_decimals(low, high))
        for low, high in ((x0, x1), (y0, y1))
        for v in (low, high)
    ]
    xmin, xmax, ymin, ymax = labels
    xmin.set_text(texts[0]).place(np.array([left, bottom - gap - 0.2, 0]))
    xmax.set_text(texts[1]).place(
        np.array([right - len(texts[1]) * advance, bottom - gap - 0.2, 0])
    )
    for label, text, y in ((ymin, texts[2], bottom), (ymax, texts[3], top - 0.15)):
        x = right + gap if y_side == "right" else left - gap - len(text) * advance
        label.set_text(text).place(np.array([x, y, 0]))
