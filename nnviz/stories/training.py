"""The training video: one activation, the blog's three learning rates, two synchronised panels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from manim import (
    DOWN,
    UP,
    Group,
    MathTex,
    ValueTracker,
    VGroup,
    Write,
    config,
)

from nnviz.activations import activation, display_name
from nnviz.class_colors import picture_class_colors
from nnviz.config import BLOG_LEARNING_RATES, EXTERNAL, RunConfig, data_description
from nnviz.data import MAX_DRAWN_POINTS, drawn_sample, too_many_to_draw
from nnviz.errors import RenderError
from nnviz.formatting import count_word, rates_words, training_label
from nnviz.manim_adapter.timing import frames_of_play, frames_of_still_wait
from nnviz.mobjects.context import BlockContext, PanelContext, PanelMarks
from nnviz.mobjects.hud import ClassFieldLegend, class_legend, run_outcome
from nnviz.mobjects.layout import TrainingLayout, heading_title
from nnviz.mobjects.panels import InputPlanePanel
from nnviz.mobjects.shapes import ClassDots
from nnviz.mobjects.typeset import theme_text, typeset_once
from nnviz.moments import Moment, clock_speed, fit_clock, key_moments, time_to_epoch
from nnviz.render_checks import refuse_softmax_pictures, still_epoch
from nnviz.run import Run, RunFileError
from nnviz.run_file import load_run
from nnviz.stories.base import NNVizScene, check_phases
from nnviz.stories.clock import clock_frame_times, play_clock
from nnviz.stories.fades import conceal, fade_in, fade_out, reveal
from nnviz.subtitles import caption_spans, comparison_cue, outcome_cue, run_cue, title_cue
from nnviz.trails import TrailClock
from nnviz.trajectory import Trajectory
from nnviz.view import Scales, Viewport, axis_scales_for, check_axis_scales, data_box

__all__ = [
    "CAPTION_SECONDS",
    "CONCEAL_SECONDS",
    "DATA_CAPTION_WIDTH",
    "DATA_VIEW",
    "DEFAULT_MAX_PHASE_SECONDS",
    "MAJORITY_WINDOW",
    "MIN_CLOCK_SECONDS",
    "REVEAL_SECONDS",
    "SingleRunStory",
    "TrainingPhase",
    "TrainingStory",
    "final_states_heading",
    "play_data",
    "play_data_of",
    "play_title",
]


def final_states_heading(name: str, runs: int) -> str:
    """Return the heading of the final states of ``runs`` runs of the activation ``name``:
    ``tanh: three learning rates, final states`` (``tanh: final state`` for one run)."""
    if runs == 1:
        return f"{name}: final state"
    return f"{name}: {rates_words(runs)}, final states"


#: Seconds of the curtain lifted from a run's layout before its clock plays.
REVEAL_SECONDS = 0.8
#: Seconds of the curtain lowered over a run's layout at the end.
CONCEAL_SECONDS = 0.6
#: The least video time a training phase's :attr:`TrainingPhase.phase_seconds` leaves its clock.
MIN_CLOCK_SECONDS = 1.0
#: The longest a training phase plays at its seconds per epoch unless asked for more: a longer
#: run (a 1000-epoch one would take 80 s) is fitted into it
#: (:attr:`TrainingPhase.max_phase_seconds`).
DEFAULT_MAX_PHASE_SECONDS = 30.0
#: Video seconds a key moment's caption stays on screen at least (25 epochs at the default
#: 0.08 s an epoch; more epochs when a run is compressed).
CAPTION_SECONDS = 2.0
#: Classes that first hold most of their own points within this share of a caption's epochs
#: on screen of each other (10 epochs of 25) share one caption
#: (:func:`nnviz.moments.class_majority_moments`): a few at once, not a flood.
MAJORITY_WINDOW = 0.4


@dataclass(frozen=True)
class TrainingPhase:
    """The training phase of a story: one run's layout played on its epoch clock.

    The phase reveals the layout (:data:`REVEAL_SECONDS`), plays the clock from epoch 0 to the
    run's last, holds the final state (:attr:`hold_seconds`) and conceals the layout
    (:data:`CONCEAL_SECONDS`). The clock maps video time to a real-valued epoch, so a frame
    shows the network between two logged epochs when it falls between them (the epoch
    read-out shows the fraction), and a long run is sampled at the frame rate, never a frame
    per logged state. The settings are checked when the phase plays (:meth:`check`; a story
    checks its phase when it starts, :func:`~nnviz.stories.base.check_phases`).

    Attributes
    ----------
    seconds_per_epoch
        Seconds of video per training epoch (outside the key moments), unless
        :attr:`phase_seconds` is set or the phase would last longer than :attr:`max_phase_seconds`.
    hold_seconds
        Seconds the final state stays on screen.
    mesh_resolution
        Pixels along each side of the probability meshes.
    highlight_moments
        Slow the clock down and show a caption at the run's key moments.
    layout
        The panels, a name in :data:`nnviz.layouts.LAYOUT_SPECS`.
    axis_scales
        How the input plane scales its axes (:func:`nnviz.view.axis_scales_for`): ``"auto"``
        (equal for a built-in data set, per axis for a CSV file's data or your own loop's),
        ``"equal"`` or ``"per-axis"``.
    phase_seconds
        Seconds of the whole phase (reveal, training, hold and conceal), exact to a frame;
        ``None`` plays at :attr:`seconds_per_epoch`. The run's epochs are spread over the time
        left (:func:`nnviz.moments.fit_clock`): a long run is compressed, a short one slowed
        down, and the key moments keep their slow motion within it.
    max_phase_seconds
        With :attr:`phase_seconds` ``None``: the longest the phase may last at
        :attr:`seconds_per_epoch`; a run that would take longer is fitted into it, as with
        :attr:`phase_seconds`. ``None``: no limit.
    class_readout
        For a softmax run, each class's accuracy beside the loss curve
        (:class:`nnviz.mobjects.hud.ClassAccuracies`); off: the classes' legend only.
    point_loss
        Size each dot by its point's cross-entropy at the clock's epoch, in a few steps a
        legend names (:mod:`nnviz.point_loss`), and ring the misclassified points, in the
        input plane and every hidden view (``nnviz render --point-loss``).
    trails
        Draw short fading trails of the points' positions on the frames before, in every
        hidden view (:mod:`nnviz.trails`; ``nnviz render --trails``).
    discretize
        Paint every mesh in the classes' colours only, without the shading by probability
        (``nnviz render --discretize``).
    """

    seconds_per_epoch: float = 0.08
    hold_seconds: float = 1.5
    mesh_resolution: int = 180
    highlight_moments: bool = True
    layout: str = "default"
    axis_scales: str = "auto"
    phase_seconds: float | None = None
    max_phase_seconds: float | None = DEFAULT_MAX_PHASE_SECONDS
    class_readout: bool = True
    point_loss: bool = False
    trails: bool = False
    discretize: bool = False

    def check(self) -> None:
        """Raise :class:`ValueError` in one line when a setting is out of its range."""
        check_axis_scales(self.axis_scales)
        if not self.seconds_per_epoch > 0 or not np.isfinite(self.seconds_per_epoch):
            raise ValueError(f"seconds_per_epoch must be positive, got {self.seconds_per_epoch}")
        least = self.fixed_seconds + MIN_CLOCK_SECONDS
        for name in ("phase_seconds", "max_phase_seconds"):
            value = getattr(self, name)
            if value is not None and not (least <= value < np.inf):
                raise ValueError(
                    f"{name} must be at least {least:g} s (the reveal, the hold and the "
                    f"conceal take {self.fixed_seconds:g} s, training at least "
                    f"{MIN_CLOCK_SECONDS:g} s), got {value}"
                )

    @property
    def fixed_seconds(self) -> float:
        """Seconds of the phase besides its clock: the reveal, the hold and the conceal."""
        return REVEAL_SECONDS + self.hold_seconds + CONCEAL_SECONDS

    def moments(self, run: Run) -> list[Moment]:
        """Return the key moments the phase slows down for and captions (none when
        :attr:`highlight_moments` is off). Classes that first hold most of their points
        within :data:`MAJORITY_WINDOW` of a caption's time on screen of each other share one
        caption."""
        if not self.highlight_moments:
            return []
        window = MAJORITY_WINDOW * self.caption_epochs(run.epochs)
        return key_moments(run, majority_window=window)

    def clock(
        self,
        epochs: int,
        moments: list[Moment],
        frame_rate: float,
        hold_frames: int,
        clear: bool = True,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the knots ``(times, epochs)`` of the clock of a run of ``epochs`` epochs
        (at least 1), for ``np.interp``: at :attr:`seconds_per_epoch`, or fitted so that the
        whole phase lasts :attr:`phase_seconds` (or at most :attr:`max_phase_seconds`) at
        ``frame_rate`` frames a second; ``hold_frames`` is the frames the hold adds to the
        movie (:meth:`~nnviz.manim_adapter.scene.AdaptedScene.frames_of_wait`), and without
        ``clear`` the phase ends with the hold (no conceal)."""
        fixed = frames_of_play(REVEAL_SECONDS, frame_rate) + hold_frames
        if clear:
            fixed += frames_of_play(CONCEAL_SECONDS, frame_rate)
        limit = self.phase_seconds
        if limit is None:
            times, knots = time_to_epoch(clock_speed(moments, epochs), self.seconds_per_epoch)
            total = fixed + frames_of_play(float(times[-1]), frame_rate)
            limit = self.max_phase_seconds
            if limit is None or total <= round(limit * frame_rate):
                return times, knots
        frames = round(limit * frame_rate) - fixed
        # Half a frame short of ``frames`` frames: the play draws exactly ``frames`` of them
        # (at 0, 1/rate, ...); the final epoch shows from the hold's first frame.
        return fit_clock(moments, epochs, (frames - 0.5) / frame_rate)

    def caption_epochs(self, epochs: int) -> float:
        """Return how many epochs a key moment's caption stays on screen: 25, or the epochs
        of :data:`CAPTION_SECONDS` on average when the run is played faster."""
        if epochs < 1:
            return 25.0
        seconds = epochs * self.seconds_per_epoch
        if self.phase_seconds is not None:
            seconds = self.phase_seconds - self.fixed_seconds
        elif self.max_phase_seconds is not None:
            seconds = min(seconds, self.max_phase_seconds - self.fixed_seconds)
        return max(25.0, CAPTION_SECONDS * epochs / seconds)

    def make_layout(
        self,
        scene: NNVizScene,
        trajectory: Trajectory,
        clock: ValueTracker,
        moments: list[Moment] | None = None,
        trail_clock: TrailClock | None = None,
    ) -> TrainingLayout:
        """Return the run's layout on ``clock``, with the captions of its key moments
        (``moments``, or :meth:`moments` of the run when not given) and the marks the phase
        asks for (with :attr:`trails`, through the epochs of ``trail_clock``)."""
        run = trajectory.run
        if moments is None:
            moments = self.moments(run)
        marks = PanelMarks(point_loss=self.point_loss, trails=self.trails,
                           discretize=self.discretize)  # fmt: skip
        return TrainingLayout(BlockContext(trajectory, clock, scene.theme), self.mesh_resolution,
                              moments, layout=self.layout, axis_scales=self.axis_scales,
                              caption_epochs=self.caption_epochs(run.epochs),
                              class_readout=self.class_readout, marks=marks,
                              trail_clock=trail_clock)  # fmt: skip

    def play(self, scene: NNVizScene, trajectory: Trajectory, clear: bool = True) -> None:
        """Reveal the layout of ``trajectory``'s run, play its clock from epoch 0 to its last,
        hold, and (with ``clear``) conceal it; without ``clear`` its final state stays on
        screen.

        With :attr:`highlight_moments` the clock slows down threefold around the run's key
        moments (:func:`nnviz.moments.key_moments`) and their captions show.
        """
        self.check()
        run = trajectory.run
        clock = ValueTracker(0.0)
        moments = self.moments(run)  # once: the captions and the clock's slow motion share them
        layout = self.make_layout(scene, trajectory, clock, moments)
        rate = float(config.frame_rate)
        reveal(scene, layout, run_time=REVEAL_SECONDS)
        layout.start()
        hold = self.hold_seconds
        if run.epochs == 0 and self.phase_seconds is not None:  # the initial state holds the time
            hold = self.phase_seconds - REVEAL_SECONDS - (CONCEAL_SECONDS if clear else 0.0)
        hold_frames = scene.frames_of_wait(hold)
        # The subtitles: the run from the reveal until its first caption (or the hold), each
        # caption while the layout shows it, the outcome during the hold.
        heading = run_cue(heading_title(run.config), run.count_text(0), run.count_text(run.epochs))
        revealed = frames_of_play(REVEAL_SECONDS, rate) / rate  # the reveal's seconds
        if run.epochs > 0:
            times, epochs = self.clock(run.epochs, moments, rate, hold_frames, clear)
            if self.trails:  # the trails go through the frames this clock draws
                layout.set_trail_clock(TrailClock(times, epochs, rate))
            spans = caption_spans(self.shown_captions(layout, times, epochs, rate))
            first = spans[0][1] if spans else frames_of_play(float(times[-1]), rate)
            scene.subtitle(heading, revealed + first / rate, offset=-revealed)
            for index, start, end in spans:
                scene.subtitle(moments[index].caption, (end - start) / rate, start / rate)
            play_clock(
                scene,
                clock,
                float(times[-1]),
                lambda seconds: float(np.interp(seconds, times, epochs)),
            )
        else:
            scene.subtitle(heading, revealed, offset=-revealed)
        scene.subtitle(outcome_cue(run_outcome(run)), hold_frames / rate)
        scene.wait(hold)
        layout.stop()
        if clear:
            conceal(scene, layout, run_time=CONCEAL_SECONDS)

    @staticmethod
    def shown_captions(
        layout: TrainingLayout, times: np.ndarray, epochs: np.ndarray, rate: float
    ) -> list[int | None]:
        """Return the index of the key moment whose caption ``layout`` shows at each frame of
        the clock ``(times, epochs)`` played at ``rate`` frames a second (as
        :func:`~nnviz.stories.clock.play_clock` plays it), or ``None``: by its
        captions' own rule (:meth:`~nnviz.mobjects.hud.MomentCaptions.visible_index`)."""
        seconds = clock_frame_times(float(times[-1]), rate)
        if not layout.captions.moments:
            return [None] * len(seconds)
        at = np.interp(seconds, times, epochs)
        return [layout.captions.visible_index(float(epoch)) for epoch in at]

    def show_still(self, scene: NNVizScene, trajectory: Trajectory, epoch: float) -> None:
        """Add the layout of ``trajectory``'s run at ``epoch`` to ``scene``, as the phase's
        video shows it at that epoch (the panels, the read-out, the loss curve up to the
        epoch and the caption of a key moment shown then)."""
        self.check()
        trail_clock = None
        if self.trails and trajectory.run.epochs > 0:  # the clock the video would play
            run, rate = trajectory.run, float(config.frame_rate)
            moments = self.moments(run)
            hold = frames_of_still_wait(self.hold_seconds, rate)
            trail_clock = TrailClock(*self.clock(run.epochs, moments, rate, hold), rate)
        scene.add(self.make_layout(scene, trajectory, ValueTracker(float(epoch)),
                                   trail_clock=trail_clock))  # fmt: skip


