"""A view for every hidden layer, chosen by its width: :data:`VIEWS` and :func:`layer_view`.

- width 1: :class:`NumberLinePanel`, the points on a line, shaded by the probability that the
  rest of the network gives each value;
- width 2: :class:`~nnviz.mobjects.panels.HiddenSpacePanel`, the plane with the rest of the
  network's probability mesh and its 0.5 boundary;
- width 3: :class:`OrbitPanel`, a 3-D view that slowly turns as the epochs pass, with the
  output's plane for the last hidden layer;
- width 4 to 8: :class:`ProjectionPanel`, a projection onto the layer's two principal axes,
  fitted once over the whole run and labelled with the variance it keeps.

Every view draws the points at the layer's activations of the interpolated weights, on the one
epoch clock. The maths of the views is in :mod:`nnviz.forward` and :mod:`nnviz.projection`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from manim import Mobject, VGroup, VMobject
from typing_extensions import Self

from nnviz import forward
from nnviz.activations import sigmoid
from nnviz.contour import level_segments
from nnviz.forward import Space
from nnviz.mobjects.context import PanelContext
from nnviz.mobjects.following import updater
from nnviz.mobjects.panels import HiddenSpacePanel, Panel
from nnviz.mobjects.readout import GlyphText
from nnviz.mobjects.shapes import Segments
from nnviz.projection import PCAProjection, box_edges, orbit_rotation, plane_in_cube, project_orbit
from nnviz.regions import ClassScores, argmax_intervals, tie_polygons
from nnviz.trajectory import FrameState, Trajectory
from nnviz.view import Box

__all__ = [
    "VIEWS",
    "NumberLinePanel",
    "OrbitPanel",
    "ProjectionPanel",
    "fit_layer_projection",
    "layer_view",
    "view_name",
]


def _subscripted(letter: str, layer: int, index: int | str) -> str:
    """``h_1`` for the first hidden layer, ``h^{(2)}_1`` for the second."""
    return f"{letter}_{index}" if layer == 1 else f"{letter}^{{({layer})}}_{index}"


def _layer_caption(layer: int, layers: int, what: str) -> str:
    """``hidden space: 3 units, in 3-D`` for one hidden layer; for several, on two lines
    (``hidden layer 2`` over ``3 units, in 3-D``), as their panels are narrower."""
    if layers == 1:
        return f"hidden space: {what}" if what else "hidden space"
    return f"hidden layer {layer}\n{what}" if what else f"hidden layer {layer}"


class NumberLinePanel(Panel):
    """A hidden layer of one unit: its values along a line.

    The points sit at their value ``h`` along the horizontal axis, class 0 in the lower half of
    the panel and class 1 in the upper half, each at a fixed, seeded height so that points of
    the same value do not hide each other. The background at ``h`` is the probability the rest
    of the network gives to ``h``; the vertical lines are where it is 0.5.
    """

    def __init__(
        self,
        context: PanelContext,
        layer: int = 1,
        **kwargs: Any,
    ) -> None:
        trajectory = context.trajectory
        layers = len(trajectory.run.hidden_widths)
        kwargs.setdefault("caption", _layer_caption(layer, layers, "one unit"))
        kwargs.setdefault("y_labels", "right")
        caption = kwargs.pop("caption")
        super().__init__(context, caption, (_subscripted("h", layer, 1), r"\text{class}"), **kwargs)
        self.space = Space(layer, "activation")
        rng = np.random.default_rng(layer)
        labels = self.labels
        # Class 0 in [0.08, 0.46], class 1 in [0.54, 0.92] of the panel's height; k classes
        # in k bands from the bottom up, the same share of each band.
        classes = trajectory.run.config.classes
        if classes == 2:
            self.heights = np.where(labels == 1, 0.54, 0.08) + 0.38 * rng.random(len(labels))
        else:
            band = 1.0 / classes
            self.heights = (labels + 0.1 + 0.8 * rng.random(len(labels))) * band
        self.last_layer = layer == layers
        self.add_trails()
        self.refresh()

    def refresh(self) -> Self:
        state = self.trajectory.state(self.clock.get_value())
        x_range = self.trajectory.view_box(self.space, state.t)[0]
        box: Box = (x_range, (0.0, 1.0))
        values = np.linspace(*x_range, self.mesh_resolution + 1)
        centres = (values[:-1] + values[1:]) / 2
        if self.class_colormap is not None:
            self._paint_classes(state, x_range, centres)
        else:
            self._paint_probability(state, x_range, centres)
        h = state.layers[self.space.layer - 1][1][:, 0]
        self._place_points(np.column_stack([h, self.heights]), box, state.logits)
        trail = self._trail_positions(self.space, state.t)
        if trail is not None:  # along the line, each point at its own height
            heights = np.broadcast_to(self.heights, trail.shape[:2])
            trail = np.stack([trail[..., 0], heights], axis=-1)
        self._draw_trails(trail, box)
        axis = np.array([[[0.0, 0.0], [0.0, 1.0]]]) if x_range[0] < 0 < x_range[1] else None
        self.axes.set_segments(
            np.zeros((0, 2, 2)) if axis is None
            else self.viewport.to_screen(axis.reshape(-1, 2), box)[:, :2].reshape(-1, 2, 2)
        )  # fmt: skip
        if self.show_labels:
            self._label_x_range(x_range)
        return self

    def _paint_probability(
        self, state: FrameState, x_range: tuple[float, float], centres: np.ndarray
    ) -> None:
        """One sigmoid output along the line: P(class 1), and where it crosses 0.5."""
        box: Box = (x_range, (0.0, 1.0))
        p = forward.rest_probability(centres[:, None], state.weights, self.trajectory.activation,
                                     self.space)  # fmt: skip
        field = np.tile(p, (self.mesh_resolution, 1))
        self.mesh.paint(field)
        crossings = level_segments(field, x_range, (0.0, 1.0), 0.5)
        if len(crossings):
            screen = self.viewport.to_screen(crossings.reshape(-1, 2), box)[:, :2]
            self.boundary.set_segments(screen.reshape(-1, 2, 2))
        else:
            self.boundary.set_segments(np.zeros((0, 2, 2)))

    def _paint_classes(
        self, state: FrameState, x_range: tuple[float, float], centres: np.ndarray
    ) -> None:
        """A softmax output along the line: the top class faded by confidence, and where the
        top class changes (for the last hidden layer the exact breaks of
        :func:`nnviz.regions.argmax_intervals`, elsewhere between two pixels)."""
        assert self.class_colormap is not None
        box: Box = (x_range, (0.0, 1.0))
        p = forward.rest_class_probabilities(centres[:, None], state.weights,
                                             self.trajectory.activation, self.space,
                                             self.head.name)  # fmt: skip
        field = np.broadcast_to(p, (self.mesh_resolution, *p.shape))
        self.mesh.paint_classes(field, self.class_colormap)
        if self.last_layer:
            scores = ClassScores.from_weights(state.weights, self.head.name)
            breaks = argmax_intervals(scores, x_range)[0][1:-1]
        else:
            top = np.argmax(p, axis=-1)
            changes = np.flatnonzero(top[1:] != top[:-1])
            breaks = (centres[changes] + centres[changes + 1]) / 2
        lines = np.zeros((len(breaks), 2, 2))
        lines[:, :, 0] = breaks[:, None]
        lines[:, 1, 1] = 1.0
        screen = self.viewport.to_screen(lines.reshape(-1, 2), box)[:, :2]
        self.boundary.set_segments(screen.reshape(-1, 2, 2))

    def _label_x_range(self, x_range: tuple[float, float]) -> None:
        from nnviz.mobjects.readout import place_range_labels

        place_range_labels(self.range_labels, (x_range, (0.0, 1.0)), self._edges(), self.y_labels)
        for label in self.range_labels[2:]:  # the height means nothing: no y labels
            label.set_text("")


def fit_layer_projection(trajectory: Trajectory, layer: int, rows: int = 40_000) -> PCAProjection:
    """Fit the principal axes of a hidden layer's activations over every logged epoch of the
    run (at most ``rows`` points, taken from evenly spaced epochs), once."""
    run = trajectory.run
    states = run.epochs + 1
    step = max(1, math.ceil(states * len(trajectory.X) / rows))
    epochs = slice(0, states, step)
    h = forward.layer_outputs_per_epoch(trajectory.X, run.W, run.b, trajectory.activation, epochs)
    activations = h[layer - 1][1]
    return PCAProjection.fit(activations.reshape(-1, activations.shape[-1]))


class ProjectionPanel(Panel):
    """A hidden layer of 4 to 8 units, projected onto its first two principal axes.

    The axes are fitted once over every epoch of the run (:func:`fit_layer_projection`), so the
    picture never jumps; the caption says it is a projection and how much of the variance it
    keeps. No boundary is drawn: a projection cannot show where the output is 0.5.
    """

    def __init__(
        self,
        context: PanelContext,
        layer: int = 1,
        **kwargs: Any,
    ) -> None:
        trajectory = context.trajectory
        layers = len(trajectory.run.hidden_widths)
        width = trajectory.run.hidden_widths[layer - 1]
        self.projection = fit_layer_projection(trajectory, layer)
        share = self.projection.explained_total
        what = (
            f"{width} units · PCA, {share:.0%} of variance"
            if layers == 1
            else f"{width} units · PCA {share:.0%}"
        )
        caption = kwargs.pop("caption", _layer_caption(layer, layers, what))
        kwargs.setdefault("y_labels", "right")
        super().__init__(context, caption, (r"\text{PC}_1", r"\text{PC}_2"), **kwargs)
        self.space = Space(layer, "activation")
        self.remove(self.mesh)  # no probability field: nothing to draw, not even transparent
        self.add_trails()
        self.refresh()

    def refresh(self) -> Self:
        state = self.trajectory.state(self.clock.get_value())
        cube = self.trajectory.view_cube(self.space, state.t, dims=2, projection=self.projection,
                                         key=("pca", self.space.layer))  # fmt: skip
        box: Box = (cube[0], cube[1])
        points = self.projection(state.layers[self.space.layer - 1][1])
        self._place_points(points, box, state.logits)
        trail = self._trail_positions(self.space, state.t)
        self._draw_trails(None if trail is None else self.projection(trail)[..., :2], box)
        self._place_axes(box)
        self._label_range(box)
        return self


class OrbitPanel(Panel):
    """A hidden layer of three units in 3-D, turning slowly about the vertical axis.

    The view is orthographic and, while the panel follows the clock, turns
    :attr:`DEGREES_PER_SECOND` degrees per second of video (also while a run's last state is
    held), so depth reads; points are drawn back to front. The camera is the only thing that
    moves with time rather than with the epoch: every point is still the layer's activation at
    the clock's epoch. For the last hidden layer the output's plane ``w·h + b = 0`` is drawn
    where it cuts the view's cube, translucent; an earlier layer has no such plane (the rest
    of the network bends the boundary), so its points are coloured by the network's output
    ``p = P(class 1)`` instead of by class: ``(1 − p)·colour of class 0 + p·colour of class 1``,
    so a point the network is sure of has its class's colour.
    """

    #: How fast the view turns.
    DEGREES_PER_SECOND = 24.0
    #: The camera's height above the horizontal plane.
    ELEVATION_DEGREES = 22.0
    #: Azimuth at epoch 0.
    START_DEGREES = -55.0

    def __init__(
        self,
        context: PanelContext,
        layer: int = 1,
        **kwargs: Any,
    ) -> None:
        trajectory, theme = context.trajectory, context.theme
        layers = len(trajectory.run.hidden_widths)
        what = "3 units, in 3-D" if layer == layers else "3 units in 3-D, coloured by ŷ"
        caption = kwargs.pop("caption", _layer_caption(layer, layers, what))
        kwargs["labels"] = False  # the corners of a turning cube have no fixed ranges
        super().__init__(context, caption, ("", ""), **kwargs)
        self.space = Space(layer, "activation")
        self.last_layer = layer == layers
        self.remove(self.mesh)  # no probability field: nothing to draw, not even transparent
        self.edges = Segments(stroke_color=theme.muted, stroke_width=1.0, stroke_opacity=0.45)
        self.plane = VMobject(fill_color=theme.boundary, fill_opacity=0.18,
                              stroke_color=theme.boundary, stroke_width=2.0)  # fmt: skip
        self.axis_labels = [
            GlyphText(f"h{k}", "h123", font_size=16, max_length=2, color=theme.muted)
            for k in (1, 2, 3)
        ]
        #: For a softmax output, one translucent polygon per pair of classes: where they tie on
        #: top (:func:`nnviz.regions.tie_polygons`).
        classes = trajectory.run.config.classes
        pairs = classes * (classes - 1) // 2 if self.class_colormap is not None else 0
        self.tie_planes = VGroup(*(
            VMobject(fill_color=theme.boundary, fill_opacity=0.18, stroke_color=theme.boundary,
                     stroke_width=2.0)
            for _ in range(pairs)
        ))  # fmt: skip
        self.turned = 0.0
        self.remove(self.dots)
        self.add(self.edges, self.plane, self.tie_planes, self.dots, *self.axis_labels)
        self.add_trails()
        self.refresh()

    def azimuth(self) -> float:
        """The view's azimuth in radians."""
        return math.radians(self.START_DEGREES) + self.turned

    def turn(self, seconds: float) -> Self:
        """Turn the view by ``seconds`` of video."""
        self.turned += math.radians(self.DEGREES_PER_SECOND) * seconds
        return self.refresh()

    def start(self) -> Self:
        """Follow the clock, and turn as the video plays."""
        self.add_updater(updater(lambda panel, dt: panel.turn(dt)))
        return self.refresh()

    def refresh(self) -> Self:
        state = self.trajectory.state(self.clock.get_value())
        cube = self.trajectory.view_cube(self.space, state.t, dims=3)
        rotation = orbit_rotation(self.azimuth(), math.radians(self.ELEVATION_DEGREES))
        to_screen = self._screen_map(cube, rotation)
        edges = box_edges(cube)
        self.edges.set_segments(to_screen(edges.reshape(-1, 3))[0].reshape(-1, 2, 2))
        if self.class_colormap is not None:
            polygon = np.zeros((0, 3))
            self._draw_ties(state, cube, to_screen)
        elif self.last_layer:
            w, b = state.weights.W[-1][0], float(state.weights.b[-1][0])
            polygon = plane_in_cube(w, b, cube)
        else:
            polygon = np.zeros((0, 3))
            p = sigmoid(state.logits)[:, None]
            self.dots.color_points((1.0 - p) * self.dots.class_rgb[0] + p * self.dots.class_rgb[1])
        if len(polygon):
            corners = to_screen(polygon)[0]
            self.plane.set_points_as_corners(
                np.column_stack([np.vstack([corners, corners[:1]]), np.zeros(len(corners) + 1)])
            )
        else:
            self.plane.clear_points()
        h = state.layers[self.space.layer - 1][1]
        screen, depth = to_screen(h)
        order = np.argsort(depth, kind="stable")  # far ones first
        self._mark_points(state.logits, self._misclassified(state.logits))
        self.dots.place(np.column_stack([screen, np.zeros(len(screen))]), order=order)
        trail = self._trail_positions(self.space, state.t)
        if trail is not None and self.trails is not None:
            # Kept inside the cube, projected as the points are.
            low, high = np.array([c[0] for c in cube]), np.array([c[1] for c in cube])
            flat = np.clip(trail, low, high).reshape(-1, 3)
            self.trails.set_positions(to_screen(flat)[0].reshape(*trail.shape[:2], 2))
        elif self.trails is not None:
            self.trails.set_positions(np.zeros((self.trails.steps + 1, len(self.labels), 2)))
        # Axis names at the high end of each axis's edge from the cube's low corner.
        low = np.array([c[0] for c in cube])
        for k, label in enumerate(self.axis_labels):
            end = low.copy()
            end[k] = cube[k][1]
            point = to_screen(end[None])[0][0]
            label.place(np.array([point[0] + 0.05, point[1] + 0.05, 0.0]))
        return self

    def _draw_ties(
        self,
        state: FrameState,
        cube: tuple[tuple[float, float], ...],
        to_screen: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]],
    ) -> None:
        """A softmax output: for the last hidden layer the planes where two classes tie on top,
        clipped to the cube and to where they beat the others, projected as the points are;
        for an earlier layer, the dots coloured by the network's probabilities, the mix
        ``Σ p_c · colour of class c`` (no planes: the rest of the network bends the ties)."""
        polygons: list[np.ndarray] = []
        if self.last_layer:
            scores = ClassScores.from_weights(state.weights, self.head.name)
            polygons = [tie.points for tie in tie_polygons(scores, cube)]
        else:
            p = self.head.probabilities(state.logits)
            self.dots.color_points(p @ self.dots.class_rgb)
        for index, plane in enumerate(self.tie_planes):
            if index < len(polygons):
                corners = to_screen(polygons[index])[0]
                plane.set_points_as_corners(np.column_stack(
                    [np.vstack([corners, corners[:1]]), np.zeros(len(corners) + 1)]
                ))  # fmt: skip
            else:
                plane.clear_points()

    def _screen_map(
        self, cube: tuple[tuple[float, float], ...], rotation: np.ndarray
    ) -> Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]:
        """Points of the cube's space to scene coordinates: the cube's projection, a disc of
        radius sqrt 3, fills the viewport."""
        scale = min(self.viewport.width, self.viewport.height) / 2 / math.sqrt(3)
        cx, cy = self.viewport.centre

        def to_screen(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            flat, depth = project_orbit(points, cube, rotation)
            return flat * scale + np.array([cx, cy]), depth

        return to_screen

    def static_parts(self) -> list[Mobject]:
        """Only the caption: everything else turns."""
        return [self.caption]


def _plane_view(context: PanelContext, layer: int, **kwargs: Any) -> Panel:
    layers = len(context.trajectory.run.hidden_widths)
    kwargs.setdefault("caption", _layer_caption(layer, layers, "2 units"))
    return HiddenSpacePanel(context, space=Space(layer), **kwargs)


#: The view of a hidden layer by its width: ``(smallest, largest width, name, maker)``; a maker
#: takes ``(context, layer, **panel options)``, the context a :class:`PanelContext`.
VIEWS: tuple[tuple[int, int, str, Callable[..., Panel]], ...] = (
    (1, 1, "number line", NumberLinePanel),
    (2, 2, "plane", _plane_view),
    (3, 3, "3-D orbit", OrbitPanel),
    (4, 8, "PCA projection", ProjectionPanel),
)


def view_name(width: int) -> str:
    """Return the name of the view that draws a hidden layer of ``width`` units."""
    for low, high, name, _ in VIEWS:
        if low <= width <= high:
            return name
    raise ValueError(f"no view draws a hidden layer of {width} units")


def layer_view(
    context: PanelContext,
    layer: int,
    **kwargs: Any,
) -> Panel:
    """Return the view of hidden layer ``layer`` (1-based) chosen by its width."""
    width = context.trajectory.run.hidden_widths[layer - 1]
    for low, high, _, maker in VIEWS:
        if low <= width <= high:
            return maker(context, layer, **kwargs)
    raise ValueError(f"no view draws a hidden layer of {width} units")
