"""A talk in one scene: data, network, what the hidden layer does, training, comparison.

:class:`ExplainerStory` is a plain nnviz scene that pauses after every phase. A scene file
makes it a presentation explicitly, with :func:`nnviz.manim_adapter.slides.slides_when_installed`
(or :func:`~nnviz.manim_adapter.slides.as_slides`): combined with :class:`manim_slides.Slide`, every
pause ends a slide, so ``manim-slides render scenes/explainer.py Explainer`` followed by
``manim-slides Explainer`` (or ``manim-slides convert Explainer talk.html``, an HTML page)
presents it. Each slide's speaker notes are its subtitles (:mod:`nnviz.subtitles`). As a
plain scene it plays straight through.
"""

from __future__ import annotations

from typing import ClassVar

from manim import DOWN, UP, VGroup

from nnviz.config import BLOG_LEARNING_RATES
from nnviz.manim_adapter.slides import end_slide, is_slide
from nnviz.mobjects.typeset import theme_text
from nnviz.stories.base import NNVizScene, check_phases
from nnviz.stories.compare import ComparePhase
from nnviz.stories.fades import clear_screen, fade_in, fade_out
from nnviz.stories.network import NetworkPhase
from nnviz.stories.training import TrainingPhase, play_data_of, play_title
from nnviz.stories.transform import DeformationPhase
from nnviz.subtitles import phase_cue, slide_notes
from nnviz.trajectory import Trajectory
from nnviz.view import axis_scales_for

__all__ = ["PHASES", "ExplainerStory"]

#: The titles of the talk's phases, in order.
PHASES: tuple[str, ...] = (
    "The data",
    "The network",
    "What the hidden layer does",
    "Training at three learning rates",
    "The whole experiment",
)


class ExplainerStory(NNVizScene):
    """The talk: every phase starts with its title and ends with a pause (a new slide, when
    the talk is made a presentation, see :mod:`nnviz.manim_adapter.slides`) on its content, which
    fades out only after the pause, when the next phase begins.

    The phases are the other stories' building blocks, each with its own settings
    (:attr:`network`, :attr:`deformation`, :attr:`training`, :attr:`comparison`); a subclass
    replaces one to change it, e.g. ``training = TrainingPhase(seconds_per_epoch=0.02)``.
    """

    #: Hidden activation of the network, deformation and training phases.
    activation: ClassVar[str] = "relu"
    #: Learning rate of the network and deformation phases.
    lr: ClassVar[float] = 0.01
    #: Learning rates of the training phase.
    learning_rates: ClassVar[tuple[float, ...]] = BLOG_LEARNING_RATES
    #: Seconds a phase title stays on screen.
    title_seconds: ClassVar[float] = 1.2
    #: The network phase: faster than the network scene.
    network: ClassVar[NetworkPhase] = NetworkPhase(
        seconds_per_epoch=0.04, hold_seconds=1.0, mesh_resolution=180
    )
    #: The deformation phase.
    deformation: ClassVar[DeformationPhase] = DeformationPhase(mesh_resolution=180)
    #: Each run of the training phase: twice as fast as the training video.
    training: ClassVar[TrainingPhase] = TrainingPhase(seconds_per_epoch=0.04, hold_seconds=1.0)
    #: The whole experiment: ReLU and tanh at the blog's three learning rates.
    comparison: ClassVar[ComparePhase] = ComparePhase(
        seconds_per_epoch=0.04, hold_seconds=1.0, mesh_resolution=180
    )

    def construct(self) -> None:
        check_phases(self, "network", "deformation", "training", "comparison")
        run = self.run_for(activation=self.activation, lr=self.lr)
        play_title(self, run.config, clear=False)
        self.end_phase()
        self.show_phase(0)
        scales = axis_scales_for(self.training.axis_scales, run.config.dataset)
        play_data_of(self, run.config, run.X, run.y, scales=scales, clear=False)
        self.end_phase()
        self.show_phase(1)
        self.network.play(self, Trajectory(run))
        self.end_phase()
        self.show_phase(2)
        self.deformation.play(self, run, clear=False)
        self.end_phase()
        self.show_phase(3)
        for index, lr in enumerate(self.learning_rates):
            trajectory = Trajectory(self.run_for(activation=self.activation, lr=lr))
            self.training.play(self, trajectory, clear=index < len(self.learning_rates) - 1)
        self.end_phase()
        self.show_phase(4)
        self.comparison.play(self)
        self.end_phase()

    def show_phase(self, index: int) -> None:
        """Clear the screen (the last slide's content, after its pause) and show the title
        card of phase ``index`` of :data:`PHASES`."""
        clear_screen(self)
        theme = self.theme
        card = VGroup(
            theme_text(theme, f"{index + 1} / {len(PHASES)}", font_size=24, color=theme.muted),
            theme_text(theme, PHASES[index], font_size=44, color=theme.foreground),
        ).arrange(DOWN, buff=0.25)  # fmt: skip
        with self.subtitled(phase_cue(index, len(PHASES), PHASES[index])):
            fade_in(self, card, shift=0.2 * UP, run_time=0.6)
            self.wait(self.title_seconds)
        fade_out(self, card, run_time=0.4)

    def end_phase(self) -> None:
        """End a phase: a new slide when the talk is a :class:`manim_slides.Slide`, whose
        speaker notes are the subtitles the phase added (:func:`nnviz.subtitles.slide_notes`);
        nothing in a plain scene."""
        if is_slide(self):
            cues = self.cue_texts[getattr(self, "_cues_before_slide", 0) :]
            self._cues_before_slide = len(self.cue_texts)
            end_slide(self, slide_notes(cues))
