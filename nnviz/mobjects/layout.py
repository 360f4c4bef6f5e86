"""The full-frame layout of one run's training: both panels, the read-out and the loss curve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import LEFT, UP, Arrow, Group, MathTex, Mobject, Text, ValueTracker, VGroup
from typing_extensions import Self

from nnviz.formatting import format_rate
from nnviz.mobjects.hud import (
    LossCurve,
    MomentCaptions,
    ProbabilityLegend,
    StatsReadout,
    StopMark,
)
from nnviz.mobjects.panels import HiddenSpacePanel, InputPlanePanel
from nnviz.moments import Moment
from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

__all__ = ["ACTIVATION_NAMES", "ClockedGroup", "TrainingLayout", "heading_and_stats"]

ACTIVATION_NAMES: dict[str, str] = {
    "relu": "ReLU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "linear": "linear",
}


def heading_and_stats(
    trajectory: Trajectory, clock: ValueTracker, theme: Theme
) -> tuple[Text, StatsReadout]:
    """Return the top row of a run's layout: ``ReLU · learning rate 0.01`` at the top left and
    the epoch, loss and accuracy read-out at the top right, on one baseline; a heading that
    would run into the read-out is scaled down to end before it."""
    config = trajectory.run.config
    heading = Text(
        f"{ACTIVATION_NAMES[config.activation]} · learning rate {format_rate(config.lr)}",
        font=theme.font,
        font_size=28,
        color=theme.foreground,
    ).to_corner(UP + LEFT, buff=0.3)
    stats = StatsReadout(trajectory, clock, theme, font_size=20)
    stats_left = 6.8 - stats.line_width
    room = stats_left - 0.4 - heading.get_left()[0]
    if heading.width > room:
        heading.scale_to_fit_width(room).to_corner(UP + LEFT, buff=0.3)
    stats.place(np.array([stats_left, heading.get_bottom()[1] + 0.04, 0]))
    return heading, stats


class ClockedGroup(Group):
    """A group of parts that follow one clock: :attr:`live` lists those with ``start()``."""

    live: tuple[Any, ...] = ()

    def start(self) -> Self:
        """Make every part follow the clock."""
        for part in self.live:
            part.start()
        return self

    def stop(self) -> Self:
        """Freeze every part as it is."""
        for part in self.live:
            part.clear_updaters()
        return self


class TrainingLayout(ClockedGroup):
    """One run on one clock: input plane (left), hidden space (right), heading, epoch/loss/
    accuracy read-out (top) and loss curve (bottom).

    Parameters
    ----------
    trajectory
        The run, continuous in the epoch.
    clock
        The epoch tracker that drives every part.
    theme
        Colours and font.
    mesh_resolution
        Pixels along each side of both probability meshes.
    moments
        Key moments of the run to caption (see :mod:`nnviz.moments`).
    """

    PANEL = 4.6
    INPUT_VIEW = Viewport((-3.5, 0.35), PANEL, PANEL)
    HIDDEN_VIEW = Viewport((3.5, 0.35), PANEL, PANEL)
    LOSS_VIEW = Viewport((-0.9, -3.2), 8.6, 0.8)
    LEGEND_CENTRE = np.array([5.75, -3.05, 0.0])
    CAPTION_CENTRE = np.array([-0.9, -2.52, 0.0])

    def __init__(
        self,
        trajectory: Trajectory,
        clock: ValueTracker,
        theme: Theme,
        mesh_resolution: int = 180,
        moments: Sequence[Moment] = (),
    ) -> None:
        super().__init__()
        self.clock = clock
        self.input_panel = InputPlanePanel(
            trajectory, clock, self.INPUT_VIEW, theme, mesh_resolution=mesh_resolution
        )
        self.hidden_panel = HiddenSpacePanel(
            trajectory, clock, self.HIDDEN_VIEW, theme, mesh_resolution=mesh_resolution
        )
        self.heading, self.stats = heading_and_stats(trajectory, clock, theme)
        self.loss_curve = LossCurve(trajectory, clock, self.LOSS_VIEW, theme)
        centre_y = self.INPUT_VIEW.centre[1]
        self.mapping = VGroup(
            Arrow(
                np.array([-0.95, centre_y, 0]),
                np.array([0.95, centre_y, 0]),
                buff=0,
                color=theme.muted,
                stroke_width=3,
            ),
            MathTex(r"h = a(W_1 x + b_1)", font_size=24, color=theme.muted).move_to(
                np.array([0, centre_y + 0.4, 0])
            ),
        )
        self.stop_mark = StopMark(trajectory, clock, theme).move_to(
            np.array([0, centre_y + self.PANEL / 2 + 0.6, 0])
        )
        self.legend = ProbabilityLegend(theme).move_to(self.LEGEND_CENTRE)
        self.captions = MomentCaptions(moments, clock, theme).move_to(self.CAPTION_CENTRE)
        self.live = (
            self.input_panel,
            self.hidden_panel,
            self.stats,
            self.loss_curve,
            self.stop_mark,
            self.captions,
        )
        self.add(
            self.input_panel,
            self.hidden_panel,
            self.heading,
            self.stats,
            self.loss_curve,
            self.mapping,
            self.stop_mark,
            self.legend,
            self.captions,
        )

    def nnviz_static_parts(self) -> list[Mobject]:
        """Heading, mapping arrow and legend never change."""
        return [self.heading, self.mapping, self.legend]
