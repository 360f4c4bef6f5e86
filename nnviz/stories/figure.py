"""A figure of one run: its panels at a few epochs, side by side in rows (``nnviz figure``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from manim import ORIGIN, config

from nnviz.data import MAX_DRAWN_POINTS, drawn_sample
from nnviz.figure_grid import FigureGrid, figure_epochs, parse_figure_epochs
from nnviz.mobjects.filmstrip import Filmstrip
from nnviz.stories.base import NNVizScene, check_phases
from nnviz.stories.training import SingleRunStory
from nnviz.trajectory import Trajectory
from nnviz.view import check_axis_scales

__all__ = ["FigurePhase", "FigureStory"]


@dataclass(frozen=True)
class FigurePhase:
    """A figure's settings: the epochs it shows, a row each, and the input plane's axes.

    Attributes
    ----------
    epochs
        The epochs, top to bottom: whole numbers or ``"final"`` (the run's last), or the text
        of ``--epochs`` (``"0,10,50,final"``).
    axis_scales
        How the input plane scales its axes (:func:`nnviz.view.axis_scales_for`).
    mesh_resolution
        Pixels along each side of every mesh; ``None``: the panel's own pixels at the
        render's width (:meth:`nnviz.figure_grid.FigureGrid.mesh_resolution`).
    """

    epochs: tuple[float | str, ...] | str = (0.0, "final")
    axis_scales: str = "auto"
    mesh_resolution: int | None = None

    def check(self) -> None:
        """Raise :class:`ValueError` in one line when a setting is out of its range."""
        check_axis_scales(self.axis_scales)
        self.parsed_epochs()
        if self.mesh_resolution is not None and not 16 <= self.mesh_resolution <= 2000:
            raise ValueError(f"mesh_resolution must be 16 to 2000, got {self.mesh_resolution}")

    def parsed_epochs(self) -> tuple[float | str, ...]:
        """Return :attr:`epochs` as a tuple (:func:`nnviz.figure_grid.parse_figure_epochs`)."""
        text = self.epochs if isinstance(self.epochs, str) else ",".join(
            e if isinstance(e, str) else f"{float(e):g}" for e in self.epochs)  # fmt: skip
        return parse_figure_epochs(text)

    def grid(self, layers: int) -> FigureGrid:
        """Return the figure's grid for a run of ``layers`` hidden layers."""
        return FigureGrid(rows=len(self.parsed_epochs()), columns=layers + 1)

    def show(self, scene: NNVizScene, trajectory: Trajectory) -> Filmstrip:
        """Add the figure of ``trajectory``'s run to ``scene`` and return it; a figure larger
        than Manim's frame (a scene rendered without :mod:`nnviz.figures`' frame) is scaled
        down to fit.

        Raises
        ------
        SystemExit
            With one line for an epoch past the run's last.
        """
        self.check()
        run = trajectory.run
        try:
            epochs = figure_epochs(self.parsed_epochs(), run.epochs, run.unit)
        except ValueError as error:
            raise SystemExit(f"nnviz: {error}") from None
        grid = self.grid(len(run.hidden_widths))
        resolution = self.mesh_resolution
        if resolution is None:
            resolution = grid.mesh_resolution(int(config.pixel_width))
        strip = Filmstrip(trajectory, epochs, scene.theme, grid, resolution, self.axis_scales)
        scale = min(config.frame_width / grid.frame_width, config.frame_height / grid.frame_height)
        if scale < 1.0 - 1e-9:
            strip.scale(scale, about_point=ORIGIN)
        scene.add(strip)
        return strip


class FigureStory(SingleRunStory):
    """One run as a figure (:attr:`figure`): render it as an image (``manim -s``, or
    ``nnviz figure``, which sizes the frame to the figure).

    The run is chosen as :class:`~nnviz.stories.training.SingleRunStory`'s (:attr:`run_file`,
    or the cached run of :attr:`activation`, :attr:`lr` and :attr:`base_config`).
    """

    #: The epochs shown and the input plane's axes.
    figure: ClassVar[FigurePhase] = FigurePhase()

    def construct(self) -> None:
        check_phases(self, "figure")
        if self.run_file is None:
            self.check_points(self.base_config.samples)
        run = self.story_run()
        self.check_points(len(run.y))
        limit = self.draw_points if self.draw_points is not None else MAX_DRAWN_POINTS
        trajectory = Trajectory(run, drawn=drawn_sample(len(run.y), limit, run.config.seed))
        self.figure.show(self, trajectory)
