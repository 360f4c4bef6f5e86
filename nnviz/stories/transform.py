"""The hidden layers as a continuous deformation of their spaces, after Chris Olah's "Neural
Networks, Manifolds, and Topology".

For each activation, the trained network's hidden layers carry the input plane (a square grid
and the data) through three stages each (:mod:`nnviz.deform`): the linear map W_k h, the shift
+ b_k and the activation a(z). In the last hidden space the output's line w·h + b = 0 (a plane
in a 3-unit space, a threshold on a 1-unit line) and its probability appear; then the movie
runs backwards and the boundary, carried along with the plane, becomes the network's curved
decision boundary in the input plane.

With ``k`` softmax output units (2 to 6 classes) the last hidden space is cut instead into
the classes' regions, where each class's score ``w_c·h + b_c`` is the largest: convex
polygons in the plane (strips on a 1-unit line), with planes where two classes tie in 3-D. The
grid's lines are coloured by the class the network gives their points, and the input plane at
the end by its most probable class, pale where it is unsure; the legend names the classes. The
output head (:mod:`nnviz.heads`) says which picture a run gets.

Networks whose spaces have at most 2 units are drawn in the plane; one with a 3-unit layer is
drawn in 3-D, by a camera that looks down at the plane and tilts and rocks while the points have
a third coordinate (:mod:`nnviz.deform_view`). :func:`refusal` names, in one line and before any
training, a network with a wider layer, which no such picture can show.

One run's movie is a :class:`DeformationPhase`, so that other stories can compose it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UL,
    Create,
    FadeIn,
    FadeOut,
    MathTex,
    Mobject,
    ValueTracker,
    VGroup,
    VMobject,
    smooth,
)

from nnviz import deform as dm
from nnviz import forward
from nnviz.activations import activation as lookup
from nnviz.activations import display_name
from nnviz.heads import head
from nnviz.mobjects.following import updater
from nnviz.mobjects.grid import DeformationPanel
from nnviz.mobjects.hud import ClassFieldLegend
from nnviz.mobjects.shapes import Segments
from nnviz.mobjects.typeset import theme_text
from nnviz.run import Run
from nnviz.stories.base import NNVizScene, check_phases
from nnviz.stories.fades import conceal, reveal
from nnviz.subtitles import one_line
from nnviz.theme import Theme
from nnviz.view import Viewport, axis_scales_for, check_axis_scales

__all__ = [
    "CLASS_NOTES",
    "NOTES",
    "DeformationPhase",
    "DeformationStory",
    "RunTexts",
    "StageProgress",
    "refusal",
    "run_notes",
    "weight_tex",
]


class StageProgress(VGroup):
    """A bar of the movie's stages with a filled part that follows ``s`` in ``[0, 3 L]``.

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
    hidden_layers
        ``L``: the bar has ``3 L`` stages. One layer names its stages (W₁x, + b₁, a(z));
        more name the layers, with longer ticks between them.
    """

    def __init__(
        self,
        tracker: ValueTracker,
        left: np.ndarray,
        length: float,
        theme: Theme,
        hidden_layers: int = 1,
    ) -> None:
        self.tracker = tracker
        self.left = np.asarray(left, dtype=np.float64)
        self.length = length
        self.stages = dm.STAGES * hidden_layers
        start, end = self.left, self._at(length, 0.0)
        track = Segments(
            np.array([[start, end]]), stroke_color=theme.muted, stroke_width=6, stroke_opacity=0.35
        )
        step = length / self.stages
        ticks = Segments(
            np.array(
                [
                    [self._at(k * step, -tall), self._at(k * step, tall)]
                    for k in range(self.stages + 1)
                    for tall in [0.12 if hidden_layers == 1 or k % dm.STAGES == 0 else 0.07]
                ]
            ),
            stroke_color=theme.muted,
            stroke_width=2,
        )
        self.fill = Segments(stroke_color=theme.accent, stroke_width=6)
        if hidden_layers == 1:
            names = [(name, (k + 0.5) * step) for k, name in enumerate(dm.stage_labels())]
        else:
            names = [(f"layer {k + 1}", (k + 0.5) * dm.STAGES * step) for k in range(hidden_layers)]
        labels = [
            theme_text(theme, name, font_size=18, color=theme.muted).move_to(self._at(x, -0.3))
            for name, x in names
        ]
        super().__init__(track, ticks, self.fill, *labels)
        self.refresh()

    def start(self) -> StageProgress:
        """Follow the tracker from now on."""
        self.add_updater(updater(lambda bar: bar.refresh()))
        return self

    def refresh(self) -> StageProgress:
        """Fill the bar up to the tracker's ``s``."""
        s = min(max(float(self.tracker.get_value()), 0.0), float(self.stages))
        if s < 1e-6:
            self.fill.set_segments(np.zeros((0, 2, 3)))
        else:
            end = self._at(self.length * s / self.stages, 0.0)
            self.fill.set_segments(np.array([[self.left, end]]))
        return self

    def _at(self, dx: float, dy: float) -> np.ndarray:
        return self.left + np.array([dx, dy, 0.0])


