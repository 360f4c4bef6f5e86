"""The hidden layer as a continuous deformation of the plane, after Chris Olah's "Neural
Networks, Manifolds, and Topology".

For each activation, the trained network's hidden layer carries the input plane (a square grid
and the data) through its three stages (:mod:`nnviz.deform`): the linear map W₁x, the shift
+ b₁ and the activation a(z). In the hidden space the output's line w·h + b = 0 and its
probability appear; then the movie runs backwards and the line, carried along with the plane,
becomes the network's curved decision boundary in the input plane.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    Create,
    FadeIn,
    FadeOut,
    MathTex,
    Mobject,
    Text,
    ValueTracker,
    VGroup,
    smooth,
)

from nnviz import deform as dm
from nnviz.mobjects.grid import DeformationPanel
from nnviz.mobjects.layout import ACTIVATION_NAMES
from nnviz.mobjects.shapes import Segments
from nnviz.run import Run
from nnviz.stories.base import NNVizScene
from nnviz.theme import Theme
from nnviz.view import Viewport

__all__ = ["STAGE_FORMULAS", "DeformationStory", "StageProgress"]

#: The formula of each stage, for MathTex.
STAGE_FORMULAS: tuple[str, ...] = (
    r"x \;\mapsto\; (1-t)\,x + t\,W_1 x",
    r"W_1 x \;\mapsto\; W_1 x + t\,b_1",
    r"z \;\mapsto\; (1-t)\,z + t\,a(z)",
)

#: The activation itself, short enough for the caption column.
_ACTIVATIONS: dict[str, str] = {
    "relu": r"a(z) = \max(0,\, z)",
    "tanh": r"a(z) = \tanh z",
    "sigmoid": r"a(z) = \frac{1}{1 + e^{-z}}",
    "linear": r"a(z) = z",
}


class StageProgress(VGroup):
    """A bar of three stages with a filled part that follows ``s`` in ``[0, 3]``.

    Parameters
    ----------
    tracker
        The deformation parameter.
    left
        Left end of the bar, a scene point.
    length
        Length of the bar in scene units.
    theme
        Colours and font.
    """

    def __init__(
        self, tracker: ValueTracker, left: np.ndarray, length: float, theme: Theme
    ) -> None:
        self.tracker = tracker
        self.left = np.asarray(left, dtype=np.float64)
        self.length = length
        start, end = self.left, self._at(length, 0.0)
        track = Segments(
            np.array([[start, end]]), stroke_color=theme.muted, stroke_width=6, stroke_opacity=0.35
        )
        stops = [length * k / dm.STAGES for k in range(dm.STAGES + 1)]
        ticks = Segments(
            np.array([[self._at(x, -0.12), self._at(x, 0.12)] for x in stops]),
            stroke_color=theme.muted,
            stroke_width=2,
        )
        self.fill = Segments(stroke_color=theme.accent, stroke_width=6)
        names = ("W₁x", "+ b₁", "a(z)")
        labels = [
            Text(name, font=theme.font, font_size=18, color=theme.muted).move_to(
                self._at(length * (k + 0.5) / dm.STAGES, -0.3)
            )
            for k, name in enumerate(names)
        ]
        super().__init__(track, ticks, self.fill, *labels)
        self.refresh()

    def start(self) -> StageProgress:
        """Follow the tracker from now on."""
        self.add_updater(lambda bar: bar.refresh())
        return self

    def refresh(self) -> StageProgress:
        """Fill the bar up to the tracker's ``s``."""
        s = min(max(float(self.tracker.get_value()), 0.0), float(dm.STAGES))
        if s < 1e-6:
            self.fill.set_segments(np.zeros((0, 2, 3)))
        else:
            end = self._at(self.length * s / dm.STAGES, 0.0)
            self.fill.set_segments(np.array([[self.left, end]]))
        return self

    def _at(self, dx: float, dy: float) -> np.ndarray:
        return self.left + np.array([dx, dy, 0.0])


