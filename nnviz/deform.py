"""The hidden layers as a continuous deformation of their spaces, one layer after another.

After Chris Olah, "Neural Networks, Manifolds, and Topology" (2014): each hidden layer maps the
previous layer's space onto its own, and that map can be played as a movie. For a network with
``L`` hidden layers a parameter ``s`` in ``[0, 3 L]`` runs through three stages per layer, each
with a local time ``t`` in ``[0, 1]``. Stages ``3 (k - 1) + 1``, ``+ 2`` and ``+ 3`` belong to
hidden layer ``k`` (1-based), which acts on ``h = h_{k-1}`` (``h_0 = x``):

1. the linear map, ``h -> (1 - t) pad(h) + t pad(W_k h)``;
2. the shift, ``W_k h -> W_k h + t b_k``;
3. the activation, ``z -> (1 - t) z + t a_k(z)`` with ``z = W_k h + b_k``.

When the layer keeps the width (``W_k`` square) ``pad`` is the identity and stage 1 is the
straight interpolation of the one-layer movie. When the width changes, both ends are embedded in
the larger of the two spaces by zero-padding (``pad`` appends zeros up to ``max(d_in, d_out)``
coordinates), so stage 1 is a straight path in that space: a 2-D input lifted into 3-D starts on
the plane ``h_3 = 0`` and rises off it; a 3-D space flattened onto 2 units ends on the plane of
its first two coordinates, which *is* the 2-D space of stage 2. Points during stage 1 therefore
have ``max(d_in, d_out)`` coordinates and afterwards ``d_out``; dropping the trailing zeros at
the stage's end changes the representation only and moves no point.

``s = 0`` is the identity, ``s = 3 L`` is the last hidden layer's output
(:func:`nnviz.forward.layer_outputs`), and the stages agree where they meet (up to that zero
padding), so the picture moves continuously. Everything is vectorised over points; the grid
lines drawn by a scene are just densely sampled points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz import forward
from nnviz.contour import level_segments
from nnviz.forward import Activations, Weights
from nnviz.heads import head
from nnviz.ties import logit_tie_lines

__all__ = [
    "MAX_DRAWN_WIDTH",
    "STAGES",
    "STAGE_FORMULAS",
    "STAGE_NAMES",
    "STAGE_WORDS",
    "Box",
    "StageWords",
    "apply_stage",
    "deform",
    "deform_lines",
    "grid_lines",
    "layer_and_kind",
    "pull_back_boundary",
    "space_widths",
    "stage_count",
    "stage_formulas",
    "stage_labels",
    "stage_name",
    "stage_names",
    "stage_of",
    "too_wide_message",
]

#: Stages of each hidden layer (linear map, shift, activation); ``s`` lies in ``[0, 3 L]``.
STAGES = 3


@dataclass(frozen=True)
class StageWords:
    """How one stage of a hidden layer is written, in templates of the layer's symbols:
    ``{W}`` its linear image ``W_k`` of its input, ``{b}`` its bias ``b_k``, ``{a}`` its
    activation (``a``, or ``a_k`` in a network of several layers), ``{start}`` and ``{end}``
    the linear map's ends (with ``, 0`` where the width changes).

    Attributes
    ----------
    caption
        The stage's caption, Unicode text.
    label
        Its name on the stage bar of a one-layer network, Unicode text.
    formula
        Its map, TeX.
    """

    caption: str
    label: str
    formula: str


#: The three stages of a hidden layer, in order: the one table of their captions, bar labels
#: and formulas (:func:`stage_names`, :func:`stage_labels`, :func:`stage_formulas`).
STAGE_WORDS: tuple[StageWords, ...] = (
    StageWords("linear map {W}", "{W}", r"{start} \;\mapsto\; (1-t)\,{start} + t\,{end}"),
    StageWords("shift + {b}", "+ {b}", r"{W} \;\mapsto\; {W} + t\,{b}"),
    StageWords("activation {a}(z)", "{a}(z)", r"z \;\mapsto\; (1-t)\,z + t\,{a}(z)"),
)
#: The widest space the deformation can draw (a 3-D view).
MAX_DRAWN_WIDTH = 3

#: A box in the plane, ``((x_min, x_max), (y_min, y_max))``.
Box = tuple[tuple[float, float], tuple[float, float]]

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def stage_count(weights: Weights) -> int:
    """Return the number of stages of ``weights``' movie, ``3 L`` for ``L`` hidden layers."""
    return STAGES * (weights.layers - 1)


