"""The network as a graph that follows the epoch clock: nodes, links, bias rings and every
hidden neuron's heatmap, for any width and depth nnviz trains.

Links are coloured by the sign of their weight (``theme.positive`` for w ≥ 0, ``theme.negative``
for w < 0) and as wide as ``|w|`` (:func:`~nnviz.mobjects.diagram.geometry.link_width`); each
bias is a ring around its node, coloured and sized by the same rule. Every hidden neuron's
activation over the input plane is drawn as an image
(:class:`~nnviz.mobjects.diagram.activation_colors.ActivationColormap`, one scale per layer), as
TensorFlow Playground does: beside the neuron for the post's 2-2-1 network, as the neuron itself
for any other. A softmax output has one node per class in its class colour, named by the run's
class names. Where everything goes is :mod:`nnviz.mobjects.diagram.geometry`'s.

Every block recomputes itself from :meth:`nnviz.trajectory.Trajectory.state` of one shared
clock; per frame only pixels, stroke widths and colours of existing mobjects change.
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    Circle,
    Group,
    ImageMobject,
    Line,
    ManimColor,
    MathTex,
    Rectangle,
    VGroup,
    VMobject,
    interpolate_color,
)
from manim.constants import RESAMPLING_ALGORITHMS
from typing_extensions import Self

from nnviz import forward
from nnviz.activations import activation as lookup
from nnviz.class_colors import class_palette
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.diagram.activation_colors import ActivationColormap
from nnviz.mobjects.diagram.geometry import (
    BAR_ROOM,
    GRAPH_REGION,
    NODE_RADIUS,
    TITLE_ROOM,
    NodePlacement,
    classic_placement,
    column_placement,
    link_ends,
    link_width,
)
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.panels import input_box
from nnviz.mobjects.shapes import PlacedImage
from nnviz.mobjects.typeset import theme_text
from nnviz.moments import class_names
from nnviz.view import Box, Viewport

__all__ = ["ActivationImage", "NetworkGraph"]


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
    context
        The run (continuous in the epoch), the epoch tracker, colours and font.
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
        and colour bars included (default
        :data:`~nnviz.mobjects.diagram.geometry.GRAPH_REGION`).
    """

    #: The widest a class name beside a softmax output node may be (a longer one is scaled).
    CLASS_LABEL_WIDTH = 1.3

    def __init__(
        self,
        context: BlockContext,
        centre: tuple[float, float] = (-3.4, 0.45),
        column_gap: float = 2.75,
        row_gap: float = 1.85,
        heatmap_size: float = 1.0,
        heatmap_resolution: int = 100,
        box: Box | None = None,
        region: Box | None = None,
    ) -> None:
        super().__init__()
        self.trajectory = trajectory = context.trajectory
        self.clock = context.clock
        self.theme = theme = context.theme
        self.box = input_box(trajectory) if box is None else box
        self.region = GRAPH_REGION if region is None else region
        self.colors = (ManimColor(theme.negative), ManimColor(theme.positive))
        hidden = tuple(int(w) for w in trajectory.run.hidden_widths)
        self.hidden_widths = hidden
        config = trajectory.run.config
        #: Whether the output is a softmax of one unit per class (else one sigmoid unit).
        self.softmax = config.output_head.link == "softmax"
        #: The name of every class, as the run names them (a CSV file's labels).
        self.class_names = class_names(trajectory.run)
        self.widths = (2, *hidden, config.output_units)
        self.classic = hidden == (2,) and not self.softmax
        self.colormaps = [
            ActivationColormap.for_run(trajectory, theme, layer) for layer in range(len(hidden))
        ]
        self.colormap = self.colormaps[0]
        self.heatmap_resolution = heatmap_resolution
        shape = (heatmap_resolution, heatmap_resolution)
        self._grid = forward.grid_points(self.box[0], self.box[1], shape)
        placement = (
            classic_placement(centre, column_gap, row_gap, heatmap_size)
            if self.classic
            else column_placement(self.widths, self.region, self.softmax)
        )
        #: ``positions[k][i]``: the centre of unit ``i`` of layer ``k``; ``shapes[k][i]`` its
        #: outline; ``layer_views[l][i]`` hidden neuron ``i`` of layer ``l + 1``'s heatmap.
        self.positions = placement.positions
        self.shapes = placement.shapes
        self.layer_views = placement.layer_views
        self.ring_gap = placement.ring_gap
        self.side = placement.side
        if self.classic:
            self._draw_classic(placement)
        else:
            self._draw_columns(placement)

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

    # -- drawing ----------------------------------------------------------------------------

    def _draw_classic(self, placement: NodePlacement) -> None:
        """The post's 2-2-1 picture: round nodes, heatmaps above and below the hidden pair."""
        theme = self.theme
        points = [p for column in self.positions for p in column]
        self.nodes = VGroup(*(self._circle(p, placement.radius) for p in points))
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

    def _draw_columns(self, placement: NodePlacement) -> None:
        """Columns spread over :attr:`region`; hidden neurons as squares showing their heatmap,
        titled above and with their layer's colour bar below."""
        theme = self.theme
        radius, xs = placement.radius, placement.xs
        top, bottom = placement.top, placement.bottom
        ends = [*self.positions[0], *self.positions[-1]]
        self.nodes = VGroup(*(self._circle(p, radius) for p in ends))
        size = 34 * radius / NODE_RADIUS
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
                    theme_text(theme, words, font_size=16, color=theme.muted)
                    for words in (f"layer {layer + 1}", lookup(name).display)
                )
            ).arrange(DOWN, buff=0.08)
            if title.width > 0.9 * spacing:
                title.scale_to_fit_width(0.9 * spacing)
            titles.add(title.move_to(np.array([x, top + TITLE_ROOM / 2, 0.0])))
            bar = self.scale_legend(min(0.35 * spacing, 1.0), 14, layer)
            if bar.width > 0.85 * spacing:
                bar.scale_to_fit_width(0.85 * spacing)
            self.bars.add(bar.move_to(np.array([x, bottom - BAR_ROOM / 2, 0.0])))
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
            label = theme_text(self.theme, self.class_names[c], font_size=16, color=colors[c])
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

    def _link(self, k: int, j: int, i: int) -> Line:
        """The link from unit ``j`` of layer ``k`` to unit ``i`` of layer ``k + 1``."""
        start, end = link_ends(self.positions[k][j], self.positions[k + 1][i],
                               self.shapes[k][j], self.shapes[k + 1][i], self.ring_gap)  # fmt: skip
        return Line(start, end)

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
        low = theme_text(
            theme, f"{ends[0]:.2g}".replace("-", "−"), font_size=font_size, color=theme.muted
        )
        high = theme_text(theme, f"{ends[1]:.2g}", font_size=font_size, color=theme.muted)
        low.next_to(outline, LEFT, buff=0.1)
        high.next_to(outline, RIGHT, buff=0.1)
        return Group(bar, outline, low, high)
