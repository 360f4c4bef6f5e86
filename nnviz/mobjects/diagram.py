"""The 2-2-1 network as a diagram that follows the epoch clock.

Links are coloured by the sign of their weight (``theme.positive`` for w ≥ 0, ``theme.negative``
for w < 0) and as wide as ``|w|`` (:func:`link_width`); each bias is a ring around its node,
coloured and sized by the same rule. Beside each hidden neuron, its activation ``a(W₁ᵢ·x + b₁ᵢ)``
over the input plane is drawn as an image (:class:`ActivationColormap`), as TensorFlow
Playground does. The formula with the live weights is a :class:`WeightReadout`.

Every block recomputes itself from :meth:`nnviz.trajectory.Trajectory.state` of one shared
clock; per frame only points, pixels, stroke widths and colours of existing mobjects change.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Circle,
    Group,
    ImageMobject,
    Line,
    ManimColor,
    MathTex,
    Rectangle,
    Text,
    ValueTracker,
    VGroup,
)
from manim.constants import RESAMPLING_ALGORITHMS
from typing_extensions import Self

from nnviz import forward
from nnviz.activations import activation as lookup
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.hud import ProbabilityLegend
from nnviz.mobjects.layout import ClockedGroup, heading_and_stats
from nnviz.mobjects.panels import InputPlanePanel, input_box
from nnviz.mobjects.readout import GlyphText
from nnviz.mobjects.shapes import PlacedImage
from nnviz.theme import Theme, hex_to_rgb
from nnviz.trajectory import Trajectory
from nnviz.view import Box, Viewport

__all__ = [
    "LINK_WIDTH_PER_UNIT",
    "LINK_WIDTH_RANGE",
    "ActivationColormap",
    "ActivationImage",
    "NetworkGraph",
    "NetworkLayout",
    "WeightReadout",
    "activation_scale",
    "format_number",
    "link_width",
    "matrix_rows",
    "neuron_activation_grids",
]

#: Stroke width (Manim units) per unit of ``|w|``.
LINK_WIDTH_PER_UNIT = 3.0
#: Thinnest and widest stroke of a link or bias ring: near-zero weights stay visible, large
#: ones do not swallow the diagram.
LINK_WIDTH_RANGE = (0.6, 11.0)


def link_width(values: np.ndarray) -> np.ndarray:
    """Return the stroke width of links (or bias rings) of weights ``values``:
    ``LINK_WIDTH_PER_UNIT·|w|`` clipped to :data:`LINK_WIDTH_RANGE`."""
    low, high = LINK_WIDTH_RANGE
    return np.clip(LINK_WIDTH_PER_UNIT * np.abs(np.asarray(values, dtype=np.float64)), low, high)


def format_number(value: float) -> str:
    """Return a weight as shown on screen: two decimals, five cells for ``|v| < 10``, a true
    minus sign, and no ``−0.00``."""
    text = f"{value:5.2f}"
    if float(text) == 0.0:
        text = text.replace("-", " ")
    return text.replace("-", "−")


def matrix_rows(values: np.ndarray) -> list[str]:
    """Return the lines of a matrix as shown on screen, every number by :func:`format_number`:
    ``[ a  b ]`` for one row, ``⎡ a  b ⎤`` … ``⎣ c  d ⎦`` (tall brackets) for several."""
    matrix = np.atleast_2d(np.asarray(values, dtype=np.float64))
    n = len(matrix)
    tall = [("⎡", "⎤"), *[("⎢", "⎥")] * (n - 2), ("⎣", "⎦")]
    brackets = [("[", "]")] if n == 1 else tall
    return [
        f"{left}{' '.join(format_number(v) for v in row)} {right}"
        for (left, right), row in zip(brackets, matrix, strict=True)
    ]


def activation_scale(trajectory: Trajectory) -> float:
    """Return the top of the heatmaps' colour scale for an unbounded activation.

    The largest hidden activation (ReLU) or ``|activation|`` (linear) of any data point at any
    logged epoch, so one scale holds for the whole run and both neurons: brightness can be
    compared between epochs and between neurons. Values beyond it (only far from the data)
    are clipped.
    """
    run = trajectory.run
    z = np.einsum("nd,ehd->enh", run.X, run.W1) + run.b1[:, None, :]
    values = forward.activate(z, trajectory.activations[0])
    return max(float(np.max(np.abs(values))), 1e-6)


class ActivationColormap:
    """Map hidden activations to RGBA colours, linearly in RGB between anchor colours.

    * ``relu`` and ``sigmoid`` (values ≥ 0), a sequential map: ``theme.background`` at 0,
      ``theme.accent`` at ``vmax`` (the ReLU scale of :func:`activation_scale`; 1 for sigmoid).
    * ``tanh`` and ``linear`` (signed values), a diverging map: ``theme.negative`` at
      ``−vmax``, ``theme.background`` at 0, ``theme.positive`` at ``+vmax`` (1 for tanh) —
      the sign colours of the links.

    Values outside the range are clipped to its ends.

    Parameters
    ----------
    activation
        The hidden activation.
    theme
        The colours.
    vmax
        The top of the scale.
    """

    def __init__(self, activation: str, theme: Theme, vmax: float) -> None:
        self.activation = activation
        self.vmax = float(vmax)
        if lookup(activation).nonnegative:
            self.positions = np.array([0.0, self.vmax])
            colors = [theme.background, theme.accent]
        else:
            self.positions = np.array([-self.vmax, 0.0, self.vmax])
            colors = [theme.negative, theme.background, theme.positive]
        self.anchors = np.array([hex_to_rgb(c) for c in colors], dtype=np.float64)

    def __deepcopy__(self, memo: dict[int, object]) -> ActivationColormap:
        """Share, do not copy: the map never changes."""
        return self

    @classmethod
    def for_run(cls, trajectory: Trajectory, theme: Theme) -> ActivationColormap:
        """Return the colour map of a run's hidden activation (scale fixed for the whole run)."""
        activation = trajectory.activations[0]
        bounded = lookup(activation)
        vmax = max(map(abs, bounded.output_range)) if bounded.bounded else None
        vmax = vmax or activation_scale(trajectory)
        return cls(activation, theme, vmax)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Return uint8 RGBA colours of shape ``values.shape + (4,)``."""
        flat = np.asarray(values, dtype=np.float64).ravel()
        out = np.empty((flat.size, 4), dtype=np.uint8)
        for channel in range(3):
            out[:, channel] = np.rint(np.interp(flat, self.positions, self.anchors[:, channel]))
        out[:, 3] = 255
        return out.reshape(*np.shape(values), 4)


def neuron_activation_grids(
    weights: forward.Weights, activation: str, points: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Return every hidden neuron's activation ``a(W₁ᵢ·x + b₁ᵢ)`` at ``points`` (the pixel
    centres of an image, see :func:`nnviz.forward.grid_points`), shape ``(H,) + shape``."""
    values = forward.hidden(points, weights, activation)
    return values.T.reshape(-1, *shape)