def stage_of(s: float, hidden_layers: int = 1) -> tuple[int, float]:
    """Return the stage (1 to ``3 L``) that ``s`` falls in and the stage's local time ``t``.

    ``s`` is clamped to ``[0, 3 L]`` with ``L = hidden_layers``. Each stage owns its end:
    ``s = 1`` is stage 1 at ``t = 1`` (the linear map complete), not stage 2 at ``t = 0``;
    ``s = 0`` is stage 1 at ``t = 0``. Both readings give the same points, as the stages agree at
    their boundaries.
    """
    last = STAGES * int(hidden_layers)
    s = float(min(max(s, 0.0), float(last)))
    stage = max(int(np.ceil(s)), 1)
    return stage, s - (stage - 1)


def layer_and_kind(stage: int) -> tuple[int, int]:
    """Return the hidden layer (1-based) of ``stage`` and its kind (1 linear, 2 shift, 3
    activation)."""
    return (stage - 1) // STAGES + 1, (stage - 1) % STAGES + 1


def _symbols(k: int, widths: tuple[int, ...], tex: bool) -> dict[str, str]:
    """Return the symbols of layer ``k`` (from 1) of a movie through spaces of ``widths``
    (input first) for the templates of :data:`STAGE_WORDS`: in TeX, or in Unicode text."""

    def sub(n: int) -> str:
        return f"_{{{n}}}" if tex else str(n).translate(_SUBSCRIPTS)

    source = "x" if k == 1 else f"h{sub(k - 1)}"
    image = f"W{sub(k)} {source}" if tex else f"W{sub(k)}{source}"
    return {
        "W": image,
        "b": f"b{sub(k)}",
        "a": "a" if len(widths) == 2 else f"a{sub(k)}",
        "start": f"({source}, 0)" if widths[k - 1] < widths[k] else source,
        "end": f"({image}, 0)" if widths[k - 1] > widths[k] else image,
    }


def stage_names(hidden_layers: int = 1) -> tuple[str, ...]:
    """Return the caption of every stage of a network with ``hidden_layers`` hidden layers.

    One hidden layer gives :data:`STAGE_NAMES`; more prefix each caption with its layer, as in
    ``"layer 2: linear map W₂h₁"``.
    """
    widths = (0,) * (hidden_layers + 1)  # a caption does not show a change of width
    names: list[str] = []
    for k in range(1, hidden_layers + 1):
        symbols = _symbols(k, widths, tex=False)
        prefix = "" if hidden_layers == 1 else f"layer {k}: "
        names += [prefix + words.caption.format(**symbols) for words in STAGE_WORDS]
    return tuple(names)


def stage_labels() -> tuple[str, ...]:
    """Return the names of the three stages on the stage bar of a one-hidden-layer network
    (``W₁x``, ``+ b₁``, ``a(z)``)."""
    return tuple(words.label.format(**_symbols(1, (0, 0), tex=False)) for words in STAGE_WORDS)


def stage_formulas(widths: tuple[int, ...]) -> tuple[str, ...]:
    """Return the formula of every stage (TeX) of a movie through spaces of ``widths`` (input
    first): :data:`STAGE_FORMULAS` for one hidden layer of 2 units. A linear map that changes
    the width says how the smaller space is embedded, ``(x, 0)``."""
    return tuple(
        words.formula.format(**_symbols(k, widths, tex=True))
        for k in range(1, len(widths))
        for words in STAGE_WORDS
    )


#: Caption of each stage of a one-hidden-layer network, in order.
STAGE_NAMES: tuple[str, ...] = stage_names(1)
#: The formula of each stage of a one-hidden-layer network of 2 units, TeX.
STAGE_FORMULAS: tuple[str, ...] = stage_formulas((2, 2))


