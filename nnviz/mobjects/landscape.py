"""The loss landscape on screen: the surface of a plane through weight space with its contours
and colour bar (:class:`LandscapeSurface`), and each run's path drawn on the epoch clock with a
dot that fades as its state leaves the plane (:class:`PathOnPlane`).

The numbers are :mod:`nnviz.landscape`'s; the surface never changes during a video, so it is
drawn once (all of it is a static part).
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    BackgroundRectangle,
    Circle,
    Group,
    ImageMobject,
    Mobject,
    Rectangle,
    VGroup,
)
from typing_extensions import Self

from nnviz import landscape as scape
from nnviz.colormap import SequentialColormap
from nnviz.contour import level_segments
from nnviz.formatting import significant
from nnviz.landscape import Landscape
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.readout import GlyphText
from nnviz.mobjects.shapes import DotCloud, PlacedImage, Segments
from nnviz.mobjects.typeset import theme_text
from nnviz.subtitles import path_readout
from nnviz.theme import Theme
from nnviz.view import Viewport

__all__ = [
    "CONTOUR_COUNT",
    "LandscapeSurface",
    "LossColorBar",
    "PathOnPlane",
    "StartMark",
    "surface_colormap",
]

#: Contour lines drawn over the surface, evenly spaced on its scale.
CONTOUR_COUNT = 9
#: Where on the colour map's 0–1 the contour lines turn from light to dark.
CONTOUR_SWITCH = 0.55
#: The contour lines' colours on the dark and on the light part of the colour map.
CONTOUR_LIGHT, CONTOUR_DARK = "#FFFFFF", "#000000"
#: Samples per epoch of a path's drawn trail.
TRAIL_SAMPLES_PER_EPOCH = 6
#: The distance from the plane, as a share of the surface box's side, at which a dot is
#: drawn at half its opacity (:func:`nnviz.landscape.off_plane_opacity`).
FADE_DISTANCE = 0.05


def surface_colormap(theme: Theme) -> SequentialColormap:
    """The surface's perceptually uniform sequential colour map (``theme.landscape_map``):
    low loss dark, high loss light."""
    return SequentialColormap.from_theme(theme)


class LossColorBar(Group):
    """A vertical bar of the surface's colours, low loss at the bottom, with the loss at a few
    heights (three significant digits, so that a loss near zero keeps its digits) and a
    title (``loss``, ``log scale`` under it where the scale is logarithmic).

    Parameters
    ----------
    low, high, scale
        The loss at the bottom and the top and the scale between (``"log"`` or ``"linear"``).
    theme
        Colours and font.
    height, width
        The bar's size in scene units.
    ticks
        Labelled heights, bottom and top included.
    """

    def __init__(self, low: float, high: float, scale: str, theme: Theme, height: float = 4.0,
                 width: float = 0.22, ticks: int = 5) -> None:  # fmt: skip
        super().__init__()
        colormap = surface_colormap(theme)
        ramp = colormap(np.linspace(1.0, 0.0, 128))[:, None, :]  # row 0 at the top
        self.bar = ImageMobject(np.repeat(ramp, 2, axis=1))
        self.bar.stretch_to_fit_height(height).stretch_to_fit_width(width)
        self.frame = Rectangle(width=width, height=height).set_stroke(theme.muted, 1.0)
        values = scape.loss_levels(low, high, scale, ticks - 2)
        values = np.concatenate([[low], values, [high]])
        self.labels = VGroup()
        for share, value in zip(np.linspace(0.0, 1.0, ticks), values, strict=True):
            label = theme_text(theme, significant(float(value)), font_size=14, color=theme.muted)
            label.next_to(self.frame, RIGHT, buff=0.08)
            label.set_y(self.frame.get_bottom()[1] + share * height)
            self.labels.add(label)
        words = "loss\nlog scale" if scale == "log" else "loss"
        self.title = theme_text(theme, words, font_size=16, color=theme.foreground)
        self.title.next_to(self.frame, UP, buff=0.15)
        self.add(self.bar, self.frame, self.labels, self.title)


class LandscapeSurface(Group):
    """The loss over the plane's box as a heat map (log scale where its range needs it,
    :func:`nnviz.landscape.loss_scale`), its contour lines, a frame, the axes' names and the
    colour bar at its right.

    Parameters
    ----------
    landscape
        The surface's numbers.
    viewport
        Where the square heat map sits.
    theme
        Colours and font.
    contours
        Contour lines, evenly spaced on the scale.
    """

    def __init__(self, landscape: Landscape, viewport: Viewport, theme: Theme,
                 contours: int = CONTOUR_COUNT) -> None:  # fmt: skip
        super().__init__()
        self.landscape = landscape
        self.viewport = viewport
        self.box = (landscape.x_range, landscape.y_range)
        loss = landscape.loss
        self.low, self.high = float(loss.min()), float(loss.max())
        self.value_scale = scape.loss_scale(loss)
        colormap = surface_colormap(theme)
        unit = scape.loss_unit(loss, self.low, self.high, self.value_scale)
        self.image = PlacedImage(viewport, loss.shape[0], colormap).paint(unit)
        levels = scape.loss_levels(self.low, self.high, self.value_scale, contours)
        shades = scape.loss_unit(levels, self.low, self.high, self.value_scale)
        # A contour light on the map's dark part, dark on its light part.
        self.contours = VGroup(
            self._contours(levels[shades < CONTOUR_SWITCH], CONTOUR_LIGHT),
            self._contours(levels[shades >= CONTOUR_SWITCH], CONTOUR_DARK),
        )
        self.frame = Rectangle(width=viewport.width, height=viewport.height)
        self.frame.move_to(np.array([*viewport.centre, 0.0])).set_stroke(theme.muted, 1.5)
        names = ("PC 1", "PC 2") if landscape.plane.directions == "pca" else ("δ", "η")
        x_name = theme_text(theme, names[0], font_size=18, color=theme.muted)
        y_name = theme_text(theme, names[1], font_size=18, color=theme.muted).rotate(np.pi / 2)
        x_name.next_to(self.frame, DOWN, buff=0.1)
        y_name.next_to(self.frame, LEFT, buff=0.1)
        self.axis_names = VGroup(x_name, y_name)
        self.color_bar = LossColorBar(self.low, self.high, self.value_scale, theme,
                                      height=viewport.height * 0.8)  # fmt: skip
        self.color_bar.next_to(self.frame, RIGHT, buff=0.25).align_to(self.frame, DOWN)
        self.add(self.image, self.contours, self.frame, self.axis_names, self.color_bar)

    def _contours(self, levels: np.ndarray, color: str) -> Segments:
        """The contour lines of the surface at ``levels``, in ``color``."""
        pieces = [level_segments(self.landscape.loss, *self.box, float(level)) for level in levels]
        segments = np.concatenate(pieces) if pieces else np.zeros((0, 2, 2))
        lines = Segments(stroke_color=color, stroke_width=1.0, stroke_opacity=0.45)
        if len(segments):
            screen = self.viewport.to_screen(segments.reshape(-1, 2), self.box)[:, :2]
            lines.set_segments(screen.reshape(-1, 2, 2))
        return lines

    def static_parts(self) -> list[Mobject]:
        """All of it: the surface is fixed for the whole video."""
        return [self]

    def to_screen(self, coordinates: np.ndarray) -> np.ndarray:
        """Return scene points (N, 3) of plane ``coordinates`` (N, 2), clipped to the box."""
        (x0, x1), (y0, y1) = self.box
        inside = np.column_stack([np.clip(coordinates[:, 0], x0, x1),
                                  np.clip(coordinates[:, 1], y0, y1)])  # fmt: skip
        return self.viewport.to_screen(inside, self.box)


class PathOnPlane(FollowsClock, VGroup):
    """One run's path on the surface up to the clock's epoch, in the run's colour, with a dot
    at the current state, and its numbers: the run's own loss, the surface's loss under the dot
    and the state's distance from the plane.

    The dot's fill fades as the state leaves the plane
    (:func:`nnviz.landscape.off_plane_opacity`): there the surface's loss under it is not the
    run's. Its ring, in the run's colour, stays, so that a state far off the plane is still
    seen (a hollow dot).

    The dot (:attr:`dot`) is not part of the group: add it to the scene after every path, so
    that no run's trail covers another's dot; give the runs' dots decreasing radii, so that
    dots at one place (the runs' shared start) nest and each stays visible.

    Parameters
    ----------
    context
        The run, the epoch tracker and the colours (the dot's outline).
    surface
        The surface the path is drawn on.
    color
        The run's colour.
    font_size
        Size of the numbers.
    dot_radius
        The dot's radius in scene units.
    start_mark
        Whether to mark the path's start with a small dot of its colour (runs that start at
        one place share one mark instead, :class:`StartMark`).
    """

    ALPHABET = "0123456789.-e+ ownlsicfatp"

    def __init__(self, context: BlockContext, surface: LandscapeSurface, color: str,
                 font_size: float = 16, dot_radius: float = 0.09,
                 start_mark: bool = True) -> None:  # fmt: skip
        super().__init__()
        self.trajectory = trajectory = context.trajectory
        self.clock = context.clock
        theme = context.theme
        self.surface = surface
        self.plane = surface.landscape.plane
        self.network = surface.landscape.network
        samples = max(trajectory.epochs * TRAIL_SAMPLES_PER_EPOCH, 1) + 1
        self.times = np.linspace(0.0, trajectory.epochs, samples)
        coordinates, _ = scape.path(trajectory, self.plane, self.times)
        self.trail_points = surface.to_screen(coordinates)
        side = surface.box[0][1] - surface.box[0][0]
        self.fade_distance = FADE_DISTANCE * side
        # The trail over a casing of the background's colour, so that it reads on any part of
        # the colour map.
        self.casing = Segments(stroke_color=theme.background, stroke_width=5.5,
                               stroke_opacity=0.7)  # fmt: skip
        self.trail = Segments(stroke_color=color, stroke_width=3.0)
        self.start_mark = DotCloud(self.trail_points[:1], radius=0.05, fill_color=color,
                                   stroke_width=0)  # fmt: skip
        self.dot = DotCloud(self.trail_points[:1], radius=dot_radius, fill_color=color,
                            stroke_color=color, stroke_width=2.0)  # fmt: skip
        self.numbers = [GlyphText("", self.ALPHABET, font_size=font_size, max_length=18,
                                  color=color) for _ in range(3)]  # fmt: skip
        self.add(self.casing, self.trail, *([self.start_mark] if start_mark else []),
                 *self.numbers)  # fmt: skip
        self.refresh()

    def place_numbers(self, left: float, top: float, spacing: float = 0.3) -> Self:
        """Start the three lines of numbers at ``left``, the first baseline at ``top``."""
        for line, text in enumerate(self.numbers):
            text.place(np.array([left, top - line * spacing, 0.0]))
        return self

    def state(self, t: float) -> scape.PathState:
        """Return the run's state at epoch ``t`` as the path shows it (its numbers too)."""
        return scape.path_state(self.trajectory, self.network, self.plane, t)

    def refresh(self) -> Self:
        """Draw the path up to the clock's epoch, the dot there and its numbers."""
        t = self.trajectory.clamp(self.clock.get_value())
        state = self.state(t)
        here = self.surface.to_screen(state.coordinates[None, :])
        drawn = self.trail_points[self.times < t]
        points = np.concatenate([drawn, here])
        segments = np.stack([points[:-1], points[1:]], axis=1) if len(points) > 1 else None
        drawn_segments = np.zeros((0, 2, 3)) if segments is None else segments
        self.casing.set_segments(drawn_segments)
        self.trail.set_segments(drawn_segments)
        self.dot.move_dots(here)
        opacity = float(scape.off_plane_opacity(np.array([state.distance]), self.fade_distance)[0])
        self.dot.set_fill(opacity=opacity)
        lines = path_readout(state.own_loss, state.slice_loss, state.distance)
        for text, line in zip(self.numbers, lines, strict=True):
            text.set_text(line)
        return self


class StartMark(VGroup):
    """The one start of paths that begin at the same weights: a ring round it in the theme's
    text colour and the word ``start`` beside it, on the side away from where the paths go.

    Parameters
    ----------
    point
        The start, in scene coordinates (3,).
    ends
        Where the paths end, in scene coordinates (N, 3): the word goes opposite their mean
        direction.
    theme
        Colours and font.
    bounds
        The lower left and upper right corners (scene coordinates) the word stays inside (the
        surface's box).
    radius
        The ring's radius in scene units (round the runs' largest dot).
    """

    def __init__(self, point: np.ndarray, ends: np.ndarray, theme: Theme,
                 bounds: tuple[np.ndarray, np.ndarray], radius: float = 0.16) -> None:  # fmt: skip
        super().__init__()
        self.ring = Circle(radius=radius).move_to(point)
        self.ring.set_stroke(theme.foreground, 2.0).set_fill(opacity=0.0)
        self.casing = self.ring.copy().set_stroke(theme.background, 4.5, opacity=0.7)
        self.word = theme_text(theme, "start", font_size=15, color=theme.foreground)
        away = point - np.mean(ends, axis=0)
        length = float(np.linalg.norm(away[:2]))
        direction = away / length if length > 1e-9 else UP
        reach = radius + 0.12 + 0.5 * max(self.word.width * abs(direction[0]),
                                          self.word.height * abs(direction[1]))  # fmt: skip
        low, high = np.asarray(bounds[0]), np.asarray(bounds[1])
        half = np.array([self.word.width / 2 + 0.08, self.word.height / 2 + 0.08, 0.0])
        place = np.clip(point + reach * direction, low + half, high - half)
        self.word.move_to(place)
        # On a backing of the background's colour: the word reads on any part of the map.
        self.backing = BackgroundRectangle(self.word, color=theme.background, fill_opacity=0.6,
                                           buff=0.05, corner_radius=0.05)  # fmt: skip
        self.add(self.casing, self.ring, self.backing, self.word)