class ActivationImage(PlacedImage):
    """One hidden neuron's activation over the input plane, as an image painted through an
    :class:`ActivationColormap`."""


class NetworkGraph(FollowsClock, Group):
    """The 2-2-1 network: nodes, links, bias rings and the hidden neurons' heatmaps.

    Link ``(i, j)`` of :attr:`first_links` joins input ``j`` to hidden neuron ``i`` (weight
    ``W₁[i, j]``); :attr:`second_links` ``[i]`` joins hidden neuron ``i`` to the output
    (``w₂[i]``). :attr:`rings` are the biases ``b₁[0]``, ``b₁[1]`` and ``b₂``. Hidden neuron 1's
    heatmap sits above it, neuron 2's below it.

    Parameters
    ----------
    trajectory
        The run, continuous in the epoch (two hidden neurons).
    clock
        The epoch tracker.
    theme
        Colours and font.
    centre
        Centre of the diagram's nodes (scene coordinates).
    column_gap, row_gap
        Horizontal distance between layers, vertical distance between the two rows.
    heatmap_size, heatmap_resolution
        Side of each heatmap (scene units) and its pixels along each side.
    box
        The input-plane box the heatmaps show (default: the input panel's box).
    """

    NODE_RADIUS = 0.3
    RING_GAP = 0.12

    def __init__(
        self,
        trajectory: Trajectory,
        clock: ValueTracker,
        theme: Theme,
        centre: tuple[float, float] = (-3.4, 0.45),
        column_gap: float = 2.75,
        row_gap: float = 1.85,
        heatmap_size: float = 1.0,
        heatmap_resolution: int = 100,
        box: Box | None = None,
    ) -> None:
        super().__init__()
        if trajectory.run.hidden_widths != (2,):
            raise ValueError("the network diagram draws a 2-2-1 network (one hidden layer of two)")
        self.trajectory = trajectory
        self.clock = clock
        self.theme = theme
        self.box = input_box(trajectory) if box is None else box
        self.colors = (ManimColor(theme.negative), ManimColor(theme.positive))
        cx, cy = centre
        top, bottom = cy + row_gap / 2, cy - row_gap / 2
        self.inputs = [np.array([cx - column_gap, y, 0.0]) for y in (top, bottom)]
        self.hidden = [np.array([cx, y, 0.0]) for y in (top, bottom)]
        self.output = np.array([cx + column_gap, cy, 0.0])

        r = self.NODE_RADIUS
        self.first_links = [
            [self._link(self.inputs[j], self.hidden[i]) for j in range(2)] for i in range(2)
        ]
        self.second_links = [self._link(self.hidden[i], self.output) for i in range(2)]
        self.rings = [
            Circle(radius=r + self.RING_GAP).move_to(p).set_fill(opacity=0)
            for p in (*self.hidden, self.output)
        ]
        nodes = VGroup(
            *(
                Circle(radius=r, stroke_color=theme.muted, stroke_width=2.0)
                .set_fill(theme.background, opacity=1.0)
                .move_to(p)
                for p in (*self.inputs, *self.hidden, self.output)
            )
        )
        names = ("x_1", "x_2", "h_1", "h_2", r"\hat{y}")
        labels = VGroup(
            *(
                MathTex(name, font_size=34, color=theme.foreground).move_to(p)
                for name, p in zip(names, (*self.inputs, *self.hidden, self.output), strict=True)
            )
        )

        self.colormap = ActivationColormap.for_run(trajectory, theme)
        self.heatmap_resolution = heatmap_resolution
        shape = (heatmap_resolution, heatmap_resolution)
        self._grid = forward.grid_points(self.box[0], self.box[1], shape)
        offset = r + self.RING_GAP + 0.2 + heatmap_size / 2
        self.heatmap_views = [
            Viewport((cx, float(top + offset)), heatmap_size, heatmap_size),
            Viewport((cx, float(bottom - offset)), heatmap_size, heatmap_size),
        ]
        self.heatmaps = [
            ActivationImage(view, heatmap_resolution, self.colormap) for view in self.heatmap_views
        ]
        frames = VGroup(
            *(
                Rectangle(width=v.width, height=v.height)
                .move_to(np.array([*v.centre, 0.0]))
                .set_stroke(theme.muted, 1.2)
                for v in self.heatmap_views
            )
        )
        self.heatmap_labels = VGroup(
            *(
                MathTex(f"h_{i + 1}(x)", font_size=30, color=theme.muted).next_to(
                    frame, LEFT, buff=0.15
                )
                for i, frame in enumerate(frames)
            )
        )
        self.links = VGroup(*self.first_links[0], *self.first_links[1], *self.second_links)
        self.add(
            self.links,
            *self.heatmaps,
            frames,
            self.heatmap_labels,
            nodes,
            *self.rings,
            labels,
        )
        self.refresh()

    def _link(self, start: np.ndarray, end: np.ndarray) -> Line:
        direction = (end - start) / np.linalg.norm(end - start)
        return Line(
            start + direction * self.NODE_RADIUS,
            end - direction * (self.NODE_RADIUS + self.RING_GAP),
        )

    def refresh(self) -> Self:
        """Recompute links, rings and heatmaps for the clock's epoch."""
        state = self.trajectory.state(self.clock.get_value())
        weights = state.weights
        values = np.concatenate([weights.W1.ravel(), weights.W2[0], weights.b1, weights.b2])
        widths = link_width(values)
        positive = values >= 0
        strokes = [*self.first_links[0], *self.first_links[1], *self.second_links, *self.rings]
        for stroke, width, sign in zip(strokes, widths, positive, strict=True):
            stroke.set_stroke(self.colors[int(sign)], float(width))
        shape = (self.heatmap_resolution, self.heatmap_resolution)
        grids = neuron_activation_grids(weights, self.trajectory.activations[0], self._grid, shape)
        for image, grid in zip(self.heatmaps, grids, strict=True):
            image.paint(grid)
        return self

    def scale_legend(self, width: float = 1.5, font_size: float = 16) -> Group:
        """Return a small colour bar of the heatmaps' scale with its end values."""
        theme = self.theme
        ends = self.colormap.positions[[0, -1]]
        ramp = np.linspace(ends[0], ends[1], 64)[None, :].repeat(2, axis=0)
        bar = ImageMobject(self.colormap(ramp))
        bar.points = Viewport((0.0, 0.0), width, 0.16).corners()
        bar.set_resampling_algorithm(RESAMPLING_ALGORITHMS["bilinear"])
        outline = Rectangle(width=width, height=0.16).set_stroke(theme.muted, 1.0)
        low = Text(
            f"{ends[0]:.2g}".replace("-", "−"),
            font=theme.font,
            font_size=font_size,
            color=theme.muted,
        )
        high = Text(f"{ends[1]:.2g}", font=theme.font, font_size=font_size, color=theme.muted)
        low.next_to(outline, LEFT, buff=0.1)
        high.next_to(outline, RIGHT, buff=0.1)
        return Group(bar, outline, low, high)