#: The title card's question.
TITLE = "How a neural network learns"


def play_title(scene: NNVizScene, config: RunConfig, clear: bool = True) -> None:
    """Play the title card: the question, the network of ``config`` in words and the formula
    of its first hidden layer's activation; with ``clear`` it fades out at the end."""
    theme = scene.theme
    title = theme_text(theme, TITLE, font_size=48, color=theme.foreground)
    subtitle = theme_text(theme, config.network_sentence(), font_size=26, color=theme.muted)
    subtitle.scale_to_fit_width(min(subtitle.width, 13.0))
    formula = typeset_once(
        MathTex, activation(config.activations[0]).formula, font_size=48, color=theme.accent
    )
    block = VGroup(title, subtitle, formula).arrange(DOWN, buff=0.45)
    with scene.subtitled(title_cue(TITLE, config.network_sentence())):
        fade_in(scene, title, shift=0.2 * UP, run_time=1.0)
        fade_in(scene, subtitle, along=[Write(formula)], run_time=1.5)
        scene.wait(1.0)
    if clear:
        fade_out(scene, *block, run_time=0.6)


#: Where the data phase draws the points: the input plane's place in the training layout.
DATA_VIEW = Viewport((0.0, 0.3), 6.0, 6.0)
#: The widest the data phase's caption and legend are drawn, in scene units.
DATA_CAPTION_WIDTH = 13.5