def stage_name(s: float, hidden_layers: int = 1) -> str:
    """Return the caption of the stage that ``s`` falls in (see :func:`stage_of`)."""
    return stage_names(hidden_layers)[stage_of(s, hidden_layers)[0] - 1]


def space_widths(weights: Weights) -> tuple[int, ...]:
    """Return the width of every space the movie passes through: the input, then each hidden
    layer's."""
    return (int(weights.W[0].shape[1]), *weights.hidden_widths)


def too_wide_message(widths: tuple[int, ...]) -> str | None:
    """Return why a network whose spaces have ``widths`` (input first, then each hidden layer)
    cannot be shown, or ``None`` when every space has at most :data:`MAX_DRAWN_WIDTH`
    dimensions."""
    for index, width in enumerate(widths):
        if width > MAX_DRAWN_WIDTH:
            where = "the input has" if index == 0 else f"layer {index} has"
            return (
                f"nnviz: the deformation shows spaces of up to {MAX_DRAWN_WIDTH} dimensions; "
                f"{where} {width} units"
            )
    return None


def _pad(points: np.ndarray, width: int) -> np.ndarray:
    missing = width - points.shape[1]
    if missing <= 0:
        return points
    return np.hstack([points, np.zeros((len(points), missing))])


def apply_stage(
    points: np.ndarray, weights: Weights, activation: Activations, stage: int, t: float
) -> np.ndarray:
    """Return the points after ``stage`` has run for local time ``t`` in ``[0, 1]``.

    Parameters
    ----------
    points
        Input points ``x``, shape ``(N, D)``.
    weights
        The network's weights (any widths and depth).
    activation
        The hidden activations, one name for all layers or one per hidden layer.
    stage
        1 to ``3 L``; its layer and kind as in :func:`layer_and_kind` and the module's
        description.
    t
        The stage's local time.

    Returns
    -------
    numpy.ndarray
        The moved points: shape ``(N, max(d_in, d_out))`` during a linear-map stage with
        ``t > 0`` (the zero-padded embedding), ``(N, d_in)`` at its ``t = 0`` (the input
        itself, so that ``s = 0`` is exactly the identity), ``(N, d_out)`` during a shift or
        activation stage.
    """
    hidden_layers = weights.layers - 1
    if not 1 <= stage <= STAGES * hidden_layers:
        raise ValueError(f"stage must be 1 to {STAGES * hidden_layers}, got {stage!r}")
    names = forward.layer_activations(activation, hidden_layers)
    layer, kind = layer_and_kind(stage)
    h = np.asarray(points, dtype=np.float64)
    if layer > 1:
        h = forward.layer_outputs(h, weights, activation)[layer - 2][1]
    W, b = weights.W[layer - 1], weights.b[layer - 1]
    linear = h @ W.T
    if kind == 1:
        if t == 0.0:
            return h  # the stage's start is its input, in the input's own coordinates
        width = max(h.shape[1], linear.shape[1])
        return (1.0 - t) * _pad(h, width) + t * _pad(linear, width)
    if kind == 2:
        return linear + t * b
    z = linear + b
    return (1.0 - t) * z + t * forward.activate(z, names[layer - 1])


def deform(points: np.ndarray, weights: Weights, activation: Activations, s: float) -> np.ndarray:
    """Return the points moved by the hidden layers' deformation at parameter ``s``.

    Parameters
    ----------
    points
        Input points, shape ``(N, D)``.
    weights
        The network's weights.
    activation
        The hidden activations.
    s
        Position in the movie, clamped to ``[0, 3 L]`` (so overshooting rate functions are
        safe): ``0`` is the identity, ``3 L`` is the last hidden layer's output.

    Returns
    -------
    numpy.ndarray
        The deformed points (see :func:`apply_stage` for their number of coordinates).
    """
    stage, t = stage_of(s, weights.layers - 1)
    return apply_stage(points, weights, activation, stage, t)