class WeightReadout(FollowsClock, VGroup):
    """The formula ``ŷ = σ(w₂·a(W₁x + b₁) + b₂)`` and the live weights of the clock's epoch.

    Names are static ``MathTex``; numbers are :class:`~nnviz.mobjects.readout.GlyphText` rows
    formatted by :func:`matrix_rows` (``W₁`` and ``b₁`` as a matrix and a column, two rows
    each; ``w₂`` as a row; ``b₂`` as a number).

    Parameters
    ----------
    trajectory
        The run, continuous in the epoch.
    clock
        The epoch tracker.
    theme
        Colours and font.
    font_size
        Size of the numbers (names are a little larger).
    """

    ALPHABET = "0123456789.−[]⎡⎢⎣⎤⎥⎦ "
    NAMES: tuple[tuple[str, str], ...] = (
        ("W1", "W_1 ="),
        ("b1", "b_1 ="),
        ("W2", "w_2 ="),
        ("b2", "b_2 ="),
    )

    def __init__(
        self, trajectory: Trajectory, clock: ValueTracker, theme: Theme, font_size: float = 20
    ) -> None:
        super().__init__()
        self.trajectory = trajectory
        self.clock = clock
        activation = lookup(trajectory.activations[0]).display
        self.formula = MathTex(
            r"\hat{y} = \sigma\big(w_2 \cdot a(W_1 x + b_1) + b_2\big),",
            rf"\quad a = \text{{{activation}}}",
            font_size=34,
            color=theme.foreground,
        )
        self.formula[1].set_color(theme.muted)
        self.names = {key: MathTex(tex, font_size=30, color=theme.muted) for key, tex in self.NAMES}
        self.rows: dict[str, list[GlyphText]] = {}
        for key, texts in self.texts().items():
            longest = max(len(text) for text in texts) + 2  # room for a number of 10 or more
            self.rows[key] = [
                GlyphText("", self.ALPHABET, font_size, max_length=longest, color=theme.foreground)
                for _ in texts
            ]
        self.add(self.formula, *self.names.values(), *(g for r in self.rows.values() for g in r))
        self.refresh()

    def arrange_at(self, left: float, top: float, gap: float = 0.4, row_gap: float = 0.36) -> Self:
        """Put the formula's top-left corner at ``(left, top)`` and the weights in one line
        below it: names centred on the line, two-row blocks ``row_gap`` apart, ``gap`` between
        blocks."""
        self.formula.move_to(np.array([left, top, 0.0]), aligned_edge=LEFT + UP)
        centre = self.formula.get_bottom()[1] - 0.55
        digit = self.rows["W1"][0]._glyphs["0"]
        digit_half = (digit[:, 1].max() + digit[:, 1].min()) / 2
        x = left
        for key, rows in self.rows.items():
            name = self.names[key]
            equals = name[0][-1]  # the "=": the block is centred on its height
            name.shift(np.array([x, centre, 0.0]) - [name.get_left()[0], equals.get_center()[1], 0])
            start = name.get_right()[0] + 0.15
            offsets = (np.arange(len(rows)) - (len(rows) - 1) / 2) * -row_gap
            for row, offset in zip(rows, offsets, strict=True):
                row.place(np.array([start, centre + offset - digit_half, 0.0]))
            x = start + max(len(row.text or "") for row in rows) * rows[0].advance + gap
        return self

    def texts(self) -> dict[str, list[str]]:
        """Return the rows shown for the clock's epoch: ``W1``, ``b1``, ``W2`` and ``b2``."""
        w = self.trajectory.state(self.clock.get_value()).weights
        return {
            "W1": matrix_rows(w.W1),
            "b1": matrix_rows(w.b1[:, None]),
            "W2": matrix_rows(w.W2),
            "b2": [format_number(float(w.b2[0]))],
        }

    def refresh(self) -> Self:
        """Show the weights of the clock's epoch."""
        for key, texts in self.texts().items():
            for row, text in zip(self.rows[key], texts, strict=True):
                row.set_text(text)
        return self


