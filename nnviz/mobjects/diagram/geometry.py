"""Where the network diagram's parts go, in plain numpy: nodes, their shapes, links' ends, the
heatmap squares, the region a layout gives the diagram and where its link legend sits.

Nothing here draws; :class:`~nnviz.mobjects.diagram.graph.NetworkGraph` and
:class:`~nnviz.mobjects.diagram.layout.NetworkLayout` build their mobjects at these places.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.view import Box, Viewport

__all__ = [
    "BAR_ROOM",
    "DEEP_REGION",
    "GRAPH_REGION",
    "LINK_WIDTH_PER_UNIT",
    "LINK_WIDTH_RANGE",
    "NODE_RADIUS",
    "RING_GAP",
    "SHALLOW_REGION",
    "SOFTMAX_DEEP_REGION",
    "SOFTMAX_LIVE_REGION",
    "SQUARE_GAP",
    "TITLE_ROOM",
    "NodePlacement",
    "NodeShape",
    "classic_legend_anchors",
    "classic_placement",
    "column_placement",
    "diagram_region",
    "edge_point",
    "link_ends",
    "link_legend_anchor",
    "link_width",
]

#: Stroke width (Manim units) per unit of ``|w|``.
LINK_WIDTH_PER_UNIT = 3.0
#: Thinnest and widest stroke of a link or bias ring: near-zero weights stay visible, large
#: ones do not swallow the diagram.
LINK_WIDTH_RANGE = (0.6, 11.0)

#: Radius of a round node (the post's 2-2-1 picture; the largest any node gets).
NODE_RADIUS = 0.3
#: Gap between a node and its bias ring (the largest it gets).
RING_GAP = 0.12
#: Gap between two squares of a column, as a share of the square's side.
SQUARE_GAP = 0.35
#: Room above the nodes for the column titles, below them for the colour bars.
TITLE_ROOM, BAR_ROOM = 0.6, 0.55

#: Where a network other than 2-2-1 is drawn by default (and the 2-2-1 diagram's region).
GRAPH_REGION: Box = ((-6.7, 1.6), (-2.05, 2.95))
#: Where a network without live weights is drawn: down to the one-line formula.
DEEP_REGION: Box = ((-6.7, 1.6), (-2.95, 2.95))
#: Where another network with live weights is drawn: the weights take the bottom row, the
#: link legend the right of the diagram.
SHALLOW_REGION: Box = ((-6.7, -0.9), (-2.05, 2.95))
#: A softmax output's network: its class names right of the output nodes, and, with live
#: weights, the weights into each output node right of them.
SOFTMAX_LIVE_REGION: Box = ((-6.7, -2.6), (-2.05, 2.95))
SOFTMAX_DEEP_REGION: Box = ((-6.7, 0.4), (-2.95, 2.95))

#: A node's outline: ``("circle", radius)`` or ``("square", half side)``.
NodeShape = tuple[str, float]


def link_width(values: np.ndarray) -> np.ndarray:
    """Return the stroke width of links (or bias rings) of weights ``values``:
    ``LINK_WIDTH_PER_UNIT·|w|`` clipped to :data:`LINK_WIDTH_RANGE`."""
    low, high = LINK_WIDTH_RANGE
    return np.clip(LINK_WIDTH_PER_UNIT * np.abs(np.asarray(values, dtype=np.float64)), low, high)


@dataclass(frozen=True)
class NodePlacement:
    """Where every node of a diagram goes and what it looks like.

    Attributes
    ----------
    positions
        ``positions[k][i]``: the centre of unit ``i`` of layer ``k`` (0 the inputs, the last
        the output), a point ``(x, y, 0)`` in scene units.
    shapes
        ``shapes[k][i]``: that unit's outline (:data:`NodeShape`).
    layer_views
        ``layer_views[l][i]``: the square hidden neuron ``i`` of hidden layer ``l + 1`` shows
        its heatmap in.
    radius
        The radius of the round nodes.
    ring_gap
        The gap between a node and its bias ring.
    side
        The side of a hidden neuron's square (of its heatmap).
    xs
        The x of every column.
    top, bottom
        The top and bottom of the nodes' room: column titles go above, colour bars below.
    """

    positions: list[list[np.ndarray]]
    shapes: list[list[NodeShape]]
    layer_views: list[list[Viewport]]
    radius: float
    ring_gap: float
    side: float
    xs: np.ndarray
    top: float
    bottom: float


def classic_placement(
    centre: tuple[float, float], column_gap: float, row_gap: float, size: float
) -> NodePlacement:
    """Return the post's 2-2-1 picture: round nodes in three columns ``column_gap`` apart
    around ``centre``, the hidden pair ``row_gap`` apart, and each hidden neuron's heatmap of
    side ``size`` beside it (above the upper one, below the lower one)."""
    cx, cy = centre
    top, bottom = cy + row_gap / 2, cy - row_gap / 2
    r = NODE_RADIUS
    positions = [
        [np.array([cx - column_gap, y, 0.0]) for y in (top, bottom)],
        [np.array([cx, y, 0.0]) for y in (top, bottom)],
        [np.array([cx + column_gap, cy, 0.0])],
    ]
    shapes: list[list[NodeShape]] = [[("circle", r)] * 2, [("circle", r)] * 2, [("circle", r)]]
    offset = r + RING_GAP + 0.2 + size / 2
    views = [
        [
            Viewport((cx, float(top + offset)), size, size),
            Viewport((cx, float(bottom - offset)), size, size),
        ]
    ]
    xs = np.array([cx - column_gap, cx, cx + column_gap])
    return NodePlacement(positions, shapes, views, r, RING_GAP, size, xs, top, bottom)


def column_placement(widths: tuple[int, ...], region: Box, softmax: bool) -> NodePlacement:
    """Return a network drawn as TensorFlow Playground draws it: columns of ``widths`` units
    spread over ``region``, inputs and outputs round, each hidden neuron a square (its
    heatmap), sizes shrunk so that the tallest column and every ring fit; a ``softmax``
    output's k round nodes as far apart as the squares."""
    (x0, x1), (y0, y1) = region
    top, bottom = y1 - TITLE_ROOM, y0 + BAR_ROOM
    tallest = max(widths)
    room = top - bottom - 2 * RING_GAP  # the outer rings stay inside too
    side = min(1.0, room / (tallest + (tallest - 1) * SQUARE_GAP))
    pitch = side * (1 + SQUARE_GAP)
    radius = min(NODE_RADIUS, 0.45 * side + 0.05)
    ring_gap = min(RING_GAP, 0.1 * side + 0.01)
    if softmax:  # k output nodes with their rings, a column as tall as the squares'
        radius = min(radius, pitch / 2 - ring_gap - 0.04)
    xs = np.linspace(x0 + radius, x1 - radius - ring_gap, len(widths))
    cy = (top + bottom) / 2
    positions: list[list[np.ndarray]] = []
    shapes: list[list[NodeShape]] = []
    for k, width in enumerate(widths):
        step = max(pitch, 2 * radius + 0.5) if k in (0, len(widths) - 1) else pitch
        if width > 1:  # a tall output column (k classes) stays inside the region
            step = min(step, (room - 2 * radius) / (width - 1))
        ys = cy + (np.arange(width) - (width - 1) / 2) * -step
        positions.append([np.array([xs[k], y, 0.0]) for y in ys])
        round_node = k in (0, len(widths) - 1)
        shapes.append([("circle", radius) if round_node else ("square", side / 2)] * width)
    views = [
        [Viewport((float(p[0]), float(p[1])), side, side) for p in positions[k]]
        for k in range(1, len(widths) - 1)
    ]
    return NodePlacement(positions, shapes, views, radius, ring_gap, side, xs, top, bottom)


