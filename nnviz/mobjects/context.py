"""What every panel of a training video is built from: :class:`PanelContext`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from manim import ValueTracker

from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

__all__ = ["PanelContext"]


@dataclass(frozen=True)
class PanelContext:
    """The run, the epoch clock, the place on screen and the colours a panel is built from.

    Panels and views (:mod:`nnviz.mobjects.panels`, :mod:`nnviz.mobjects.views`) take one
    context instead of these four parameters; panels side by side share all but the viewport
    (:meth:`with_viewport`).

    Parameters
    ----------
    trajectory
        The run's weights and states at any (fractional) epoch.
    clock
        The epoch tracker every panel follows.
    viewport
        Where the panel's square sits on screen.
    theme
        The colours and the font.
    """

    trajectory: Trajectory
    clock: ValueTracker
    viewport: Viewport
    theme: Theme

    def with_viewport(self, viewport: Viewport) -> PanelContext:
        """Return the same context at another place on screen.

        Parameters
        ----------
        viewport
            The new panel's place on screen.

        Returns
        -------
        PanelContext
            A copy of this context with ``viewport`` in place of its own.
        """
        return dataclasses.replace(self, viewport=viewport)
