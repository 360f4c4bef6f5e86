"""What a building block is built from: :class:`BlockContext`, and with a place on screen,
:class:`PanelContext`."""

from __future__ import annotations

from dataclasses import dataclass

from manim import ValueTracker

from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

__all__ = ["BlockContext", "PanelContext"]


@dataclass(frozen=True)
class BlockContext:
    """The run, the epoch clock and the colours a building block follows.

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

    def at(self, viewport: Viewport) -> PanelContext:
        """Return this context placed on screen.

        Parameters
        ----------
        viewport
            The panel's place on screen.

        Returns
        -------
        PanelContext
            The same run, clock and theme, with ``viewport``.
        """
        return PanelContext(self.trajectory, self.clock, self.theme, viewport)


@dataclass(frozen=True)
class PanelContext(BlockContext):
    """A :class:`BlockContext` with the place on screen of a panel's square.

    Panels and views (:mod:`nnviz.mobjects.panels`, :mod:`nnviz.mobjects.views`) and the loss
    curve take one; panels side by side share all but the viewport (:meth:`at`, inherited,
    gives another place).

    Parameters
    ----------
    trajectory, clock, theme
        As for :class:`BlockContext`.
    viewport
        Where the panel's square sits on screen.
    """

    viewport: Viewport