def play_data(
    scene: NNVizScene,
    X: np.ndarray,
    y: np.ndarray,
    description: str,
    test: np.ndarray | None = None,
    scales: Scales = "equal",
    clear: bool = True,
    colors: Sequence[str] | None = None,
    class_names: Sequence[str] | None = None,
) -> None:
    """Play the data phase: the points ``X`` coloured by their labels ``y`` (the ``test``
    ones hollow), a caption with ``description`` and the class legend, then (with ``clear``)
    fade them out. ``scales`` places them as the input plane would
    (:func:`nnviz.view.data_box`).

    ``colors`` are the classes' colours, one per class (the theme's two by default; ``k``
    classes take :func:`nnviz.class_colors.picture_class_colors`), and ``class_names`` the
    legend's names of the classes (a CSV file's labels; ``class 0``, ``class 1``, … without).
    """
    theme = scene.theme
    palette = tuple(theme.class_colors if colors is None else colors)
    box = data_box(X, scales, margin=0.1)
    screen = DATA_VIEW.to_screen(X, box)
    dots = ClassDots(y, palette, radius=0.05, hollow=test, stroke_color=theme.dot_outline)
    dots.place(screen)
    held_out = "" if test is None else f" ({int(np.sum(test))} hollow ones held out for testing)"
    words = f"{len(X)} points in {count_word(len(palette))} classes: {description}{held_out}"
    caption = theme_text(
        theme,
        words,
        font_size=22,
        color=theme.foreground,
    )
    caption.scale_to_fit_width(min(caption.width, DATA_CAPTION_WIDTH)).to_edge(DOWN, buff=0.5)
    legend = class_legend(theme, class_names=class_names, colors=palette)
    legend.scale_to_fit_width(min(legend.width, DATA_CAPTION_WIDTH))
    legend.next_to(caption, UP, buff=0.3)
    with scene.subtitled(words):
        fade_in(scene, dots, run_time=0.8)
        fade_in(scene, caption, legend, run_time=0.6)
        scene.wait(1.5)
    if clear:
        fade_out(scene, dots, caption, legend, run_time=0.5)


