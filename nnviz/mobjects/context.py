"""What a building block is built from: :class:`BlockContext`, and with a place on screen,
:class:`PanelContext` (with the :class:`PanelMarks` a panel draws)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manim import Text, ValueTracker

from nnviz.mobjects.typeset import theme_text
from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

__all__ = ["NO_MARKS", "BlockContext", "PanelContext", "PanelMarks"]


@dataclass(frozen=True)
class PanelMarks:
    """What a panel draws beyond the points in their class colours and the shaded mesh.

    Parameters
    ----------
    point_loss
        Size each dot by its point's cross-entropy (:mod:`nnviz.point_loss`) and ring the
        misclassified ones.
    trails
        Draw each point's trail in a hidden space, through the epochs of the frames before
        (the panel's :meth:`~nnviz.mobjects.panels.Panel.set_trail_clock`). The input plane's
        points never move, so it has none.
    discretize
        Paint the mesh in the classes' colours only, without the shading by probability
        (TensorFlow Playground's "discretize output").
    """

    point_loss: bool = False
    trails: bool = False
    discretize: bool = False


#: No marks: the dots in their class colours at one size, the mesh shaded.
NO_MARKS = PanelMarks()


@dataclass(frozen=True)
class BlockContext:
    """The run, the epoch clock and the colours a building block follows, and its way to write
    words (:meth:`text`).

    Blocks that place themselves after they are built (the read-outs, the stop mark, the
    network diagram, the layouts) take one context instead of these three parameters; a block
    with its own square on screen takes a :class:`PanelContext`, made by :meth:`at`. Blocks
    that follow the clock but no single run (the epoch read-out of several runs, a run's
    captions) take the clock and the theme alone.

    Parameters
    ----------
    trajectory
        The run's weights and states at any (fractional) epoch.
    clock
        The epoch tracker every block follows.
    theme
        The colours and the font.
    """

    trajectory: Trajectory
    clock: ValueTracker
    theme: Theme

    def text(self, words: str, font_size: float, color: Any, **options: Any) -> Text:
        """Return ``words`` in this context's theme's font, typeset once: what
        :func:`~nnviz.mobjects.typeset.theme_text` returns for :attr:`theme` (the same
        parameters after it)."""
        return theme_text(self.theme, words, font_size=font_size, color=color, **options)

    def at(self, viewport: Viewport, marks: PanelMarks | None = None) -> PanelContext:
        """Return this context placed on screen.

        Parameters
        ----------
        viewport
            The panel's place on screen.
        marks
            What the panel draws beyond its dots and shaded mesh; ``None``: this context's
            own if it is a :class:`PanelContext`, else :data:`NO_MARKS`.

        Returns
        -------
        PanelContext
            The same run, clock and theme, with ``viewport`` and the marks.
        """
        if marks is None:
            marks = self.marks if isinstance(self, PanelContext) else NO_MARKS
        return PanelContext(self.trajectory, self.clock, self.theme, viewport, marks)


@dataclass(frozen=True)
class PanelContext(BlockContext):
    """A :class:`BlockContext` with the place on screen of a panel's square and the marks it
    draws.

    Panels and views (:mod:`nnviz.mobjects.panels`, :mod:`nnviz.mobjects.views`) and the loss
    curve take one; panels side by side share all but the viewport (:meth:`at`, inherited,
    gives another place with the same marks). Its :attr:`marks` are off unless a phase asks
    for them.

    Parameters
    ----------
    trajectory, clock, theme
        As for :class:`BlockContext`.
    viewport
        Where the panel's square sits on screen.
    marks
        The dots' sizes by loss, trails and a discretised mesh, if asked for.
    """

    viewport: Viewport
    marks: PanelMarks = NO_MARKS
