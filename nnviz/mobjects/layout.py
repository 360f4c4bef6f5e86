"""The full-frame layout of one run's training: both panels, the read-out and the loss curve."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Arrow, Group, MathTex, Mobject, VGroup
from typing_extensions import Self

from nnviz.activations import display_name
from nnviz.class_colors import class_palette
from nnviz.config import RunConfig
from nnviz.formatting import format_rate, training_details, training_label
from nnviz.forward import HIDDEN, HIDDEN_AFFINE
from nnviz.mobjects.context import NO_MARKS, BlockContext, PanelMarks
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.hud import (
    ClassAccuracies,
    ClassFieldLegend,
    LossCurve,
    MomentCaptions,
    ProbabilityLegend,
    StatsReadout,
    StopMark,
)
from nnviz.mobjects.panels import HiddenSpacePanel, InputPlanePanel, Panel
from nnviz.mobjects.point_legend import PointLossLegend
from nnviz.mobjects.shapes import ClassDots, class_dots
from nnviz.mobjects.typeset import theme_text
from nnviz.moments import Moment, shows_classes
from nnviz.theme import Theme
from nnviz.trails import TrailClock
from nnviz.view import AxisScales, Viewport

__all__ = [
    "PANEL_BUILDERS",
    "ClockedGroup",
    "PanelRow",
    "TrainingLayout",
    "blog_panels",
    "heading_and_stats",
    "heading_title",
    "layer_panels",
    "row_viewports",
    "scaled_mesh_resolution",
    "test_key",
]


def heading_title(config: RunConfig) -> str:
    """Return the heading of a run's layout (its subtitle says it too): ``ReLU · learning
    rate 0.01``, the widths first for a network other than the post's 2-2-1 (``2-8-4-1 ReLU ·
    …``), how a run of one's own loop was trained instead of its learning rate."""
    network = "" if config.hidden == (2,) else f"{'-'.join(map(str, config.widths))} "
    rate = (
        training_label(config)
        if config.optimizer == "external"
        else f"learning rate {format_rate(config.lr)}"
    )
    return f"{network}{display_name(config.activation)} · {rate}"


def heading_and_stats(context: BlockContext) -> tuple[Mobject, StatsReadout]:
    """Return the top row of a run's layout: ``ReLU · learning rate 0.01`` at the top left and
    the epoch, loss and accuracy read-out at the top right, on one baseline; a heading that
    would run into the read-out is scaled down to end before it. Training other than the
    post's (another optimizer, a penalty), a run logged every few epochs or steps and a
    sample of the points drawn instead of all of them are named on a smaller line below the
    heading."""
    trajectory, theme = context.trajectory, context.theme
    config = trajectory.run.config
    title = context.text(
        heading_title(config),
        font_size=28,
        color=theme.foreground,
    ).to_corner(UP + LEFT, buff=0.3)
    stats = StatsReadout(context, font_size=20)
    stats_left = 6.8 - stats.line_width
    room = stats_left - 0.4 - title.get_left()[0]
    if title.width > room:
        title.scale_to_fit_width(room).to_corner(UP + LEFT, buff=0.3)
    stats.place(np.array([stats_left, title.get_bottom()[1] + 0.04, 0]))
    heading = VGroup(title)
    details = training_details(config)
    run = trajectory.run
    if run.every > 1:  # a run of one's own loop, logged every few steps
        logged = f"logged every {run.every} {run.unit}s"
        details = f"{details} · {logged}" if details else logged
    if trajectory.drawn is not None:  # a sample of a large data set
        sample = f"showing {len(trajectory.drawn)} of {len(trajectory.run.y)} points"
        details = f"{details} · {sample}" if details else sample
    if details:
        line = context.text(details, font_size=17, color=theme.muted)
        if line.width > room:
            line.scale_to_fit_width(room)
        heading.add(line.next_to(title, DOWN, buff=0.1, aligned_edge=LEFT))
    return heading, stats


def test_key(theme: Theme, font_size: float = 13, classes: int | None = None) -> VGroup:
    """``○ test points``: a hollow dot of each class and what hollow means; in the theme's
    two class colours, or with ``classes`` in the colours of that many classes
    (:func:`nnviz.class_colors.class_palette`, as the points of a softmax run are drawn)."""
    if classes is None:
        dots = class_dots(np.array([0, 1]), theme, 0.05, hollow=np.array([True, True]))
    else:
        dots = ClassDots(np.arange(classes), class_palette(classes), 0.05,
                         hollow=np.ones(classes, dtype=bool),
                         stroke_color=theme.dot_outline)  # fmt: skip
    count = len(dots.labels)
    dots.place(np.column_stack([0.15 * np.arange(count), np.zeros(count), np.zeros(count)]))
    name = theme_text(theme, "held-out test points", font_size=font_size, color=theme.muted)
    return VGroup(dots, name.next_to(dots, RIGHT, buff=0.1))