@dataclass
class RunTexts:
    """The heading and the text column of one run.

    Attributes
    ----------
    heading
        The activation's name and the weights' epoch and learning rate.
    parameters
        W_k and b_k as matrices, one per hidden layer.
    progress
        The stage bar.
    captions, formulas
        The name and the formula of each stage.
    activations
        Each hidden layer's activation formula, shown with its activation stage.
    notes
        What the hidden space, the way back and the input plane show.
    legend
        The classes' colours and names, for a softmax output; ``None`` for one sigmoid unit.
    words
        What the subtitles say, as the texts do: the heading's line, each stage's caption,
        each note.
    """

    heading: VGroup
    parameters: list[Mobject]
    progress: StageProgress
    captions: list[Mobject]
    formulas: list[Mobject]
    activations: list[Mobject]
    notes: list[Mobject]
    legend: Mobject | None = None
    words: dict[str, list[str]] = field(default_factory=dict)

    def stage(self, k: int) -> list[Mobject]:
        """The texts shown during stage ``k`` (1 to ``3 L``)."""
        layer, kind = dm.layer_and_kind(k)
        extra = [self.activations[layer - 1]] if kind == dm.STAGES else []
        return [self.captions[k - 1], self.formulas[k - 1], *extra]


#: What the last hidden space shows, the way back shows, and the input plane shows, by the
#: last hidden layer's width.
NOTES: dict[int, tuple[str, str, str]] = {
    1: (
        "hidden space: the output's threshold w·h + b = 0,\nshaded by σ(w·h + b)",
        "backwards: the threshold, carried along,\nbecomes the decision boundary",
        "input plane: the network's probability;\nthe boundary is where it is 0.5",
    ),
    2: (
        "hidden space: the output's line w·h + b = 0,\nshaded by σ(w·h + b)",
        "backwards: the line, carried along,\nbecomes the decision boundary",
        "input plane: the network's probability;\nthe boundary is where it is 0.5",
    ),
    3: (
        "hidden space: the output's plane w·h + b = 0\ncuts the bent sheet along the boundary",
        "backwards: the cut, carried along,\nbecomes the decision boundary",
        "input plane: the network's probability;\nthe boundary is where it is 0.5",
    ),
}