class DeformationStory(NNVizScene):
    """The trained hidden layer of each activation as a movie of the plane, there and back.

    Settings are class attributes; subclass to change them.
    """

    #: Hidden activations shown, one after the other.
    activations: ClassVar[tuple[str, ...]] = ("relu", "tanh")
    #: Learning rate of the runs (other settings from :attr:`base_config`).
    lr: ClassVar[float] = 0.01
    #: Epoch whose weights are shown; ``None`` for the last epoch of each run.
    epoch: ClassVar[int | None] = None
    #: Grid lines in each direction, and samples along each line.
    grid_count: ClassVar[int] = 25
    grid_samples: ClassVar[int] = 100
    #: Seconds of each forward stage.
    stage_seconds: ClassVar[tuple[float, float, float]] = (1.8, 1.2, 1.8)
    #: Seconds of each stage on the way back.
    back_seconds: ClassVar[float] = 1.1
    #: Seconds of stillness after each forward stage.
    pause_seconds: ClassVar[float] = 0.3
    #: Seconds the end of each run stays on screen.
    hold_seconds: ClassVar[float] = 1.5
    #: Pixels along each side of the probability shading.
    mesh_resolution: ClassVar[int] = 160

    VIEW = Viewport((-2.85, -0.35), 6.5, 6.5)
    #: Left edge and width of the text column right of the view.
    COLUMN_LEFT = 1.3
    COLUMN_WIDTH = 5.4

    def construct(self) -> None:
        runs = [self.run_for(activation=a, lr=self.lr) for a in self.activations]
        for index, run in enumerate(runs):
            self.show_run(run, clear=index < len(runs) - 1)

    def weights_epoch(self, run: Run) -> int:
        """The epoch whose weights are shown: :attr:`epoch`, at most the run's last."""
        return run.epochs if self.epoch is None else min(max(int(self.epoch), 0), run.epochs)

    def show_run(self, run: Run, clear: bool = True) -> None:
        """One activation: forward through the three stages, the output, and back."""
        theme = self.theme
        activation = run.config.activation
        epoch = self.weights_epoch(run)
        weights = run.weights(epoch)
        s = ValueTracker(0.0)
        panel = DeformationPanel(
            run.X,
            run.y,
            weights,
            activation,
            s,
            self.VIEW,
            theme,
            grid_count=self.grid_count,
            grid_samples=self.grid_samples,
            mesh_resolution=self.mesh_resolution,
        )

        heading = Text(
            f"{ACTIVATION_NAMES.get(activation, activation)} hidden layer",
            font=theme.font,
            font_size=34,
            color=theme.foreground,
        ).to_corner(UL, buff=0.3)
        subtitle = Text(
            f"trained weights · epoch {epoch} · learning rate {run.config.lr:g}",
            font=theme.font,
            font_size=20,
            color=theme.muted,
        )
        subtitle.next_to(heading, RIGHT, buff=0.4).align_to(heading, DOWN)
        column = self.COLUMN_LEFT
        parameters = self._fit(
            MathTex(
                _weights_tex(weights.W1, weights.b1), font_size=30, color=theme.foreground
            ).move_to((0.0, 2.2, 0.0), aligned_edge=LEFT)
        )
        progress = StageProgress(s, np.array([column + 0.1, 0.95, 0.0]), 4.2, theme)
        captions = [
            self._fit(
                Text(f"{k}. {name}", font=theme.font, font_size=30, color=theme.accent).move_to(
                    (0.0, 0.05, 0.0), aligned_edge=LEFT
                )
            )
            for k, name in enumerate(dm.STAGE_NAMES, start=1)
        ]
        formulas = [
            self._fit(
                MathTex(tex, font_size=38, color=theme.foreground).move_to(
                    (0.0, -0.75, 0.0), aligned_edge=LEFT
                )
            )
            for tex in STAGE_FORMULAS
        ]
        act = _ACTIVATIONS.get(activation, r"a(z)")
        act_formula = self._fit(
            MathTex(act, font_size=34, color=theme.muted).move_to(
                (0.0, -1.5, 0.0), aligned_edge=LEFT
            )
        )
        notes = [
            self._fit(
                Text(
                    text, font=theme.font, font_size=22, color=theme.foreground, line_spacing=0.9
                ).move_to((0.0, -2.6, 0.0), aligned_edge=LEFT)
            )
            for text in (
                "hidden space: the output's line w·h + b = 0,\nshaded by σ(w·h + b)",
                "backwards: the line, carried along,\nbecomes the decision boundary",
                "input plane: the network's probability;\nthe boundary is where it is 0.5",
            )
        ]

        # Forward: the plane through the three stages.
        panel.start()
        progress.start()
        self.reveal(heading, subtitle, panel, parameters, progress, run_time=0.8)
        self.wait(0.5)
        shown: list[Mobject] = []
        for k in range(1, dm.STAGES + 1):
            enter = [captions[k - 1], formulas[k - 1]] + ([act_formula] if k == 3 else [])
            self.play(*map(FadeOut, shown), *map(FadeIn, enter), run_time=0.4)
            shown = enter
            self.play(
                s.animate.set_value(float(k)), run_time=self.stage_seconds[k - 1], rate_func=smooth
            )
            self.wait(self.pause_seconds)

        # The output in hidden space.
        panel.paint_hidden_probability()
        self.play(FadeIn(panel.shading), Create(panel.output_line), FadeIn(notes[0]), run_time=1.0)
        self.wait(1.0)

        # Backwards: the line, carried along with the plane, bends into the boundary.
        panel.show_boundary()
        self.play(
            FadeOut(panel.shading),
            FadeOut(panel.output_line),
            FadeOut(notes[0]),
            FadeIn(notes[1]),
            run_time=0.6,
        )
        for k in range(dm.STAGES, 0, -1):
            enter = [captions[k - 1], formulas[k - 1]] + ([act_formula] if k == 3 else [])
            stay = [m for m in enter if m in shown]
            self.play(
                *(FadeOut(m) for m in shown if m not in stay),
                *(FadeIn(m) for m in enter if m not in stay),
                s.animate.set_value(float(k - 1)),
                run_time=self.back_seconds,
                rate_func=smooth,
            )
            shown = enter

        # Back in the input plane: the network's probability agrees with the boundary.
        panel.paint_input_probability()
        self.play(
            FadeIn(panel.shading),
            *map(FadeOut, shown),
            FadeOut(notes[1]),
            FadeIn(notes[2]),
            run_time=0.6,
        )
        self.wait(self.hold_seconds)
        panel.stop()
        progress.clear_updaters()
        if clear:
            self.conceal(*self.mobjects, run_time=0.6)

    def _fit(self, mobject: Mobject) -> Mobject:
        """Shrink ``mobject`` to the text column's width if needed and put it at its left."""
        if mobject.width > self.COLUMN_WIDTH:
            mobject.scale_to_fit_width(self.COLUMN_WIDTH)
        return mobject.shift((self.COLUMN_LEFT - mobject.get_left()[0]) * RIGHT)


def _weights_tex(W1: np.ndarray, b1: np.ndarray) -> str:
    """Return W₁ and b₁ as LaTeX matrices with two decimals."""

    def number(value: float) -> str:
        return f"{value:.2f}".replace("-0.00", "0.00")

    rows = r" \\ ".join(" & ".join(number(v) for v in row) for row in W1)
    bias = r" \\ ".join(number(v) for v in b1)
    return (
        rf"W_1 = \begin{{pmatrix}} {rows} \end{{pmatrix}},\quad "
        rf"b_1 = \begin{{pmatrix}} {bias} \end{{pmatrix}}"
    )