class ClockedGroup(FollowsClock, Group):
    """A group of parts that follow one clock: :attr:`live` lists those with ``start()``.

    The group has no updater of its own: each live part follows the clock.
    """

    live: tuple[Any, ...] = ()

    def refresh(self) -> Self:
        """Draw every live part at the clock's value."""
        for part in self.live:
            part.refresh()
        return self

    def start(self) -> Self:
        """Make every part follow the clock."""
        for part in self.live:
            part.start()
        return self

    def stop(self) -> Self:
        """Freeze every part as it is."""
        for part in self.live:
            part.clear_updaters()
        return self


@dataclass(frozen=True)
class PanelRow:
    """The panels of a training layout and what goes between them.

    Attributes
    ----------
    panels
        The panels, left to right, each following the clock.
    decorations
        Static parts between the panels (arrows, formulas).
    top
        The top of the panels' frames, in scene units (the stop mark goes above it).
    """

    panels: tuple[Any, ...]
    decorations: tuple[Mobject, ...]
    top: float


def layer_panels(
    context: BlockContext,
    mesh_resolution: int,
    axis_scales: AxisScales | str = "auto",
    marks: PanelMarks = NO_MARKS,
) -> PanelRow:
    """nnviz's own layout: the input plane (its axes scaled as ``axis_scales`` says, see
    :func:`nnviz.mobjects.panels.input_box`) and a view of every hidden layer, chosen by its
    width (:func:`nnviz.mobjects.views.layer_view`), in a row fitted to the frame (the meshes
    of panels narrower than the 2-2-1's keep its pixels per unit,
    :func:`scaled_mesh_resolution`). For the
    post's 2-2-1 network: the input plane and the hidden plane with the output's line and its
    probability over the whole view, joined by an arrow ``h = a(W₁x + b₁)``."""
    widths = context.trajectory.run.hidden_widths
    if widths != (2,):
        return _general_row(context, mesh_resolution, axis_scales, marks)
    theme = context.theme
    views = TrainingLayout.INPUT_VIEW, TrainingLayout.HIDDEN_VIEW
    input_panel = InputPlanePanel(context.at(views[0], marks),
                                  mesh_resolution=mesh_resolution,
                                  axis_scales=axis_scales)  # fmt: skip
    hidden_panel = HiddenSpacePanel(context.at(views[1], marks),
                                    mesh_resolution=mesh_resolution)  # fmt: skip
    centre_y = views[0].centre[1]
    mapping = VGroup(
        Arrow(np.array([-0.95, centre_y, 0]), np.array([0.95, centre_y, 0]), buff=0,
              color=theme.muted, stroke_width=3),
        MathTex(r"h = a(W_1 x + b_1)", font_size=24, color=theme.muted).move_to(
            np.array([0, centre_y + 0.4, 0])
        ),
    )  # fmt: skip
    return PanelRow((input_panel, hidden_panel), (mapping,), centre_y + views[0].height / 2)


def row_viewports(count: int) -> list[Viewport]:
    """Return ``count`` square viewports side by side, as large as the frame allows with room
    for each panel's range labels between them (4.4 units for two, 3.7 for three)."""
    if count <= 2:
        return [TrainingLayout.INPUT_VIEW, TrainingLayout.HIDDEN_VIEW][:count]
    if count == 3:
        return [Viewport((x, BLOG_CENTRE_Y), BLOG_PANEL, BLOG_PANEL) for x in BLOG_CENTRES_X]
    # Room for the first panel's labels on the left, the others' on their right.
    left_margin, right_margin, gap = 0.8, 0.85, 0.8
    size = (2 * 7.11 - left_margin - right_margin - (count - 1) * gap) / count
    first = -7.11 + left_margin + size / 2
    return [Viewport((first + k * (size + gap), 0.35), size, size) for k in range(count)]


def scaled_mesh_resolution(mesh_resolution: int, width: float) -> int:
    """Return the mesh resolution of a panel ``width`` scene units wide that has the pixels
    per unit of a panel of the 2-2-1 layout (:attr:`TrainingLayout.PANEL` wide) at
    ``mesh_resolution``: a smaller panel covers fewer pixels on screen and needs fewer (never
    more, never below 16)."""
    if width >= TrainingLayout.PANEL:
        return mesh_resolution
    return max(16, round(mesh_resolution * width / TrainingLayout.PANEL))


