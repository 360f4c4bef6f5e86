"""The loss landscape of several runs of one network: where each optimizer walks on a 2-D slice
of weight space, beside the input plane each of its states produces, on one epoch clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Mobject, ValueTracker, VGroup, config

from nnviz import landscape as scape
from nnviz.config import BLOG_LEARNING_RATES, data_name
from nnviz.errors import ConfigError, RunFileError
from nnviz.manim_adapter.timing import frames_of_play
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.hud import EpochReadout
from nnviz.mobjects.landscape import LandscapeSurface, PathOnPlane, StartMark
from nnviz.mobjects.panels import InputPlanePanel
from nnviz.mobjects.typeset import theme_text
from nnviz.run import Run
from nnviz.run_file import load_run
from nnviz.stories.base import NNVizScene, check_phases
from nnviz.stories.clock import linear_clock, play_clock
from nnviz.stories.fades import reveal
from nnviz.subtitles import (
    landscape_end_cue,
    landscape_heading,
    landscape_runs_cue,
    path_readout,
    slice_caption,
)
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

__all__ = ["INTRO_SECONDS", "REVEAL_SECONDS", "LandscapePhase", "LandscapeStory"]

#: Seconds of the reveal of the landscape.
REVEAL_SECONDS = 1.0
#: The most seconds of the paths' clock the heading's cue stays after the reveal (at most half
#: the clock), before the runs' cue takes over.
INTRO_SECONDS = 4.0


@dataclass(frozen=True)
class LandscapePhase:
    """The landscape phase of a story: the loss over a plane through weight space, the runs'
    paths drawn on one epoch clock, and each run's input plane moving with its dot.

    Attributes
    ----------
    learning_rates
        The runs of the story's settings (:meth:`NNVizScene.run_for`), one per learning rate,
        when the story has no run files.
    centre
        Where the plane is centred (:data:`nnviz.landscape.CENTRES`): ``"best"``, the final
        weights of the run of lowest final loss, or ``"start"``, the first run's initial
        weights.
    directions
        ``"pca"`` (the paths' two main directions) or ``"random"`` (Li et al.'s
        filter-normalised random directions).
    resolution
        Grid points along each side of the surface (each one a forward pass of every point).
    seconds_per_epoch
        Seconds of video per epoch.
    hold_seconds
        Seconds the final states stay on screen.
    mesh_resolution
        Pixels along each side of every input plane.
    """

    learning_rates: tuple[float, ...] = BLOG_LEARNING_RATES
    centre: str = "best"
    directions: str = "pca"
    resolution: int = 60
    seconds_per_epoch: float = 0.05
    hold_seconds: float = 3.0
    mesh_resolution: int = 90

    #: The most runs a landscape shows (a row each beside the surface).
    MAX_RUNS: ClassVar[int] = scape.MAX_RUNS
    SURFACE: ClassVar[Viewport] = Viewport((-3.35, -0.7), 5.5, 5.5)
    PLANE_SIDE: ClassVar[float] = 1.45
    PLANE_X: ClassVar[float] = 1.9
    #: The first run's dot radius, and how much smaller each next run's is.
    DOT_RADIUS: ClassVar[float] = 0.12
    DOT_STEP: ClassVar[float] = 0.025

    def check(self) -> None:
        """Raise :class:`ValueError` in one line when a setting is out of its range."""
        if not 1 <= len(self.learning_rates) <= self.MAX_RUNS:
            raise ValueError(f"a landscape shows 1 to {self.MAX_RUNS} learning rates")
        if self.centre not in scape.CENTRES:
            raise ValueError(f"centre must be one of {', '.join(scape.CENTRES)}")
        if self.directions not in scape.DIRECTIONS:
            raise ValueError(f"directions must be one of {', '.join(scape.DIRECTIONS)}")
        if not 8 <= self.resolution <= 200:
            raise ValueError("resolution must be 8 to 200 grid points a side")
        if not 0.001 <= self.seconds_per_epoch <= 10:
            raise ValueError("seconds_per_epoch must be 0.001 to 10")

    def play(self, scene: NNVizScene, runs: list[Run]) -> None:
        """Show the landscape of ``runs`` and play their paths on one clock."""
        self.check()
        if not 1 <= len(runs) <= self.MAX_RUNS:
            raise SystemExit(f"nnviz: a landscape shows 1 to {self.MAX_RUNS} runs")
        try:
            scape.check_same_network(runs)
            landscape = scape.landscape(runs, self.resolution, self.centre, self.directions)
        except ConfigError as error:
            raise SystemExit(f"nnviz: {error}") from None
        theme = scene.theme
        clock = ValueTracker(0.0)
        network = runs[0].config
        widths = "-".join(map(str, network.widths))
        names = "/".join(network.activations)
        plane = landscape.plane
        how = "PCA of the paths" if plane.directions == "pca" else "filter-normalised random"
        words = (
            landscape_heading(f"{widths} {names}", data_name(network), network.classes),
            slice_caption(plane.parameters, plane.explained),
            f"{how}, centred on {plane.centre_name} · a dot fades to a ring as its state "
            "leaves the slice",
        )
        heading = theme_text(theme, words[0], font_size=30,
                             color=theme.foreground).to_corner(UP + LEFT, buff=0.3)  # fmt: skip
        lines = VGroup(
            theme_text(theme, words[1], font_size=18, color=theme.foreground),
            theme_text(theme, words[2], font_size=15, color=theme.muted),
        ).arrange(DOWN, buff=0.08, aligned_edge=LEFT)
        lines.next_to(heading, DOWN, buff=0.1, aligned_edge=LEFT)
        surface = LandscapeSurface(landscape, self.SURFACE, theme)
        colors = theme.run_colors
        rows = self._row_centres(len(runs))
        same_start = scape.same_start(runs)
        blocks = []
        paths = []
        labels = VGroup()
        for index, run in enumerate(runs):
            context = BlockContext(Trajectory(run), clock, theme)
            color = colors[index % len(colors)]
            radius = self.DOT_RADIUS - self.DOT_STEP * index  # nested where the dots meet
            path = PathOnPlane(context, surface, color, font_size=15, dot_radius=radius,
                               start_mark=not same_start)  # fmt: skip
            view = Viewport((self.PLANE_X, rows[index]), self.PLANE_SIDE, self.PLANE_SIDE)
            panel = InputPlanePanel(context.at(view), caption="",
                                    labels=False, mesh_resolution=self.mesh_resolution,
                                    dot_radius=0.022)  # fmt: skip
            panel.frame_box.set_stroke(color, 3.0)
            left = self.PLANE_X + self.PLANE_SIDE / 2 + 0.25
            top = rows[index] + self.PLANE_SIDE / 2
            label = theme_text(theme, run.config.label(), font_size=18, color=color)
            label.move_to(np.array([left, top - 0.12, 0.0]), aligned_edge=LEFT)
            labels.add(label)
            path.place_numbers(left, top - 0.55)
            blocks += [panel, path]
            paths.append(path)
        limit = max(run.epochs for run in runs)
        epoch = EpochReadout(clock, theme, limit).place_right(6.9, heading.get_bottom()[1] + 0.02)
        run_time, value_at = linear_clock(limit, self.seconds_per_epoch)
        # The subtitles: the heading and the slice's caption from the reveal into the clock,
        # the runs on the clock for the rest of it, where each path ends during the hold.
        rate = float(config.frame_rate)
        revealed = frames_of_play(REVEAL_SECONDS, rate) / rate
        intro = frames_of_play(min(INTRO_SECONDS, run_time / 2), rate) / rate
        runs_cue = landscape_runs_cue(same_start, [
            (run.config.label(), run.count_text(0), run.count_text(run.epochs)) for run in runs
        ])  # fmt: skip
        ends = []
        for run, path in zip(runs, paths, strict=True):
            end = path.state(run.epochs)
            ends.append((run.config.label(),
                         path_readout(end.own_loss, end.slice_loss, end.distance)))  # fmt: skip
        # The dots over every trail, the first run's (the largest) at the bottom.
        marks: list[Mobject] = [path.dot for path in paths]
        if same_start:
            finals = np.array([path.trail_points[-1] for path in paths])
            box = surface.frame
            bounds = (box.get_corner(DOWN + LEFT), box.get_corner(UP + RIGHT))
            marks.insert(0, StartMark(paths[0].trail_points[0], finals, theme, bounds,
                                      radius=self.DOT_RADIUS + 0.05))  # fmt: skip
        reveal(scene, heading, lines, surface, labels, epoch, *blocks, *marks,
               run_time=REVEAL_SECONDS)  # fmt: skip
        scene.subtitle("\n".join(words), revealed + intro, offset=-revealed)
        scene.subtitle(runs_cue, run_time - intro, offset=intro)
        for block in (*blocks, epoch):
            block.start()
        play_clock(scene, clock, run_time, value_at)
        scene.subtitle(landscape_end_cue(ends), scene.frames_of_wait(self.hold_seconds) / rate)
        scene.wait(self.hold_seconds)
        for block in (*blocks, epoch):
            block.stop()

    def _row_centres(self, count: int) -> list[float]:
        """The heights of the runs' rows, top first, spread over the surface's height."""
        top = self.SURFACE.centre[1] + self.SURFACE.height / 2 - self.PLANE_SIDE / 2
        step = self.PLANE_SIDE + 0.45
        return [top - k * step for k in range(count)]


class LandscapeStory(NNVizScene):
    """Runs of one network from the same data, on the loss landscape of their paths
    (:class:`LandscapePhase`): :attr:`base_config` with :attr:`activation` at each of the
    phase's learning rates, or the run files :attr:`run_files` (any runs of one architecture
    and one data set; runs of different architectures are refused in one line)::

        class MyLandscape(LandscapeStory):
            run_files = ("a.npz", "b.npz")
            landscape = LandscapePhase(centre="start")
    """

    #: Hidden activation of the runs of the settings.
    activation: ClassVar[str] = "tanh"
    #: The run files to show instead (validated by :func:`nnviz.run_file.load_run`).
    run_files: ClassVar[tuple[str, ...]] = ()
    #: The landscape phase: runs, plane, grid, timing.
    landscape: ClassVar[LandscapePhase] = LandscapePhase()

    def construct(self) -> None:
        check_phases(self, "landscape")
        self.landscape.play(self, self.story_runs())

    def story_runs(self) -> list[Run]:
        """Return the runs to show: :attr:`run_files`' or the cached runs of the settings."""
        if not self.run_files:
            return [self.run_for(activation=self.activation, lr=lr)
                    for lr in self.landscape.learning_rates]  # fmt: skip
        try:
            return [load_run(path) for path in self.run_files]
        except RunFileError as error:
            raise SystemExit(f"nnviz: {error}") from None
