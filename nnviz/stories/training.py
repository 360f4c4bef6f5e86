"""The training video: one activation, the blog's three learning rates, two synchronised panels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from manim import (
    DOWN,
    UP,
    Group,
    MathTex,
    Text,
    ValueTracker,
    VGroup,
    Write,
)

from nnviz.activations import activation, display_name
from nnviz.config import BLOG_LEARNING_RATES, EXTERNAL, RunConfig
from nnviz.data import DATASET_SPECS, MAX_DRAWN_POINTS, drawn_sample, too_many_to_draw
from nnviz.formatting import training_label
from nnviz.mobjects.hud import class_legend, run_outcome
from nnviz.mobjects.layout import TrainingLayout
from nnviz.mobjects.panels import InputPlanePanel
from nnviz.mobjects.shapes import class_dots
from nnviz.mobjects.typeset import typeset_once
from nnviz.moments import clock_speed, key_moments, time_to_epoch
from nnviz.rendering import RenderError, refuse_softmax_pictures
from nnviz.run import Run, RunFileError, load_run
from nnviz.stories.base import NNVizScene, phase_from
from nnviz.trajectory import Trajectory
from nnviz.view import Scales, Viewport, axis_scales_for, check_axis_scales, data_box

__all__ = [
    "DATA_VIEW",
    "SingleRunStory",
    "TrainingPhase",
    "TrainingStory",
    "play_data",
    "play_run",
    "play_title",
]


class TrainingStory(NNVizScene):
    """How a 2-2-1 network learns the blog's data, at three learning rates.

    Subclasses set :attr:`activation`. Every panel is driven by one epoch tracker; between
    logged epochs the weights are interpolated (PCHIP) and the picture recomputed from them.
    """

    #: What the story draws, named in the one-line refusal of a softmax run.
    softmax_story: ClassVar[str | None] = "the three-learning-rate story"

    #: Hidden activation of the runs.
    activation: ClassVar[str] = "relu"
    #: Learning rates shown, one training segment each.
    learning_rates: ClassVar[tuple[float, ...]] = BLOG_LEARNING_RATES
    #: Seconds of video per training epoch (200 epochs take 16 s).
    seconds_per_epoch: ClassVar[float] = 0.08
    #: Seconds the final state of each run stays on screen.
    hold_seconds: ClassVar[float] = 1.5
    #: Pixels along each side of the probability meshes.
    mesh_resolution: ClassVar[int] = 180
    #: Slow the clock down and show a caption at the runs' key moments.
    highlight_moments: ClassVar[bool] = True
    #: The panels of each run (:data:`nnviz.mobjects.layout.LAYOUTS`): ``"default"`` (input
    #: plane and hidden space) or ``"blog"`` (the post's three panels).
    layout: ClassVar[str] = "default"
    #: How the input plane scales its axes: ``"auto"`` (one scale for both for a built-in data
    #: set, each axis its own range for a CSV file's data), ``"equal"`` or ``"per-axis"``.
    axis_scales: ClassVar[str] = "auto"

    def construct(self) -> None:
        runs = [self.run_for(activation=self.activation, lr=lr) for lr in self.learning_rates]
        self.show_title()
        self.show_data(runs[0].X, runs[0].y)
        for run in runs:
            self.show_training(Trajectory(run))
        self.show_comparison([Trajectory(run) for run in runs])

    # --- phases --------------------------------------------------------------------------------

    def show_title(self) -> None:
        """The question, the activation and its formula."""
        play_title(self, self.base_config.replace(activation=self.activation))

    def show_data(self, X: np.ndarray, y: np.ndarray) -> None:
        """The data set alone, in the input plane's place."""
        scales = axis_scales_for(self.axis_scales, self.base_config.dataset)
        play_data(self, X, y, DATASET_SPECS[self.base_config.dataset].description, scales=scales)

    def training_phase(self) -> TrainingPhase:
        """Return the training phase with this story's settings."""
        return phase_from(self, TrainingPhase)

    def show_training(self, trajectory: Trajectory) -> None:
        """One run: the panels, the read-out and the loss curve, driven by one clock."""
        self.training_phase().play(self, trajectory)

    def show_comparison(self, trajectories: list[Trajectory]) -> None:
        """The three runs side by side at their final states."""
        theme = self.theme
        heading = typeset_once(
            Text,
            f"{activation(self.activation).display}: three learning rates, final states",
            font=theme.font,
            font_size=30,
            color=theme.foreground,
        )
        heading.to_edge(UP, buff=0.35)
        columns = Group()
        size = 3.5
        for index, trajectory in enumerate(trajectories):
            run = trajectory.run
            clock = ValueTracker(float(run.epochs))
            centre = ((index - (len(trajectories) - 1) / 2) * 4.55, 0.25)
            panel = InputPlanePanel(
                trajectory,
                clock,
                Viewport(centre, size, size),
                theme,
                caption=f"learning rate {run.config.lr:g}",
                mesh_resolution=self.mesh_resolution,
                axis_scales=self.axis_scales,
            )
            summary = typeset_once(
                Text,
                run_outcome(run),
                font=theme.font,
                font_size=18,
                color=theme.foreground,
                line_spacing=0.8,
            )
            summary.next_to(panel.frame_box, DOWN, buff=0.5)
            columns.add(Group(panel, summary))
        self.reveal(heading, columns, run_time=1.2)
        self.wait(3.0)