def _general_row(
    context: BlockContext,
    mesh_resolution: int,
    axis_scales: AxisScales | str = "auto",
    marks: PanelMarks = NO_MARKS,
) -> PanelRow:
    from nnviz.mobjects.views import layer_view

    layers = len(context.trajectory.run.hidden_widths)
    viewports = row_viewports(layers + 1)
    small = viewports[0].width < 3.0
    options: dict[str, Any] = {
        "mesh_resolution": scaled_mesh_resolution(mesh_resolution, viewports[0].width)
    }
    if small:
        options.update(caption_size=16, dot_radius=0.035)
    caption = "input space" if layers < 2 else "input space\n2 inputs"
    panels: list[Panel] = [
        InputPlanePanel(context.at(viewports[0], marks), caption=caption,
                        axis_scales=axis_scales, **options)
    ]  # fmt: skip
    for layer in range(1, layers + 1):
        panels.append(layer_view(context.at(viewports[layer], marks), layer, **options))
    top = viewports[0].centre[1] + viewports[0].height / 2
    return PanelRow(tuple(panels), (), top)


def blog_panels(
    context: BlockContext,
    mesh_resolution: int,
    axis_scales: AxisScales | str = "auto",
    marks: PanelMarks = NO_MARKS,
) -> PanelRow:
    """The post's layout: "Input layer", "Hidden layer" (the affine output W₁x + b₁, before the
    activation) and "Activation", each with the points and the input plane's grid carried into
    it, coloured by the network's output probability. ``axis_scales`` scales the input
    plane's axes, and so the grid that is carried (the hidden spaces' views stay square)."""
    size, y = BLOG_PANEL, BLOG_CENTRE_Y
    views = [Viewport((x, y), size, size) for x in BLOG_CENTRES_X]
    input_panel = InputPlanePanel(context.at(views[0], marks), caption="input layer: x",
                                  mesh_resolution=mesh_resolution,
                                  axis_scales=axis_scales)  # fmt: skip
    affine = HiddenSpacePanel(context.at(views[1], marks),
                              caption="hidden layer: z = W₁x + b₁", space=HIDDEN_AFFINE,
                              shading="grid", mesh_resolution=mesh_resolution,
                              axis_scales=axis_scales)  # fmt: skip
    activation = HiddenSpacePanel(context.at(views[2], marks),
                                  caption="activation: h = a(z)", space=HIDDEN,
                                  shading="grid", mesh_resolution=mesh_resolution,
                                  axis_scales=axis_scales)  # fmt: skip
    return PanelRow((input_panel, affine, activation), (), y + size / 2)


#: Side of the post's three panels, their centres and height on screen.
BLOG_PANEL = 3.7
BLOG_CENTRES_X = (-4.55, 0.0, 4.55)
BLOG_CENTRE_Y = 0.3

#: The panels of each training layout of :data:`nnviz.layouts.LAYOUT_SPECS`, by its name:
#: each builder takes the run's context (:class:`~nnviz.mobjects.context.BlockContext`), the
#: mesh resolution, the input plane's axis scales and the panels' marks
#: (:class:`~nnviz.mobjects.context.PanelMarks`).
PANEL_BUILDERS: dict[str, Callable[[BlockContext, int, str, PanelMarks], PanelRow]] = {
    "default": layer_panels,
    "blog": blog_panels,
}