#: What the last hidden space, the way back and the input plane show for a softmax output,
#: by the last hidden layer's width.
CLASS_NOTES: dict[int, tuple[str, str, str]] = {
    1: (
        "hidden space: one affine score per class;\nthe largest cuts the line into stretches",
        "backwards: the breaks between classes,\ncarried along, become the boundaries",
        "input plane: the most probable class,\npale where the network is unsure",
    ),
    2: (
        "hidden space: one affine score per class;\nthe largest cuts the plane into regions",
        "backwards: the regions' edges, carried\nalong, become the decision boundaries",
        "input plane: the most probable class,\npale where the network is unsure",
    ),
    3: (
        "hidden space: the planes where two classes'\nscores tie cut the bent sheet",
        "backwards: the cuts, carried along,\nbecome the decision boundaries",
        "input plane: the most probable class,\npale where the network is unsure",
    ),
}


def run_notes(output: str, width: int) -> tuple[str, str, str]:
    """Return the three notes of a run (hidden space, way back, input plane) whose output head
    is ``output`` and whose last hidden layer has ``width`` units: :data:`NOTES` when the head
    separates two classes by one level, :data:`CLASS_NOTES` when by the ties of the top two."""
    return (NOTES if head(output).boundary == "level" else CLASS_NOTES)[width]


#: Width of the input space of the story's data sets (points in the plane).
INPUT_WIDTH = 2
#: The square on screen that shows the deforming plane, by default.
DEFAULT_VIEW = Viewport((-2.85, -0.35), 6.5, 6.5)


