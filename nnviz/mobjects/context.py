"""What every panel of a training video is built from: :class:`PanelContext`."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from manim import ValueTracker

from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

__all__ = ["NO_MARKS", "PanelContext", "PanelMarks"]


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
class PanelContext:
    """The run, the epoch clock, the place on screen and the colours a panel is built from.

    Panels and views (:mod:`nnviz.mobjects.panels`, :mod:`nnviz.mobjects.views`) take one
    context instead of these four parameters; panels side by side share all but the viewport
    (:meth:`with_viewport`). Its :attr:`marks` are off unless a phase asks for them.

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
    marks
        The dots' sizes by loss, trails and a discretised mesh, if asked for.
    """

    trajectory: Trajectory
    clock: ValueTracker
    viewport: Viewport
    theme: Theme
    marks: PanelMarks = NO_MARKS

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
