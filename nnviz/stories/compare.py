"""The blog's whole experiment in one frame: ReLU and tanh at three learning rates, one clock."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from manim import DOWN, UP, Group, Text, ValueTracker, VGroup, linear
from typing_extensions import Self

from nnviz.activations import activation as lookup
from nnviz.config import BLOG_LEARNING_RATES
from nnviz.mobjects.hud import EpochReadout, ProbabilityLegend, StopMark
from nnviz.mobjects.panels import InputPlanePanel
from nnviz.mobjects.readout import GlyphText
from nnviz.stories.base import NNVizScene
from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

__all__ = ["CompareStory", "RunTile"]


class RunTile(Group):
    """One run in a grid: its input plane, loss and accuracy, and a stop mark.

    Parameters
    ----------
    trajectory
        The run.
    clock
        The shared epoch tracker.
    viewport
        Where the input plane goes.
    theme
        Colours and font.
    mesh_resolution
        Pixels along each side of the mesh.
    """

    ALPHABET = "0123456789.-% lossacuryt"

    def __init__(
        self,
        trajectory: Trajectory,
        clock: ValueTracker,
        viewport: Viewport,
        theme: Theme,
        mesh_resolution: int = 120,
    ) -> None:
        super().__init__()
        self.trajectory = trajectory
        self.clock = clock
        self.panel = InputPlanePanel(trajectory, clock, viewport, theme, caption="",
                                     labels=False, mesh_resolution=mesh_resolution,
                                     dot_radius=0.03)  # fmt: skip
        self.readout = GlyphText("", self.ALPHABET, font_size=15, max_length=24,
                                 color=theme.foreground)  # fmt: skip
        bottom = viewport.centre[1] - viewport.height / 2
        left = viewport.centre[0] - viewport.width / 2
        self.readout.place(np.array([left, bottom - 0.26, 0.0]))
        self.stop_mark = StopMark(trajectory, clock, theme, font_size=14)
        self.stop_mark.move_to(np.array([viewport.centre[0], bottom - 0.5, 0.0]))
        self.add(self.panel, self.readout, self.stop_mark)
        self.refresh()

    def refresh(self) -> Self:
        """Show the loss and accuracy at the clock's epoch."""
        state = self.trajectory.state(self.clock.get_value())
        self.readout.set_text(f"loss {state.loss:.4f}  acc {state.accuracy:.1%}")
        return self

    def start(self) -> Self:
        """Follow the clock."""
        self.panel.start()
        self.stop_mark.start()
        self.add_updater(lambda tile: tile.refresh())
        return self.refresh()

    def stop(self) -> Self:
        """Freeze."""
        for part in (self, self.panel, self.stop_mark):
            part.clear_updaters()
        return self


class CompareStory(NNVizScene):
    """Six runs — activations × learning rates — from the same data and initial weights,
    advancing on one epoch clock; runs that stop early freeze and say so."""

    #: Rows of the grid.
    activations: ClassVar[tuple[str, ...]] = ("relu", "tanh")
    #: Columns of the grid.
    learning_rates: ClassVar[tuple[float, ...]] = BLOG_LEARNING_RATES
    #: Seconds of video per epoch.
    seconds_per_epoch: ClassVar[float] = 0.08
    #: Seconds the final states stay on screen.
    hold_seconds: ClassVar[float] = 3.0
    #: Pixels along each side of every mesh.
    mesh_resolution: ClassVar[int] = 120

    TILE = 2.55
    COLUMN_SPACING = 3.9
    ROW_CENTRES = (1.25, -2.05)

    def construct(self) -> None:
        self.show_grid()

    def show_grid(self) -> None:
        """Reveal the grid of runs and play them on one clock, then hold the final states."""
        theme = self.theme
        clock = ValueTracker(0.0)
        heading = Text(
            "ReLU and tanh × three learning rates",
            font=theme.font,
            font_size=30,
            color=theme.foreground,
        ).to_corner(UP + np.array([-1.0, 0.0, 0.0]), buff=0.3)
        subtitle = Text(
            "same data, same initial weights, one epoch clock",
            font=theme.font,
            font_size=18,
            color=theme.muted,
        ).next_to(heading, DOWN, buff=0.08, aligned_edge=np.array([-1.0, 0.0, 0.0]))
        epoch = EpochReadout(clock, theme)
        epoch.place(np.array([6.9 - 11 * epoch.advance, heading.get_bottom()[1] + 0.02, 0]))
        tiles = []
        labels = VGroup()
        x_offset = 0.55
        for row, name in enumerate(self.activations):
            centre_y = self.ROW_CENTRES[row]
            labels.add(
                Text(lookup(name).display, font=theme.font, font_size=24,
                     color=theme.foreground).move_to(np.array([-6.35, centre_y, 0.0]))
            )  # fmt: skip
            for column, lr in enumerate(self.learning_rates):
                centre_x = (column - (len(self.learning_rates) - 1) / 2) * self.COLUMN_SPACING
                view = Viewport((centre_x + x_offset, centre_y), self.TILE, self.TILE)
                run = self.run_for(activation=name, lr=lr)
                tiles.append(RunTile(Trajectory(run), clock, view, theme, self.mesh_resolution))
                if row == 0:
                    labels.add(
                        Text(f"learning rate {lr:g}", font=theme.font, font_size=20,
                             color=theme.foreground)
                        .move_to(np.array([centre_x + x_offset, centre_y + self.TILE / 2 + 0.2, 0]))
                    )  # fmt: skip
        legend = ProbabilityLegend(theme, width=1.5).to_corner(
            np.array([-1.0, -1.0, 0.0]), buff=0.25
        )
        limit = max(tile.trajectory.epochs for tile in tiles)

        self.reveal(heading, subtitle, epoch, labels, legend, *tiles, run_time=1.0)
        for tile in tiles:
            tile.start()
        epoch.start()
        self.play(clock.animate.set_value(limit), run_time=max(limit * self.seconds_per_epoch, 0.5),
                  rate_func=linear)  # fmt: skip
        self.wait(self.hold_seconds)
        epoch.clear_updaters()
        for tile in tiles:
            tile.stop()