@dataclass(frozen=True)
class DeformationPhase:
    """The deformation of one run as a phase another story can play: the settings and
    :meth:`play`, which checks them first (:meth:`check`).

    Attributes
    ----------
    stage_seconds
        Seconds of each forward stage (linear map, shift, activation).
    back_seconds
        Seconds of each stage on the way back.
    pause_seconds
        Seconds of stillness after each forward stage.
    swap_seconds
        Seconds of a caption change (old out, then new in).
    hold_seconds
        Seconds the end of the run stays on screen.
    mesh_resolution
        Pixels along each side of the probability shading.
    grid_count, grid_samples
        Grid lines in each direction, and samples along each line.
    epoch
        Epoch whose weights are shown; ``None`` for the run's last epoch.
    view
        The square on screen that shows the deforming plane.
    column_left, column_width
        Left edge and width of the text column right of the view.
    axis_scales
        How the input plane scales its axes: ``"auto"`` (equal for a built-in data set, per
        axis for a CSV file's data or your own loop's), ``"equal"`` or ``"per-axis"``. With
        per-axis scales the view at ``s = 0`` is the data's own range along each axis, and
        the first stage carries each range on its own to the first hidden space's square
        (:mod:`nnviz.deform_view`).
    """

    stage_seconds: tuple[float, float, float] = (1.6, 1.0, 1.6)
    back_seconds: float = 1.3
    pause_seconds: float = 0.3
    swap_seconds: float = 0.3
    hold_seconds: float = 1.0
    mesh_resolution: int = 160
    grid_count: int = 25
    grid_samples: int = 100
    epoch: int | None = None
    view: Viewport = DEFAULT_VIEW
    column_left: float = 1.3
    column_width: float = 5.4
    axis_scales: str = "auto"

    def check(self) -> None:
        """Raise :class:`ValueError` in one line when a setting is out of its range."""
        check_axis_scales(self.axis_scales)

    def weights_epoch(self, run: Run) -> int:
        """The epoch whose weights are shown: :attr:`epoch`, at most the run's last."""
        return run.epochs if self.epoch is None else min(max(int(self.epoch), 0), run.epochs)

    def make_panel(self, run: Run, tracker: ValueTracker, theme: Theme) -> DeformationPanel:
        """The deforming plane of ``run`` at the weights of :meth:`weights_epoch`."""
        return DeformationPanel(
            run.X,
            run.y,
            run.weights(self.weights_epoch(run)),
            run.config.activation,
            tracker,
            self.view,
            theme,
            grid_count=self.grid_count,
            grid_samples=self.grid_samples,
            mesh_resolution=self.mesh_resolution,
            test=run.test,
            axis_scales=axis_scales_for(self.axis_scales, run.config.dataset),
            output=run.config.output_head.name,
            feature_names=_feature_names(run),
        )

    def play(self, scene: NNVizScene, run: Run, clear: bool = True) -> None:
        """One run on ``scene``: forward through every layer's three stages, the output in the
        last hidden space, and back.

        With ``clear`` the run fades out at the end; otherwise its last frame stays.

        Raises
        ------
        SystemExit
            With one line saying why, when ``run``'s network is not one the scene can draw
            (see :func:`refusal`).
        """
        self.check()
        message = refusal((int(run.X.shape[1]), *run.hidden_widths))
        if message is not None:
            raise SystemExit(message)
        s = ValueTracker(0.0)
        panel = self.make_panel(run, s, scene.theme)
        texts = self.make_texts(run, s, scene.theme)
        last = dm.STAGES * panel.hidden_layers
        parameters = [texts.parameters[0]]

        def show_layer(layer: int) -> None:
            nonlocal parameters
            parameters = self._swap(scene, parameters, [texts.parameters[layer - 1]])

        # Forward: the plane through every layer's three stages.
        panel.start()
        texts.progress.start()
        legend = [] if texts.legend is None else [texts.legend]
        words = texts.words
        with scene.subtitled(one_line(words["heading"][0])):
            reveal(scene, texts.heading, panel, *parameters, texts.progress, *legend, run_time=0.8)
            scene.wait(0.5)
        shown: list[Mobject] = []
        for k in range(1, last + 1):
            layer, kind = dm.layer_and_kind(k)
            show_layer(layer)
            with scene.subtitled(one_line(words["stages"][k - 1])):
                shown = self._swap(scene, shown, texts.stage(k))
                panel.show_range(layer if kind == dm.STAGES else None)
                scene.play(
                    s.animate.set_value(float(k)),
                    run_time=self.stage_seconds[kind - 1],
                    rate_func=smooth,
                )
                scene.wait(self.pause_seconds)

        # The output in the last hidden space; the boundary, carried along, lies on it.
        panel.paint_hidden_probability()
        panel.show_boundary()
        output = panel.hidden_output()  # the shading (or regions) and the line (or ties)
        appear: list[Any] = [FadeIn(texts.notes[0])]
        if output:
            fill, line = output
            assert isinstance(line, VMobject)  # a Segments
            appear += [FadeIn(fill), Create(line)]
        else:
            appear.append(panel.plane_fade.animate.set_value(1.0))
        with scene.subtitled(one_line(words["notes"][0])):
            scene.play(*appear, run_time=1.0)
            scene.wait(0.8)

        # Backwards: the boundary, carried along with the plane, bends into the input plane.
        if output:
            scene.play(*map(FadeOut, output), run_time=0.5)
        else:
            scene.play(panel.plane_fade.animate.set_value(0.0), run_time=0.5)
        with scene.subtitled(one_line(words["notes"][1])):
            shown = self._swap(scene, [*shown, texts.notes[0]], [*shown, texts.notes[1]])
            for k in range(last, 0, -1):
                layer, kind = dm.layer_and_kind(k)
                panel.show_range(layer if kind == dm.STAGES else None)
                show_layer(layer)
                shown = self._swap(scene, shown, [*texts.stage(k), texts.notes[1]])
                scene.play(
                    s.animate.set_value(float(k - 1)), run_time=self.back_seconds,
                    rate_func=smooth,
                )  # fmt: skip
        panel.show_range(None)

        # Back in the input plane: the network's probability agrees with the boundary.
        panel.paint_input_probability()
        scene.play(FadeIn(panel.shading), run_time=0.6)
        with scene.subtitled(one_line(words["notes"][2])):
            self._swap(scene, shown, [texts.notes[2]])
            scene.wait(self.hold_seconds)
        panel.stop()
        texts.progress.clear_updaters()
        if clear:
            conceal(scene, *scene.mobjects, run_time=0.6)

    def make_texts(self, run: Run, tracker: ValueTracker, theme: Theme) -> RunTexts:
        """The heading and the text column of ``run`` (right of the view)."""
        config = run.config
        widths = (int(run.X.shape[1]), *run.hidden_widths)
        layers = len(widths) - 1
        epoch = self.weights_epoch(run)
        weights = run.weights(epoch)
        name = display_name(config.activation)
        if config.hidden == (2,):
            heading = f"{name} hidden layer"
        else:
            shape = "-".join(map(str, config.widths))
            heading = f"{name} hidden layer{'s' if layers > 1 else ''} of a {shape} network"
        title = theme_text(theme, heading, font_size=34, color=theme.foreground)
        title.to_corner(UL, buff=0.3)
        details = f"trained weights · epoch {epoch} · learning rate {config.lr:g}"
        subtitle = theme_text(
            theme,
            details,
            font_size=20,
            color=theme.muted,
        )
        subtitle.next_to(title, RIGHT, buff=0.4).align_to(title, DOWN)
        heading_line = VGroup(title, subtitle)
        room = 6.9 - title.get_left()[0]
        if heading_line.width > room:  # a long heading: the line shrinks to fit the frame
            heading_line.scale_to_fit_width(room)
            heading_line.to_corner(UL, buff=0.3)

        def place(mobject: Mobject, y: float) -> Mobject:
            if mobject.width > self.column_width:
                mobject.scale_to_fit_width(self.column_width)
            return mobject.move_to((self.column_left + mobject.width / 2, y, 0.0))

        def text(content: str, y: float, size: float, color: str) -> Mobject:
            return place(
                theme_text(theme, content, font_size=size, color=color, line_spacing=0.9), y
            )

        def tex(content: str, y: float, size: float, color: str) -> Mobject:
            return place(MathTex(content, font_size=size, color=color), y)

        names = forward.layer_activations(config.activation, layers)
        # One layer numbers its stages; more name each stage's layer instead.
        stage_words = [f"{k}. {caption}" if layers == 1 else caption
                       for k, caption in enumerate(dm.stage_names(layers), start=1)]  # fmt: skip
        note_words = list(run_notes(config.output_head.name, widths[-1]))
        return RunTexts(
            heading=heading_line,
            parameters=[
                tex(_weights_tex(weights.W[k], weights.b[k], k + 1), 2.2, 30, theme.foreground)
                for k in range(layers)
            ],
            progress=StageProgress(
                tracker, np.array([self.column_left + 0.1, 0.95, 0.0]), 4.2, theme, layers
            ),
            captions=[text(words, 0.05, 30, theme.accent) for words in stage_words],
            formulas=[
                tex(formula, -0.75, 38, theme.foreground) for formula in dm.stage_formulas(widths)
            ],
            activations=[tex(lookup(a).short_formula, -1.5, 34, theme.muted) for a in names],
            notes=[text(note, -2.6, 22, theme.foreground) for note in note_words],
            legend=self._legend(run, theme),
            words={
                "heading": [f"{heading}: {details}"],
                "stages": stage_words,
                "notes": note_words,
            },
        )

    def _legend(self, run: Run, theme: Theme) -> Mobject | None:
        """The classes' colours and names (the CSV file's, where the run has them) at the foot
        of the text column, for a softmax output; ``None`` for one sigmoid unit."""
        config = run.config
        if config.output_head.link != "softmax":
            return None
        legend = ClassFieldLegend(theme, config.classes, class_names=config.class_names)
        if legend.width > self.column_width:
            legend.scale_to_fit_width(self.column_width)
        return legend.move_to((self.column_left + legend.width / 2, -3.45, 0.0))

    def _swap(self, scene: NNVizScene, old: list[Mobject], new: list[Mobject]) -> list[Mobject]:
        """Fade out what of ``old`` is not in ``new``, then fade in the rest of ``new``."""
        leaving = [m for m in old if m not in new]
        entering = [m for m in new if m not in old]
        half = self.swap_seconds / 2
        if leaving:
            scene.play(*map(FadeOut, leaving), run_time=half)
        if entering:
            scene.play(*map(FadeIn, entering), run_time=half)
        return new


