"""The spaces of the hidden layers as a deformation: a bendable grid, the data and a camera.

:class:`DeformationPanel` draws :func:`nnviz.deform.deform` at the parameter ``s`` of one
tracker: the lines of a square grid (one :class:`Polylines`), the data (one
:class:`~nnviz.mobjects.shapes.ClassDots`), the axes and, once asked for, the
network's decision boundary carried along with the plane. Everything is computed in one
vectorised pass per frame.

The camera and its view box come from :mod:`nnviz.deform_view`: the plane seen from above for
networks whose spaces have at most 2 units, a camera that tilts and rocks in 3-D for one with a
3-unit layer. The box holds the dots at every ``s`` and never jumps; the grid reaches beyond
the view and is clipped to it (:func:`clip_segments`).
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
    Mobject,
    Rectangle,
    ValueTracker,
    VGroup,
    VMobject,
)
from typing_extensions import Self

from nnviz import deform as dm
from nnviz import forward
from nnviz.activations import ACTIVATION_REGISTRY
from nnviz.class_colors import ClassColormap, class_palette
from nnviz.colormap import DivergingColormap
from nnviz.deform_view import (
    drawing_dimensions,
    embed,
    hypercube_edges,
    last_space_regions,
    last_space_tie_planes,
    last_space_ties,
    make_camera,
    output_on_plane,
    predicted_classes,
    stage_end_points,
)
from nnviz.forward import Activations, Weights
from nnviz.heads import head
from nnviz.mobjects.following import FollowsClock, updater
from nnviz.mobjects.panels import (
    CLASS_FIELD_STRENGTH,
    ProbabilityImage,
    hidden_probability_grid,
)
from nnviz.mobjects.readout import GlyphText, place_range_labels
from nnviz.mobjects.shapes import ClassDots, Segments, class_dots, segment_points
from nnviz.mobjects.typeset import theme_text
from nnviz.projection import plane_in_cube
from nnviz.theme import Theme
from nnviz.view import Box, Scales, Viewport, axis_segments, clip_polygon, data_box

__all__ = [
    "ACTIVATION_RANGES",
    "DeformationPanel",
    "Polylines",
    "clip_segments",
    "polyline_segments",
]


#: The interval each bounded activation squashes every unit into, ``(lo, hi)``.
ACTIVATION_RANGES: dict[str, tuple[float, float]] = {
    a.name: a.output_range for a in ACTIVATION_REGISTRY.values() if a.bounded
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
    """The input plane carried through the hidden layers, at the ``s`` of one tracker.

    Parameters
    ----------
    X, y
        The data and its labels (``0 … k−1``).
    weights
        Weights of a network whose hidden layers have at most 3 units
        (:data:`nnviz.deform.MAX_DRAWN_WIDTH`).
    activation
        The hidden activation, or one per hidden layer.
    tracker
        The deformation parameter ``s`` in ``[0, 3 L]`` (see :mod:`nnviz.deform`).
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
    test
        Which points are held out for testing (drawn hollow); ``None`` for none.
    axis_scales
        The input plane's scales, resolved (:func:`nnviz.view.axis_scales_for`): ``"equal"``,
        the square around the data and the origin at ``s = 0``; ``"per-axis"``, each axis the
        data's own range (:func:`nnviz.view.per_axis_box`, the camera's margin), with the grid
        over that box, and from there each axis's range interpolated on its own to the first
        hidden space's square (:mod:`nnviz.deform_view`). Hidden spaces are square either way.
    output
        The output head's name (:data:`nnviz.heads.HEADS`). One sigmoid unit: a grey grid, the
        output's line (or plane) and its probability. ``k`` softmax units: the grid's lines
        coloured by the class the network gives their points, the last hidden space cut into
        the classes' regions (:func:`nnviz.deform_view.last_space_regions`, or the planes
        where two classes tie in 3-D) and the input plane coloured by the top class, faded
        where the network is unsure.
    feature_names
        The input's two column names (a CSV file's), which name the view's axes instead of
        ``x₁`` and ``x₂``; ``None`` for those.
    """

    #: The margin of the view around the data at ``s = 0`` with per-axis scales.
    INPUT_MARGIN = 0.12

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weights: Weights,
        activation: Activations,
        tracker: ValueTracker,
        viewport: Viewport,
        theme: Theme,
        grid_count: int = 25,
        grid_samples: int = 100,
        grid_margin: float = 0.35,
        mesh_resolution: int = 160,
        boundary_resolution: int = 160,
        dot_radius: float = 0.05,
        test: np.ndarray | None = None,
        axis_scales: Scales = "equal",
        output: str = "sigmoid",
        feature_names: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.widths = dm.space_widths(weights)
        message = dm.too_wide_message(self.widths)
        if message is not None:
            raise ValueError(message)
        self.X = np.asarray(X, dtype=np.float64)
        self.labels = np.asarray(y)
        self.weights = weights
        self.activation = activation
        self.activations = forward.layer_activations(activation, len(self.widths) - 1)
        self.tracker = tracker
        self.viewport = viewport
        self.theme = theme
        self.mesh_resolution = mesh_resolution
        self.dimensions = drawing_dimensions(self.widths)
        ends = stage_end_points(self.X, weights, activation, self.dimensions)
        self.axis_scales = axis_scales
        input_view = (
            data_box(self.X, "per-axis", margin=self.INPUT_MARGIN)
            if axis_scales == "per-axis"
            else None
        )
        self.camera = make_camera(ends, self.widths, input_view)
        self.grid_box = data_box(self.X, axis_scales, margin=grid_margin)
        self.lines = dm.grid_lines(self.grid_box, grid_count, grid_samples)
        #: The output head; for a softmax output, its classes' colours and field's colour map.
        self.head = head(output)
        self.classes = 2 if self.head.link == "sigmoid" else int(weights.W[-1].shape[0])
        self.class_colormap = (
            ClassColormap.from_theme(theme, self.classes, CLASS_FIELD_STRENGTH)
            if self.head.link == "softmax"
            else None
        )
        self.boundary_input = dm.pull_back_boundary(
            weights, activation, self.grid_box, boundary_resolution, output
        )
        # Everything that moves, deformed together once per frame.
        self._sources = np.concatenate(
            [self.lines.reshape(-1, 2), self.X, self.boundary_input.reshape(-1, 2)]
        )
        self._grid_end = self.lines.shape[0] * self.lines.shape[1]
        self._data_end = self._grid_end + len(self.X)
        self.boundary_visible = False
        self.range_layer: int | None = None
        #: How visible the output's plane of a last 3-unit layer is, 0 to 1 (animate it).
        self.plane_fade = ValueTracker(0.0)

        self.shading = ProbabilityImage(
            viewport, mesh_resolution, DivergingColormap.from_theme(theme)
        )
        self.shading.z_index = -1  # under the grid, whenever it is added
        self.output_line = Segments(stroke_color=theme.boundary, stroke_width=3.5)
        # The output's plane w·h + b = 0 of a last hidden layer of 3 units.
        self.output_plane = VMobject(fill_color=theme.boundary, fill_opacity=0.18,
                                     stroke_color=theme.boundary, stroke_width=2.0)  # fmt: skip
        self.axes = Segments(stroke_color=theme.foreground, stroke_width=1.6, stroke_opacity=0.55)
        self.grid = Polylines(stroke_color=theme.muted, stroke_width=1.1, stroke_opacity=0.55)
        #: For a softmax output, the grid in one path per class: each piece of a grid line in
        #: the colour of the class the network gives its midpoint (in the input plane).
        self.class_grids: list[Polylines] = []
        self._piece_classes = np.zeros(0, dtype=np.intp)
        #: For a softmax output, each class's region of a last hidden space of 1 or 2 units
        #: (filled by :meth:`paint_hidden_probability`), and the planes where two classes tie
        #: on top in one of 3 units (drawn at every frame, as visible as :attr:`plane_fade`).
        self.regions = VGroup()
        self.tie_planes = VGroup()
        if self.class_colormap is not None:
            colors = class_palette(self.classes)
            self.class_grids = [
                Polylines(stroke_color=color, stroke_width=1.1, stroke_opacity=0.6)
                for color in colors
            ]
            middles = polyline_segments(self.lines).mean(axis=1)
            self._piece_classes = predicted_classes(middles, weights, activation, output)
            self.regions = VGroup(
                *(VMobject(fill_color=color, fill_opacity=0.3, stroke_width=0) for color in colors)
            )
            self.regions.set_z_index(-1)  # under the grid, as the shading
            pairs = self.classes * (self.classes - 1) // 2 if self.widths[-1] == 3 else 0
            self.tie_planes = VGroup(*(
                VMobject(fill_color=theme.boundary, fill_opacity=0.18,
                         stroke_color=theme.boundary, stroke_width=2.0)
                for _ in range(pairs)
            ))  # fmt: skip
        # Drawn over the dots; round caps: where the activation folds the boundary to a point,
        # it shows as a dot.
        self.boundary = Segments(stroke_color=theme.boundary, stroke_width=4.5)
        self.boundary.cap_style = CapStyleType.ROUND
        self.range_square = Segments(stroke_color=theme.accent, stroke_width=2.0)
        self.range_square.set_stroke(opacity=0.6)
        if self.class_colormap is None:
            self.dots = class_dots(self.labels, theme, dot_radius, hollow=test)
        else:  # the class palette, as the regions and the field
            self.dots = ClassDots(self.labels, class_palette(self.classes), dot_radius,
                                  hollow=test, stroke_color=theme.dot_outline)  # fmt: skip
        self.frame_box = Rectangle(width=viewport.width, height=viewport.height)
        self.frame_box.move_to(np.array([*viewport.centre, 0.0])).set_stroke(theme.muted, 1.5)
        labels: list[Mobject]
        if self.dimensions == 2:
            # The view's axes are the spaces' first two coordinates, its corners their ranges.
            self.range_labels = [
                GlyphText(font_size=16, max_length=6, color=theme.muted) for _ in range(4)
            ]
            x_name, y_name = _axis_names(feature_names, theme)
            x_name.next_to(self.frame_box, DOWN, buff=0.12)
            y_name.rotate(np.pi / 2).next_to(self.frame_box, LEFT, buff=0.2)
            self.axis_names = VGroup(x_name, y_name)
            labels = [self.axis_names, *self.range_labels]
        else:
            # A turning view has no fixed ranges: each axis is named at its end instead.
            self.range_labels = []
            self.axis_tips = [
                GlyphText(f"h{k}", "h123", font_size=18, max_length=2, color=theme.muted)
                for k in (1, 2, 3)
            ]
            self.axis_names = VGroup()
            labels = list(self.axis_tips)
        self.add(
            self.axes,
            self.grid,
            *self.class_grids,
            self.range_square,
            self.output_plane,
            self.tie_planes,
            self.dots,
            self.boundary,
            self.frame_box,
            *labels,
        )
        self.refresh()

    # --- following the tracker -----------------------------------------------------------------

    @property
    def hidden_layers(self) -> int:
        """The number of hidden layers the movie runs through."""
        return len(self.widths) - 1

    def box_at(self, s: float) -> Box:
        """The view box at ``s``, in the camera's view coordinates."""
        return self.camera.box_at(s)

    def start(self) -> Self:
        """Follow the tracker from now on; a 3-D camera also rocks as the video plays."""
        if self.dimensions == 2:
            return super().start()
        self.add_updater(updater(lambda panel, dt: panel.advance(dt)))
        return self.refresh()

    def advance(self, seconds: float) -> Self:
        """Let ``seconds`` of video pass (the camera turns on), then refresh."""
        self.camera.turn(seconds)
        return self.refresh()

    def show_boundary(self, visible: bool = True) -> Self:
        """Draw (or hide) the decision boundary carried along with the plane."""
        self.boundary_visible = visible
        return self.refresh()

    def show_range(self, layer: int | bool | None = True) -> Self:
        """Outline the cube a bounded activation of hidden layer ``layer`` (1-based; ``True``
        for the first) squashes its space into, or hide it (``None`` or ``False``); nothing for
        an unbounded activation such as ReLU (see :data:`ACTIVATION_RANGES`)."""
        if layer is True:
            layer = 1
        if not layer or self.activations[int(layer) - 1] not in ACTIVATION_RANGES:
            self.range_layer = None
        else:
            self.range_layer = int(layer)
        return self.refresh()

    def refresh(self) -> Self:
        """Deform grid, data and boundary to the tracker's ``s`` and draw them in its view."""
        s = float(self.tracker.get_value())
        box = self.box_at(s)
        moved = embed(dm.deform(self._sources, self.weights, self.activation, s), self.dimensions)
        flat, depth = self.camera.project(moved, s)
        grid = polyline_segments(flat[: self._grid_end].reshape(*self.lines.shape[:2], 2))
        if self.class_grids:
            for c, part in enumerate(self.class_grids):
                pieces = grid[self._piece_classes == c]
                part.set_pieces(self._to_screen(clip_segments(pieces, box), box))
        else:
            self.grid.set_pieces(self._to_screen(clip_segments(grid, box), box))
        data = slice(self._grid_end, self._data_end)
        screen = self.viewport.to_screen(flat[data], box)
        if self.dimensions == 3:
            self.dots.place(screen, order=np.argsort(depth[data], kind="stable"))  # far first
        else:
            self.dots.place(screen)
        if self.boundary_visible:
            ends = flat[self._data_end :].reshape(-1, 2, 2)
            self.boundary.set_segments(self._to_screen(clip_segments(ends, box), box))
        else:
            self.boundary.set_segments(np.zeros((0, 2, 3)))
        self._outline_range(s, box)
        self._place_plane(s, moved[data])
        self._place_axes(s, box)
        return self

    # --- the output, in hidden space and pulled back -------------------------------------------

    def paint_hidden_probability(self) -> Self:
        """Prepare the output in the last hidden space, at ``s = 3 L``: for 1 or 2 units the
        view's shading with the output probability σ(w·h + b) and the output's line
        w·h + b = 0 (:attr:`output_line`), or for a softmax output each class's region
        (:attr:`regions`) and the ties between them (:attr:`output_line`); for 3 units
        nothing: its plane (:attr:`output_plane`, or the :attr:`tie_planes`) is drawn at every
        frame as visible as :attr:`plane_fade` says."""
        if self.widths[-1] == 3:
            return self
        box = self.box_at(float(dm.STAGES * self.hidden_layers))
        if self.class_colormap is not None:
            self._paint_regions(box)
            return self
        shape = (self.mesh_resolution, self.mesh_resolution)
        plane = output_on_plane(self.weights)
        self.shading.paint(hidden_probability_grid(plane, box, shape))
        line = forward.output_line(plane, box[0], box[1])
        if line is None:
            self.output_line.set_segments(np.zeros((0, 2, 3)))
        else:
            self.output_line.set_segments(self.viewport.to_screen(line, box)[None])
        return self

    def hidden_output(self) -> list[Mobject]:
        """The parts that show the output in the last hidden space (after
        :meth:`paint_hidden_probability`): the shading (or the classes' regions) and the
        line (or the ties); nothing in 3-D, where the planes fade in with :attr:`plane_fade`."""
        if self.widths[-1] == 3:
            return []
        fill = self.shading if self.class_colormap is None else self.regions
        return [fill, self.output_line]

    def paint_input_probability(self) -> Self:
        """Shade the view at ``s = 0`` with the network's probability in the input plane (for a
        softmax output, the most probable class, faded where the network is unsure)."""
        box = self.camera.input_box()
        shape = (self.mesh_resolution, self.mesh_resolution)
        if self.class_colormap is not None:
            logits = forward.class_logit_grid(self.weights, self.activation, box[0], box[1], shape)
            self.shading.paint_logits(logits, self.class_colormap, self.head.name)
            return self
        self.shading.paint(
            forward.probability_grid(self.weights, self.activation, box[0], box[1], shape)
        )
        return self

    def _paint_regions(self, box: Box) -> None:
        """Fill each class's region of the last hidden space (1 or 2 units) in ``box`` and
        draw the ties between them."""
        regions = last_space_regions(self.weights, self.head.name, box)
        cells = {cell.label: cell.polygon for cell in regions}
        for c, region in enumerate(self.regions):
            if c in cells:
                corners = np.vstack([cells[c], cells[c][:1]])
                region.set_points_as_corners(self.viewport.to_screen(corners, box))
            else:
                region.clear_points()
        ties = last_space_ties(self.weights, self.head.name, box)
        self.output_line.set_segments(self._to_screen(ties, box))

    # --- helpers -------------------------------------------------------------------------------

    def _to_screen(self, segments: np.ndarray, box: Box) -> np.ndarray:
        if len(segments) == 0:
            return np.zeros((0, 2, 3))
        return self.viewport.to_screen(segments.reshape(-1, 2), box).reshape(-1, 2, 3)

    def _project_segments(self, segments: np.ndarray, s: float, box: Box) -> np.ndarray:
        """Segments (M, 2, D) of the drawing space, seen by the camera and clipped to ``box``,
        as scene segments (K, 2, 3)."""
        flat, _ = self.camera.project(segments.reshape(-1, self.dimensions), s)
        return self._to_screen(clip_segments(flat.reshape(-1, 2, 2), box), box)

    def _outline_range(self, s: float, box: Box) -> None:
        if self.range_layer is None:
            self.range_square.set_segments(np.zeros((0, 2, 3)))
            return
        low, high = ACTIVATION_RANGES[self.activations[self.range_layer - 1]]
        width = self.widths[self.range_layer]
        edges = hypercube_edges(low, high, width, self.dimensions)
        self.range_square.set_segments(self._project_segments(edges, s, box))

    def _place_plane(self, s: float, data: np.ndarray) -> None:
        """Draw the output's plane at ``s`` around ``data``, the moved points (N, 3) (for a
        softmax output, the planes where two classes tie on top)."""
        if self.class_colormap is not None:
            self._place_tie_planes(s, data)
            return
        fade = float(self.plane_fade.get_value())
        if fade <= 0.0 or self.widths[-1] != 3:
            self.output_plane.clear_points()
            return
        self.output_plane.set_fill(opacity=0.18 * fade).set_stroke(opacity=fade)
        # The plane where it cuts the box around the points, seen by the camera, in the view.
        low, high = data.min(axis=0), data.max(axis=0)
        cube = tuple((float(low[k]), float(high[k])) for k in range(3))
        w, b = self.weights.W[-1][0], float(self.weights.b[-1][0])
        polygon = plane_in_cube(w, b, cube)
        box = self.box_at(s)
        corners = clip_polygon(self.camera.project(polygon, s)[0], box)
        if len(corners) < 3:
            self.output_plane.clear_points()
            return
        corners = np.vstack([corners, corners[:1]])
        self.output_plane.set_points_as_corners(self.viewport.to_screen(corners, box))

    def _place_tie_planes(self, s: float, data: np.ndarray) -> None:
        """Draw the planes where two classes tie on top at ``s``, in the box around ``data``."""
        fade = float(self.plane_fade.get_value())
        polygons: list[np.ndarray] = []
        if fade > 0.0 and self.widths[-1] == 3:
            low, high = data.min(axis=0), data.max(axis=0)
            cube = tuple((float(low[k]), float(high[k])) for k in range(3))
            polygons = last_space_tie_planes(self.weights, self.head.name, cube)
        box = self.box_at(s)
        for index, plane in enumerate(self.tie_planes):
            corners = np.zeros((0, 2))
            if index < len(polygons):
                corners = clip_polygon(self.camera.project(polygons[index], s)[0], box)
            if len(corners) < 3:
                plane.clear_points()
                continue
            plane.set_fill(opacity=0.18 * fade).set_stroke(opacity=fade)
            corners = np.vstack([corners, corners[:1]])
            plane.set_points_as_corners(self.viewport.to_screen(corners, box))

    def _place_axes(self, s: float, box: Box) -> None:
        if self.dimensions == 2:
            self.axes.set_segments(self._to_screen(axis_segments(box), box))
            cx, cy = self.viewport.centre
            w, h = self.viewport.width / 2, self.viewport.height / 2
            place_range_labels(self.range_labels, box, (cx - w, cy + h, cx + w, cy - h))
            return
        # The three axes through the origin, long enough to cross the view at any angle: from
        # the origin, four times the view's size, and farther when the origin is outside the
        # view (per-axis input scales: the data's own ranges need not hold it).
        (x0, x1), (y0, y1) = box
        outside = float(np.hypot(max(x0, -x1, 0.0), max(y0, -y1, 0.0)))
        reach = 4.0 * max(x1 - x0, y1 - y0) + 7.0 * outside
        axes = np.zeros((3, 2, 3))
        stretch = self.camera.stretch_at(s)  # as long in the view whatever the stretch
        for k in range(3):
            axes[k, 0, k], axes[k, 1, k] = -reach / stretch[k], reach / stretch[k]
        self.axes.set_segments(self._project_segments(axes, s, box))
        # Each name inside the view, near the end of its positive half-axis.
        for k, tip in enumerate(self.axis_tips):
            end = np.zeros((2, 3))
            end[1, k] = reach / stretch[k]
            flat, _ = self.camera.project(end, s)
            direction = flat[1] - flat[0]
            if np.hypot(*direction) < 0.15 * reach:  # seen end on: no name
                tip.set_text("")
                continue
            inside = clip_segments(flat[None], _shrunk(box, 0.08))
            if not len(inside) and outside > 0:  # the half-axis misses a view off the origin
                tip.set_text("")
                continue
            tip.set_text(f"h{k + 1}")
            point = inside[0, 1] if len(inside) else flat[0]
            tip.place(self.viewport.to_screen(point[None], box)[0])


def _axis_names(feature_names: tuple[str, str] | None, theme: Theme) -> tuple[VMobject, VMobject]:
    """The names of the plane's two axes, ``x₁ → h₁`` and ``x₂ → h₂`` (LaTeX), or with a CSV
    file's column names, ``<name> → h₁`` in the theme's font."""
    if feature_names is None:
        return (
            MathTex("x_1 \\to h_1", font_size=26, color=theme.muted),
            MathTex("x_2 \\to h_2", font_size=26, color=theme.muted),
        )
    return (
        theme_text(theme, f"{feature_names[0]} → h₁", font_size=18, color=theme.muted),
        theme_text(theme, f"{feature_names[1]} → h₂", font_size=18, color=theme.muted),
    )


def _shrunk(box: Box, share: float) -> Box:
    """``box`` moved in on every side by ``share`` of its extent along that axis."""
    (x0, x1), (y0, y1) = box
    dx, dy = share * (x1 - x0), share * (y1 - y0)
    return (x0 + dx, x1 - dx), (y0 + dy, y1 - dy)
