"""A talk in one scene: data, network, what the hidden layer does, training, comparison.

When manim-slides is installed (``pip install 'nnviz[slides]'``), :class:`ExplainerStory` is
also a :class:`manim_slides.Slide` and pauses after every phase, so
``manim-slides render scenes/explainer.py Explainer`` followed by ``manim-slides Explainer``
(or ``manim-slides convert Explainer talk.html``, an HTML page) presents it. Without
manim-slides it is a plain Scene and plays straight through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from manim import DOWN, UP, FadeIn, FadeOut, Scene, Text, VGroup, config

from nnviz.config import BLOG_LEARNING_RATES
from nnviz.stories.compare import CompareStory
from nnviz.stories.network import NetworkStory
from nnviz.stories.training import TrainingStory
from nnviz.stories.transform import DeformationStory
from nnviz.trajectory import Trajectory

__all__ = ["PHASES", "SLIDES_AVAILABLE", "ExplainerStory"]

if TYPE_CHECKING:
    SlideBase: Any = object
else:
    try:
        from manim_slides import Slide as SlideBase
    except ImportError:  # manim-slides is optional: the talk is then a plain Scene
        SlideBase = None


if SlideBase is not None:
    from nnviz.stories.slides_compat import patch_manim_config

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

_BASES: tuple[type, ...] = (TrainingStory, NetworkStory, DeformationStory, CompareStory)
if SLIDES_AVAILABLE:
    _BASES = (*_BASES, SlideBase)


class ExplainerStory(*_BASES):  # type: ignore[misc]
    """The talk: every phase starts with its title and ends with a pause (a new slide)."""

    #: Hidden activation of the network, deformation and training phases.
    activation: ClassVar[str] = "relu"
    #: Learning rate of the network and deformation phases.
    lr: ClassVar[float] = 0.01
    #: Learning rates of the training phase.
    learning_rates: ClassVar[tuple[float, ...]] = BLOG_LEARNING_RATES
    #: Rows of the comparison grid.
    activations: ClassVar[tuple[str, ...]] = ("relu", "tanh")
    #: Seconds of video per epoch in the training phases (faster than the training video).
    seconds_per_epoch: ClassVar[float] = 0.04
    #: Seconds each run's final state stays on screen.
    hold_seconds: ClassVar[float] = 1.0
    #: Seconds a phase title stays on screen.
    title_seconds: ClassVar[float] = 1.2

    def construct(self) -> None:
        self.show_title()
        self.pause()
        run = self.run_for(activation=self.activation, lr=self.lr)
        self.show_phase(0)
        self.show_data(run.X, run.y)
        self.pause()
        self.show_phase(1)
        self.show_network(Trajectory(run))
        self.conceal(*self.mobjects)
        self.pause()
        self.show_phase(2)
        self.show_run(run, clear=True)
        self.pause()
        self.show_phase(3)
        for lr in self.learning_rates:
            self.show_training(Trajectory(self.run_for(activation=self.activation, lr=lr)))
        self.pause()
        self.show_phase(4)
        self.show_grid()
        self.pause()

    def show_phase(self, index: int) -> None:
        """Show the title card of phase ``index`` of :data:`PHASES`."""
        theme = self.theme
        card = VGroup(
            Text(f"{index + 1} / {len(PHASES)}", font=theme.font, font_size=24,
                 color=theme.muted),
            Text(PHASES[index], font=theme.font, font_size=44, color=theme.foreground),
        ).arrange(DOWN, buff=0.25)  # fmt: skip
        self.play(FadeIn(card, shift=0.2 * UP), run_time=0.6)
        self.wait(self.title_seconds)
        self.play(FadeOut(card), run_time=0.4)

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
