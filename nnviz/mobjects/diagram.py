"""The network as a diagram that follows the epoch clock: any width and depth nnviz trains.

Links are coloured by the sign of their weight (``theme.positive`` for w ≥ 0, ``theme.negative``
for w < 0) and as wide as ``|w|`` (:func:`link_width`); each bias is a ring around its node,
coloured and sized by the same rule. Every hidden neuron's activation over the input plane is
drawn as an image (:class:`ActivationColormap`, one scale per layer), as TensorFlow Playground
does: beside the neuron for the post's 2-2-1 network, as the neuron itself for any other. The
formula, with the live weights where they fit, is a :class:`WeightReadout`. A softmax output
has one node per class in its class colour, named by the run's class names.

Every block recomputes itself from :meth:`nnviz.trajectory.Trajectory.state` of one shared
clock; per frame only points, pixels, stroke widths and colours of existing mobjects change.
"""

from __future__ import annotations

from collections.abc import Sequence

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
    VMobject,
    interpolate_color,
)
from manim.constants import RESAMPLING_ALGORITHMS
from typing_extensions import Self

from nnviz import forward
from nnviz.activations import activation as lookup
from nnviz.class_colors import class_palette
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.hud import ClassFieldLegend, ProbabilityLegend
from nnviz.mobjects.layout import ClockedGroup, heading_and_stats
from nnviz.mobjects.panels import InputPlanePanel, input_box
from nnviz.mobjects.readout import GlyphText
from nnviz.mobjects.shapes import PlacedImage
from nnviz.theme import Theme, hex_to_rgb
from nnviz.trajectory import Trajectory
from nnviz.view import AxisScales, Box, Viewport

