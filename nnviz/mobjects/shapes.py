"""Vectorised shapes: many dots or many segments as a single VMobject each."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from manim import ImageMobject, ManimColor, VGroup, VMobject
from manim.constants import RESAMPLING_ALGORITHMS
from typing_extensions import Self

from nnviz.theme import Theme
from nnviz.view import Viewport

__all__ = [
    "DOT_RADIUS",
    "RADIUS_DECIMALS",
    "ClassDots",
    "DotCloud",
    "PlacedImage",
    "Segments",
    "Trails",
    "circle_template",
    "class_dots",
    "dot_cloud_points",
    "segment_points",
]

#: Radius of a data point's dot, in scene units.
DOT_RADIUS = 0.045
#: Decimals of a dot cloud's radius read from its points (:meth:`DotCloud.centres_and_radius`).
RADIUS_DECIMALS = 12

# A unit circle as four cubic Bézier curves (kappa = 4/3 (sqrt 2 - 1)).
_KAPPA = 0.5522847498307936


def circle_template() -> np.ndarray:
    """Return the 16 control points of a unit circle as four cubic curves, shape (16, 3)."""
    quarter = np.array([[1, 0], [1, _KAPPA], [_KAPPA, 1], [0, 1]], dtype=np.float64)
    curves = []
    for k in range(4):
        angle = k * np.pi / 2
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        curves.append(quarter @ rotation.T)
    points = np.concatenate(curves)
    return np.column_stack([points, np.zeros(len(points))])


_TEMPLATE = circle_template()


def dot_cloud_points(centres: np.ndarray, radius: float) -> np.ndarray:
    """Return the Bézier points of one circle per centre, shape (16 N, 3).

    Parameters
    ----------
    centres
        Scene coordinates of the dots, shape (N, 3) or (N, 2).
    radius
        Dot radius in scene units.
    """
    centres3 = np.zeros((len(centres), 3))
    centres3[:, : centres.shape[1]] = centres[:, :3]
    return (centres3[:, None, :] + radius * _TEMPLATE[None, :, :]).reshape(-1, 3)


def segment_points(segments: np.ndarray) -> np.ndarray:
    """Return the Bézier points of straight segments (M, 2, 3 or 2) as cubic curves (4 M, 3)."""
    if len(segments) == 0:
        return np.zeros((0, 3))
    ends = np.zeros((len(segments), 2, 3))
    ends[:, :, : segments.shape[2]] = segments
    a, b = ends[:, 0], ends[:, 1]
    return np.stack([a, a + (b - a) / 3, a + 2 * (b - a) / 3, b], axis=1).reshape(-1, 3)


class DotCloud(VMobject):
    """Many equal dots drawn as one path: cheap to move every frame, anti-aliased by Cairo.

    Parameters
    ----------
    centres
        Initial scene coordinates of the dots, shape (N, 2) or (N, 3).
    radius
        Dot radius in scene units.
    """

    def __init__(self, centres: np.ndarray, radius: float = DOT_RADIUS, **kwargs: Any) -> None:
        self.radius = radius
        kwargs.setdefault("fill_opacity", 1.0)
        kwargs.setdefault("stroke_width", 1.0)
        super().__init__(**kwargs)
        self.move_dots(centres)

    def move_dots(self, centres: np.ndarray) -> Self:
        """Place the dots at ``centres`` in one vectorised assignment."""
        self.points = dot_cloud_points(np.asarray(centres, dtype=np.float64), self.radius)
        return self

    def centres_and_radius(self) -> tuple[np.ndarray, float]:
        """Return the dots' centres (N, 3) and radius, read from the points.

        Read from the points, not stored, so that any Manim transformation of the cloud
        (shift, scale, an animation's interpolation) is honoured. The radius is rounded to
        :data:`RADIUS_DECIMALS` decimals: read from a dot that moves, it carries rounding
        noise of the dot's position (about 10⁻¹⁵), which would make every frame's dots a new
        style to the camera (a new set of sprites, :class:`nnviz.manim_adapter.camera.DotSprites`);
        10⁻¹² scene units is 10⁻¹⁰ of a pixel at 1080p, far below Cairo's 1/256 of a pixel.
        """
        circles = self.points.reshape(-1, len(_TEMPLATE), 3)
        centres = circles.mean(axis=1)
        radius = float(np.linalg.norm(circles[0, 0] - centres[0])) if len(circles) else 0.0
        return centres, round(radius, RADIUS_DECIMALS)


class Segments(VMobject):
    """Many straight segments as one path (for example a contour from marching squares)."""

    def __init__(self, segments: np.ndarray | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("fill_opacity", 0.0)
        super().__init__(**kwargs)
        self.set_segments(np.zeros((0, 2, 3)) if segments is None else segments)

    def set_segments(self, segments: np.ndarray) -> Self:
        """Replace the segments, shape (M, 2, 2 or 3), in scene coordinates."""
        self.points = segment_points(np.asarray(segments, dtype=np.float64))
        return self


class Trails(VGroup):
    """Short fading trails of moving points: from each point's position back through its
    earlier ones, in its class's colour, more transparent the older the step.

    One :class:`Segments` per class and step (drawn by the camera's fast path for straight
    segments), so ``classes × steps`` paths whatever the number of points.

    Parameters
    ----------
    labels
        The class of every point, shape (N,).
    class_rgb
        The colour of each class, RGB in [0, 1], shape (k, 3).
    steps
        Segments of a trail (its positions are ``steps + 1``).
    """

    #: Opacity of a trail's newest segment; the oldest fades to a share ``1 / steps`` of it.
    OPACITY = 0.6
    #: Stroke width of a trail (Manim's stroke units).
    WIDTH = 1.6

    def __init__(self, labels: np.ndarray, class_rgb: np.ndarray, steps: int) -> None:
        super().__init__()
        self.labels = np.asarray(labels)
        self.steps = steps
        self.members = [np.flatnonzero(self.labels == c) for c in range(len(class_rgb))]
        #: The segments of class ``c`` and step ``j`` (0 newest) are ``self.parts[c][j]``.
        self.parts = [
            [
                Segments(
                    stroke_color=ManimColor.from_rgb(tuple(rgb)),
                    stroke_width=self.WIDTH,
                    stroke_opacity=self.OPACITY * (steps - j) / steps,
                )
                for j in range(steps)
            ]
            for rgb in np.asarray(class_rgb, dtype=np.float64)
        ]
        self.add(*(part for per_class in self.parts for part in per_class))

    def set_positions(self, positions: np.ndarray) -> Self:
        """Draw the trails through ``positions``, shape (steps + 1, N, 2 or 3), scene
        coordinates, newest first."""
        for members, per_class in zip(self.members, self.parts, strict=True):
            for j, part in enumerate(per_class):
                ends = np.stack([positions[j, members], positions[j + 1, members]], axis=1)
                part.set_segments(ends)
        return self


class ClassDots(DotCloud):
    """The data's dots of every class in one cloud, so that no class hides another.

    Drawn class by class, the last class covers the first wherever points pile up (along the
    edges where tanh saturates, on the axes where ReLU folds), and a viewer under-reads the
    covered class's errors. Here the dots keep one seeded random interleaving of the classes,
    the same on every frame; the dots flagged ``on_top`` (misclassified points) are drawn after
    the others, in that same order. Each dot has a thin outline and a slightly transparent
    fill, so that density reads where dots overlap.

    The per-dot colours are drawn by :class:`nnviz.manim_adapter.camera.FastCamera`, the camera of
    every nnviz scene.

    Parameters
    ----------
    labels
        The class of every point, shape (N,).
    class_colors
        Fill colour of each class (hex), indexed by label.
    radius
        Dot radius in scene units.
    seed
        Seed of the interleaving.
    hollow
        Which points are drawn hollow, a ring of their colour (the held-out test points, as
        TensorFlow Playground draws them); ``None`` for none.
    """

    #: The hole of a hollow dot, as a share of its radius.
    HOLE = 0.5
    #: A ringed dot's ring (:meth:`mark_points`): its gap from the dot's edge, a share of the
    #: cloud's radius, and its width (Manim's stroke units).
    RING_GAP = 0.45
    RING_WIDTH = 1.6
    #: Opacity of a dot's fill (the outline is opaque).
    FILL_OPACITY = 0.85
    #: Stroke width of a dot's outline (Manim's stroke units).
    OUTLINE_WIDTH = 0.6

    def __init__(
        self,
        labels: np.ndarray,
        class_colors: tuple[str, ...],
        radius: float = DOT_RADIUS,
        seed: int = 0,
        hollow: np.ndarray | None = None,
        **kwargs: Any,
    ) -> None:
        self.labels = np.asarray(labels)
        self.hollow = None if hollow is None else np.asarray(hollow, dtype=bool)
        if self.hollow is not None and self.hollow.shape != self.labels.shape:
            raise ValueError("hollow must flag each point once")
        self.order = np.random.default_rng(seed).permutation(len(self.labels))
        self.draw_order = self.order
        self.class_rgb = np.array([ManimColor(c).to_rgb() for c in class_colors])
        #: Per-point colours (RGB in [0, 1], data order) replacing the class colours, or None.
        self.point_rgb: np.ndarray | None = None
        #: Per-point radius factors (data order; a few values, :mod:`nnviz.point_loss`), or None.
        self.point_scale: np.ndarray | None = None
        #: Which points are ringed (data order; the misclassified ones), or None.
        self.point_ringed: np.ndarray | None = None
        #: The colour of a ring (:meth:`mark_points`).
        self.ring_color = "#FFFFFF"
        kwargs.setdefault("fill_opacity", self.FILL_OPACITY)
        kwargs.setdefault("stroke_width", self.OUTLINE_WIDTH)
        super().__init__(
            np.zeros((len(self.labels), 2)), radius, fill_color=class_colors[0], **kwargs
        )

    def place(
        self,
        centres: np.ndarray,
        on_top: np.ndarray | None = None,
        order: np.ndarray | None = None,
    ) -> Self:
        """Put point ``i`` at ``centres[i]`` (data order); draw the ``on_top`` ones last.

        ``order`` replaces the drawing order (a 3-D view draws back to front).
        """
        order = self.order if order is None else np.asarray(order)
        if on_top is not None:
            flagged = np.asarray(on_top, dtype=bool)[order]
            order = np.concatenate([order[~flagged], order[flagged]])
        self.draw_order = order
        return self.move_dots(np.asarray(centres)[order])

    @property
    def draw_labels(self) -> np.ndarray:
        """The class of each dot, in drawing order."""
        return self.labels[self.draw_order]

    def color_points(self, rgb: np.ndarray | None) -> Self:
        """Colour point ``i`` by ``rgb[i]`` (RGB in [0, 1], data order) instead of its class;
        ``None`` restores the class colours."""
        self.point_rgb = None if rgb is None else np.asarray(rgb, dtype=np.float64)
        return self

    def mark_points(
        self, scale: np.ndarray | None, ringed: np.ndarray | None, ring_color: str | None = None
    ) -> Self:
        """Draw point ``i`` at ``scale[i]`` times the radius, ringed where ``ringed[i]`` (both
        in data order; ``None``: every dot at the radius, none ringed), the rings in
        ``ring_color``. The camera draws each distinct scale as its own dot style, so give
        few distinct values (:func:`nnviz.point_loss.radius_factors`)."""
        self.point_scale = None if scale is None else np.asarray(scale, dtype=np.float64)
        self.point_ringed = None if ringed is None else np.asarray(ringed, dtype=bool)
        if ring_color is not None:
            self.ring_color = ring_color
        return self

    @property
    def draw_scale(self) -> np.ndarray | None:
        """Each dot's radius factor, in drawing order (``None``: all 1)."""
        return None if self.point_scale is None else self.point_scale[self.draw_order]

    @property
    def draw_ringed(self) -> np.ndarray | None:
        """Which dots are ringed, in drawing order (``None``: none)."""
        return None if self.point_ringed is None else self.point_ringed[self.draw_order]

    @property
    def draw_hollow(self) -> np.ndarray | None:
        """Which dots are hollow, in drawing order (``None``: none)."""
        return None if self.hollow is None else self.hollow[self.draw_order]

    @property
    def draw_rgb(self) -> np.ndarray:
        """The fill colour (RGB in [0, 1]) of each dot, in drawing order."""
        if self.point_rgb is None:
            return self.class_rgb[self.draw_labels]
        return self.point_rgb[self.draw_order]

    def centres_in_data_order(self) -> np.ndarray:
        """Return the centres (N, 3) indexed like the data, read from the points."""
        centres, _ = self.centres_and_radius()
        out = np.empty_like(centres)
        out[self.draw_order] = centres
        return out


def class_dots(
    labels: np.ndarray, theme: Theme, radius: float, hollow: np.ndarray | None = None
) -> ClassDots:
    """Return the :class:`ClassDots` of ``labels`` in the theme's class colours, the
    ``hollow`` ones (test points) as rings."""
    return ClassDots(
        labels, theme.class_colors, radius, hollow=hollow, stroke_color=theme.dot_outline
    )


class PlacedImage(ImageMobject):
    """An image filling a viewport, painted from values through a colour map every frame.

    Parameters
    ----------
    viewport
        Where the image sits on screen.
    resolution
        Pixels along each side (the camera resizes it, bilinearly, to its on-screen size).
    colormap
        Maps an array of values to uint8 RGBA of the array's shape plus 4.
    """

    def __init__(
        self,
        viewport: Viewport,
        resolution: int,
        colormap: Callable[[np.ndarray], np.ndarray],
        **kwargs: Any,
    ) -> None:
        super().__init__(np.zeros((resolution, resolution, 4), dtype=np.uint8), **kwargs)
        self.colormap = colormap
        self.resolution = resolution
        self.points = viewport.corners()
        self.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])

    def paint(self, values: np.ndarray) -> Self:
        """Colour the image with ``values`` (shape ``(resolution, resolution)``)."""
        self.pixel_array = self.colormap(values)
        return self