def grid_lines(box: Box, count: int, samples: int) -> np.ndarray:
    """Return the straight lines of a grid over ``box``, densely sampled so that they can bend.

    Parameters
    ----------
    box
        ``((x_min, x_max), (y_min, y_max))``; a square box gives a square grid.
    count
        Lines in each direction, evenly spaced and including the box's edges (at least 2).
    samples
        Points along each line, including both ends (at least 2).

    Returns
    -------
    numpy.ndarray
        Shape ``(2 * count, samples, 2)``: first the ``count`` horizontal lines (bottom to top,
        each running left to right), then the ``count`` vertical lines (left to right, each
        running bottom to top).
    """
    if count < 2 or samples < 2:
        raise ValueError(f"count and samples must be at least 2, got {count} and {samples}")
    (x0, x1), (y0, y1) = box
    xs_lines, ys_lines = np.linspace(x0, x1, count), np.linspace(y0, y1, count)
    xs_along, ys_along = np.linspace(x0, x1, samples), np.linspace(y0, y1, samples)
    horizontal = np.stack(np.broadcast_arrays(xs_along[None, :], ys_lines[:, None]), axis=-1)
    vertical = np.stack(np.broadcast_arrays(xs_lines[:, None], ys_along[None, :]), axis=-1)
    return np.concatenate([horizontal, vertical]).astype(np.float64)


def deform_lines(
    lines: np.ndarray, weights: Weights, activation: Activations, s: float
) -> np.ndarray:
    """Return every sample of ``lines`` (shape ``(..., D)``) moved by :func:`deform` at ``s``;
    the last axis takes the moved points' number of coordinates."""
    lines = np.asarray(lines, dtype=np.float64)
    moved = deform(lines.reshape(-1, lines.shape[-1]), weights, activation, s)
    return moved.reshape(*lines.shape[:-1], moved.shape[-1])


def pull_back_boundary(
    weights: Weights,
    activation: Activations,
    box: Box,
    resolution: int | tuple[int, int],
    output: str = "sigmoid",
) -> np.ndarray:
    """Return the output's boundary in the last hidden space pulled back to the input plane,
    as segments.

    The pull-back is the set of inputs whose hidden image lies on the boundary of the last
    hidden space, which is exactly the network's decision boundary; the output head
    (:mod:`nnviz.heads`) says what that boundary is:

    - one sigmoid unit (``boundary == "level"``): the line ``w·h + b = 0``, i.e. where the
      logit ``W2 a(W1 x + b1) + b2`` is zero, the 0.5 contour of the probability. It is
      traced with :func:`nnviz.contour.level_segments` at level 0 on the logits sampled at
      the pixel centres of :func:`nnviz.forward.grid_points`. Tracing the logit rather than
      the probability keeps the linear interpolation inside each cell exact wherever the
      logit is linear (a linear activation, or ReLU away from its kinks); elsewhere an end
      point is off the true boundary by at most one pixel.
    - ``k`` softmax units (``boundary == "ties"``): where the two largest logits tie, traced
      on the same pixel centres by :func:`nnviz.ties.logit_tie_lines` (each pair's zero line
      of ``z_i − z_j``, cut where a third class passes them), exact in the same way.

    Parameters
    ----------
    weights
        The network's weights (any number of hidden neurons).
    activation
        The hidden activation.
    box
        ``((x_min, x_max), (y_min, y_max))`` in input units.
    resolution
        Sampling grid as ``(rows, cols)``, or one number for a square grid.
    output
        The output head's name (:data:`nnviz.heads.HEADS`).

    Returns
    -------
    numpy.ndarray
        Segments in input units, shape ``(M, 2, 2)``; ``M`` is 0 when the boundary misses the box.
    """
    shape = (resolution, resolution) if isinstance(resolution, int) else tuple(resolution)
    rows, cols = int(shape[0]), int(shape[1])
    x_range, y_range = box
    if head(output).boundary == "ties":
        planes = forward.class_logit_grid(weights, activation, x_range, y_range, (rows, cols))
        return logit_tie_lines(planes, x_range, y_range).segments
    points = forward.grid_points(x_range, y_range, (rows, cols))
    values = forward.logits(points, weights, activation).reshape(rows, cols)
    return level_segments(values, x_range, y_range, level=0.0)
