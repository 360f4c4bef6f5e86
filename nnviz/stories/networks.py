"""Stories that only a general network can tell: networks side by side on the same data."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from manim import DOWN, LEFT, UP, Group, Mobject, ValueTracker

from nnviz.config import RunConfig
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.hud import ClassFieldLegend, EpochReadout, ProbabilityLegend, run_outcome
from nnviz.mobjects.layout import ClockedGroup
from nnviz.mobjects.panels import InputPlanePanel, Panel
from nnviz.mobjects.run_status import RunStatus
from nnviz.mobjects.typeset import theme_text
from nnviz.mobjects.views import layer_view
from nnviz.stories.base import NNVizScene
from nnviz.stories.clock import linear_clock, play_clock
from nnviz.stories.fades import reveal
from nnviz.subtitles import comparison_cue
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

__all__ = ["NetworkColumn", "SideBySideStory"]


class NetworkColumn(ClockedGroup):
    """One network in its part of the frame: a title, its input plane and a view of every
    hidden layer side by side, loss, accuracy and stop mark
    (:class:`~nnviz.mobjects.run_status.RunStatus`), on a shared clock.

    Parameters
    ----------
    context
        The run, the shared epoch tracker, colours and font.
    title
        What the column says about the network, above its panels.
    x_range
        The part of the frame's width the column fills.
    mesh_resolution
        Pixels along each side of every mesh.
    axis_scales
        How the input plane scales its axes (:func:`nnviz.mobjects.panels.input_box`).
    """

    CENTRE_Y = 0.2

    def __init__(
        self,
        context: BlockContext,
        title: str,
        x_range: tuple[float, float],
        mesh_resolution: int = 140,
        axis_scales: str = "auto",
    ) -> None:
        super().__init__()
        self.trajectory = trajectory = context.trajectory
        self.clock = context.clock
        theme = context.theme
        layers = len(trajectory.run.hidden_widths)
        # Room for the first panel's labels on its left, the others' on their right.
        left_margin, right_margin, gap = 0.75, 0.8, 0.8
        width = x_range[1] - x_range[0]
        size = (width - left_margin - right_margin - layers * gap) / (layers + 1)
        first = x_range[0] + left_margin + size / 2
        y = self.CENTRE_Y
        views = [Viewport((first + k * (size + gap), y), size, size) for k in range(layers + 1)]
        options: dict[str, Any] = {"mesh_resolution": mesh_resolution, "dot_radius": 0.03,
                                   "caption_size": 16}  # fmt: skip
        self.panels: list[Panel] = [
            InputPlanePanel(context.at(views[0]), caption="input space",
                            axis_scales=axis_scales, **options)
        ]  # fmt: skip
        for layer in range(1, layers + 1):
            self.panels.append(layer_view(context.at(views[layer]), layer, **options))
        middle = (x_range[0] + x_range[1]) / 2
        self.title = context.text(title, font_size=20, color=theme.foreground, line_spacing=0.8)
        self.title.move_to(np.array([middle, y + size / 2 + 1.05, 0.0]))
        self.status = RunStatus(context, font_size=16, mark_size=15)
        self.status.place(
            np.array([middle - self.status.half_width, y - size / 2 - 0.85, 0]),
            np.array([middle, y - size / 2 - 1.2, 0.0]),
        )
        self.live = (*self.panels, self.status)
        self.add(*self.panels, self.title, self.status)
        self.refresh()

    def static_parts(self) -> list[Mobject]:
        """The title never changes."""
        return [self.title]


class SideBySideStory(NNVizScene):
    """Networks on the same data, side by side on one epoch clock: what one can do and the
    other cannot. Subclasses set :attr:`runs` (a title and a configuration per network)."""

    #: ``(title, configuration)`` of each network, left to right.
    runs: ClassVar[tuple[tuple[str, RunConfig], ...]] = ()
    #: The question the scene answers, shown first.
    heading: ClassVar[str] = ""
    #: Seconds of video per epoch.
    seconds_per_epoch: ClassVar[float] = 0.12
    #: Seconds the final states stay on screen.
    hold_seconds: ClassVar[float] = 3.0
    #: Pixels along each side of every mesh.
    mesh_resolution: ClassVar[int] = 140
    #: How the input planes scale their axes: ``"auto"`` (equal for a built-in data set, per
    #: axis for a CSV file's data), ``"equal"`` or ``"per-axis"``.
    axis_scales: ClassVar[str] = "auto"

    def construct(self) -> None:
        theme = self.theme
        clock = ValueTracker(0.0)
        heading = theme_text(theme, self.heading, font_size=28, color=theme.foreground)
        heading.to_corner(UP + LEFT, buff=0.3)
        share = 2 * 7.11 / len(self.runs)
        rows = [
            NetworkColumn(BlockContext(Trajectory(self.run_for(**config.to_dict())), clock, theme),
                          title, (-7.11 + k * share, -7.11 + (k + 1) * share),
                          self.mesh_resolution, self.axis_scales)
            for k, (title, config) in enumerate(self.runs)
        ]  # fmt: skip
        legend = self.legend(rows[0].trajectory.run.config).to_edge(DOWN, buff=0.25)
        limit = max(row.trajectory.epochs for row in rows)
        epoch = EpochReadout(clock, theme, limit).place_right(6.9, heading.get_bottom()[1] + 0.02)
        titles = ", ".join(title for title, _ in self.runs)
        with self.subtitled(f"{self.heading}: {titles}, epoch 0 to epoch {limit}"):
            reveal(self, heading, epoch, legend, *rows, run_time=1.0)
            for row in rows:
                row.start()
            epoch.start()
            play_clock(self, clock, *linear_clock(limit, self.seconds_per_epoch))
        outcomes = [(title, run_outcome(row.trajectory.run))
                    for (title, _), row in zip(self.runs, rows, strict=True)]  # fmt: skip
        with self.subtitled(comparison_cue("Final states", outcomes)):
            self.wait(self.hold_seconds)
        epoch.clear_updaters()
        for row in rows:
            row.stop()

    def legend(self, config: RunConfig) -> Group:
        """Return the meshes' legend for runs of ``config``'s output and classes: the bar of
        P(class 1) for one sigmoid output, every class in its colour for a softmax; the
        classes by the data's names (a CSV file's labels) where it has them."""
        names = config.class_names
        if config.output_head.link == "softmax":
            return ClassFieldLegend(self.theme, config.classes, width=1.5, class_names=names)
        return ProbabilityLegend(self.theme, width=1.5, class_names=names)