def play_data_of(
    scene: NNVizScene,
    config: RunConfig,
    X: np.ndarray,
    y: np.ndarray,
    test: np.ndarray | None = None,
    scales: Scales = "equal",
    clear: bool = True,
) -> None:
    """Play the data phase (:func:`play_data`) of the points ``X``, ``y`` of a run of
    ``config``: described by :func:`nnviz.data.data_description` (a built-in data set's line,
    or a CSV file's name and columns), in the colours its pictures give its classes
    (:func:`nnviz.class_colors.picture_class_colors`) and with its class names."""
    colors = picture_class_colors(scene.theme, config.classes, config.output_head.name)
    play_data(scene, X, y, data_description(config), test=test, scales=scales, clear=clear,
              colors=colors, class_names=config.class_names)  # fmt: skip


class TrainingStory(NNVizScene):
    """How a network (the post's 2-2-1 by default, :attr:`base_config`) learns its data, at
    three learning rates: the data, each run's training layout, then the final states side
    by side.

    Subclasses set :attr:`activation` and :attr:`learning_rates`, and the timing, meshes and
    panels of each run in :attr:`training` (``training = TrainingPhase(layout="blog")``).
    Every panel is driven by one epoch tracker; between logged epochs the weights are
    interpolated (PCHIP) and the picture recomputed from them. A softmax run of 2 to 6 classes
    (``RunConfig(dataset="spiral", classes=3, ...)``, or a CSV file's labels) is drawn by its
    most probable class in the default layout; the blog layout, the post's binary figure,
    refuses it in one line.
    """

    #: Hidden activation of the runs.
    activation: ClassVar[str] = "relu"
    #: Learning rates shown, one training segment each.
    learning_rates: ClassVar[tuple[float, ...]] = BLOG_LEARNING_RATES
    #: The training phase of each run (200 epochs take 16 s); its mesh resolution and axis
    #: scales are also the final states'.
    training: ClassVar[TrainingPhase] = TrainingPhase()

    def construct(self) -> None:
        check_phases(self, "training")
        layout = self.training.layout
        runs = [
            self.run_for(layout=layout, activation=self.activation, lr=lr)
            for lr in self.learning_rates
        ]
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
        scales = axis_scales_for(self.training.axis_scales, self.base_config.dataset)
        play_data_of(self, self.base_config, X, y, scales=scales)

    def show_training(self, trajectory: Trajectory) -> None:
        """One run: the panels, the read-out and the loss curve, driven by one clock."""
        self.training.play(self, trajectory)

    def show_comparison(self, trajectories: list[Trajectory]) -> None:
        """The three runs side by side at their final states (with the classes' legend under
        them for a softmax output)."""
        theme = self.theme
        words = final_states_heading(activation(self.activation).display, len(trajectories))
        heading = theme_text(
            theme,
            words,
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
                PanelContext(trajectory, clock, theme, Viewport(centre, size, size)),
                caption=f"learning rate {run.config.lr:g}",
                mesh_resolution=self.training.mesh_resolution,
                axis_scales=self.training.axis_scales,
            )
            summary = theme_text(
                theme, run_outcome(run), font_size=18, color=theme.foreground, line_spacing=0.8
            )
            summary.next_to(panel.frame_box, DOWN, buff=0.5)
            # A long axis name (a CSV file's column) would run into it: 0.2 below it then
            # (the built-in x₁ leaves 0.21, so the post's columns stay where they were).
            below_name = panel.axis_names.get_bottom()[1] - 0.2
            if len(panel.axis_names) and summary.get_top()[1] > below_name:
                summary.shift((below_name - summary.get_top()[1]) * UP)
            columns.add(Group(panel, summary))
        config = trajectories[0].run.config
        if config.output_head.link == "softmax":  # the classes' colours, under the columns
            columns.add(
                ClassFieldLegend(theme, config.classes, class_names=config.class_names)
                .to_edge(DOWN, buff=0.25)
            )  # fmt: skip
        outcomes = [
            (f"learning rate {t.run.config.lr:g}", run_outcome(t.run)) for t in trajectories
        ]
        with self.subtitled(comparison_cue(words, outcomes)):
            reveal(self, heading, columns, run_time=1.2)
            self.wait(3.0)