class TrainingLayout(ClockedGroup):
    """One run on one clock: its panels (see :data:`PANEL_BUILDERS`), heading, epoch/loss/accuracy
    read-out (top), loss curve, key-moment captions and legend (bottom).

    A run of softmax classes (:func:`nnviz.moments.shows_classes`) writes the classes its key
    moments name in their colours, draws held-out points in its classes' colours, and with
    ``class_readout`` has each class's accuracy at the bottom right
    (:class:`~nnviz.mobjects.hud.ClassAccuracies`, which is then the classes' legend) above
    the field's strip from unsure to sure, and a shorter loss curve that leaves room for it.

    Parameters
    ----------
    context
        The run (continuous in the epoch), the epoch tracker that drives every part, colours
        and font.
    mesh_resolution
        Pixels along each side of every probability mesh.
    moments
        Key moments of the run to caption (see :mod:`nnviz.moments`).
    layout
        A name in :data:`PANEL_BUILDERS`: ``"default"`` (input plane and hidden space) or ``"blog"``
        (the post's three panels).
    axis_scales
        How the input plane scales its axes (:func:`nnviz.mobjects.panels.input_box`):
        ``"auto"`` (equal for a built-in data set, per axis for a CSV file's), ``"equal"`` or
        ``"per-axis"``.
    caption_epochs
        How many epochs a key moment's caption stays on screen after its moment.
    class_readout
        For a softmax run, each class's accuracy at the bottom right
        (:class:`~nnviz.mobjects.hud.ClassAccuracies`, which then names the classes) with a
        shorter loss curve; without it (the block's default, a still of the field), the
        classes' legend there. The training phase asks for it
        (:attr:`nnviz.stories.training.TrainingPhase.class_readout`). Nothing changes for one
        sigmoid unit.
    """

    PANEL = 4.4
    INPUT_VIEW = Viewport((-3.5, 0.2), PANEL, PANEL)
    HIDDEN_VIEW = Viewport((3.5, 0.2), PANEL, PANEL)
    LOSS_VIEW = Viewport((-0.9, -3.2), 8.6, 0.8)
    LEGEND_CENTRE = np.array([5.75, -3.05, 0.0])
    CAPTION_CENTRE = np.array([-0.9, -2.6, 0.0])
    #: A softmax run's loss curve, captions (and their widest) and the right end of its
    #: class read-out, whose legend strip's centre is at :data:`CLASS_STRIP_Y`.
    CLASS_LOSS_VIEW = Viewport((-2.5, -3.2), 5.4, 0.8)
    CLASS_CAPTION_CENTRE = np.array([-3.1, -2.6, 0.0])
    CLASS_CAPTION_WIDTH = 7.8
    CLASS_RIGHT = 6.95
    CLASS_STRIP_Y = -3.72
    #: The dots' scale (:class:`~nnviz.mobjects.point_legend.PointLossLegend`): its gap from
    #: the shortened loss curve and the height of its centre.
    POINT_LEGEND_GAP = 0.55
    POINT_LEGEND_Y = -3.15

    def __init__(
        self,
        context: BlockContext,
        mesh_resolution: int = 180,
        moments: Sequence[Moment] = (),
        layout: str = "default",
        axis_scales: AxisScales | str = "auto",
        caption_epochs: float = 25.0,
        class_readout: bool = False,
        marks: PanelMarks = NO_MARKS,
        trail_clock: TrailClock | None = None,
    ) -> None:
        super().__init__()
        if layout not in PANEL_BUILDERS:
            raise ValueError(
                f"unknown layout {layout!r}; choose one of {', '.join(PANEL_BUILDERS)}"
            )
        trajectory, clock, theme = context.trajectory, context.clock, context.theme
        self.clock = clock
        row = PANEL_BUILDERS[layout](context, mesh_resolution, axis_scales, marks)
        self.panels = row.panels
        self.input_panel = row.panels[0]
        self.hidden_panel = row.panels[-1]
        self.heading, self.stats = heading_and_stats(context)
        run = trajectory.run
        readout = class_readout and shows_classes(run)
        short = readout or marks.point_loss  # the loss curve leaves room at its right
        #: Each class's accuracy (a softmax run with ``class_readout``), else ``None``.
        self.class_accuracies: ClassAccuracies | None = None
        #: The scale of the dots' sizes (with :attr:`PanelMarks.point_loss
        #: <nnviz.mobjects.context.PanelMarks.point_loss>`), or ``None``.
        self.point_legend: PointLossLegend | None = None
        if marks.point_loss:
            self.point_legend = PointLossLegend(theme, self.input_panel.dots.radius)
        if readout:
            class_legend = self._class_legend(context, marks.discretize)
        loss_view = self._loss_view(readout)
        self.loss_curve = LossCurve(context.at(loss_view))
        self.mapping = Group(*row.decorations)
        # Just above the panels' captions, whatever their height.
        captions_top = max(p.caption.get_top()[1] for p in row.panels)
        self.stop_mark = StopMark(context)
        self.stop_mark.move_to(np.array([0, max(captions_top, row.top) + 0.1, 0]), DOWN)
        if self.stats.has_test:
            # The read-out's test line takes the stop mark's place: the mark goes to the top
            # right of the loss curve, which is empty when a run stops early.
            corner = loss_view.corners()[1]  # upper right
            self.stop_mark.scale(0.8).move_to(corner - np.array([0.05, 0.08, 0.0]), UP + RIGHT)
        config = run.config
        if readout:
            self.legend = class_legend
        else:
            names = config.class_names
            key: Group = (
                ProbabilityLegend(theme, class_names=names, discrete=marks.discretize)
                if config.output_head.link == "sigmoid"
                else ClassFieldLegend(
                    theme, config.classes, class_names=names, discrete=marks.discretize
                )
            )
            self.legend = Group(key.move_to(self.LEGEND_CENTRE))
            if run.has_test:
                classes = None if config.output_head.link == "sigmoid" else config.classes
                self.legend.add(test_key(theme, classes=classes).next_to(self.legend, UP, 0.12))
        if self.point_legend is not None:  # right of the shortened loss curve
            left = loss_view.centre[0] + loss_view.width / 2 + self.POINT_LEGEND_GAP
            self.point_legend.move_to(np.array([left, self.POINT_LEGEND_Y, 0.0]), LEFT)
            self.legend.add(self.point_legend)
        if shows_classes(run):  # the classes a moment names in their colours
            self.captions = MomentCaptions(
                moments, clock, theme, show_epochs=caption_epochs,
                class_colors=class_palette(config.classes),
                max_width=self.CLASS_CAPTION_WIDTH if short else loss_view.width,
            )  # fmt: skip
        elif short:
            self.captions = MomentCaptions(moments, clock, theme, show_epochs=caption_epochs,
                                           max_width=self.CLASS_CAPTION_WIDTH)  # fmt: skip
        else:
            self.captions = MomentCaptions(moments, clock, theme, show_epochs=caption_epochs)
        self.captions.move_to(self.CLASS_CAPTION_CENTRE if short else self.CAPTION_CENTRE)
        parts = () if self.class_accuracies is None else (self.class_accuracies,)
        self.live = (*row.panels, self.stats, self.loss_curve, self.stop_mark, self.captions,
                     *parts)  # fmt: skip
        self.add(
            *row.panels,
            self.heading,
            self.stats,
            self.loss_curve,
            self.mapping,
            self.stop_mark,
            self.legend,
            *parts,
            self.captions,
        )
        if trail_clock is not None:
            self.set_trail_clock(trail_clock)

    def _class_legend(self, context: BlockContext, discrete: bool) -> Group:
        """Place a softmax run's class read-out (:attr:`class_accuracies`) at the bottom right,
        above the field's strip (none for a ``discrete`` field, which has no fading), and the
        test key above it; return the static legend (the strip and the key)."""
        trajectory, theme = context.trajectory, context.theme
        config = trajectory.run.config
        right = self.CLASS_RIGHT
        strip = ClassFieldLegend(theme, config.classes, class_names=config.class_names,
                                 show_classes=False, discrete=discrete)  # fmt: skip
        readout = ClassAccuracies(context)
        self.class_accuracies = readout
        left = right - max(readout.block_width, strip.width if strip.submobjects else 0.0)
        base = self.CLASS_STRIP_Y
        if strip.submobjects:
            strip.move_to(np.array([left, base, 0.0]), LEFT)
            base = strip.get_top()[1]
        top = base + 0.12 + readout.block_height
        readout.place(np.array([left, top, 0.0]))
        self._readout_left = left
        legend = Group(strip)
        if trajectory.run.has_test:
            key = test_key(theme, classes=config.classes)
            legend.add(key.move_to(np.array([left, top + 0.1, 0.0]), DOWN + LEFT))
        return legend

    def _loss_view(self, readout: bool) -> Viewport:
        """The loss curve's place: the whole width (:attr:`LOSS_VIEW`), or shortened
        (:attr:`CLASS_LOSS_VIEW`) for the class read-out or the dots' scale at its right, and
        shorter still for both, ending where the scale leaves room before the read-out."""
        if self.point_legend is None:
            return self.CLASS_LOSS_VIEW if readout else self.LOSS_VIEW
        if not readout:
            return self.CLASS_LOSS_VIEW
        view = self.CLASS_LOSS_VIEW
        left = view.centre[0] - view.width / 2
        right = self._readout_left - 2 * self.POINT_LEGEND_GAP - self.point_legend.width
        right = max(right, left + 1.5)
        return Viewport(((left + right) / 2, view.centre[1]), right - left, view.height)

    def set_trail_clock(self, trail_clock: TrailClock | None) -> Self:
        """Draw the panels' trails (:attr:`PanelMarks.trails
        <nnviz.mobjects.context.PanelMarks.trails>`) through the epochs of ``trail_clock``,
        the video's clock (:class:`nnviz.trails.TrailClock`)."""
        for panel in self.panels:
            panel.set_trail_clock(trail_clock)
        return self

    def static_parts(self) -> list[Mobject]:
        """Heading, decorations and legend never change."""
        return [self.heading, self.mapping, self.legend]
