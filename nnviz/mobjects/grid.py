"""The plane deformed by the hidden layer: a bendable grid, the data and a view that follows them.

:class:`DeformationPanel` draws :func:`nnviz.deform.deform` at the parameter ``s`` of one
tracker: the lines of a square grid (one :class:`Polylines`), the data (one
:class:`~nnviz.mobjects.shapes.ClassDots`), the axes and, once asked for, the
network's decision boundary carried along with the plane. Everything is computed in one
vectorised pass per frame.

The view box is square and follows the data: :func:`stage_view_boxes` frames the deformed data
(and the origin) at the ends of the three stages and :func:`view_box_at` interpolates linearly
between them. Every point moves affinely in ``s`` within a stage, so the extent of the data is a
convex (maximum) or concave (minimum) function of ``s`` there and lies inside the interpolated
box: the dots never leave the view, and the box never jumps. The grid reaches beyond the view
and is clipped to it (:func:`clip_segments`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    CapStyleType,
    Group,
    MathTex,
    Rectangle,
    ValueTracker,
    VGroup,
    VMobject,
)
from typing_extensions import Self

from nnviz import deform as dm
from nnviz import forward
from nnviz.activations import ACTIVATION_REGISTRY
from nnviz.colormap import DivergingColormap
from nnviz.forward import Weights
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.panels import ProbabilityImage, hidden_probability_grid
from nnviz.mobjects.readout import GlyphText, place_range_labels
from nnviz.mobjects.shapes import Segments, class_dots, segment_points
from nnviz.theme import Theme
from nnviz.view import Box, Viewport, axis_segments, square_box_around

__all__ = [
    "ACTIVATION_RANGES",
    "DeformationPanel",
    "Polylines",
    "clip_segments",
    "polyline_segments",
    "stage_view_boxes",
    "view_box_at",
]


#: The square each bounded activation squashes the plane into, ``((lo, hi), (lo, hi))``.
ACTIVATION_RANGES: dict[str, Box] = {
    a.name: (a.output_range, a.output_range) for a in ACTIVATION_REGISTRY.values() if a.bounded
}


def polyline_segments(lines: np.ndarray) -> np.ndarray:
    """Return the segments between consecutive samples of ``lines`` (L, S, D) as (L (S-1), 2, D)."""
    lines = np.asarray(lines, dtype=np.float64)
    pairs = np.stack([lines[:, :-1], lines[:, 1:]], axis=2)
    return pairs.reshape(-1, 2, lines.shape[-1])


def clip_segments(segments: np.ndarray, box: Box) -> np.ndarray:
    """Clip segments (M, 2, 2) to ``box`` (Liang–Barsky, vectorised); drop those outside.

    Parameters
    ----------
    segments
        End points in data units, shape ``(M, 2, 2)``.
    box
        ``((x_min, x_max), (y_min, y_max))``.

    Returns
    -------
    numpy.ndarray
        The parts of the segments inside the box, shape ``(K, 2, 2)`` with ``K <= M``, in order.
    """
    segments = np.asarray(segments, dtype=np.float64).reshape(-1, 2, 2)
    (x0, x1), (y0, y1) = box
    start, delta = segments[:, 0], segments[:, 1] - segments[:, 0]
    # For each edge, p * u <= q keeps the point start + u * delta on the inner side.
    p = np.column_stack([-delta[:, 0], delta[:, 0], -delta[:, 1], delta[:, 1]])
    q = np.column_stack([start[:, 0] - x0, x1 - start[:, 0], start[:, 1] - y0, y1 - start[:, 1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = q / p
    entering = np.where(p < 0, ratio, -np.inf).max(axis=1)
    leaving = np.where(p > 0, ratio, np.inf).min(axis=1)
    low, high = np.maximum(entering, 0.0), np.minimum(leaving, 1.0)
    keep = (low <= high) & ~np.any((p == 0) & (q < 0), axis=1)
    start, delta = start[keep], delta[keep]
    return np.stack([start + low[keep, None] * delta, start + high[keep, None] * delta], axis=1)


def stage_view_boxes(
    points: np.ndarray, weights: Weights, activation: str, margin: float = 0.12
) -> np.ndarray:
    """Return the square view boxes around the deformed ``points`` and the origin at the ends
    of the stages, ``s = 0, 1, 2, 3``.

    Returns
    -------
    numpy.ndarray
        Shape ``(STAGES + 1, 4)``; row ``k`` is ``(x_min, x_max, y_min, y_max)`` at ``s = k``.
    """
    boxes = np.empty((dm.STAGES + 1, 4))
    for k in range(dm.STAGES + 1):
        moved = dm.deform(points, weights, activation, float(k))
        (a, b), (c, d) = square_box_around(np.vstack([moved, np.zeros((1, 2))]), margin)
        boxes[k] = (a, b, c, d)
    return boxes


def view_box_at(boxes: np.ndarray, s: float) -> Box:
    """Return the view box at ``s``: ``boxes`` (from :func:`stage_view_boxes`) interpolated
    linearly within each stage. Square boxes stay square, and the box holds the points."""
    s = float(min(max(s, 0.0), float(dm.STAGES)))
    knots = np.arange(dm.STAGES + 1, dtype=np.float64)
    a, b, c, d = (float(np.interp(s, knots, boxes[:, i])) for i in range(4))
    return (a, b), (c, d)


class Polylines(VMobject):
    """Many polylines (for example bent grid lines) as one path of straight pieces.

    Parameters
    ----------
    lines
        Initial polylines in scene coordinates, shape ``(L, S, 2 or 3)``.
    """

    def __init__(self, lines: np.ndarray | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("fill_opacity", 0.0)
        super().__init__(**kwargs)
        self.set_lines(np.zeros((0, 2, 3)) if lines is None else lines)

    def set_lines(self, lines: np.ndarray) -> Self:
        """Replace the polylines, shape ``(L, S, 2 or 3)``, in scene coordinates."""
        lines = np.asarray(lines, dtype=np.float64)
        if lines.shape[0] == 0 or lines.shape[1] < 2:
            self.points = np.zeros((0, 3))
            return self
        self.points = segment_points(polyline_segments(lines))
        return self

    def set_pieces(self, segments: np.ndarray) -> Self:
        """Replace the path by straight pieces (M, 2, 2 or 3); consecutive pieces that share
        an end are drawn as one polyline."""
        self.points = segment_points(np.asarray(segments, dtype=np.float64))
        return self


class DeformationPanel(FollowsClock, Group):
    """The input plane carried through the hidden layer, at the ``s`` of one tracker.

    Parameters
    ----------
    X, y
        The data and its labels (0 or 1).
    weights
        Weights of a network with two hidden neurons.
    activation
        The hidden activation.
    tracker
        The deformation parameter ``s`` in ``[0, 3]`` (see :mod:`nnviz.deform`).
    viewport
        The square on screen that shows the view box.
    theme
        Colours and font.
    grid_count, grid_samples
        Grid lines in each direction, and samples along each line.
    grid_margin
        Relative margin of the grid's square around the data (the grid reaches beyond the
        view at ``s = 0``, so that the view is full of grid).
    mesh_resolution
        Pixels along each side of the probability shading.
    boundary_resolution
        Sampling grid of the decision boundary in the input plane.
    dot_radius
        Dot radius in scene units.
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weights: Weights,
        activation: str,
        tracker: ValueTracker,
        viewport: Viewport,
        theme: Theme,
        grid_count: int = 25,
        grid_samples: int = 100,
        grid_margin: float = 0.35,
        mesh_resolution: int = 160,
        boundary_resolution: int = 160,
        dot_radius: float = 0.05,
    ) -> None:
        super().__init__()
        self.X = np.asarray(X, dtype=np.float64)
        self.labels = np.asarray(y)
        self.weights = weights
        self.activation = activation
        self.tracker = tracker
        self.viewport = viewport
        self.theme = theme
        self.mesh_resolution = mesh_resolution
        self.boxes = stage_view_boxes(self.X, weights, activation)
        self.grid_box = square_box_around(self.X, margin=grid_margin)
        self.lines = dm.grid_lines(self.grid_box, grid_count, grid_samples)
        self.boundary_input = dm.pull_back_boundary(
            weights, activation, self.grid_box, boundary_resolution
        )
        # Everything that moves, deformed together once per frame.
        self._sources = np.concatenate(
            [self.lines.reshape(-1, 2), self.X, self.boundary_input.reshape(-1, 2)]
        )
        self._grid_end = self.lines.shape[0] * self.lines.shape[1]
        self._data_end = self._grid_end + len(self.X)
        self.boundary_visible = False

        self.shading = ProbabilityImage(
            viewport, mesh_resolution, DivergingColormap.from_theme(theme)
        )
        self.shading.z_index = -1  # under the grid, whenever it is added
        self.output_line = Segments(stroke_color=theme.boundary, stroke_width=3.5)
        self.axes = Segments(stroke_color=theme.foreground, stroke_width=1.6, stroke_opacity=0.55)
        self.grid = Polylines(stroke_color=theme.muted, stroke_width=1.1, stroke_opacity=0.55)
        # Drawn over the dots; round caps: where the activation folds the boundary to a point,
        # it shows as a dot.
        self.boundary = Segments(stroke_color=theme.boundary, stroke_width=4.5)
        self.boundary.cap_style = CapStyleType.ROUND
        self.range_square = Segments(stroke_color=theme.accent, stroke_width=2.0)
        self.range_square.set_stroke(opacity=0.6)
        self.range_visible = False
        self.dots = class_dots(self.labels, theme, dot_radius)
        self.frame_box = Rectangle(width=viewport.width, height=viewport.height)
        self.frame_box.move_to(np.array([*viewport.centre, 0.0])).set_stroke(theme.muted, 1.5)
        self.range_labels = [
            GlyphText(font_size=16, max_length=6, color=theme.muted) for _ in range(4)
        ]
        x_name = MathTex("x_1 \\to h_1", font_size=26, color=theme.muted)
        y_name = MathTex("x_2 \\to h_2", font_size=26, color=theme.muted)
        x_name.next_to(self.frame_box, DOWN, buff=0.12)
        y_name.rotate(np.pi / 2).next_to(self.frame_box, LEFT, buff=0.2)
        self.axis_names = VGroup(x_name, y_name)
        self.add(
            self.axes,
            self.grid,
            self.range_square,
            self.dots,
            self.boundary,
            self.frame_box,
            self.axis_names,
            *self.range_labels,
        )
        self.refresh()

    # --- following the tracker -----------------------------------------------------------------

    def box_at(self, s: float) -> Box:
        """The view box at ``s``."""
        return view_box_at(self.boxes, s)

    def show_boundary(self, visible: bool = True) -> Self:
        """Draw (or hide) the decision boundary carried along with the plane."""
        self.boundary_visible = visible
        return self.refresh()

    def show_range(self, visible: bool = True) -> Self:
        """Outline (or hide) the square a bounded activation squashes the plane into
        (:data:`ACTIVATION_RANGES`; nothing for unbounded activations such as ReLU)."""
        self.range_visible = visible and self.activation in ACTIVATION_RANGES
        return self.refresh()

    def refresh(self) -> Self:
        """Deform grid, data and boundary to the tracker's ``s`` and draw them in its view."""
        s = float(self.tracker.get_value())
        box = self.box_at(s)
        moved = dm.deform(self._sources, self.weights, self.activation, s)
        grid = moved[: self._grid_end].reshape(self.lines.shape)
        self.grid.set_pieces(self._to_screen(clip_segments(polyline_segments(grid), box), box))
        screen = self.viewport.to_screen(moved[self._grid_end : self._data_end], box)
        self.dots.place(screen)
        if self.boundary_visible:
            ends = moved[self._data_end :].reshape(-1, 2, 2)
            self.boundary.set_segments(self._to_screen(clip_segments(ends, box), box))
        else:
            self.boundary.set_segments(np.zeros((0, 2, 3)))
        if self.range_visible:
            (a, b), (c, d) = ACTIVATION_RANGES[self.activation]
            corners = np.array([[a, c], [b, c], [b, d], [a, d], [a, c]])
            edges = np.stack([corners[:-1], corners[1:]], axis=1)
            self.range_square.set_segments(self._to_screen(clip_segments(edges, box), box))
        else:
            self.range_square.set_segments(np.zeros((0, 2, 3)))
        self._place_axes(box)
        self._label_range(box)
        return self

    # --- the output, in hidden space and pulled back -------------------------------------------

    def paint_hidden_probability(self) -> Self:
        """Shade the view at ``s = 3`` with the output probability σ(w·h + b) and place the
        output's line w·h + b = 0 in it."""
        box = self.box_at(float(dm.STAGES))
        shape = (self.mesh_resolution, self.mesh_resolution)
        self.shading.paint(hidden_probability_grid(self.weights, box, shape))
        line = forward.output_line(self.weights, box[0], box[1])
        if line is None:
            self.output_line.set_segments(np.zeros((0, 2, 3)))
        else:
            self.output_line.set_segments(self.viewport.to_screen(line, box)[None])
        return self

    def paint_input_probability(self) -> Self:
        """Shade the view at ``s = 0`` with the network's probability in the input plane."""
        box = self.box_at(0.0)
        shape = (self.mesh_resolution, self.mesh_resolution)
        self.shading.paint(
            forward.probability_grid(self.weights, self.activation, box[0], box[1], shape)
        )
        return self

    # --- helpers -------------------------------------------------------------------------------

    def _to_screen(self, segments: np.ndarray, box: Box) -> np.ndarray:
        if len(segments) == 0:
            return np.zeros((0, 2, 3))
        return self.viewport.to_screen(segments.reshape(-1, 2), box).reshape(-1, 2, 3)

    def _place_axes(self, box: Box) -> None:
        self.axes.set_segments(self._to_screen(axis_segments(box), box))

    def _label_range(self, box: Box) -> None:
        cx, cy = self.viewport.centre
        w, h = self.viewport.width / 2, self.viewport.height / 2
        place_range_labels(self.range_labels, box, (cx - w, cy + h, cx + w, cy - h))
