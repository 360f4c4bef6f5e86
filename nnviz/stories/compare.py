"""The blog's whole experiment in one frame: ReLU and tanh at three learning rates, one clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from manim import DOWN, LEFT, UP, Group, ValueTracker, VGroup
from typing_extensions import Self

from nnviz.activations import display_name
from nnviz.config import BLOG_LEARNING_RATES, RunConfig
from nnviz.formatting import fit_number, range_decimals, rates_words
from nnviz.mobjects.context import PanelContext
from nnviz.mobjects.hud import ClassFieldLegend, EpochReadout, ProbabilityLegend, run_outcome
from nnviz.mobjects.layout import heading_title
from nnviz.mobjects.panels import InputPlanePanel
from nnviz.mobjects.run_status import RunStatus
from nnviz.mobjects.typeset import theme_text
from nnviz.stories.base import NNVizScene, check_phases
from nnviz.stories.clock import linear_clock, play_clock
from nnviz.stories.fades import reveal
from nnviz.subtitles import comparison_cue
from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import Box, Viewport, axis_scales_for, check_axis_scales

__all__ = ["ComparePhase", "CompareStory", "RunTile", "classes_note", "grid_legend", "range_key"]


class RunTile(Group):
    """One run in a grid: its input plane, and its loss, accuracy and stop mark below
    (:class:`~nnviz.mobjects.run_status.RunStatus`).

    Parameters
    ----------
    context
        The run, the shared epoch tracker, where the input plane goes, colours and font.
    mesh_resolution
        Pixels along each side of the mesh.
    axis_scales
        How the input plane scales its axes (:func:`nnviz.mobjects.panels.input_box`); a
        tile has no range labels (:func:`range_key` gives them once for the grid).
    """

    def __init__(
        self,
        context: PanelContext,
        mesh_resolution: int = 120,
        axis_scales: str = "auto",
    ) -> None:
        super().__init__()
        self.trajectory = context.trajectory
        self.clock = context.clock
        viewport = context.viewport
        self.panel = InputPlanePanel(context, caption="",
                                     labels=False, mesh_resolution=mesh_resolution,
                                     dot_radius=0.03, axis_scales=axis_scales)  # fmt: skip
        bottom = viewport.centre[1] - viewport.height / 2
        left = viewport.centre[0] - viewport.width / 2
        self.status = RunStatus(context, font_size=15, mark_size=14).place(
            np.array([left, bottom - 0.26, 0.0]), np.array([viewport.centre[0], bottom - 0.5, 0.0])
        )
        self.add(self.panel, self.status)

    def start(self) -> Self:
        """Follow the clock."""
        self.panel.start()
        self.status.start()
        return self

    def stop(self) -> Self:
        """Freeze."""
        for part in (self.panel, self.status):
            part.clear_updaters()
        return self


def range_key(box: Box, names: tuple[str, ...] | None) -> tuple[str, ...]:
    """Return the lines that give a grid of input planes' ranges, once for all its tiles
    (which share the data, so the box, and have no range labels of their own) when each axis
    has its own scale: ``each axis its own scale``, ``across: proline``, ``137.8 to 1820.2``,
    ``up: hue``, ``0.6 to 1.8`` (``x₁``, ``x₂`` without the data's column ``names``), each
    range with the decimals its extent needs (:func:`nnviz.formatting.range_decimals`)."""
    x_name, y_name = names[:2] if names is not None else ("x₁", "x₂")
    (x0, x1), (y0, y1) = box

    def span(low: float, high: float) -> str:
        decimals = range_decimals(low, high)
        return f"{fit_number(low, 8, decimals)} to {fit_number(high, 8, decimals)}"

    return (
        "each axis its own scale",
        f"across: {x_name}",
        span(x0, x1),
        f"up: {y_name}",
        span(y0, y1),
    )


def classes_note(config: RunConfig) -> str:
    """Return what the grid's subtitle says of the classes: nothing for the post's two classes
    of one sigmoid output, ``3 classes, cross-entropy loss · `` for a softmax output (the
    tiles' ``loss`` is then the cross-entropy of all the classes, their ``acc`` the share of
    points whose most probable class is their own)."""
    if config.output_head.link == "sigmoid":
        return ""
    return f"{config.classes} classes, cross-entropy loss · "


def grid_legend(theme: Theme, config: RunConfig) -> Group:
    """Return the legend of a grid's fields: the probability bar of a sigmoid output
    (:class:`~nnviz.mobjects.hud.ProbabilityLegend`), or the classes and their fading of a
    softmax one (:class:`~nnviz.mobjects.hud.ClassFieldLegend`), with the data's class
    names."""
    if config.output_head.link == "sigmoid":
        return ProbabilityLegend(theme, width=1.5, class_names=config.class_names)
    return ClassFieldLegend(theme, config.classes, width=1.5, class_names=config.class_names)


@dataclass(frozen=True)
class ComparePhase:
    """The comparison phase of a story: a grid of runs (activations × learning rates) from the
    same data and initial weights, advancing on one epoch clock; runs that stop early freeze
    and say so. The settings are checked when it plays (:meth:`check`).

    Attributes
    ----------
    activations
        Rows of the grid: one hidden activation each (or one per hidden layer).
    learning_rates
        Columns of the grid.
    seconds_per_epoch
        Seconds of video per epoch.
    hold_seconds
        Seconds the final states stay on screen.
    mesh_resolution
        Pixels along each side of every mesh.
    axis_scales
        How the input planes scale their axes: ``"auto"`` (equal for a built-in data set, per
        axis for a CSV file's data or your own loop's), ``"equal"`` or ``"per-axis"``. The
        tiles have no range labels; with per-axis scales a key under the first row's name
        gives each axis's range (:func:`range_key`).
    """

    activations: tuple[str | tuple[str, ...], ...] = ("relu", "tanh")
    learning_rates: tuple[float, ...] = BLOG_LEARNING_RATES
    seconds_per_epoch: float = 0.08
    hold_seconds: float = 3.0
    mesh_resolution: int = 120
    axis_scales: str = "auto"

    TILE: ClassVar[float] = 2.55
    COLUMN_SPACING: ClassVar[float] = 3.9
    ROW_CENTRES: ClassVar[tuple[float, ...]] = (1.25, -2.05)

    def check(self) -> None:
        """Raise :class:`ValueError` in one line when a setting is out of its range."""
        check_axis_scales(self.axis_scales)
        if not 1 <= len(self.activations) <= len(self.ROW_CENTRES):
            raise ValueError(f"the grid has 1 to {len(self.ROW_CENTRES)} rows of activations")
        if not 1 <= len(self.learning_rates) <= 3:
            raise ValueError("the grid has 1 to 3 columns of learning rates")

    def heading(self) -> str:
        """Return the grid's heading, e.g. ``ReLU and tanh × three learning rates``."""
        names = [display_name(name) for name in self.activations]
        rows = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        return f"{rows} × {rates_words(len(self.learning_rates))}"

    def play(self, scene: NNVizScene) -> None:
        """Reveal the grid of ``scene``'s runs (:meth:`NNVizScene.run_for` with each activation
        and learning rate) and play them on one clock, then hold the final states."""
        self.check()
        theme = scene.theme
        clock = ValueTracker(0.0)
        widths = " → ".join(map(str, scene.base_config.widths))
        heading = theme_text(theme, self.heading(), font_size=30, color=theme.foreground)
        heading.to_corner(UP + LEFT, buff=0.3)
        details = (f"network {widths} · {classes_note(scene.base_config)}same data, same "
                   "initial weights, one epoch clock")  # fmt: skip
        subtitle = theme_text(
            theme,
            details,
            font_size=18,
            color=theme.muted,
        ).next_to(heading, DOWN, buff=0.08, aligned_edge=LEFT)
        tiles = []
        labels = VGroup()
        x_offset = 0.55
        for row, name in enumerate(self.activations):
            centre_y = self.ROW_CENTRES[row]
            words = display_name(name).replace("/", "/\n")  # one layer's name a line
            label = theme_text(theme, words, font_size=24, color=theme.foreground)
            label.scale_to_fit_width(min(label.width, 1.9))
            centre_x = max(-6.35, -7.0 + label.width / 2)  # a long name kept inside the frame
            labels.add(label.move_to(np.array([centre_x, centre_y, 0.0])))
            for column, lr in enumerate(self.learning_rates):
                centre_x = (column - (len(self.learning_rates) - 1) / 2) * self.COLUMN_SPACING
                view = Viewport((centre_x + x_offset, centre_y), self.TILE, self.TILE)
                run = scene.run_for(activation=name, lr=lr)
                context = PanelContext(Trajectory(run), clock, theme, view)
                tiles.append(RunTile(context, self.mesh_resolution, self.axis_scales))
                if row == 0:
                    rate = theme_text(
                        theme, f"learning rate {lr:g}", font_size=20, color=theme.foreground
                    )
                    labels.add(
                        rate.move_to(
                            np.array([centre_x + x_offset, centre_y + self.TILE / 2 + 0.2, 0])
                        )
                    )
        config = tiles[0].trajectory.run.config
        if axis_scales_for(self.axis_scales, config.dataset) == "per-axis":
            # The tiles share the data, so their box: its ranges once, in the names' column.
            key = VGroup(
                *(theme_text(theme, line, font_size=14, color=theme.muted)
                  for line in range_key(tiles[0].panel.box, config.feature_names))
            ).arrange(DOWN, buff=0.1, aligned_edge=LEFT)  # fmt: skip
            room = tiles[0].panel.frame_box.get_left()[0] + 7.0 - 0.25
            key.scale_to_fit_width(min(key.width, room))
            key.next_to(labels[0], DOWN, buff=0.45).align_to(np.array([-7.0, 0, 0]), LEFT)
            labels.add(key)
        legend = grid_legend(theme, config).to_corner(DOWN + LEFT, buff=0.25)
        limit = max(tile.trajectory.epochs for tile in tiles)
        epoch = EpochReadout(clock, theme, limit).place_right(6.9, heading.get_bottom()[1] + 0.02)

        cue = f"{self.heading()}: {details}, epoch 0 to epoch {limit}"
        with scene.subtitled(cue):
            reveal(scene, heading, subtitle, epoch, labels, legend, *tiles, run_time=1.0)
            for tile in tiles:
                tile.start()
            epoch.start()
            play_clock(scene, clock, *linear_clock(limit, self.seconds_per_epoch))
        outcomes = [(heading_title(t.trajectory.run.config), run_outcome(t.trajectory.run))
                    for t in tiles]  # fmt: skip
        with scene.subtitled(comparison_cue("Final states", outcomes)):
            scene.wait(self.hold_seconds)
        epoch.clear_updaters()
        for tile in tiles:
            tile.stop()


class CompareStory(NNVizScene):
    """Runs of one network — activations × learning rates — from the same data and initial
    weights, advancing on one epoch clock (:class:`ComparePhase`). :attr:`base_config` sets the
    network (``hidden``), the data and the rest of the runs; a softmax output of 2 to 6
    classes (``RunConfig(dataset="spiral", classes=3, hidden=(8, 2))``) is drawn by its most
    probable class, with the classes' legend.

    Subclasses set the grid in :attr:`comparison`, e.g.
    ``comparison = ComparePhase(activations=("tanh",), learning_rates=(0.1, 0.01))``.
    """

    #: The grid: its rows (one or two activations), columns (one to three learning rates),
    #: timing, mesh resolution and axis scales.
    comparison: ClassVar[ComparePhase] = ComparePhase()

    def construct(self) -> None:
        check_phases(self, "comparison")
        self.show_grid()

    def show_grid(self) -> None:
        """Reveal the grid of runs and play them on one clock, then hold the final states."""
        self.comparison.play(self)