@dataclass(frozen=True)
class TrainingPhase:
    """The training phase of a story: one run's layout played on its epoch clock.

    Attributes
    ----------
    seconds_per_epoch
        Seconds of video per training epoch (outside the key moments).
    hold_seconds
        Seconds the final state stays on screen.
    mesh_resolution
        Pixels along each side of the probability meshes.
    highlight_moments
        Slow the clock down and show a caption at the run's key moments.
    layout
        The panels, a name in :data:`nnviz.mobjects.layout.LAYOUTS`.
    axis_scales
        How the input plane scales its axes (:func:`nnviz.view.axis_scales_for`): ``"auto"``
        (equal for a built-in data set, per axis for a CSV file's data or your own loop's),
        ``"equal"`` or ``"per-axis"``.
    """

    seconds_per_epoch: float = 0.08
    hold_seconds: float = 1.5
    mesh_resolution: int = 180
    highlight_moments: bool = True
    layout: str = "default"
    axis_scales: str = "auto"

    def __post_init__(self) -> None:
        check_axis_scales(self.axis_scales)

    def play(self, scene: NNVizScene, trajectory: Trajectory, clear: bool = True) -> None:
        """Play ``trajectory``'s run in ``scene`` (see :func:`play_run`); without ``clear``
        its final state stays on screen."""
        play_run(
            scene,
            trajectory,
            self.seconds_per_epoch,
            self.hold_seconds,
            self.mesh_resolution,
            self.highlight_moments,
            self.layout,
            self.axis_scales,
            clear,
        )


def play_title(scene: NNVizScene, config: RunConfig, clear: bool = True) -> None:
    """Play the title card: the question, the network of ``config`` in words and the formula
    of its first hidden layer's activation; with ``clear`` it fades out at the end."""
    theme = scene.theme
    title = typeset_once(
        Text, "How a neural network learns", font=theme.font, font_size=48, color=theme.foreground
    )
    subtitle = typeset_once(
        Text, config.network_sentence(), font=theme.font, font_size=26, color=theme.muted
    )
    subtitle.scale_to_fit_width(min(subtitle.width, 13.0))
    formula = typeset_once(
        MathTex, activation(config.activations[0]).formula, font_size=48, color=theme.accent
    )
    block = VGroup(title, subtitle, formula).arrange(DOWN, buff=0.45)
    scene.fade_in(title, shift=0.2 * UP, run_time=1.0)
    scene.fade_in(subtitle, along=[Write(formula)], run_time=1.5)
    scene.wait(1.0)
    if clear:
        scene.fade_out(*block, run_time=0.6)