__all__ = [
    "LINK_WIDTH_PER_UNIT",
    "LINK_WIDTH_RANGE",
    "ActivationColormap",
    "ActivationImage",
    "NetworkGraph",
    "NetworkLayout",
    "WeightReadout",
    "activation_scale",
    "class_names",
    "format_number",
    "general_formula",
    "link_width",
    "matrix_rows",
    "neuron_activation_grids",
    "sign_rows",
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


def activation_scale(trajectory: Trajectory, layer: int = 0) -> float:
    """Return the top of a hidden layer's colour scale for an unbounded activation.

    The largest ``|activation|`` of hidden layer ``layer`` (0 for the first) of any data point
    at any logged epoch, so one scale holds for the whole run and every neuron of the layer:
    brightness can be compared between epochs and between neurons. Values beyond it (only
    far from the data) are clipped.
    """
    run = trajectory.run
    largest = 0.0
    for epochs in forward.epoch_chunks(len(run.loss), len(run.X), max(run.hidden_widths)):
        layers = forward.layer_outputs_per_epoch(run.X, run.W, run.b, trajectory.activations,
                                                 epochs)  # fmt: skip
        largest = max(largest, float(np.max(np.abs(layers[layer][1]))))
    return max(largest, 1e-6)


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
    def for_run(cls, trajectory: Trajectory, theme: Theme, layer: int = 0) -> ActivationColormap:
        """Return the colour map of hidden layer ``layer``'s activation (0 for the first), its
        scale fixed for the whole run: the activation's range when bounded, else
        :func:`activation_scale`."""
        activation = trajectory.activations[layer]
        bounded = lookup(activation)
        vmax = max(map(abs, bounded.output_range)) if bounded.bounded else None
        vmax = vmax or activation_scale(trajectory, layer)
        return cls(activation, theme, vmax)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Return uint8 RGBA colours of shape ``values.shape + (4,)``."""
        flat = np.asarray(values, dtype=np.float64).ravel()
        out = np.empty((flat.size, 4), dtype=np.uint8)
        for channel in range(3):
            out[:, channel] = np.rint(np.interp(flat, self.positions, self.anchors[:, channel]))
        out[:, 3] = 255
        return out.reshape(*np.shape(values), 4)


def class_names(trajectory: Trajectory) -> tuple[str, ...]:
    """Return the name of every class of a run: its data's own (a CSV file's labels), else
    ``class 0 … class k−1``."""
    config = trajectory.run.config
    if config.class_names is not None:
        return tuple(config.class_names)
    return tuple(f"class {c}" for c in range(config.classes))


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
    """Any network nnviz trains: nodes, links, bias rings and every hidden neuron's heatmap.

    Layer ``0`` is the two inputs, layers ``1 … L`` the hidden layers, layer ``L + 1`` the
    output. :attr:`layer_links` ``[k][i][j]`` joins unit ``j`` of layer ``k`` to unit ``i`` of
    layer ``k + 1`` (weight ``W_{k+1}[i, j]``); :attr:`layer_rings` ``[k][i]`` is the bias
    ``b_{k+1}[i]`` around unit ``i`` of layer ``k + 1``; :attr:`layer_heatmaps` ``[l][i]`` is
    hidden neuron ``i`` of hidden layer ``l + 1`` over the input plane, painted through its
    layer's colour map (:attr:`colormaps`, one scale per layer, fixed for the run).

    The post's 2-2-1 network keeps its own picture: round nodes named ``h₁``, ``h₂``, with
    each heatmap beside its neuron (1 above, 2 below). Every other network is drawn as
    TensorFlow Playground draws it: columns spread over :attr:`region`, each hidden neuron a
    square that is its own heatmap, the bias a square ring around it, sizes shrunk to fit
    the tallest column.

    A softmax output of k classes has k output nodes, ``p_0 … p_{k−1}``, each outlined and
    tinted in its class colour (:func:`nnviz.class_colors.class_palette`) with its class
    name beside it (:attr:`class_labels`, the run's names: a CSV file's labels); the links
    and rings into them follow ``W_{L+1}`` and ``b_{L+1}`` as every other layer's do.

    Parameters
    ----------
    trajectory
        The run, continuous in the epoch.
    clock
        The epoch tracker.
    theme
        Colours and font.
    centre
        Centre of the 2-2-1 diagram's nodes (scene coordinates).
    column_gap, row_gap
        The 2-2-1 diagram's horizontal distance between layers and between its two rows.
    heatmap_size, heatmap_resolution
        Side of each 2-2-1 heatmap (scene units) and every heatmap's pixels along each side.
    box
        The input-plane box the heatmaps show (default: the input panel's box).
    region
        The rectangle ``((x0, x1), (y0, y1))`` a network other than 2-2-1 fills, column titles
        and colour bars included (default :attr:`REGION`).
    """

    NODE_RADIUS = 0.3
    RING_GAP = 0.12
    #: Where a network other than 2-2-1 is drawn by default.
    REGION: Box = ((-6.7, 1.6), (-2.05, 2.95))
    #: Gap between two squares of a column, as a share of the square's side.
    SQUARE_GAP = 0.35
    #: Room above the nodes for the column titles, below them for the colour bars.
    TITLE_ROOM, BAR_ROOM = 0.6, 0.55
    #: The widest a class name beside a softmax output node may be (a longer one is scaled).
    CLASS_LABEL_WIDTH = 1.3

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
        region: Box | None = None,
    ) -> None:
        super().__init__()
        self.trajectory = trajectory
        self.clock = clock
        self.theme = theme
        self.box = input_box(trajectory) if box is None else box
        self.region = self.REGION if region is None else region
        self.colors = (ManimColor(theme.negative), ManimColor(theme.positive))
        hidden = tuple(int(w) for w in trajectory.run.hidden_widths)
        self.hidden_widths = hidden
        config = trajectory.run.config
        #: Whether the output is a softmax of one unit per class (else one sigmoid unit).
        self.softmax = config.output_head.link == "softmax"
        #: The name of every class, as the run names them (a CSV file's labels).
        self.class_names = class_names(trajectory)
        self.widths = (2, *hidden, config.output_units)
        self.classic = hidden == (2,) and not self.softmax
        self.colormaps = [
            ActivationColormap.for_run(trajectory, theme, layer) for layer in range(len(hidden))
        ]
        self.colormap = self.colormaps[0]
        self.heatmap_resolution = heatmap_resolution
        shape = (heatmap_resolution, heatmap_resolution)
        self._grid = forward.grid_points(self.box[0], self.box[1], shape)
        if self.classic:
            self._place_classic(centre, column_gap, row_gap, heatmap_size)
        else:
            self._place_columns()

        # Links, layer by layer, row-major as W is stored; rings around every non-input unit.
        self.layer_links = [
            [
                [self._link(k, j, i) for j in range(self.widths[k])]
                for i in range(self.widths[k + 1])
            ]
            for k in range(len(self.widths) - 1)
        ]
        self.layer_rings = [
            [self._ring(k, i) for i in range(self.widths[k])] for k in range(1, len(self.widths))
        ]
        self.first_links = self.layer_links[0]
        self.second_links = [row for rows in self.layer_links[1] for row in rows]
        self.links = VGroup(*(line for rows in self.layer_links for row in rows for line in row))
        self.rings = [ring for rings in self.layer_rings for ring in rings]
        self.layer_heatmaps = [
            [
                ActivationImage(view, heatmap_resolution, self.colormaps[layer])
                for view in self.layer_views[layer]
            ]
            for layer in range(len(hidden))
        ]
        self.heatmaps = [image for images in self.layer_heatmaps for image in images]
        self.heatmap_views = [view for views in self.layer_views for view in views]
        frames = VGroup(
            *(
                Rectangle(width=v.width, height=v.height)
                .move_to(np.array([*v.centre, 0.0]))
                .set_stroke(theme.muted, 1.2)
                for v in self.heatmap_views
            )
        )
        self.frames = frames
        #: Each softmax output's class name beside its node, in its class colour.
        self.class_labels = self._class_labels() if self.softmax else VGroup()
        self.add(
            self.links,
            *self.heatmaps,
            frames,
            self.heatmap_labels,
            self.nodes,
            *self.rings,
            self.labels,
            self.bars,
            self.class_labels,
        )
        self.refresh()

    # -- geometry ---------------------------------------------------------------------------

    def _place_classic(
        self, centre: tuple[float, float], column_gap: float, row_gap: float, size: float
    ) -> None:
        """The post's 2-2-1 picture: round nodes, heatmaps above and below the hidden pair."""
        theme = self.theme
        cx, cy = centre
        top, bottom = cy + row_gap / 2, cy - row_gap / 2
        r = self.NODE_RADIUS
        self.positions = [
            [np.array([cx - column_gap, y, 0.0]) for y in (top, bottom)],
            [np.array([cx, y, 0.0]) for y in (top, bottom)],
            [np.array([cx + column_gap, cy, 0.0])],
        ]
        self.shapes = [[("circle", r)] * 2, [("circle", r)] * 2, [("circle", r)]]
        self.ring_gap = self.RING_GAP
        offset = r + self.RING_GAP + 0.2 + size / 2
        self.layer_views = [
            [
                Viewport((cx, float(top + offset)), size, size),
                Viewport((cx, float(bottom - offset)), size, size),
            ]
        ]
        points = [p for column in self.positions for p in column]
        self.nodes = VGroup(*(self._circle(p, r) for p in points))
        names = ("x_1", "x_2", "h_1", "h_2", r"\hat{y}")
        self.labels = VGroup(
            *(
                MathTex(name, font_size=34, color=theme.foreground).move_to(p)
                for name, p in zip(names, points, strict=True)
            )
        )
        self.heatmap_labels = VGroup(
            *(
                MathTex(f"h_{i + 1}(x)", font_size=30, color=theme.muted).next_to(
                    Rectangle(width=v.width, height=v.height).move_to(np.array([*v.centre, 0.0])),
                    LEFT,
                    buff=0.15,
                )
                for i, v in enumerate(self.layer_views[0])
            )
        )
        self.bars = Group()

    def _place_columns(self) -> None:
        """Columns spread over :attr:`region`; hidden neurons as squares showing their heatmap."""
        theme = self.theme
        (x0, x1), (y0, y1) = self.region
        top, bottom = y1 - self.TITLE_ROOM, y0 + self.BAR_ROOM
        tallest = max(self.widths)
        room = top - bottom - 2 * self.RING_GAP  # the outer rings stay inside too
        side = min(1.0, room / (tallest + (tallest - 1) * self.SQUARE_GAP))
        pitch = side * (1 + self.SQUARE_GAP)
        self.side = side
        radius = min(self.NODE_RADIUS, 0.45 * side + 0.05)
        self.ring_gap = min(self.RING_GAP, 0.1 * side + 0.01)
        if self.softmax:  # k output nodes with their rings, a column as tall as the squares'
            radius = min(radius, pitch / 2 - self.ring_gap - 0.04)
        xs = np.linspace(x0 + radius, x1 - radius - self.ring_gap, len(self.widths))
        cy = (top + bottom) / 2
        self.positions = []
        self.shapes = []
        for k, width in enumerate(self.widths):
            step = max(pitch, 2 * radius + 0.5) if k in (0, len(self.widths) - 1) else pitch
            if width > 1:  # a tall output column (k classes) stays inside the region
                step = min(step, (room - 2 * radius) / (width - 1))
            ys = cy + (np.arange(width) - (width - 1) / 2) * -step
            self.positions.append([np.array([xs[k], y, 0.0]) for y in ys])
            round_node = k in (0, len(self.widths) - 1)
            self.shapes.append([("circle", radius) if round_node else ("square", side / 2)] * width)
        self.layer_views = [
            [Viewport((float(p[0]), float(p[1])), side, side) for p in self.positions[k]]
            for k in range(1, len(self.widths) - 1)
        ]
        ends = [*self.positions[0], *self.positions[-1]]
        self.nodes = VGroup(*(self._circle(p, radius) for p in ends))
        size = 34 * radius / self.NODE_RADIUS
        names = ("x_1", "x_2", *self.output_names())
        self.labels = VGroup(
            *(
                MathTex(name, font_size=size, color=theme.foreground).move_to(p)
                for name, p in zip(names, ends, strict=True)
            )
        )
        spacing = float(xs[1] - xs[0])
        titles = VGroup()
        self.bars = Group()
        for layer, name in enumerate(self.trajectory.activations):
            x = float(xs[layer + 1])
            title = VGroup(
                *(
                    Text(words, font=theme.font, font_size=16, color=theme.muted)
                    for words in (f"layer {layer + 1}", lookup(name).display)
                )
            ).arrange(DOWN, buff=0.08)
            if title.width > 0.9 * spacing:
                title.scale_to_fit_width(0.9 * spacing)
            titles.add(title.move_to(np.array([x, top + self.TITLE_ROOM / 2, 0.0])))
            bar = self.scale_legend(min(0.35 * spacing, 1.0), 14, layer)
            if bar.width > 0.85 * spacing:
                bar.scale_to_fit_width(0.85 * spacing)
            self.bars.add(bar.move_to(np.array([x, bottom - self.BAR_ROOM / 2, 0.0])))
        self.heatmap_labels = titles
        if self.softmax:
            self._colour_outputs()

    def output_names(self) -> tuple[str, ...]:
        """Return the LaTeX names of the output nodes: ``ŷ`` for one sigmoid output, else
        ``p_c`` for class ``c`` (numbered as the legend numbers the classes, from 0)."""
        if not self.softmax:
            return (r"\hat{y}",)
        return tuple(f"p_{{{c}}}" for c in range(self.widths[-1]))

    @property
    def output_nodes(self) -> list[VMobject]:
        """The output nodes, top to bottom (one per class for a softmax output)."""
        return list(self.nodes[-self.widths[-1] :])

    def _colour_outputs(self) -> None:
        """Outline and tint each softmax output node in its class colour."""
        colors = class_palette(self.widths[-1])
        for node, color in zip(self.output_nodes, colors, strict=True):
            node.set_stroke(color, 3.0).set_fill(
                interpolate_color(ManimColor(self.theme.background), ManimColor(color), 0.3),
                opacity=1.0,
            )

    def _class_labels(self) -> VGroup:
        """Each softmax output's class name right of its node (and ring), in its class colour,
        no wider than :attr:`CLASS_LABEL_WIDTH`."""
        colors = class_palette(self.widths[-1])
        labels = VGroup()
        for c, point in enumerate(self.positions[-1]):
            label = Text(self.class_names[c], font=self.theme.font, font_size=16, color=colors[c])
            if label.width > self.CLASS_LABEL_WIDTH:
                label.scale_to_fit_width(self.CLASS_LABEL_WIDTH)
            _, size = self.shapes[-1][c]
            left = point[0] + size + self.ring_gap + 0.15
            labels.add(label.move_to(np.array([left, point[1], 0.0]), aligned_edge=LEFT))
        return labels

    def _circle(self, point: np.ndarray, radius: float) -> Circle:
        return (
            Circle(radius=radius, stroke_color=self.theme.muted, stroke_width=2.0)
            .set_fill(self.theme.background, opacity=1.0)
            .move_to(point)
        )

    @staticmethod
    def _edge(centre: np.ndarray, direction: np.ndarray, shape: tuple[str, float]) -> np.ndarray:
        """Where a ray from ``centre`` along unit ``direction`` leaves a node's ``shape``."""
        kind, size = shape
        if kind == "circle":
            return centre + direction * size
        return centre + direction * size / max(abs(direction[0]), abs(direction[1]))

    def _link(self, k: int, j: int, i: int) -> Line:
        """The link from unit ``j`` of layer ``k`` to unit ``i`` of layer ``k + 1``."""
        start, end = self.positions[k][j], self.positions[k + 1][i]
        direction = (end - start) / np.linalg.norm(end - start)
        kind, size = self.shapes[k + 1][i]
        return Line(
            self._edge(start, direction, self.shapes[k][j]),
            self._edge(end, -direction, (kind, size + self.ring_gap)),
        )

    def _ring(self, k: int, i: int) -> Circle | Rectangle:
        """The bias ring around unit ``i`` of layer ``k``."""
        kind, size = self.shapes[k][i]
        outer = size + self.ring_gap
        ring = (
            Circle(radius=outer)
            if kind == "circle"
            else Rectangle(width=2 * outer, height=2 * outer)
        )
        return ring.move_to(self.positions[k][i]).set_fill(opacity=0)

    # -- the clock --------------------------------------------------------------------------

    def refresh(self) -> Self:
        """Recompute links, rings and heatmaps for the clock's epoch."""
        state = self.trajectory.state(self.clock.get_value())
        weights = state.weights
        values = np.concatenate([*(W.ravel() for W in weights.W), *weights.b])
        widths = link_width(values)
        positive = values >= 0
        strokes = [*self.links, *self.rings]
        for stroke, width, sign in zip(strokes, widths, positive, strict=True):
            stroke.set_stroke(self.colors[int(sign)], float(width))
        shape = (self.heatmap_resolution, self.heatmap_resolution)
        layers = forward.layer_outputs(self._grid, weights, self.trajectory.activations)
        for images, (_, h) in zip(self.layer_heatmaps, layers, strict=True):
            for image, grid in zip(images, h.T.reshape(-1, *shape), strict=True):
                image.paint(grid)
        return self

    def scale_legend(self, width: float = 1.5, font_size: float = 16, layer: int = 0) -> Group:
        """Return a small colour bar of hidden layer ``layer``'s heatmap scale with its end
        values."""
        theme = self.theme
        colormap = self.colormaps[layer]
        ends = colormap.positions[[0, -1]]
        ramp = np.linspace(ends[0], ends[1], 64)[None, :].repeat(2, axis=0)
        bar = ImageMobject(colormap(ramp))
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


#: A softmax output's probability of class ``c``, as the formulas show it.
SOFTMAX_TEX = r"p_c = e^{z_c} \big/ {\textstyle\sum_j} e^{z_j}"


def general_formula(activations: tuple[str, ...], output: str = "sigmoid") -> tuple[str, str]:
    """Return the LaTeX of a network's formula and of its activations, e.g.
    ``\\hat{y} = \\sigma(W_3\\, a_2(W_2\\, a_1(W_1 x + b_1) + b_2) + b_3)`` and
    ``a_1 = a_2 = \\text{ReLU},\\ a_3 = …`` (equal neighbours share one name).

    For a softmax ``output`` the formula is each class's probability,
    ``p_c = e^{z_c} / Σ_j e^{z_j}`` of the outputs ``z = W_3\\, a_2(…) + b_3``."""
    inner = "W_1 x + b_1"
    for k in range(1, len(activations)):
        inner = rf"W_{{{k + 1}}}\, a_{{{k}}}({inner}) + b_{{{k + 1}}}"
    last = len(activations)
    end = last + 1
    if output == "softmax":
        formula = rf"{SOFTMAX_TEX},\ z = W_{{{end}}}\, a_{{{last}}}({inner}) + b_{{{end}}},"
    else:
        formula = rf"\hat{{y}} = \sigma\big(W_{{{end}}}\, a_{{{last}}}({inner}) + b_{{{end}}}\big),"
    groups: list[list[int]] = []
    for k, name in enumerate(activations):
        if groups and activations[groups[-1][0]] == name:
            groups[-1].append(k)
        else:
            groups.append([k])
    named = [
        " = ".join(f"a_{{{k + 1}}}" for k in group)
        + rf" = \text{{{lookup(activations[group[0]]).display}}}"
        for group in groups
    ]
    return formula, r"\quad " + r",\ ".join(named)


class WeightReadout(FollowsClock, VGroup):
    """The network's formula and, where they fit, the live weights of the clock's epoch.

    A network of one hidden layer of at most :attr:`LIVE_WIDTH` units shows
    ``ŷ = σ(w₂·a(W₁x + b₁) + b₂)`` and its weights: names are static ``MathTex``; numbers are
    :class:`~nnviz.mobjects.readout.GlyphText` rows formatted by :func:`matrix_rows` (``W₁``
    and ``b₁`` as a matrix and a column, a row each per hidden unit; ``w₂`` as a row; ``b₂``
    as a number). A deeper or wider network shows only its general formula,
    ``ŷ = σ(W₃ a₂(W₂ a₁(W₁x + b₁) + b₂) + b₃)`` and each layer's activation: dozens of
    live numbers could not be read, and the diagram's links show the same weights.

    A softmax output of k classes shows ``p_c = e^{z_c} / Σ_j e^{z_j}`` with
    ``z_c = w_c·a(W₁x + b₁) + b_c`` (or the general ``z``); its live weights into each output
    node, ``w_c`` and ``b_c``, are one row per class (:attr:`output_rows`, placed beside the
    nodes by :meth:`place_outputs`), and only ``W₁`` and ``b₁`` stay in the bottom line.

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

    #: The widest single hidden layer whose weights are shown live.
    LIVE_WIDTH = 2
    #: The widest a general formula may be (scene units); a longer one is scaled down.
    MAX_WIDTH = 8.4
    #: Size of the numbers beside a softmax output's nodes (k rows in the diagram's room).
    OUTPUT_FONT_SIZE = 16

    def __init__(
        self, trajectory: Trajectory, clock: ValueTracker, theme: Theme, font_size: float = 20
    ) -> None:
        super().__init__()
        self.trajectory = trajectory
        self.clock = clock
        widths = tuple(trajectory.run.hidden_widths)
        output = trajectory.run.config.output_head.link
        #: Whether the output is a softmax (one unit per class).
        self.softmax = output == "softmax"
        #: Whether the live weights are shown (one hidden layer of at most LIVE_WIDTH units).
        self.live = len(widths) == 1 and widths[0] <= self.LIVE_WIDTH
        if self.live:
            activation = lookup(trajectory.activations[0]).display
            head = (
                rf"{SOFTMAX_TEX},\quad z_c = w_c \cdot a(W_1 x + b_1) + b_c,"
                if self.softmax
                else r"\hat{y} = \sigma\big(w_2 \cdot a(W_1 x + b_1) + b_2\big),"
            )
            parts: tuple[str, str] = (head, rf"\quad a = \text{{{activation}}}")
        else:
            parts = general_formula(trajectory.activations, output)
        self.formula = MathTex(*parts, font_size=34 if self.live else 30, color=theme.foreground)
        if self.formula.width > self.MAX_WIDTH:
            self.formula.scale_to_fit_width(self.MAX_WIDTH)
        self.formula[1].set_color(theme.muted)
        names = (self.NAMES[:2] if self.softmax else self.NAMES) if self.live else ()
        self.names = {key: MathTex(tex, font_size=30, color=theme.muted) for key, tex in names}
        self.rows: dict[str, list[GlyphText]] = {}
        for key, texts in self.texts().items():
            longest = max(len(text) for text in texts) + 2  # room for a number of 10 or more
            size = self.OUTPUT_FONT_SIZE if key == "out" else font_size
            self.rows[key] = [
                GlyphText("", self.ALPHABET, size, max_length=longest, color=theme.foreground)
                for _ in texts
            ]
        #: One row ``[ w_c ]  b_c`` per class, the weights into output node ``c`` (softmax).
        self.output_rows = self.rows.pop("out", [])
        #: The names over the output rows' columns, ``w_c`` and ``b_c``.
        self.output_names = VGroup(
            *(MathTex(tex, font_size=26, color=theme.muted) for tex in ("w_c", "b_c"))
        ) if self.output_rows else VGroup()  # fmt: skip
        self.add(self.formula, *self.names.values(), *(g for r in self.rows.values() for g in r))
        self.add(*self.output_rows, self.output_names)
        self.refresh()

    def arrange_at(self, left: float, top: float, gap: float = 0.4, row_gap: float = 0.36) -> Self:
        """Put the formula's top-left corner at ``(left, top)`` and the weights in one line
        below it: names centred on the line, two-row blocks ``row_gap`` apart, ``gap`` between
        blocks."""
        self.formula.move_to(np.array([left, top, 0.0]), aligned_edge=LEFT + UP)
        if not self.live:
            return self
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

    def place_outputs(self, left: float, ys: Sequence[float]) -> Self:
        """Put the output rows (softmax) in a column whose left edge is ``left``, row ``c``
        centred on height ``ys[c]`` (its output node's), under the names ``w_c`` and ``b_c``."""
        if not self.output_rows:
            return self
        row = self.output_rows[0]
        digit = row._glyphs["0"]
        digit_half = (digit[:, 1].max() + digit[:, 1].min()) / 2
        for glyphs, y in zip(self.output_rows, ys, strict=True):
            glyphs.place(np.array([left, y - digit_half, 0.0]))
        # The text is "[ w … ] b": w_c over the bracket, b_c over the last number.
        text = row.text or ""
        split = text.index("]") + 1
        number = len(text) - split
        w_name, b_name = self.output_names
        above = max(ys) + 0.42
        w_name.move_to(np.array([left + split * row.advance / 2, above, 0.0]))
        b_name.move_to(np.array([left + (split + number / 2) * row.advance, above, 0.0]))
        return self

    def texts(self) -> dict[str, list[str]]:
        """Return the rows shown for the clock's epoch: ``W1``, ``b1``, ``W2`` and ``b2``; for
        a softmax output ``W1``, ``b1`` and ``out`` (one ``[ w_c ]  b_c`` per class); none for
        a network whose weights are not shown live."""
        if not self.live:
            return {}
        w = self.trajectory.state(self.clock.get_value()).weights
        first = {"W1": matrix_rows(w.W1), "b1": matrix_rows(w.b1[:, None])}
        if self.softmax:
            out = [
                f"{matrix_rows(row)[0]} {format_number(float(bias))}"
                for row, bias in zip(w.W2, w.b2, strict=True)
            ]
            return {**first, "out": out}
        return {**first, "W2": matrix_rows(w.W2), "b2": [format_number(float(w.b2[0]))]}

    def refresh(self) -> Self:
        """Show the weights of the clock's epoch."""
        rows = {**self.rows, "out": self.output_rows}
        for key, texts in self.texts().items():
            for row, text in zip(rows[key], texts, strict=True):
                row.set_text(text)
        return self


def sign_rows(theme: Theme, x: float, y: float, row_gap: float) -> VGroup:
    """Return the legend's two rows of link colours, a sample line and its words each
    (``weight > 0`` at height ``y``, ``weight < 0`` ``row_gap`` below), starting at ``x``."""
    rows = VGroup()
    for k, (color, words) in enumerate(
        ((theme.positive, "weight > 0"), (theme.negative, "weight < 0"))
    ):
        sample = Line(np.array([x, 0, 0]), np.array([x + 0.5, 0, 0]))
        sample.set_stroke(color, 4.0).shift((y - row_gap * k) * UP)
        text = Text(words, font=theme.font, font_size=16, color=theme.muted)
        text.next_to(sample, RIGHT, buff=0.12)
        rows.add(VGroup(sample, text))
    return rows


class NetworkLayout(ClockedGroup):
    """One run on one clock: heading and read-out (top), the diagram with its heatmaps (left),
    the probability mesh over the input plane (right) with its colour legend (bottom right) and
    the formula (bottom left), with the live weights where :class:`WeightReadout` shows them.
    A network without live weights gets the whole left side down to its one-line formula.
    A softmax output of k classes: the input plane shows the top class faded by confidence
    with the ties, the legend every class by name (:class:`~nnviz.mobjects.hud.ClassFieldLegend`),
    and the diagram leaves room right of its output nodes for their class names and their
    live weights (:meth:`WeightReadout.place_outputs`).

    Parameters
    ----------
    trajectory
        The run, continuous in the epoch.
    clock
        The epoch tracker that drives every part.
    theme
        Colours and font.
    mesh_resolution, heatmap_resolution
        Pixels along each side of the probability mesh and of each heatmap.
    axis_scales
        How the input plane, and so every heatmap over it, scales its axes
        (:func:`nnviz.mobjects.panels.input_box`).
    """

    INPUT_VIEW = Viewport((4.45, 0.3), 4.2, 4.2)
    #: Where a network without live weights is drawn: down to the one-line formula.
    DEEP_REGION: Box = ((-6.7, 1.6), (-2.95, 2.95))
    #: Where another network with live weights is drawn: the weights take the bottom row, the
    #: link legend the right of the diagram.
    SHALLOW_REGION: Box = ((-6.7, -0.9), (-2.05, 2.95))
    #: A softmax output's network: its class names right of the output nodes, and, with live
    #: weights, the weights into each output node right of them.
    SOFTMAX_LIVE_REGION: Box = ((-6.7, -2.6), (-2.05, 2.95))
    SOFTMAX_DEEP_REGION: Box = ((-6.7, 0.4), (-2.95, 2.95))

    def __init__(
        self,
        trajectory: Trajectory,
        clock: ValueTracker,
        theme: Theme,
        mesh_resolution: int = 160,
        heatmap_resolution: int = 100,
        axis_scales: AxisScales | str = "auto",
    ) -> None:
        super().__init__()
        self.clock = clock
        self.input_panel = InputPlanePanel(
            trajectory,
            clock,
            self.INPUT_VIEW,
            theme,
            caption=(
                "the top class over the input plane"
                if trajectory.run.config.output_head.link == "softmax"
                else "the output ŷ over the input plane"
            ),
            mesh_resolution=mesh_resolution,
            axis_scales=axis_scales,
        )
        self.weights = WeightReadout(trajectory, clock, theme)
        softmax = self.weights.softmax
        region = NetworkGraph.REGION if self.weights.live else self.DEEP_REGION
        if self.weights.live and trajectory.run.hidden_widths != (2,):
            region = self.SHALLOW_REGION
        if softmax:
            region = self.SOFTMAX_LIVE_REGION if self.weights.live else self.SOFTMAX_DEEP_REGION
        self.diagram = NetworkGraph(
            trajectory,
            clock,
            theme,
            heatmap_resolution=heatmap_resolution,
            box=self.input_panel.box,
            region=region,
        )
        self.heading, self.stats = heading_and_stats(trajectory, clock, theme)
        self.weights.arrange_at(left=-6.7, top=-2.4 if self.weights.live else -3.2)
        if self.weights.output_rows:
            labels = self.diagram.class_labels
            self.weights.place_outputs(
                labels.get_right()[0] + 0.3, [float(p[1]) for p in self.diagram.positions[-1]]
            )
        self.legend = self._legend(theme) if self.diagram.classic else self._link_legend(theme)
        names = trajectory.run.config.class_names
        key: Group = (
            ClassFieldLegend(theme, trajectory.run.config.classes, class_names=names)
            if softmax
            else ProbabilityLegend(theme, class_names=names)
        )
        self.mesh_legend = key.move_to(np.array([5.95, -3.0, 0.0]))
        if softmax:  # as wide as its classes need: its right edge inside the frame's
            self.mesh_legend.move_to(np.array([6.95, -3.0, 0.0]), aligned_edge=RIGHT)
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
        rows = sign_rows(theme, x, y, row_gap=0.32)
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

    def _link_legend(self, theme: Theme) -> VGroup:
        """Link colours and widths: below the input plane beside the probability legend, or
        right of a diagram that leaves room (the columns carry their own heatmap scales)."""
        (_, right), (bottom, top) = self.diagram.region
        beside = right <= 0 and not self.diagram.softmax  # class names take that room
        x, y = (right + 0.35, (top + bottom) / 2 + 0.5) if beside else (2.45, -2.55)
        rows = sign_rows(theme, x, y, row_gap=0.3)
        note = Text("width ∝ |weight|", font=theme.font, font_size=16, color=theme.muted)
        ring = Text("ring = bias", font=theme.font, font_size=16, color=theme.muted)
        note.next_to(rows, DOWN, buff=0.12, aligned_edge=LEFT)
        ring.next_to(note, DOWN, buff=0.1, aligned_edge=LEFT)
        return VGroup(rows, note, ring)
