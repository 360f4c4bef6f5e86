"""A figure of small multiples: one run at several epochs, a row each, every row the input
plane and each hidden layer's view as the training video draws them (:class:`Filmstrip`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import DOWN, LEFT, UP, Group, Mobject, ValueTracker, VGroup

from nnviz.figure_grid import LABEL_MARGIN, FigureGrid
from nnviz.formatting import fit_number
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.hud import ClassFieldLegend, ProbabilityLegend
from nnviz.mobjects.layout import heading_title, test_key
from nnviz.mobjects.panels import InputPlanePanel, Panel
from nnviz.mobjects.typeset import theme_text
from nnviz.mobjects.views import layer_view
from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import AxisScales

__all__ = [
    "EPOCH_LABEL_FONT_SIZE",
    "EPOCH_STATS_FONT_SIZE",
    "FIGURE_DOT_RADIUS",
    "LEGEND_SCALE",
    "Filmstrip",
    "epoch_label_lines",
]

#: Font sizes of a row's epoch, and of its loss and accuracy under it.
EPOCH_LABEL_FONT_SIZE = 26
EPOCH_STATS_FONT_SIZE = 17
#: The video's legend, larger under a figure's rows (it is read on paper).
LEGEND_SCALE = 1.35
#: The dots' radius in a figure's panels (smaller panels than the video's).
FIGURE_DOT_RADIUS = 0.038


def epoch_label_lines(trajectory: Trajectory, t: float) -> tuple[str, str, str]:
    """Return the three lines of the label of the row at state ``t``: ``epoch 50`` (or the
    run's unit, ``step 500``), its loss and its accuracy, as the video's read-out shows them."""
    run = trajectory.run
    state = trajectory.state(t)
    count = run.counted(state.t)
    return (
        f"{run.unit} {count:g}",
        f"loss {fit_number(float(state.loss), 6, 4)}",
        f"accuracy {state.accuracy:.1%}",
    )


class Filmstrip(Group):
    """One run at several epochs: a row of panels per epoch, each on its own frozen clock.

    Each row holds the input plane and a view of every hidden layer chosen by its width
    (:func:`nnviz.mobjects.views.layer_view`), the same blocks, colours and range labels as
    the training video's; its label at the left says the epoch, the loss and the accuracy.
    The panels' captions stand above the first row, the run's heading above them, and the
    legend of the video (:class:`~nnviz.mobjects.hud.ProbabilityLegend`, or for a softmax
    output :class:`~nnviz.mobjects.hud.ClassFieldLegend`) under the last row. Everything is
    placed where ``grid`` says (:class:`nnviz.figure_grid.FigureGrid`).

    It takes the run and the theme, not a :class:`~nnviz.mobjects.context.BlockContext`:
    each row has a clock of its own, frozen at its epoch (:attr:`clocks`), and its panels
    are placed from that row's context (:meth:`~nnviz.mobjects.context.BlockContext.at`).

    Parameters
    ----------
    trajectory
        The run.
    epochs
        The state index of each row, top to bottom (whole epochs are the logged states).
    theme
        Colours and font.
    grid
        Where the parts go; its rows are ``len(epochs)``, its columns one more than the
        run's hidden layers.
    mesh_resolution
        Pixels along each side of every panel's mesh.
    axis_scales
        How the input plane scales its axes (:func:`nnviz.mobjects.panels.input_box`).
    """

    def __init__(
        self,
        trajectory: Trajectory,
        epochs: Sequence[float],
        theme: Theme,
        grid: FigureGrid,
        mesh_resolution: int = 180,
        axis_scales: AxisScales | str = "auto",
    ) -> None:
        super().__init__()
        run = trajectory.run
        layers = len(run.hidden_widths)
        if grid.rows != len(epochs) or grid.columns != layers + 1:
            raise ValueError(
                f"a grid of {grid.rows}×{grid.columns} for {len(epochs)} epochs of a run of "
                f"{layers} hidden layers"
            )
        #: The clock of each row, frozen at its epoch.
        self.clocks = [ValueTracker(float(t)) for t in epochs]
        #: The panels of each row, left to right.
        self.rows: list[list[Panel]] = []
        options: dict[str, Any] = {
            "mesh_resolution": mesh_resolution,
            "dot_radius": FIGURE_DOT_RADIUS,
            # A caption keeps to its column (its panel and most of the gap to the next).
            "caption_width": grid.panel + 0.8 * grid.column_gap,
        }
        input_caption = "input space" if layers < 2 else "input space\n2 inputs"
        for row, clock in enumerate(self.clocks):
            context = BlockContext(trajectory, clock, theme)  # the row's run on its clock
            first = row == 0  # the captions above the first row only
            panels: list[Panel] = [
                InputPlanePanel(context.at(grid.viewport(row, 0)),
                                caption=input_caption if first else "",
                                axis_scales=axis_scales, **options)
            ]  # fmt: skip
            for layer in range(1, layers + 1):
                extra = {} if first else {"caption": ""}
                panels.append(layer_view(context.at(grid.viewport(row, layer)),
                                         layer, **options, **extra))  # fmt: skip
            self.rows.append(panels)
            self.add(*panels)
        self.labels = VGroup(*(self._epoch_label(trajectory, t, theme, grid, row)
                               for row, t in enumerate(epochs)))  # fmt: skip
        self.title = theme_text(theme, heading_title(run.config), font_size=28,
                                color=theme.foreground)  # fmt: skip
        self.title.move_to(np.array([*grid.title_centre(), 0.0]))
        if self.title.width > grid.frame_width - 0.6:
            self.title.scale_to_fit_width(grid.frame_width - 0.6)
            self.title.move_to(np.array([0.0, grid.title_centre()[1], 0.0]))
        self.legend = self._legend(trajectory, theme, grid)
        self.add(self.labels, self.title, self.legend)

    @staticmethod
    def _epoch_label(
        trajectory: Trajectory, t: float, theme: Theme, grid: FigureGrid, row: int
    ) -> VGroup:
        """``epoch 50`` over its loss and accuracy, centred in the label column."""
        epoch, loss, accuracy = epoch_label_lines(trajectory, t)
        label = VGroup(
            theme_text(theme, epoch, font_size=EPOCH_LABEL_FONT_SIZE, color=theme.foreground),
            theme_text(theme, loss, font_size=EPOCH_STATS_FONT_SIZE, color=theme.muted),
            theme_text(theme, accuracy, font_size=EPOCH_STATS_FONT_SIZE, color=theme.muted),
        ).arrange(DOWN, buff=0.12, aligned_edge=LEFT)
        room = grid.label_width - LABEL_MARGIN - 0.1
        if label.width > room:
            label.scale_to_fit_width(room)
        return label.move_to(np.array([*grid.label_left(row), 0.0]), LEFT)

    @staticmethod
    def _legend(trajectory: Trajectory, theme: Theme, grid: FigureGrid) -> Group:
        """The video's legend of the field (and of hollow test points), under the last row."""
        config = trajectory.run.config
        names = config.class_names
        sigmoid = config.output_head.link == "sigmoid"
        key: Mobject = (
            ProbabilityLegend(theme, class_names=names)
            if sigmoid
            else ClassFieldLegend(theme, config.classes, class_names=names)
        )
        legend = Group(key.scale(LEGEND_SCALE))
        if trajectory.run.has_test:
            classes = None if sigmoid else config.classes
            key_of_tests = test_key(theme, classes=classes).scale(LEGEND_SCALE)
            legend.add(key_of_tests.next_to(key, UP, buff=0.12))
        return legend.move_to(np.array([*grid.legend_centre(), 0.0]))