#: Where the data phase draws the points: the input plane's place in the training layout.
DATA_VIEW = Viewport((0.0, 0.3), 6.0, 6.0)


def play_data(
    scene: NNVizScene,
    X: np.ndarray,
    y: np.ndarray,
    description: str,
    test: np.ndarray | None = None,
    scales: Scales = "equal",
    clear: bool = True,
) -> None:
    """Play the data phase: the points ``X`` coloured by their labels ``y`` (the ``test``
    ones hollow), a caption with ``description`` and the class legend, then (with ``clear``)
    fade them out. ``scales`` places them as the input plane would
    (:func:`nnviz.view.data_box`)."""
    theme = scene.theme
    box = data_box(X, scales, margin=0.1)
    screen = DATA_VIEW.to_screen(X, box)
    dots = class_dots(y, theme, radius=0.05, hollow=test)
    dots.place(screen)
    held_out = "" if test is None else f" ({int(np.sum(test))} hollow ones held out for testing)"
    caption = typeset_once(
        Text,
        f"{len(X)} points in two classes: {description}{held_out}",
        font=theme.font,
        font_size=22,
        color=theme.foreground,
    ).to_edge(DOWN, buff=0.5)
    legend = class_legend(theme).next_to(caption, UP, buff=0.3)
    scene.fade_in(dots, run_time=0.8)
    scene.fade_in(caption, legend, run_time=0.6)
    scene.wait(1.5)
    if clear:
        scene.fade_out(dots, caption, legend, run_time=0.5)


def play_run(
    scene: NNVizScene,
    trajectory: Trajectory,
    seconds_per_epoch: float,
    hold_seconds: float,
    mesh_resolution: int,
    highlight_moments: bool = True,
    layout_name: str = "default",
    axis_scales: str = "auto",
    clear: bool = True,
) -> None:
    """Reveal the layout of one run, play its clock from epoch 0 to its last, hold, and (with
    ``clear``) conceal it.

    With ``highlight_moments`` the clock slows down threefold around the run's key moments
    (:func:`nnviz.moments.key_moments`) and their captions show. ``layout_name`` is a name in
    :data:`nnviz.mobjects.layout.LAYOUTS`; ``axis_scales`` says how the input plane scales its
    axes (see :class:`TrainingPhase`).
    """
    run = trajectory.run
    moments = key_moments(run) if highlight_moments else []
    clock = ValueTracker(0.0)
    layout = TrainingLayout(trajectory, clock, scene.theme, mesh_resolution, moments,
                            layout=layout_name, axis_scales=axis_scales)  # fmt: skip
    scene.reveal(layout, run_time=0.8)
    layout.start()
    if run.epochs > 0:
        times, epochs = time_to_epoch(clock_speed(moments, run.epochs), seconds_per_epoch)
        scene.play_clock(
            clock, float(times[-1]), lambda seconds: float(np.interp(seconds, times, epochs))
        )
    scene.wait(hold_seconds)
    layout.stop()
    if clear:
        scene.conceal(layout, run_time=0.6)