class DeformationStory(NNVizScene):
    """The trained hidden layer of each activation as a movie of the plane, there and back.

    Subclasses set :attr:`activations` and :attr:`lr` (the runs), and the movie of each run
    in :attr:`deformation` (its timing, grid, epoch, view, …), e.g.
    ``deformation = DeformationPhase(epoch=20, hold_seconds=2.0)``.
    """

    #: Hidden activations shown, one after the other.
    activations: ClassVar[tuple[str, ...]] = ("relu", "tanh")
    #: Learning rate of the runs (other settings from :attr:`base_config`).
    lr: ClassVar[float] = 0.01
    #: The phase that plays each run.
    deformation: ClassVar[DeformationPhase] = DeformationPhase()

    def construct(self) -> None:
        check_phases(self, "deformation")
        for a in self.activations:  # refuse before any training
            config = self.base_config.replace(activation=a, lr=self.lr)
            message = refusal((INPUT_WIDTH, *config.hidden))
            if message is not None:
                raise SystemExit(message)
        runs = [self.run_for(activation=a, lr=self.lr) for a in self.activations]
        for index, run in enumerate(runs):
            self.show_run(run, clear=index < len(runs) - 1)

    def show_run(self, run: Run, clear: bool = True) -> None:
        """One activation: forward through the three stages, the output, and back
        (:meth:`DeformationPhase.play`)."""
        self.deformation.play(self, run, clear)