class NetworkLayout(ClockedGroup):
    """One run on one clock: heading and read-out (top), the diagram with its heatmaps (left),
    the probability mesh over the input plane (right) with its colour legend (bottom right) and
    the formula with the live weights (bottom left).

    Parameters
    ----------
    trajectory
        The run, continuous in the epoch (two hidden neurons).
    clock
        The epoch tracker that drives every part.
    theme
        Colours and font.
    mesh_resolution, heatmap_resolution
        Pixels along each side of the probability mesh and of each heatmap.
    """

    INPUT_VIEW = Viewport((4.45, 0.3), 4.2, 4.2)

    def __init__(
        self,
        trajectory: Trajectory,
        clock: ValueTracker,
        theme: Theme,
        mesh_resolution: int = 160,
        heatmap_resolution: int = 100,
    ) -> None:
        super().__init__()
        self.clock = clock
        self.input_panel = InputPlanePanel(
            trajectory,
            clock,
            self.INPUT_VIEW,
            theme,
            caption="the output ŷ over the input plane",
            mesh_resolution=mesh_resolution,
        )
        self.diagram = NetworkGraph(
            trajectory,
            clock,
            theme,
            heatmap_resolution=heatmap_resolution,
            box=self.input_panel.box,
        )
        self.heading, self.stats = heading_and_stats(trajectory, clock, theme)
        self.weights = WeightReadout(trajectory, clock, theme)
        self.weights.arrange_at(left=-6.7, top=-2.4)
        self.legend = self._legend(theme)
        self.mesh_legend = ProbabilityLegend(theme).move_to(np.array([5.95, -3.0, 0.0]))
        self.live = (self.input_panel, self.diagram, self.stats, self.weights)
        self.add(
            self.diagram,
            self.input_panel,
            self.heading,
            self.stats,
            self.weights,
            self.legend,
            self.mesh_legend,
        )

    def _legend(self, theme: Theme) -> Group:
        """Link colours and widths (upper right of the diagram) and the heatmap scale (lower)."""
        diagram = self.diagram
        anchor = diagram.heatmap_views[0]
        x = anchor.centre[0] + anchor.width / 2 + 0.45
        y = anchor.centre[1] + 0.3
        rows = VGroup()
        for k, (color, words) in enumerate(
            ((theme.positive, "weight > 0"), (theme.negative, "weight < 0"))
        ):
            sample = Line(np.array([x, 0, 0]), np.array([x + 0.5, 0, 0]))
            sample.set_stroke(color, 4.0).shift((y - 0.32 * k) * UP)
            text = Text(words, font=theme.font, font_size=16, color=theme.muted)
            text.next_to(sample, RIGHT, buff=0.12)
            rows.add(VGroup(sample, text))
        note = Text(
            "width ∝ |weight|, ring = bias", font=theme.font, font_size=16, color=theme.muted
        )
        note.next_to(rows, DOWN, buff=0.14, aligned_edge=LEFT)
        scale = diagram.scale_legend()
        below = diagram.heatmap_views[1]
        scale.move_to(
            np.array([below.centre[0] + below.width / 2 + 0.45, below.centre[1] - 0.3, 0.0]),
            aligned_edge=LEFT,
        )
        caption = Text("activation", font=theme.font, font_size=16, color=theme.muted)
        caption.next_to(scale, UP, buff=0.1, aligned_edge=LEFT)
        return Group(rows, note, scale, caption)