class SingleRunStory(NNVizScene):
    """One run's evolution, like one of the blog's GIFs (used by ``nnviz render``).

    The run is :attr:`base_config` with :attr:`activation` and :attr:`lr` (trained and cached
    on first use), or the run file :attr:`run_file` when it is set (a run of your own
    training loop, from :class:`nnviz.Recorder`, or from another machine): e.g. ::

        class MyRun(SingleRunStory):
            run_file = "my_run.npz"
    """

    #: What the story draws, named in the one-line refusal of a softmax run.
    softmax_story: ClassVar[str | None] = None

    #: Hidden activation of the run.
    activation: ClassVar[str] = "relu"
    #: Learning rate of the run.
    lr: ClassVar[float] = 0.01
    #: Seconds of video per training epoch.
    seconds_per_epoch: ClassVar[float] = 0.08
    #: Seconds the final state stays on screen.
    hold_seconds: ClassVar[float] = 1.5
    #: Pixels along each side of the probability meshes.
    mesh_resolution: ClassVar[int] = 180
    #: Slow the clock down and show a caption at the run's key moments.
    highlight_moments: ClassVar[bool] = True
    #: The panels (:data:`nnviz.mobjects.layout.LAYOUTS`).
    layout: ClassVar[str] = "default"
    #: How the input plane scales its axes: ``"auto"`` (one scale for both for a built-in data
    #: set, each axis its own range for a CSV file's data or your own loop's), ``"equal"`` or
    #: ``"per-axis"`` (``nnviz render --axis-scales``).
    axis_scales: ClassVar[str] = "auto"
    #: A title card shown first (none when empty), with the network under it.
    title: ClassVar[str] = ""
    #: Draw a seeded sample of this many points (``None``: all of them, at most
    #: :data:`nnviz.data.MAX_DRAWN_POINTS`); training and the loss use every point.
    draw_points: ClassVar[int | None] = None
    #: The run file to show (validated by :func:`nnviz.run.load_run`; a relative path is
    #: relative to the working directory); ``None`` takes the cached run of the settings above.
    run_file: ClassVar[str | None] = None

    def construct(self) -> None:
        if self.run_file is None:  # before any training, which draws exactly ``samples``
            self.check_points(self.base_config.samples)
        run = self.story_run()
        self.check_points(len(run.y))  # the points the run holds, whatever it says
        limit = self.draw_points if self.draw_points is not None else MAX_DRAWN_POINTS
        if self.title:
            self.show_title(run.config)
        drawn = drawn_sample(len(run.y), limit, run.config.seed)
        phase_from(self, TrainingPhase).play(self, Trajectory(run, drawn=drawn))

    def check_points(self, points: int) -> None:
        """Stop with one line when the run has more ``points`` than a video draws and
        :attr:`draw_points` does not ask for a sample."""
        message = too_many_to_draw(points, "set draw_points")
        if self.draw_points is None and message is not None:
            raise SystemExit(f"nnviz: {message}")

    def story_run(self) -> Run:
        """Return the run to show: :attr:`run_file`'s, or the cached run of the settings.

        Raises
        ------
        SystemExit
            With one line when :attr:`run_file` is not a valid run file, or holds a run whose
            pictures do not exist yet (:func:`nnviz.rendering.refuse_softmax_pictures`).
        """
        if self.run_file is None:
            return self.run_for(activation=self.activation, lr=self.lr)
        try:
            run = load_run(self.run_file)
            refuse_softmax_pictures(run.config, self.layout, self.softmax_story)
        except (RunFileError, RenderError) as error:  # one line instead of Manim's traceback
            raise SystemExit(f"nnviz: {error}") from None
        return run

    def show_title(self, config: RunConfig) -> None:
        """The title card: :attr:`title` and the network, layer by layer."""
        theme = self.theme
        title = typeset_once(
            Text, self.title, font=theme.font, font_size=44, color=theme.foreground
        )
        widths = " → ".join(map(str, config.widths))
        names = display_name(config.activation)
        data = "your data" if config.dataset == EXTERNAL else f"{config.dataset} data"
        subtitle = typeset_once(
            Text,
            f"{data} · network {widths} ({names}) · {training_label(config)}",
            font=theme.font,
            font_size=24,
            color=theme.muted,
        )
        block = VGroup(title, subtitle).arrange(DOWN, buff=0.4)
        self.fade_in(block, run_time=0.8)
        self.wait(1.5)
        self.fade_out(block, run_time=0.5)
