"""The two synchronised panels of a training video: the input plane and the hidden space.

Each panel is a :class:`manim.Group` that recomputes itself from one shared epoch tracker on
every frame; the numbers come from :class:`nnviz.trajectory.Trajectory`, once per frame.
"""

from __future__ import annotations

from typing import Any

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
    Text,
    ValueTracker,
    VGroup,
)
from typing_extensions import Self

from nnviz import forward
from nnviz.colormap import DivergingColormap
from nnviz.contour import level_segments
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.readout import GlyphText, place_range_labels
from nnviz.mobjects.shapes import PlacedImage, Segments, class_dots
from nnviz.theme import Theme
from nnviz.trajectory import Trajectory
from nnviz.view import Box, Viewport, axis_segments, square_box_around

__all__ = [
    "HiddenSpacePanel",
    "InputPlanePanel",
    "ProbabilityImage",
    "hidden_probability_grid",
    "input_box",
]


def input_box(trajectory: Trajectory) -> Box:
    """Return the square input-plane view around the run's data."""
    return square_box_around(trajectory.run.X, margin=0.1)


def hidden_probability_grid(
    weights: forward.Weights, box: Box, shape: tuple[int, int]
) -> np.ndarray:
    """Return the output probability σ(w·h + b) at the pixel centres of the hidden-space view."""
    points = forward.grid_points(box[0], box[1], shape)
    return forward.sigmoid(points @ weights.W2[0, :2] + weights.b2[0]).reshape(shape)


class ProbabilityImage(PlacedImage):
    """The probability mesh: an image whose pixels are the colour map of the network's output.

    It also keeps the colour-map index of every pixel, and the pixel array it painted: while
    the two match (no animation has changed the pixels), the camera upscales the one-channel
    index instead of the RGBA array (see :mod:`nnviz.mobjects.camera`).

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

    def paint(self, probabilities: np.ndarray) -> Self:
        """Colour the image with ``probabilities`` (shape ``(resolution, resolution)``)."""
        self.levels = self.colormap.index(probabilities)
        self.pixel_array = self.painted = self.colormap.table[self.levels]
        return self


class _Panel(FollowsClock, Group):
    """Frame, mesh, level line and one dot cloud per class inside a square viewport."""

    def __init__(
        self,
        trajectory: Trajectory,
        clock: ValueTracker,
        viewport: Viewport,
        theme: Theme,
        caption: str,
        axis_names: tuple[str, str],
        mesh_resolution: int = 160,
        dot_radius: float = 0.045,
        y_labels: str = "left",
        labels: bool = True,
        caption_size: float = 22,
    ) -> None:
        super().__init__()
        self.show_labels = labels
        self.y_labels = y_labels
        self.trajectory = trajectory
        self.clock = clock
        self.viewport = viewport
        self.theme = theme
        self.mesh_resolution = mesh_resolution
        self.labels = np.asarray(trajectory.run.y)
        self.mesh = ProbabilityImage(viewport, mesh_resolution, DivergingColormap.from_theme(theme))
        self.axes = Segments(stroke_color=theme.muted, stroke_width=1.2, stroke_opacity=0.6)
        self.boundary = Segments(stroke_color=theme.boundary, stroke_width=3.0)
        self.dots = class_dots(self.labels, theme, dot_radius)
        self.frame_box = Rectangle(width=viewport.width, height=viewport.height)
        self.frame_box.move_to(np.array([*viewport.centre, 0.0])).set_stroke(theme.muted, 1.5)
        self.caption = Text(
            caption, font=theme.font, font_size=caption_size, color=theme.foreground
        )
        self.caption.next_to(self.frame_box, UP, buff=0.15)
        self.range_labels = [
            GlyphText(font_size=16, max_length=6, color=theme.muted) for _ in range(4)
        ]
        x_name = MathTex(axis_names[0], font_size=28, color=theme.muted)
        y_name = MathTex(axis_names[1], font_size=28, color=theme.muted)
        x_name.next_to(self.frame_box, DOWN, buff=0.12)
        y_name.next_to(self.frame_box, RIGHT if y_labels == "right" else LEFT, buff=0.12)
        self.axis_names = VGroup(x_name, y_name)
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

    def nnviz_static_parts(self) -> list[Mobject]:
        """The parts that never change; Manim draws them once (see ``NNVizScene``)."""
        return [self.caption, self.axis_names]

    def refresh(self) -> Self:
        """Recompute the panel for the clock's epoch."""
        raise NotImplementedError

    def _place_points(self, points: np.ndarray, box: Box, logits: np.ndarray) -> None:
        """Put the dots at ``points``; the points that ``logits`` misclassify go on top."""
        wrong = (logits > 0) != (self.labels == 1)
        self.dots.place(self.viewport.to_screen(points, box), on_top=wrong)

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


class InputPlanePanel(_Panel):
    """The input plane: the data, the probability mesh and the 0.5 contour (decision boundary)."""

    def __init__(
        self,
        trajectory: Trajectory,
        clock: ValueTracker,
        viewport: Viewport,
        theme: Theme,
        caption: str = "input space",
        box: Box | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trajectory, clock, viewport, theme, caption, ("x_1", "x_2"), **kwargs)
        self.box = input_box(trajectory) if box is None else box
        self._place_axes(self.box)
        self._label_range(self.box)
        self.refresh()

    def nnviz_static_parts(self) -> list[Mobject]:
        """Also the range labels: the input plane's box never changes."""
        return [*super().nnviz_static_parts(), *self.range_labels]

    def refresh(self) -> Self:
        state = self.trajectory.state(self.clock.get_value())
        self._place_points(self.trajectory.run.X, self.box, state.logits)
        shape = (self.mesh_resolution, self.mesh_resolution)
        probabilities = forward.probability_grid(
            state.weights, self.trajectory.activation, self.box[0], self.box[1], shape
        )
        self.mesh.paint(probabilities)
        segments = level_segments(probabilities, self.box[0], self.box[1], 0.5)
        screen = self.viewport.to_screen(segments.reshape(-1, 2), self.box)
        self.boundary.set_segments(screen[:, :2].reshape(-1, 2, 2))
        return self


class HiddenSpacePanel(_Panel):
    """The hidden space (h1, h2): the data at their hidden activations, the output's line
    w·h + b = 0 and its probability on both sides. The view follows the points smoothly."""

    def __init__(
        self,
        trajectory: Trajectory,
        clock: ValueTracker,
        viewport: Viewport,
        theme: Theme,
        caption: str = "hidden space",
        **kwargs: Any,
    ) -> None:
        if trajectory.run.W1.shape[1] != 2:
            raise ValueError("the hidden-space panel needs exactly two hidden neurons")
        kwargs.setdefault("y_labels", "right")
        super().__init__(trajectory, clock, viewport, theme, caption, ("h_1", "h_2"), **kwargs)
        self.refresh()

    def refresh(self) -> Self:
        state = self.trajectory.state(self.clock.get_value())
        box = state.hidden_range
        shape = (self.mesh_resolution, self.mesh_resolution)
        self.mesh.paint(hidden_probability_grid(state.weights, box, shape))
        line = forward.output_line(state.weights, box[0], box[1])
        if line is None:
            self.boundary.set_segments(np.zeros((0, 2, 2)))
        else:
            self.boundary.set_segments(self.viewport.to_screen(line, box)[None, :, :2])
        self._place_points(state.hidden, box, state.logits)
        self._place_axes(box)
        self._label_range(box)
        return self