def edge_point(centre: np.ndarray, direction: np.ndarray, shape: NodeShape) -> np.ndarray:
    """Return where a ray from ``centre`` along unit ``direction`` leaves a node's ``shape``."""
    kind, size = shape
    if kind == "circle":
        return centre + direction * size
    return centre + direction * size / max(abs(direction[0]), abs(direction[1]))


def link_ends(
    start: np.ndarray, end: np.ndarray, start_shape: NodeShape, end_shape: NodeShape,
    ring_gap: float,
) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Return the ends of the link from the node at ``start`` to the node at ``end``: on the
    first node's outline and on the second's bias ring (``ring_gap`` outside its outline)."""
    direction = (end - start) / np.linalg.norm(end - start)
    kind, size = end_shape
    return (
        edge_point(start, direction, start_shape),
        edge_point(end, -direction, (kind, size + ring_gap)),
    )


def diagram_region(live: bool, hidden_widths: tuple[int, ...], softmax: bool) -> Box:
    """Return the region a network layout gives its diagram: the default one for the post's
    2-2-1 network with its ``live`` weights below, :data:`SHALLOW_REGION` for another network
    with live weights, :data:`DEEP_REGION` (down to the one-line formula) without; a softmax
    output's :data:`SOFTMAX_LIVE_REGION` or :data:`SOFTMAX_DEEP_REGION`."""
    if softmax:
        return SOFTMAX_LIVE_REGION if live else SOFTMAX_DEEP_REGION
    if not live:
        return DEEP_REGION
    return GRAPH_REGION if tuple(hidden_widths) == (2,) else SHALLOW_REGION


def classic_legend_anchors(
    views: list[Viewport],
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Return where the 2-2-1 diagram's legend goes beside its two heatmaps ``views``: the
    first row of link colours right of the upper heatmap, a little above its centre, and the
    left end of the activation scale right of the lower one, a little below its centre."""
    upper, lower = views
    return (
        (upper.centre[0] + upper.width / 2 + 0.45, upper.centre[1] + 0.3),
        (lower.centre[0] + lower.width / 2 + 0.45, lower.centre[1] - 0.3),
    )


def link_legend_anchor(region: Box, softmax: bool) -> tuple[float, float]:
    """Return where the link legend of a diagram in ``region`` starts (its first row's left
    end): right of a diagram that leaves room there (not a softmax one, whose class names take
    it), else below the input plane beside the probability legend."""
    (_, right), (bottom, top) = region
    if right <= 0 and not softmax:
        return right + 0.35, (top + bottom) / 2 + 0.5
    return 2.45, -2.55