def refusal(widths: tuple[int, ...]) -> str | None:
    """Return the one line that says why the scene cannot draw a network whose spaces have
    ``widths`` (the input's, then each hidden layer's), or ``None``: spaces wider than
    :data:`nnviz.deform.MAX_DRAWN_WIDTH` (:func:`nnviz.deform.too_wide_message`)."""
    return dm.too_wide_message(widths)


def _feature_names(run: Run) -> tuple[str, str] | None:
    """The input's two column names, when the run has them (a CSV file's data)."""
    names = run.config.feature_names
    return None if names is None else (str(names[0]), str(names[1]))


def weight_tex(value: float) -> str:
    """Return one weight as LaTeX: two decimals from 0.1 up (``1.45``, ``-0.12``), and two
    significant figures below (``0.0041``, ``-0.00012``; ``4.1\\cdot10^{-6}`` below 0.0001),
    so that a small weight does not read as zero; exactly zero is ``0.00``."""
    magnitude = abs(value)
    if magnitude >= 0.095 or magnitude == 0.0 or not np.isfinite(value):
        return f"{value:.2f}".replace("-0.00", "0.00")
    if magnitude >= 0.0001:
        decimals = 1 - int(np.floor(np.log10(magnitude)))
        text = f"{value:.{decimals}f}"
        if abs(float(text)) >= 10.0 ** (2 - decimals):  # rounded up to a third digit
            text = f"{value:.{decimals - 1}f}"
        return text
    mantissa, exponent = f"{value:.1e}".split("e")
    return rf"{mantissa}\cdot10^{{{int(exponent)}}}"


def _weights_tex(W: np.ndarray, b: np.ndarray, layer: int = 1) -> str:
    """Return ``W_layer`` and ``b_layer`` as LaTeX matrices (:func:`weight_tex`)."""
    number = weight_tex
    rows = r" \\ ".join(" & ".join(number(v) for v in row) for row in W)
    bias = r" \\ ".join(number(v) for v in b)
    return (
        rf"W_{{{layer}}} = \begin{{pmatrix}} {rows} \end{{pmatrix}},\quad "
        rf"b_{{{layer}}} = \begin{{pmatrix}} {bias} \end{{pmatrix}}"
    )
