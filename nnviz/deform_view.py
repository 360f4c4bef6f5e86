"""How the deformation movie is looked at: a camera on the space the points are in, plain numpy.

The movie of :mod:`nnviz.deform` passes through spaces of 1 to 3 dimensions. Every space of a
network is drawn in one *drawing space* for the whole movie (:func:`drawing_dimensions`): the
plane when no space is wider than 2 (a 1-unit layer lies on the first axis), 3-D when one of
them has 3 units (a plane lies at ``h₃ = 0``). Points are embedded there by zero-padding
(:func:`embed`), which is how :mod:`nnviz.deform` itself joins spaces of different widths.

A camera turns the drawing space's points into flat view coordinates and gives the view box
around them at every ``s``:

- :class:`PlaneCamera`, the plane seen from above: view coordinates are the points' own, and the
  box is the square around the data (and the origin) at the end of every stage, interpolated
  linearly in ``s`` within a stage;
- :class:`OrbitCamera`, 3-D seen by an orthographic camera that looks straight down at the plane
  ``h₃ = 0`` while the points lie in it and tilts and rocks (:func:`depth_share`) while they
  have a third coordinate, so that depth reads. Its box is a square around the view of a ball
  that holds the points; a rotation keeps the distances to the ball's centre, so the box holds
  the points at every angle.

Both boxes hold every point at every ``s``: within a stage each point moves affinely in ``s``
(see :mod:`nnviz.deform`), so an interpolation of boxes (or balls) that hold the points at the
stage's two ends holds them in between.

The input plane may give each axis its own scale (``input_box``, the data's own ranges per
axis; :func:`nnviz.view.per_axis_box`): the box at ``s = 0`` is then that box, not a square,
and the first stage interpolates each axis's range on its own from it to the square around the
first hidden space, so the two scales meet the one scale of the hidden spaces smoothly and the
box still holds every point. In 3-D the holder at ``s = 0`` is the data's cuboid instead of a
ball, and the camera looks at the space stretched along each axis so that the cuboid is
square, the stretch relaxing to none over the first stage (see :class:`OrbitCamera`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz import deform as dm
from nnviz import forward
from nnviz.forward import Activations, Weights
from nnviz.heads import head
from nnviz.projection import orbit_rotation
from nnviz.regions import (
    Cell,
    ClassScores,
    argmax_cells,
    argmax_intervals,
    tie_polygons,
    tie_segments,
)
from nnviz.view import Box, square_box_around

__all__ = [
    "OrbitCamera",
    "PlaneCamera",
    "depth_share",
    "drawing_dimensions",
    "embed",
    "hypercube_edges",
    "last_space_regions",
    "last_space_tie_planes",
    "last_space_ties",
    "make_camera",
    "output_on_plane",
    "predicted_classes",
    "stage_end_points",
]


def drawing_dimensions(widths: tuple[int, ...]) -> int:
    """Return the dimensions of the space a movie through spaces of ``widths`` is drawn in:
    3 when one of them has 3 units, otherwise 2."""
    return 3 if max(widths) >= 3 else 2


def embed(points: np.ndarray, dimensions: int) -> np.ndarray:
    """Return ``points`` (N, d) with zeros appended up to ``dimensions`` coordinates."""
    points = np.asarray(points, dtype=np.float64)
    missing = dimensions - points.shape[1]
    if missing < 0:
        raise ValueError(f"points of {points.shape[1]} coordinates do not fit in {dimensions}")
    if missing == 0:
        return points
    return np.hstack([points, np.zeros((len(points), missing))])


def depth_share(s: float, widths: tuple[int, ...]) -> float:
    """Return how far the camera has turned from looking straight down at ``s``: 0 while the
    points lie in the plane ``h₃ = 0``, 1 while they are in a 3-unit space, and linear in the
    stage's time while a linear map lifts them out of the plane or flattens them onto it.

    Parameters
    ----------
    s
        Position in the movie (clamped like :func:`nnviz.deform.stage_of`).
    widths
        The widths of the movie's spaces, input first (:func:`nnviz.deform.space_widths`).
    """
    stage, t = dm.stage_of(s, len(widths) - 1)
    layer, kind = dm.layer_and_kind(stage)
    into, out = widths[layer - 1] == 3, widths[layer] == 3
    if kind == 1:
        return (1.0 - t) * into + t * out
    return float(out)


def stage_end_points(
    points: np.ndarray, weights: Weights, activation: Activations, dimensions: int
) -> list[np.ndarray]:
    """Return the deformed ``points`` at the end of every stage, ``s = 0, 1, …, 3 L``, each
    embedded in ``dimensions`` coordinates."""
    return [
        embed(dm.deform(points, weights, activation, float(k)), dimensions)
        for k in range(dm.stage_count(weights) + 1)
    ]


def _interpolate(knots: np.ndarray, s: float) -> np.ndarray:
    """Rows of ``knots`` (K, m) at ``s``, linear between consecutive integers."""
    s = float(min(max(s, 0.0), float(len(knots) - 1)))
    low = min(math.floor(s), len(knots) - 2)
    t = s - low
    return np.asarray((1.0 - t) * knots[low] + t * knots[low + 1], dtype=np.float64)


@dataclass
class PlaneCamera:
    """The plane seen from above (see the module's description).

    Attributes
    ----------
    boxes
        ``(x_min, x_max, y_min, y_max)`` of the view box at the end of every stage, shape
        ``(3 L + 1, 4)``: squares, but for an input plane whose axes have their own scales.
    """

    boxes: np.ndarray
    dimensions = 2

    @classmethod
    def around(
        cls, ends: list[np.ndarray], margin: float = 0.12, input_box: Box | None = None
    ) -> PlaneCamera:
        """The camera whose box at the end of stage ``k`` is the square around ``ends[k]`` (the
        points there, in the plane) and the origin, ``margin`` wider; at ``s = 0``
        ``input_box`` instead when it is given (an input plane whose axes have their own
        scales; it must hold the points)."""
        boxes = np.empty((len(ends), 4))
        for k, moved in enumerate(ends):
            (a, b), (c, d) = square_box_around(np.vstack([moved, np.zeros((1, 2))]), margin)
            boxes[k] = (a, b, c, d)
        if input_box is not None:
            (a, b), (c, d) = input_box
            boxes[0] = (a, b, c, d)
        return cls(boxes)

    def box_at(self, s: float) -> Box:
        """The view box at ``s``."""
        a, b, c, d = (float(v) for v in _interpolate(self.boxes, s))
        return (a, b), (c, d)

    def input_box(self) -> Box:
        """The box of the input plane the view shows at ``s = 0``."""
        return self.box_at(0.0)

    def stretch_at(self, s: float) -> np.ndarray:
        """The plane is not stretched: view coordinates are its own, shape ``(2,)``."""
        return np.ones(2)

    def project(self, points: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
        """View coordinates (N, 2) of ``points`` (N, 2) and their depth (all zero)."""
        points = np.asarray(points, dtype=np.float64)
        return points[:, :2], np.zeros(len(points))

    def turn(self, seconds: float) -> None:
        """A plane seen from above does not turn."""


@dataclass
class OrbitCamera:
    """3-D seen from a camera that looks down while the points lie in the plane and tilts and
    rocks while they do not (see the module's description).

    The points at the end of stage ``k`` are held by the ball of radius ``radii[k]`` about
    ``centres[k]``, or, where ``halves[k]`` is not zero, by the cuboid ``centres[k] ±
    halves[k]`` widened by that ball (their Minkowski sum). Between two stage ends the holder
    is the interpolation of the two, which holds the points there as each moves affinely in
    ``s``.

    An input plane whose axes have their own scales is held by its box (``radii[0] = 0``),
    and the camera looks at the drawing space stretched along each axis by :meth:`stretch_at`:
    at ``s = 0`` by :attr:`stretch`, which makes that box a square as large as the first
    hidden space's ball, relaxing geometrically to no stretch at the end of the first stage,
    where the camera has tilted into 3-D. So the plane is seen as the plane camera sees it,
    each axis on its own range, and the camera never turns an unevenly stretched space far.
    The view box along a view axis ``e`` is the stretched holder's extent along it,
    ``f·c ± (r |f| + Σ |fᵢ| aᵢ)`` with ``f = e ⊙ stretch``: it holds every point.

    Attributes
    ----------
    centres, radii
        The ball that holds the points (and the origin) at the end of every stage, shapes
        ``(3 L + 1, 3)`` and ``(3 L + 1,)``.
    widths
        The widths of the movie's spaces, input first.
    seconds
        Video time the camera has been turning for (see :meth:`turn`).
    halves
        Half-widths of the cuboid added to each ball, shape ``(3 L + 1, 3)``; ``None`` for
        none (balls only).
    stretch
        The stretch of each axis of the drawing space at ``s = 0``, shape ``(3,)``; ``None``
        for none.
    """

    centres: np.ndarray
    radii: np.ndarray
    widths: tuple[int, ...]
    seconds: float = 0.0
    halves: np.ndarray | None = None
    stretch: np.ndarray | None = None
    dimensions = 3

    #: The camera's height above the plane ``h₃ = 0`` in a 3-unit space.
    ELEVATION_DEGREES = 30.0
    #: Its azimuth in a 3-unit space, rocking by :attr:`SWING_DEGREES` either way about it
    #: once every :attr:`SWING_SECONDS`.
    AZIMUTH_DEGREES = -35.0
    SWING_DEGREES = 25.0
    SWING_SECONDS = 8.0

    @classmethod
    def around(
        cls,
        ends: list[np.ndarray],
        widths: tuple[int, ...],
        margin: float = 0.08,
        input_box: Box | None = None,
    ) -> OrbitCamera:
        """The camera whose ball at the end of stage ``k`` is centred on the middle of the box
        around ``ends[k]`` (points in 3-D) and the origin and holds them, ``margin`` wider; at
        ``s = 0`` the cuboid of ``input_box`` (in the plane ``h₃ = 0``) instead when it is
        given (an input plane whose axes have their own scales; it must hold the points)."""
        centres = np.empty((len(ends), 3))
        radii = np.empty(len(ends))
        for k, moved in enumerate(ends):
            held = np.vstack([moved, np.zeros((1, 3))])
            centre = (held.min(axis=0) + held.max(axis=0)) / 2
            radius = float(np.linalg.norm(held - centre, axis=1).max())
            centres[k] = centre
            radii[k] = max(radius, 1e-9) * (1.0 + margin)
        if input_box is None:
            return cls(centres, radii, widths)
        (a, b), (c, d) = input_box
        halves = np.zeros((len(ends), 3))
        halves[0] = ((b - a) / 2, (d - c) / 2, 0.0)
        centres[0] = ((a + b) / 2, (c + d) / 2, 0.0)
        radii[0] = 0.0
        # Stretched, the input box is a square of the first hidden space's ball's size.
        stretch = np.ones(3)
        stretch[:2] = radii[1] / halves[0, :2]
        return cls(centres, radii, widths, halves=halves, stretch=stretch)

    def rotation(self, s: float) -> np.ndarray:
        """The camera's rotation at ``s`` (rows: the view's right, up and towards the viewer;
        see :func:`nnviz.projection.orbit_rotation`). Straight down, unturned, at a share of
        0, so that the plane ``h₃ = 0`` is seen as the plane camera sees it."""
        share = depth_share(s, self.widths)
        swing = self.SWING_DEGREES * math.sin(2 * math.pi * self.seconds / self.SWING_SECONDS)
        azimuth = share * math.radians(self.AZIMUTH_DEGREES + swing)
        elevation = math.radians(90.0 - share * (90.0 - self.ELEVATION_DEGREES))
        return orbit_rotation(azimuth, elevation)

    def ball_at(self, s: float) -> tuple[np.ndarray, float]:
        """The centre and radius of the ball that holds the points at ``s``."""
        return _interpolate(self.centres, s), float(_interpolate(self.radii[:, None], s)[0])

    def stretch_at(self, s: float) -> np.ndarray:
        """The stretch of each axis of the drawing space at ``s``, shape ``(3,)``:
        :attr:`stretch` at ``s = 0``, ``stretch^(1 - s)`` in the first stage, then 1."""
        if self.stretch is None:
            return np.ones(3)
        share = min(max(float(s), 0.0), 1.0)
        return np.asarray(self.stretch ** (1.0 - share), dtype=np.float64)

    def box_at(self, s: float) -> Box:
        """The view box at ``s``: the square around the view of :meth:`ball_at`, or with
        :attr:`halves`, the extent of the stretched holder along each view axis (see the
        class)."""
        centre, radius = self.ball_at(s)
        view = self.rotation(s)[:2]
        if self.halves is None:
            x, y = view @ centre
            return (float(x - radius), float(x + radius)), (float(y - radius), float(y + radius))
        view = view * self.stretch_at(s)  # e·(D p) = (D e)·p
        x, y = view @ centre
        reach = radius * np.linalg.norm(view, axis=1) + np.abs(view) @ _interpolate(self.halves, s)
        return (float(x - reach[0]), float(x + reach[0])), (
            float(y - reach[1]),
            float(y + reach[1]),
        )

    def input_box(self) -> Box:
        """The box of the input plane, in the data's own coordinates, that the view shows at
        ``s = 0`` (where the camera looks straight down): :meth:`box_at` unstretched."""
        (x0, x1), (y0, y1) = self.box_at(0.0)
        dx, dy = self.stretch_at(0.0)[:2]
        return (x0 / dx, x1 / dx), (y0 / dy, y1 / dy)

    def project(self, points: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
        """View coordinates (N, 2) of ``points`` (N, 3) and their depth (N,), larger towards
        the viewer: draw larger depths last."""
        points = np.asarray(points, dtype=np.float64)
        if self.stretch is not None:
            points = points * self.stretch_at(s)
        rotated = points @ self.rotation(s).T
        return rotated[:, :2], rotated[:, 2]

    def turn(self, seconds: float) -> None:
        """Let ``seconds`` of video pass: the camera rocks on."""
        self.seconds += float(seconds)


def make_camera(
    ends: list[np.ndarray], widths: tuple[int, ...], input_box: Box | None = None
) -> PlaneCamera | OrbitCamera:
    """Return the camera for a movie through spaces of ``widths`` whose points at the stage
    ends are ``ends`` (embedded in :func:`drawing_dimensions` coordinates); ``input_box`` is
    the input plane's box when its axes have their own scales (``None``: a square)."""
    if drawing_dimensions(widths) == 3:
        return OrbitCamera.around(ends, widths, input_box=input_box)
    return PlaneCamera.around(ends, input_box=input_box)


def hypercube_edges(low: float, high: float, width: int, dimensions: int) -> np.ndarray:
    """Return the edges of the cube ``[low, high]^width`` embedded in ``dimensions``
    coordinates, shape ``(width · 2^(width-1), 2, dimensions)``: a segment, a square's 4
    sides or a cube's 12 edges."""
    corners = np.array(
        [[high if (i >> k) & 1 else low for k in range(width)] for i in range(2**width)],
        dtype=np.float64,
    )
    pairs = [(i, i | 1 << k) for i in range(2**width) for k in range(width) if not i >> k & 1]
    edges = np.array([[corners[a], corners[b]] for a, b in pairs])
    padded = np.zeros((len(edges), 2, dimensions))
    padded[..., :width] = edges
    return padded


def output_on_plane(weights: Weights) -> Weights:
    """Return the output layer of ``weights`` as a function on the plane its last hidden layer
    (of 1 or 2 units) is drawn in: a 2-2-1 network whose hidden layer is the identity and whose
    output weights are ``W_{L+1}`` padded with zeros, so that σ(w·h + b) and the output's line
    ``w·h + b = 0`` over that plane come from the 2-unit functions of :mod:`nnviz.forward`
    (a 1-unit layer's line is the vertical ``h₁ = −b / w``)."""
    W, b = np.asarray(weights.W[-1], dtype=np.float64), np.asarray(weights.b[-1], np.float64)
    if W.shape[1] > 2:
        raise ValueError(f"a last hidden layer of {W.shape[1]} units is not drawn in a plane")
    padded = np.zeros((W.shape[0], 2))
    padded[:, : W.shape[1]] = W
    return Weights(np.eye(2), np.zeros(2), padded, b)


# --- k classes: the last hidden space cut into regions ------------------------------------------


def _last_scores(weights: Weights, output: str, width: int) -> ClassScores:
    """The class scores of the last hidden layer (:class:`nnviz.regions.ClassScores`), checked
    to be functions of a layer of ``width`` units."""
    scores = ClassScores.from_weights(weights, output)
    if scores.width != width:
        raise ValueError(f"a last hidden layer of {scores.width} units, not {width}")
    return scores


def last_space_regions(weights: Weights, output: str, box: Box) -> list[Cell]:
    """Return where each class wins in the last hidden space as the plane shows it, inside
    ``box``: the argmax cells of the output head's class scores ``w_c·h + b_c``.

    A last hidden layer of 2 units gives the exact convex polygons of
    :func:`nnviz.regions.argmax_cells`; one of 1 unit lies on the plane's first axis, and its
    intervals (:func:`nnviz.regions.argmax_intervals`) become strips across the box's height.
    For one sigmoid unit the two cells are the sides of its line ``w·h + b = 0``.

    Parameters
    ----------
    weights
        The network's weights; its last hidden layer has 1 or 2 units.
    output
        The output head's name (:data:`nnviz.heads.HEADS`).
    box
        The view box in the last hidden space.

    Returns
    -------
    list[Cell]
        One cell per class that wins somewhere in the box, corners counter-clockwise.
    """
    width = int(np.asarray(weights.W[-1]).shape[1])
    if width == 2:
        return argmax_cells(_last_scores(weights, output, 2), box)
    breaks, labels = argmax_intervals(_last_scores(weights, output, 1), box[0])
    (y0, y1) = box[1]
    return [
        Cell(int(c), np.array([[a, y0], [b, y0], [b, y1], [a, y1]], dtype=np.float64))
        for a, b, c in zip(breaks[:-1], breaks[1:], labels, strict=True)
    ]


def last_space_ties(weights: Weights, output: str, box: Box) -> np.ndarray:
    """Return where the two most probable classes tie in the last hidden space (1 or 2 units)
    as the plane shows it, inside ``box``: segments ``(M, 2, 2)``, the edges between the cells
    of :func:`last_space_regions` (:func:`nnviz.regions.tie_segments`; for 1 unit the lines
    across the box at the breaks of :func:`nnviz.regions.argmax_intervals`)."""
    width = int(np.asarray(weights.W[-1]).shape[1])
    if width == 2:
        ties = tie_segments(_last_scores(weights, output, 2), box)
        return np.array([tie.points for tie in ties], dtype=np.float64).reshape(-1, 2, 2)
    inner = argmax_intervals(_last_scores(weights, output, 1), box[0])[0][1:-1]
    (y0, y1) = box[1]
    segments = np.empty((len(inner), 2, 2))
    segments[:, :, 0] = inner[:, None]
    segments[:, 0, 1], segments[:, 1, 1] = y0, y1
    return segments


def last_space_tie_planes(
    weights: Weights, output: str, cube: tuple[tuple[float, float], ...]
) -> list[np.ndarray]:
    """Return where two classes tie on top in a last hidden space of 3 units, inside ``cube``:
    convex polygons ``(M, 3)`` (:func:`nnviz.regions.tie_polygons`), the faces between the
    classes' regions."""
    return [tie.points for tie in tie_polygons(_last_scores(weights, output, 3), cube)]


def predicted_classes(
    points: np.ndarray, weights: Weights, activation: Activations, output: str
) -> np.ndarray:
    """Return the class the network predicts at each input point (N, 2), shape ``(N,)``, as
    the output head decides (:meth:`nnviz.heads.OutputHead.predict`)."""
    logits = forward.output_logits(np.asarray(points, np.float64), weights, activation)
    return head(output).predict(logits)
