"""The two synchronised panels of a training video: the input plane and the hidden space.

Each panel is a :class:`manim.Group` that recomputes itself from one shared epoch tracker on
every frame; the numbers come from :class:`nnviz.trajectory.Trajectory`, once per frame.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Group,
    MathTex,
    Mobject,
    Rectangle,
    VGroup,
    VMobject,
)
from typing_extensions import Self

from nnviz import forward
from nnviz.class_colors import ClassColormap, class_palette
from nnviz.colormap import DivergingColormap
from nnviz.contour import level_segments
from nnviz.heads import head
from nnviz.mobjects.context import PanelContext
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.readout import GlyphText, place_range_labels
from nnviz.mobjects.shapes import (
    DOT_RADIUS,
    ClassDots,
    PlacedImage,
    Segments,
    Trails,
    class_dots,
)
from nnviz.mobjects.typeset import theme_text, typeset_once
from nnviz.point_loss import radius_factors
from nnviz.regions import ClassScores, tie_segments
from nnviz.theme import Theme
from nnviz.ties import logit_tie_lines
from nnviz.trails import TRAIL_STEPS, TrailClock, trail_positions
from nnviz.trajectory import Trajectory
from nnviz.view import (
    AxisScales,
    Box,
    Viewport,
    axis_scales_for,
    axis_segments,
    data_box,
    soft_coverage,
)

__all__ = [
    "AXES_OPACITY",
    "AXES_STROKE_WIDTH",
    "AXIS_NAME_FONT_SIZE",
    "BOUNDARY_LEVEL",
    "BOUNDARY_STROKE_WIDTH",
    "CAPTION_FONT_SIZE",
    "CLASS_FIELD_STRENGTH",
    "FEATURE_NAME_FONT_SIZE",
    "FRAME_STROKE_WIDTH",
    "HIDDEN_CAPTION",
    "INPUT_AXIS_NAMES",
    "INPUT_CAPTION",
    "INPUT_MARGIN",
    "RANGE_LABEL_FONT_SIZE",
    "RANGE_LABEL_LENGTH",
    "FeatureNames",
    "HiddenSpacePanel",
    "InputPlanePanel",
    "Panel",
    "ProbabilityImage",
    "hidden_probability_grid",
    "input_box",
]

#: The probability of the decision boundary drawn in every panel (contour or output line).
BOUNDARY_LEVEL = 0.5
#: Stroke widths (Manim's stroke units) of a panel's frame, its axes through the origin (drawn
#: at :data:`AXES_OPACITY`) and its boundary.
FRAME_STROKE_WIDTH = 1.5
AXES_STROKE_WIDTH = 1.2
AXES_OPACITY = 0.6
BOUNDARY_STROKE_WIDTH = 3.0
#: Font sizes (as for :class:`manim.Text` and :class:`manim.MathTex`) of a panel's caption, its
#: axis names (LaTeX, or plain-text feature names) and its range labels.
CAPTION_FONT_SIZE = 22
AXIS_NAME_FONT_SIZE = 28
FEATURE_NAME_FONT_SIZE = 18
RANGE_LABEL_FONT_SIZE = 16
#: The most characters of a range label (see :func:`nnviz.formatting.fit_number`).
RANGE_LABEL_LENGTH = 6
#: The default captions of the input plane and a hidden space, and the input plane's axis names.
INPUT_CAPTION = "input space"
HIDDEN_CAPTION = "hidden space"
INPUT_AXIS_NAMES = ("x_1", "x_2")


#: The share of a class's colour in a softmax field where the network is sure (the rest is
#: the background), so that the dots, in their full colours, stand out of their own region as
#: they do from the two-class mesh's darker tones.
CLASS_FIELD_STRENGTH = 0.55


#: The input plane's margin around the data, a share of its extent on either side.
INPUT_MARGIN = 0.1


def input_box(trajectory: Trajectory, axis_scales: AxisScales | str = "auto") -> Box:
    """Return the input plane's view box around the run's data: one scale for both axes
    (a square around the data) or each axis its own range, as ``axis_scales`` says
    (:func:`nnviz.view.axis_scales_for`: ``"auto"`` is equal for a built-in data set and per
    axis for a CSV file's data or your own loop's)."""
    scales = axis_scales_for(axis_scales, trajectory.run.config.dataset)
    return data_box(trajectory.X, scales, margin=INPUT_MARGIN)


def hidden_probability_grid(
    weights: forward.Weights,
    box: Box,
    shape: tuple[int, int],
    activation: forward.Activations = "linear",
    space: forward.Space = forward.HIDDEN,
) -> np.ndarray:
    """Return the probability that the rest of the network gives at the pixel centres of a
    view of a hidden ``space`` (by default σ(w·h + b) over the activation space), in
    :data:`nnviz.forward.PICTURE_DTYPE`."""
    return forward.probability_grid(weights, activation, box[0], box[1], shape, space)


def covered_segments(segments: np.ndarray, covered: np.ndarray, box: Box) -> np.ndarray:
    """Return the segments (M, 2, 2) whose midpoints lie in a covered pixel of an image of
    ``box`` (``covered``: boolean, row 0 at the top)."""
    if len(segments) == 0:
        return segments
    rows, cols = covered.shape
    (x0, x1), (y0, y1) = box
    middle = segments.mean(axis=1)
    col = np.clip(((middle[:, 0] - x0) / (x1 - x0) * cols).astype(np.intp), 0, cols - 1)
    row = np.clip(((y1 - middle[:, 1]) / (y1 - y0) * rows).astype(np.intp), 0, rows - 1)
    return segments[covered[row, col]]


class FeatureNames(tuple[str, str]):
    """Axis names that are plain text (a CSV file's column names), not LaTeX like ``x_1``."""


def _axis_name_mobjects(names: tuple[str, str], theme: Theme) -> tuple[VMobject, VMobject]:
    """The two axis names: LaTeX (``x_1``), or for :class:`FeatureNames` text in the theme's
    font, the vertical axis's turned upright along its side."""
    if not isinstance(names, FeatureNames):
        x_tex, y_tex = (
            typeset_once(MathTex, name, font_size=AXIS_NAME_FONT_SIZE, color=theme.muted)
            for name in names
        )
        return x_tex, y_tex
    x_name, y_name = (theme_text(theme, name, font_size=FEATURE_NAME_FONT_SIZE, color=theme.muted)
                      for name in names)  # fmt: skip
    return x_name, y_name.rotate(np.pi / 2)


class ProbabilityImage(PlacedImage):
    """The probability mesh: an image whose pixels are the colour map of the network's output.

    It also keeps the colour-map index of every pixel, and the pixel array it painted: while
    the two match (no animation has changed the pixels), the camera upscales the one-channel
    index instead of the RGBA array (see :mod:`nnviz.manim_adapter.camera`).

    Parameters
    ----------
    viewport
        Where the image sits on screen.
    resolution
        Pixels of the image along each side (Manim resizes it to its on-screen size).
    colormap
        Maps probabilities to RGBA.
    """

    def __init__(
        self, viewport: Viewport, resolution: int, colormap: DivergingColormap, **kwargs: Any
    ) -> None:
        super().__init__(viewport, resolution, colormap, **kwargs)
        self.colormap: DivergingColormap = colormap
        self.levels: np.ndarray | None = None
        self.painted: np.ndarray | None = None
        #: Paint the classes' colours only, no shading (TensorFlow Playground's "discretize
        #: output"): a probability of class 1 above :data:`BOUNDARY_LEVEL` is the colour map's
        #: class-1 end, any other its class-0 end; a class field's top class at full strength.
        self.discrete = False

    def paint(self, probabilities: np.ndarray, opacity: np.ndarray | None = None) -> Self:
        """Colour the image with ``probabilities`` (shape ``(resolution, resolution)``).

        ``opacity`` (same shape, 0 to 1) makes pixels translucent; NaN probabilities are
        transparent.
        """
        missing = np.isnan(probabilities)
        if self.discrete:  # NaN stays NaN (and transparent)
            probabilities = np.where(missing, np.nan, probabilities > BOUNDARY_LEVEL)
        self.levels = self.colormap.index(np.where(missing, 0.5, probabilities))
        self.pixel_array = self.painted = self.colormap.table[self.levels]
        if opacity is not None or missing.any():
            alpha = np.ones(missing.shape) if opacity is None else np.asarray(opacity, dtype=float)
            alpha = np.where(missing & (alpha >= 1.0), 0.0, alpha)
            self.pixel_array = self.painted = self.painted.copy()
            self.painted[..., 3] = np.rint(255 * np.clip(alpha, 0.0, 1.0)).astype(np.uint8)
        return self

    def paint_logits(self, planes: np.ndarray, colormap: ClassColormap, output: str) -> Self:
        """Colour the image as :meth:`paint_classes` from the output logits held class-major,
        ``(units, resolution, resolution)`` (:meth:`nnviz.class_colors.ClassColormap.of_logits`,
        without a softmax)."""
        self.levels = self.painted = None
        if self.discrete:
            top, _ = head(output).top_class(planes)
            self.pixel_array = colormap.colors(top, np.ones(top.shape))
        else:
            self.pixel_array = colormap.of_logits(planes, output)
        return self

    def paint_classes(self, probabilities: np.ndarray, colormap: ClassColormap) -> Self:
        """Colour the image by each pixel's most probable class, faded by its confidence
        (``probabilities`` of shape ``(resolution, resolution, k)``, through ``colormap``).

        The camera draws such an image as any other (no one-channel index to upscale).
        """
        self.levels = self.painted = None
        if self.discrete:
            top = np.argmax(probabilities, axis=-1)
            self.pixel_array = colormap.colors(top, np.ones(top.shape))
        else:
            self.pixel_array = colormap(probabilities)
        return self


class Panel(FollowsClock, Group):
    """Frame, mesh, level line and one dot cloud per class inside a square viewport.

    Built from a :class:`~nnviz.mobjects.context.PanelContext`, kept as :attr:`context` and
    by its parts (:attr:`trajectory`, :attr:`clock`, :attr:`viewport`, :attr:`theme`).
    ``caption_width`` (scene units), when given, is the most the caption may take: a wider
    one is broken after its colon, then shrunk (a figure's narrow columns).
    """

    def __init__(
        self,
        context: PanelContext,
        caption: str,
        axis_names: tuple[str, str],
        mesh_resolution: int = 160,
        dot_radius: float = DOT_RADIUS,
        y_labels: str = "left",
        labels: bool = True,
        caption_size: float = CAPTION_FONT_SIZE,
        caption_width: float | None = None,
    ) -> None:
        super().__init__()
        trajectory, viewport, theme = context.trajectory, context.viewport, context.theme
        self.show_labels = labels
        self.y_labels = y_labels
        #: What the panel is built from, and its four parts by name.
        self.context = context
        self.trajectory = trajectory
        self.clock = context.clock
        self.viewport = viewport
        self.theme = theme
        self.mesh_resolution = mesh_resolution
        self.labels = np.asarray(trajectory.y)
        config = trajectory.run.config
        #: The output head, and for a softmax output the colour map of its class field.
        self.head = config.output_head
        self.class_colormap = (
            ClassColormap.from_theme(theme, config.classes, CLASS_FIELD_STRENGTH)
            if self.head.link == "softmax"
            else None
        )
        self.mesh = ProbabilityImage(viewport, mesh_resolution, DivergingColormap.from_theme(theme))
        #: The marks asked for: dots sized by loss and ringed, trails, a discretised mesh.
        self.marks = context.marks
        self.mesh.discrete = context.marks.discretize
        self.axes = Segments(
            stroke_color=theme.muted, stroke_width=AXES_STROKE_WIDTH, stroke_opacity=AXES_OPACITY
        )
        self.boundary = Segments(stroke_color=theme.boundary, stroke_width=BOUNDARY_STROKE_WIDTH)
        if self.class_colormap is None:
            self.dots = class_dots(self.labels, theme, dot_radius, hollow=trajectory.test)
        else:  # the class palette of the field
            colors = class_palette(config.classes)
            self.dots = ClassDots(
                self.labels, colors, dot_radius, hollow=trajectory.test,
                stroke_color=theme.dot_outline,
            )  # fmt: skip
        #: The points' trails (a hidden space with :attr:`PanelMarks.trails
        #: <nnviz.mobjects.context.PanelMarks.trails>`; :meth:`add_trails`), or ``None``, and
        #: the epochs they go through (:meth:`set_trail_clock`).
        self.trails: Trails | None = None
        self.trail_clock: TrailClock | None = None
        self.frame_box = Rectangle(width=viewport.width, height=viewport.height)
        self.frame_box.move_to(np.array([*viewport.centre, 0.0]))
        self.frame_box.set_stroke(theme.muted, FRAME_STROKE_WIDTH)
        # A caption of several lines is centred line by line. One wider than ``caption_width``
        # goes on two lines after its colon (``hidden space`` over what it shows), then shrinks
        # if it must.
        self.caption = self._caption_lines(caption, caption_size)
        if caption_width is not None and self.caption.width > caption_width:
            if "\n" not in caption and ": " in caption:
                caption = caption.replace(": ", "\n", 1)
                self.caption = self._caption_lines(caption, caption_size)
            if self.caption.width > caption_width:
                self.caption.scale_to_fit_width(caption_width)
        # Centred at one height above the frame, so captions of panels side by side line up
        # whatever their letters' descenders.
        top = viewport.centre[1] + viewport.height / 2
        if "\n" in caption:
            self.caption.next_to(self.frame_box, UP, buff=0.12)
        else:
            self.caption.move_to(
                np.array([viewport.centre[0], top + 0.15 + 0.5 * caption_size / 48, 0])
            )
        self.range_labels = [
            GlyphText(
                font_size=RANGE_LABEL_FONT_SIZE, max_length=RANGE_LABEL_LENGTH, color=theme.muted
            )
            for _ in range(4)
        ]
        self.axis_names = VGroup()
        if labels:
            x_name, y_name = _axis_name_mobjects(axis_names, theme)
            x_name.next_to(self.frame_box, DOWN, buff=0.12)
            y_name.next_to(self.frame_box, RIGHT if y_labels == "right" else LEFT, buff=0.12)
            self.axis_names.add(x_name, y_name)
        self.add(
            self.mesh,
            self.axes,
            self.boundary,
            self.dots,
            self.frame_box,
        )
        if caption:
            self.add(self.caption)
        if labels:
            self.add(self.axis_names, *self.range_labels)

    def _caption_lines(self, caption: str, size: float) -> VGroup:
        """The caption's lines in the theme's font, centred one under another."""
        return VGroup(
            *(
                self.context.text(line, font_size=size, color=self.theme.foreground)
                for line in caption.split("\n")
                if line
            )
        ).arrange(DOWN, buff=0.08)

    def static_parts(self) -> list[Mobject]:
        """The parts that never change; Manim draws them once (see ``NNVizScene``)."""
        return [self.caption, self.axis_names]

    def refresh(self) -> Self:
        """Recompute the panel for the clock's epoch."""
        raise NotImplementedError

    def _place_points(self, points: np.ndarray, box: Box, logits: np.ndarray) -> None:
        """Put the dots at ``points``; the points that ``logits`` misclassify go on top (by
        the head's prediction for ``k`` softmax units, shape ``(N, k)``)."""
        wrong = self._misclassified(logits)
        self._mark_points(logits, wrong)
        self.dots.place(self.viewport.to_screen(points, box), on_top=wrong)

    def _misclassified(self, logits: np.ndarray) -> np.ndarray:
        """Which points ``logits`` misclassify, shape (N,)."""
        if logits.ndim == 2:
            return np.asarray(self.head.predict(logits) != self.labels)
        return np.asarray((logits > 0) != (self.labels == 1))

    def _mark_points(self, logits: np.ndarray, wrong: np.ndarray) -> None:
        """With :attr:`PanelMarks.point_loss <nnviz.mobjects.context.PanelMarks.point_loss>`,
        size each dot by its point's cross-entropy (:func:`nnviz.point_loss.radius_factors`)
        and ring the misclassified ones."""
        if self.marks.point_loss:
            losses = self.head.point_losses(logits, self.labels)
            self.dots.mark_points(radius_factors(losses), wrong, self.theme.foreground)

    def add_trails(self, steps: int = TRAIL_STEPS) -> None:
        """Add the points' trails of ``steps`` segments under the dots (a hidden space's views
        call it; only with :attr:`PanelMarks.trails
        <nnviz.mobjects.context.PanelMarks.trails>`). They show once :meth:`set_trail_clock`
        says which epochs they go through."""
        if not self.marks.trails:
            return
        self.trails = Trails(self.labels, self.dots.class_rgb, steps)
        self.insert(self.submobjects.index(self.dots), self.trails)

    def set_trail_clock(self, trail_clock: TrailClock | None) -> Self:
        """Draw the trails through the epochs of ``trail_clock`` (the video's clock; ``None``:
        no trail yet) from now on; a panel without trails ignores it."""
        self.trail_clock = trail_clock
        if self.trails is not None:
            self.refresh()
        return self

    def _trail_positions(self, space: forward.Space, t: float) -> np.ndarray | None:
        """The points' positions in ``space`` on the trail of epoch ``t``, newest first,
        shape (steps + 1, N, width); ``None`` without trails."""
        if self.trails is None or self.trail_clock is None:
            return None
        epochs = self.trail_clock.epochs_before(t)
        return trail_positions(self.trajectory, space, epochs)

    def _draw_trails(self, positions: np.ndarray | None, box: Box) -> None:
        """Draw the trails through ``positions`` (steps + 1, N, 2) of ``box``'s data units,
        kept inside the box (``None``: no trail)."""
        if self.trails is None:
            return
        if positions is None:
            self.trails.set_positions(np.zeros((self.trails.steps + 1, len(self.labels), 2)))
            return
        (x0, x1), (y0, y1) = box
        inside = np.stack(
            [np.clip(positions[..., 0], x0, x1), np.clip(positions[..., 1], y0, y1)], axis=-1
        )
        screen = self.viewport.to_screen(inside.reshape(-1, 2), box)[:, :2]
        self.trails.set_positions(screen.reshape(*positions.shape[:2], 2))

    def _place_axes(self, box: Box) -> None:
        segments = axis_segments(box)
        screen = self.viewport.to_screen(segments.reshape(-1, 2), box)[:, :2].reshape(-1, 2, 2)
        self.axes.set_segments(screen)

    def _label_range(self, box: Box) -> None:
        if self.show_labels:
            place_range_labels(self.range_labels, box, self._edges(), self.y_labels)

    def _edges(self) -> tuple[float, float, float, float]:
        cx, cy = self.viewport.centre
        w, h = self.viewport.width / 2, self.viewport.height / 2
        return cx - w, cy + h, cx + w, cy - h


class InputPlanePanel(Panel):
    """The input plane: the data, the probability mesh and the 0.5 contour (decision boundary).

    The square on screen shows :attr:`box`, by default :func:`input_box` with
    ``axis_scales``: where the axes have their own scales, each has its own range labels,
    and every pixel of the mesh still shows the probability at the point it stands for.
    """

    def __init__(
        self,
        context: PanelContext,
        caption: str = INPUT_CAPTION,
        box: Box | None = None,
        axis_scales: AxisScales | str = "auto",
        **kwargs: Any,
    ) -> None:
        names = context.trajectory.run.config.feature_names
        axis_names = INPUT_AXIS_NAMES if names is None else FeatureNames(names)
        super().__init__(context, caption, axis_names, **kwargs)
        self.box = input_box(context.trajectory, axis_scales) if box is None else box
        self._place_axes(self.box)
        self._label_range(self.box)
        self.refresh()

    def static_parts(self) -> list[Mobject]:
        """Also the range labels: the input plane's box never changes."""
        return [*super().static_parts(), *self.range_labels]

    def refresh(self) -> Self:
        state = self.trajectory.state(self.clock.get_value())
        self._place_points(self.trajectory.X, self.box, state.logits)
        shape = (self.mesh_resolution, self.mesh_resolution)
        if self.class_colormap is not None:
            self._paint_classes(state.weights, shape)
        else:
            self._paint_probability(state.weights, shape)
        return self

    def _paint_probability(self, weights: forward.Weights, shape: tuple[int, int]) -> None:
        """One sigmoid output's field: P(class 1) through the colour map, and its 0.5 level."""
        probabilities = forward.probability_grid(
            weights, self.trajectory.activation, self.box[0], self.box[1], shape
        )
        self.mesh.paint(probabilities)
        segments = level_segments(probabilities, self.box[0], self.box[1], BOUNDARY_LEVEL)
        self.boundary.set_segments(_screen_segments(self.viewport, segments, self.box))

    def _paint_classes(self, weights: forward.Weights, shape: tuple[int, int]) -> None:
        """The field of a softmax output: its top class faded by confidence, and the ties."""
        assert self.class_colormap is not None
        # The fast path: class-major logits, coloured and traced without a softmax.
        logits = forward.class_logit_grid(
            weights, self.trajectory.activation, self.box[0], self.box[1], shape
        )
        self.mesh.paint_logits(logits, self.class_colormap, self.head.name)
        segments = logit_tie_lines(logits, self.box[0], self.box[1]).segments
        self.boundary.set_segments(_screen_segments(self.viewport, segments, self.box))


def _screen_segments(viewport: Viewport, segments: np.ndarray, box: Box) -> np.ndarray:
    """Return segments (M, 2, 2) of ``box``'s data units in scene coordinates, (M, 2, 2)."""
    if len(segments) == 0:
        return np.zeros((0, 2, 2))
    return viewport.to_screen(segments.reshape(-1, 2), box)[:, :2].reshape(-1, 2, 2)


class HiddenSpacePanel(Panel):
    """A hidden layer's space: the data at that space's points, the probability that the rest
    of the network gives there and its 0.5 boundary. The view follows the points smoothly.

    Parameters
    ----------
    space
        The activation space ``h = a(W₁x + b₁)`` (default; its boundary is the output's line
        w·h + b = 0) or the affine space ``z = W₁x + b₁`` (its boundary is the 0.5 contour of
        σ(w·a(z) + b), bent where the activation bends).
    shading
        ``"field"``: the probability over the whole view, as a mesh; ``"grid"``: only where the
        input plane's grid lands (:func:`nnviz.forward.coverage`), as in the post's pictures,
        with the boundary drawn where the grid reaches.
    grid_samples
        Points along each side of the input grid for ``shading="grid"``: more than the mesh's
        resolution, so that the carried grid has no holes where the layer stretches the plane
        (a one-pixel hole is filled by the anti-aliased edge, :func:`nnviz.view.soft_coverage`).
    axis_scales
        The scales of the input plane whose grid ``shading="grid"`` carries (see
        :func:`input_box`); the hidden space's own view is square whatever they are.
    """

    AXIS_NAMES: ClassVar[dict[str, tuple[str, str]]] = {
        "affine": ("z_1", "z_2"),
        "activation": ("h_1", "h_2"),
    }

    def __init__(
        self,
        context: PanelContext,
        caption: str = HIDDEN_CAPTION,
        space: forward.Space = forward.HIDDEN,
        shading: str = "field",
        grid_samples: int = 300,
        axis_scales: AxisScales | str = "auto",
        **kwargs: Any,
    ) -> None:
        widths = context.trajectory.run.hidden_widths
        if not 1 <= space.layer <= len(widths):
            raise ValueError(f"a hidden-space panel shows a hidden layer, 1 to {len(widths)}")
        if widths[space.layer - 1] != 2:
            raise ValueError(
                f"the hidden-space panel is a plane: it shows a layer of two units, "
                f"not {widths[space.layer - 1]}"
            )
        if shading not in ("field", "grid"):
            raise ValueError(f"unknown shading {shading!r}; use 'field' or 'grid'")
        kwargs.setdefault("y_labels", "right")
        names = self.AXIS_NAMES[space.stage]
        if space.layer > 1:  # h^{(2)}_1 for the second hidden layer
            names = tuple(n.replace("_", f"^{{({space.layer})}}_") for n in names)  # type: ignore[assignment]
        super().__init__(context, caption, names, **kwargs)
        self.last_layer = space.layer == len(widths)
        self.space = space
        self.shading = shading
        self.grid_samples = grid_samples
        # The input plane's grid (the post's grid over the data's range), carried along.
        box, samples = input_box(context.trajectory, axis_scales), (grid_samples, grid_samples)
        self.input_grid = (
            forward.grid_points(box[0], box[1], samples) if shading == "grid" else None
        )
        self.add_trails()
        self.refresh()

    def refresh(self) -> Self:
        state = self.trajectory.state(self.clock.get_value())
        box = self.trajectory.view_box(self.space, state.t)
        shape = (self.mesh_resolution, self.mesh_resolution)
        if self.class_colormap is not None:
            self._paint_classes(state.weights, box, shape)
        else:
            self._paint_probability(state.weights, box, shape)
        points = state.layers[self.space.layer - 1][0 if self.space.stage == "affine" else 1]
        self._place_points(points, box, state.logits)
        self._draw_trails(self._trail_positions(self.space, state.t), box)
        self._place_axes(box)
        self._label_range(box)
        return self

    def _paint_probability(
        self, weights: forward.Weights, box: Box, shape: tuple[int, int]
    ) -> None:
        """One sigmoid output's field over this space, shaded where the input grid lands, and
        its 0.5 boundary."""
        activation = self.trajectory.activation
        field = hidden_probability_grid(weights, box, shape, activation, self.space)
        covered = np.ones(shape, dtype=bool)
        if self.input_grid is not None:
            # Where the grid lands only needs to be right to a pixel: single precision.
            single = weights.astype(np.float32)
            carried = forward.to_space(self.input_grid, single, activation, self.space)
            covered = forward.coverage(carried, box, shape)
            self.mesh.paint(field, soft_coverage(covered))
        else:
            self.mesh.paint(field)
        self.boundary.set_segments(self._boundary(weights, field, covered, box))

    def _paint_classes(self, weights: forward.Weights, box: Box, shape: tuple[int, int]) -> None:
        """A softmax output's field over this space (top class faded by confidence) and its
        ties: for the last hidden layer's activations the exact edges of the argmax cells
        (:func:`nnviz.regions.tie_segments`), elsewhere the ties traced on the field."""
        assert self.class_colormap is not None
        logits = forward.class_logit_grid(
            weights, self.trajectory.activation, box[0], box[1], shape, self.space
        )
        self.mesh.paint_logits(logits, self.class_colormap, self.head.name)
        if self.space.stage == "activation" and self.last_layer:
            scores = ClassScores.from_weights(weights, self.head.name)
            ties = tie_segments(scores, box)
            segments = np.array([t.points for t in ties]).reshape(-1, 2, 2)
        else:
            segments = logit_tie_lines(logits, box[0], box[1]).segments
        self.boundary.set_segments(_screen_segments(self.viewport, segments, box))

    def _boundary(
        self, weights: forward.Weights, field: np.ndarray, covered: np.ndarray, box: Box
    ) -> np.ndarray:
        """The 0.5 boundary in scene coordinates, shape (M, 2, 2)."""
        if self.space.stage == "activation" and self.last_layer:
            # The output layer's line, exact, across the whole view.
            line = forward.output_line(weights, box[0], box[1])
            segments = np.zeros((0, 2, 2)) if line is None else line[None]
        else:
            segments = level_segments(field, box[0], box[1], BOUNDARY_LEVEL)
            segments = covered_segments(segments, covered, box)
        return _screen_segments(self.viewport, segments, box)
