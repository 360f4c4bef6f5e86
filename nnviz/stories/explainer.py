"""A talk in one scene: data, network, what the hidden layer does, training, comparison.

When manim-slides is installed (``pip install 'nnviz[slides]'``), :class:`ExplainerStory` is
also a :class:`manim_slides.Slide` and pauses after every phase, so
``manim-slides render scenes/explainer.py Explainer`` followed by ``manim-slides Explainer``
(or ``manim-slides convert Explainer talk.html``, an HTML page) presents it. Without
manim-slides it is a plain Scene and plays straight through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from manim import DOWN, UP, Scene, Text, VGroup, config

from nnviz.config import BLOG_LEARNING_RATES
from nnviz.mobjects.typeset import typeset_once
from nnviz.stories.base import NNVizScene
from nnviz.stories.compare import ComparePhase
from nnviz.stories.network import NetworkPhase
from nnviz.stories.training import TrainingPhase, play_data_of, play_title
from nnviz.stories.transform import DeformationPhase
from nnviz.trajectory import Trajectory
from nnviz.view import axis_scales_for

__all__ = ["PHASES", "SLIDES_AVAILABLE", "ExplainerStory"]

if TYPE_CHECKING:
    SlideBase: Any = object
else:
    try:
        from manim_slides import Slide as SlideBase
    except ImportError:  # manim-slides is optional: the talk is then a plain Scene
        SlideBase = None


if SlideBase is not None:
    from nnviz.manim_adapter.slides import patch_manim_config

    patch_manim_config()

#: True when manim-slides could be imported: the explainer is then a Slide.
SLIDES_AVAILABLE: bool = SlideBase is not None

#: The titles of the talk's phases, in order.
PHASES: tuple[str, ...] = (
    "The data",
    "The network",
    "What the hidden layer does",
    "Training at three learning rates",
    "The whole experiment",
)

_BASES: tuple[type, ...] = (NNVizScene,)
if SLIDES_AVAILABLE:
    _BASES = (*_BASES, SlideBase)


class ExplainerStory(*_BASES):  # type: ignore[misc]
    """The talk: every phase starts with its title and ends with a pause (a new slide) on its
    content, which fades out only after the pause, when the next phase begins.

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
        run = self.run_for(activation=self.activation, lr=self.lr)
        play_title(self, run.config, clear=False)
        self.pause()
        self.show_phase(0)
        scales = axis_scales_for(self.training.axis_scales, run.config.dataset)
        play_data_of(self, run.config, run.X, run.y, scales=scales, clear=False)
        self.pause()
        self.show_phase(1)
        self.network.play(self, Trajectory(run))
        self.pause()
        self.show_phase(2)
        self.deformation.play(self, run, clear=False)
        self.pause()
        self.show_phase(3)
        for index, lr in enumerate(self.learning_rates):
            trajectory = Trajectory(self.run_for(activation=self.activation, lr=lr))
            self.training.play(self, trajectory, clear=index < len(self.learning_rates) - 1)
        self.pause()
        self.show_phase(4)
        self.comparison.play(self)
        self.pause()

    def show_phase(self, index: int) -> None:
        """Clear the screen (the last slide's content, after its pause) and show the title
        card of phase ``index`` of :data:`PHASES`."""
        self.clear_screen()
        theme = self.theme
        card = VGroup(
            typeset_once(Text, f"{index + 1} / {len(PHASES)}", font=theme.font,
                         font_size=24, color=theme.muted),
            typeset_once(Text, PHASES[index], font=theme.font, font_size=44,
                         color=theme.foreground),
        ).arrange(DOWN, buff=0.25)  # fmt: skip
        self.fade_in(card, shift=0.2 * UP, run_time=0.6)
        self.wait(self.title_seconds)
        self.fade_out(card, run_time=0.4)

    def render(self, preview: bool = False) -> None:
        """Render; as slides only when a movie is written (``-s`` and dry runs make none)."""
        if SLIDES_AVAILABLE and (config.save_last_frame or config.dry_run):
            Scene.render(self, preview)
            return
        super().render(preview)

    def pause(self) -> None:
        """End a phase: a new slide under manim-slides, nothing in a plain Scene."""
        if SLIDES_AVAILABLE:
            self.next_slide()