class SingleRunStory(NNVizScene):
    """One run's evolution, like one of the blog's GIFs (used by ``nnviz render``).

    The run is :attr:`base_config` with :attr:`activation` and :attr:`lr` (trained and cached
    on first use), or the run file :attr:`run_file` when it is set (a run of your own
    training loop, from :class:`nnviz.Recorder`, or from another machine): e.g. ::

        class MyRun(SingleRunStory):
            run_file = "my_run.npz"
            training = TrainingPhase(seconds_per_epoch=0.05)
    """

    #: Hidden activation of the run.
    activation: ClassVar[str] = "relu"
    #: Learning rate of the run.
    lr: ClassVar[float] = 0.01
    #: The training phase: timing, meshes, key moments, panels (``layout``) and axis scales
    #: (``nnviz render --layout``, ``--axis-scales``, ``--duration``, ``--seconds-per-epoch``).
    training: ClassVar[TrainingPhase] = TrainingPhase()
    #: A title card shown first (none when empty), with the network under it.
    title: ClassVar[str] = ""
    #: Draw a seeded sample of this many points (``None``: all of them, at most
    #: :data:`nnviz.data.MAX_DRAWN_POINTS`); training and the loss use every point.
    draw_points: ClassVar[int | None] = None
    #: The run file to show (validated by :func:`nnviz.run_file.load_run`; a relative path is
    #: relative to the working directory); ``None`` takes the cached run of the settings above.
    run_file: ClassVar[str | None] = None
    #: Show the run at this epoch as a still instead of playing it: a number from 0 to the
    #: run's last epoch (a fraction shows the network between two logged epochs, as the video
    #: does) or ``"final"``; render it as an image (``manim -s``, ``nnviz render --still``).
    still: ClassVar[float | str | None] = None

    def construct(self) -> None:
        check_phases(self, "training")
        phase = self.training
        if self.run_file is None:  # before any training, which draws exactly ``samples``
            self.check_points(self.base_config.samples)
        run = self.story_run()
        self.check_points(len(run.y))  # the points the run holds, whatever it says
        limit = self.draw_points if self.draw_points is not None else MAX_DRAWN_POINTS
        drawn = drawn_sample(len(run.y), limit, run.config.seed)
        trajectory = Trajectory(run, drawn=drawn)
        if self.still is not None:
            try:
                epoch = still_epoch(self.still, run.epochs)
            except ValueError as error:
                raise SystemExit(f"nnviz: {error}") from None
            phase.show_still(self, trajectory, epoch)
            return
        if self.title:
            self.show_title(run.config)
        phase.play(self, trajectory)

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
            With one line when :attr:`run_file` is not a valid run file, or holds a softmax run
            for the blog layout (:func:`nnviz.render_checks.refuse_softmax_pictures`).
        """
        if self.run_file is None:
            return self.run_for(layout=self.training.layout, activation=self.activation, lr=self.lr)
        try:
            run = load_run(self.run_file)
            refuse_softmax_pictures(run.config, self.training.layout)
        except (RunFileError, RenderError) as error:  # one line instead of Manim's traceback
            raise SystemExit(f"nnviz: {error}") from None
        return run

    def show_title(self, config: RunConfig) -> None:
        """The title card: :attr:`title` and the network, layer by layer."""
        theme = self.theme
        title = theme_text(theme, self.title, font_size=44, color=theme.foreground)
        widths = " → ".join(map(str, config.widths))
        names = display_name(config.activation)
        data = "your data" if config.dataset == EXTERNAL else f"{config.dataset} data"
        network = f"{data} · network {widths} ({names}) · {training_label(config)}"
        subtitle = theme_text(
            theme,
            network,
            font_size=24,
            color=theme.muted,
        )
        block = VGroup(title, subtitle).arrange(DOWN, buff=0.4)
        with self.subtitled(title_cue(self.title, network)):
            fade_in(self, block, run_time=0.8)
            self.wait(1.5)
        fade_out(self, block, run_time=0.5)
