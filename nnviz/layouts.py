"""The one table of training layouts: their names, what each shows, and the networks it can
draw. The panels of each are built by :data:`nnviz.mobjects.layout.PANEL_BUILDERS` (with
Manim); the command line and the checks before a render read this table without Manim.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LAYOUT_SPECS", "LayoutSpec"]


@dataclass(frozen=True)
class LayoutSpec:
    """One training layout.

    Attributes
    ----------
    shows
        What it shows, for ``nnviz render --help``.
    hidden
        The hidden widths it can draw, or ``None`` for any network within the configuration's
        limits.
    """

    shows: str
    hidden: tuple[tuple[int, ...], ...] | None = None


#: The training layouts by name (``nnviz render --layout``): the default layout has a view for
#: every hidden layer; the blog's three panels are planes of its one hidden layer of two units.
LAYOUT_SPECS: dict[str, LayoutSpec] = {
    "default": LayoutSpec("the input plane and each hidden layer's view"),
    "blog": LayoutSpec(
        "the post's three panels (input, W1x + b1, activation) of a network of one hidden "
        "layer of 2 units",
        hidden=((2,),),
    ),
}
