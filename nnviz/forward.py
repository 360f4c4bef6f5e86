"""The maths of the picture: the network's forward pass in plain numpy, for any depth.

Every function accepts the weights of one state; all work is vectorised over points.

A :class:`Space` names a place the data passes through: the input plane, or a hidden layer's
affine output ``z = W x + b`` (before its activation) or its activation ``h = a(z)``. Every
space has points (:func:`to_space`) and a probability field, the rest of the network from
there (:func:`rest_probability`; for any output head, one sigmoid unit or ``k`` softmax units,
:func:`rest_logits` and :func:`rest_class_probabilities`, of shapes ``(N, units)`` and
``(N, k)``). On a picture's grid of pixels, :func:`probability_grid` and, for any head,
:func:`class_logit_grid` (class-major logits, the pictures' fast path) and
:func:`class_probability_grid`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nnviz.activations import activation as lookup_activation
from nnviz.activations import sigmoid
from nnviz.heads import head

__all__ = [
    "HIDDEN",
    "HIDDEN_AFFINE",
    "INPUT",
    "PICTURE_DTYPE",
    "Activations",
    "FirstLayersByName",
    "Space",
    "Stage",
    "Weights",
    "accuracy",
    "activate",
    "bce_from_logits",
    "class_logit_grid",
    "class_probability_grid",
    "coverage",
    "epoch_chunks",
    "grid_points",
    "hidden",
    "layer_activations",
    "layer_outputs",
    "layer_outputs_per_epoch",
    "logits",
    "output_line",
    "output_logits",
    "probabilities",
    "probability_grid",
    "rest_class_probabilities",
    "rest_logits",
    "rest_probability",
    "sigmoid",
    "to_space",
    "to_space_stacked",
]

#: Where in a layer: its affine output (before the activation) or its activation.
Stage = Literal["affine", "activation"]


@dataclass(frozen=True)
class Space:
    """A space the data passes through.

    Attributes
    ----------
    layer
        0 for the input plane, ``l >= 1`` for hidden layer ``l``.
    stage
        For a hidden layer: ``"affine"``, its output ``z = W x + b`` before the activation, or
        ``"activation"``, ``h = a(z)``. Ignored for the input plane.
    """

    layer: int = 1
    stage: Stage = "activation"

    def __post_init__(self) -> None:
        if self.layer < 0:
            raise ValueError(f"layer must be at least 0, got {self.layer}")
        if self.stage not in ("affine", "activation"):
            raise ValueError(f"unknown stage {self.stage!r}; use 'affine' or 'activation'")


#: The input plane.
INPUT = Space(0)
#: The first hidden layer's activation space and its affine (pre-activation) space.
HIDDEN = Space(1, "activation")
HIDDEN_AFFINE = Space(1, "affine")


#: One activation for every hidden layer, or one per layer.
Activations = str | Sequence[str]


class FirstLayersByName:
    """``W1, b1, W2, b2`` by name, for a holder of per-layer tuples ``W`` and ``b`` (the
    weights of one state, or of every logged epoch); ``W2``, ``b2`` are the output layer's in a
    network of one hidden layer."""

    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]

    @property
    def W1(self) -> np.ndarray:
        """The first layer's weights."""
        return self.W[0]

    @property
    def b1(self) -> np.ndarray:
        """The first layer's biases."""
        return self.b[0]

    @property
    def W2(self) -> np.ndarray:
        """The second layer's weights."""
        return self.W[1]

    @property
    def b2(self) -> np.ndarray:
        """The second layer's biases."""
        return self.b[1]


class Weights(FirstLayersByName):
    """The parameters of one network state: ``W1, b1, W2, b2, …, W_{L+1}, b_{L+1}``.

    Layer ``k`` maps its input ``v`` to ``W_k v + b_k``; ``W_k`` has shape ``(out, in)`` and
    ``b_k`` shape ``(out,)``. The first layer takes the two inputs, the last gives the output
    logit(s); the layers between are the hidden layers.

    Parameters
    ----------
    arrays
        ``W1, b1, W2, b2, …`` in order (at least two layers).
    named
        The same by name (``W1=…, b1=…, …``), instead of ``arrays``.
    """

    __slots__ = ("W", "b")

    def __init__(self, *arrays: np.ndarray, **named: np.ndarray) -> None:
        if named:
            if arrays:
                raise TypeError("give the arrays in order or by name, not both")
            count = len(named) // 2
            try:
                arrays = tuple(named[f"{p}{k}"] for k in range(1, count + 1) for p in "Wb")
            except KeyError as missing:
                raise TypeError(f"missing weight array {missing}") from None
        if len(arrays) < 4 or len(arrays) % 2:
            raise ValueError("weights need W1, b1, W2, b2 and so on: an even number, at least 4")
        self.W: tuple[np.ndarray, ...] = tuple(np.asarray(a) for a in arrays[0::2])
        self.b: tuple[np.ndarray, ...] = tuple(np.asarray(a) for a in arrays[1::2])

    @property
    def layers(self) -> int:
        """Number of weight layers, hidden layers plus the output layer."""
        return len(self.W)

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        """The width of every hidden layer."""
        return tuple(int(W.shape[0]) for W in self.W[:-1])

    def arrays(self) -> tuple[np.ndarray, ...]:
        """Return ``W1, b1, W2, b2, …`` in order."""
        return tuple(a for pair in zip(self.W, self.b, strict=True) for a in pair)

    def astype(self, dtype: type | np.dtype) -> Weights:
        """Return the weights converted to ``dtype``."""
        return Weights(*(np.asarray(a, dtype=dtype) for a in self.arrays()))


def layer_activations(activation: Activations, layers: int) -> tuple[str, ...]:
    """Return the activation of each of ``layers`` hidden layers (one name is every layer's)."""
    if isinstance(activation, str):
        return (activation,) * layers
    names = tuple(activation)
    if len(names) != layers:
        raise ValueError(f"{len(names)} activations for {layers} hidden layers")
    return names


def activate(z: np.ndarray, activation: str) -> np.ndarray:
    """Apply the hidden activation named ``activation`` (see :mod:`nnviz.activations`)."""
    return lookup_activation(activation).numpy(z)


def layer_outputs(
    X: np.ndarray, weights: Weights, activation: Activations
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return ``(z_l, h_l)`` of every hidden layer: its affine output and its activation."""
    names = layer_activations(activation, weights.layers - 1)
    out = []
    h = X
    for W, b, name in zip(weights.W[:-1], weights.b[:-1], names, strict=True):
        z = h @ W.T + b
        h = activate(z, name)
        out.append((z, h))
    return out


def layer_outputs_per_epoch(
    X: np.ndarray,
    W: Sequence[np.ndarray],
    b: Sequence[np.ndarray],
    activation: Activations,
    epochs: slice = slice(None),
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Return :func:`layer_outputs` at many logged epochs at once: ``(z_l, h_l)`` of every
    hidden layer, each of shape ``(epochs, N, width_l)``.

    ``W[k]`` and ``b[k]`` are stacked over epochs as a run file stores them, shapes
    ``(E + 1, out, in)`` and ``(E + 1, out)``; ``epochs`` picks the logged epochs.
    """
    names = layer_activations(activation, len(W) - 1)
    out = []
    h = np.broadcast_to(X, (len(W[0][epochs]), *np.shape(X)))
    for Wk, bk, name in zip(W[:-1], b[:-1], names, strict=True):
        z = np.einsum("enk,ehk->enh", h, Wk[epochs]) + bk[epochs][:, None, :]
        h = activate(z, name)
        out.append((z, h))
    return out


def epoch_chunks(states: int, points: int, width: int, budget: int = 2**22) -> list[slice]:
    """Return slices of the ``states`` logged epochs so that a stacked pass over one slice
    (:func:`layer_outputs_per_epoch`) holds at most about ``budget`` numbers per array of
    ``points`` x ``width``: large data sets are then summarised chunk by chunk, in bounded
    memory."""
    step = max(1, budget // max(points * width, 1))
    return [slice(start, min(start + step, states)) for start in range(0, states, step)]


def hidden(X: np.ndarray, weights: Weights, activation: Activations) -> np.ndarray:
    """Return the first hidden layer's activations ``a(X W1ᵀ + b1)``, shape ``(N, H1)``."""
    names = layer_activations(activation, weights.layers - 1)
    return activate(X @ weights.W1.T + weights.b1, names[0])


def logits(X: np.ndarray, weights: Weights, activation: Activations) -> np.ndarray:
    """Return the output logits for the points ``X``, shape ``(N,)``."""
    last = layer_outputs(X, weights, activation)[-1][1]
    return last @ weights.W[-1][0] + weights.b[-1][0]


def probabilities(X: np.ndarray, weights: Weights, activation: Activations) -> np.ndarray:
    """Return the network's probability of class 1 at the points ``X``, shape ``(N,)``."""
    return sigmoid(logits(X, weights, activation))


def _check_layer(weights: Weights, space: Space) -> None:
    hidden_layers = weights.layers - 1
    if space.layer > hidden_layers:
        plural = "layer" if hidden_layers == 1 else "layers"
        raise ValueError(f"the network has {hidden_layers} hidden {plural}, not {space.layer}")


def to_space(X: np.ndarray, weights: Weights, activation: Activations, space: Space) -> np.ndarray:
    """Return where the inputs ``X`` (N, 2) sit in ``space``: ``X`` itself, hidden layer
    ``l``'s affine output ``z_l`` or its activation ``h_l``, shape (N, width)."""
    _check_layer(weights, space)
    if space.layer == 0:
        return np.asarray(X)
    names = layer_activations(activation, weights.layers - 1)
    h = X
    for k in range(space.layer):
        z = h @ weights.W[k].T + weights.b[k]
        if k == space.layer - 1 and space.stage == "affine":
            return z
        h = activate(z, names[k])
    return h


def to_space_stacked(
    X: np.ndarray,
    W: Sequence[np.ndarray],
    b: Sequence[np.ndarray],
    activation: Activations,
    space: Space,
) -> np.ndarray:
    """Return :func:`to_space` for many states of one network at once, shape (S, N, width).

    ``W[k]`` and ``b[k]`` hold layer ``k``'s weights of every state, shapes ``(S, out, in)``
    and ``(S, out)`` (for example interpolated between logged epochs).
    """
    hidden_layers = len(W) - 1
    if space.layer > hidden_layers:
        plural = "layer" if hidden_layers == 1 else "layers"
        raise ValueError(f"the network has {hidden_layers} hidden {plural}, not {space.layer}")
    states = len(W[0])
    h = np.broadcast_to(np.asarray(X), (states, *np.shape(X)))
    if space.layer == 0:
        return h
    names = layer_activations(activation, hidden_layers)
    for k in range(space.layer):
        z = np.matmul(h, np.swapaxes(W[k], 1, 2)) + b[k][:, None, :]
        if k == space.layer - 1 and space.stage == "affine":
            return z
        h = activate(z, names[k])
    return h


def _last_hidden(
    points: np.ndarray, weights: Weights, activation: Activations, space: Space
) -> np.ndarray:
    """Return the last hidden layer's activation reached from ``points`` of ``space``."""
    _check_layer(weights, space)
    names = layer_activations(activation, weights.layers - 1)
    h = points
    start = space.layer
    if space.layer >= 1 and space.stage == "affine":
        h = activate(points, names[space.layer - 1])
    for k in range(start, weights.layers - 1):
        h = activate(h @ weights.W[k].T + weights.b[k], names[k])
    return h


def rest_probability(
    points: np.ndarray, weights: Weights, activation: Activations, space: Space
) -> np.ndarray:
    """Return the probability of class 1 that the rest of the network gives to ``points`` of
    ``space`` (the network after that space), shape (N,)."""
    h = _last_hidden(points, weights, activation, space)
    return sigmoid(h @ weights.W[-1][0] + weights.b[-1][0])


def rest_logits(
    points: np.ndarray, weights: Weights, activation: Activations, space: Space
) -> np.ndarray:
    """Return the output logits that the rest of the network gives to ``points`` of ``space``,
    one column per output unit, shape ``(N, units)``.

    For one sigmoid unit the single column is the logit behind :func:`rest_probability`; for
    ``k`` softmax units, the ``k`` class scores (see :mod:`nnviz.heads`).
    """
    h = _last_hidden(points, weights, activation, space)
    return h @ weights.W[-1].T + weights.b[-1]


def output_logits(X: np.ndarray, weights: Weights, activation: Activations) -> np.ndarray:
    """Return the output logits of the inputs ``X`` (N, 2), one column per output unit, shape
    ``(N, units)`` (:func:`logits` is the one column of a one-unit output, shape ``(N,)``)."""
    return rest_logits(X, weights, activation, INPUT)


def rest_class_probabilities(
    points: np.ndarray,
    weights: Weights,
    activation: Activations,
    space: Space,
    output: str = "softmax",
) -> np.ndarray:
    """Return P(class c) that the rest of the network gives to ``points`` of ``space``, through
    the output head named ``output`` (:func:`nnviz.heads.head`), shape ``(N, k)``: one sigmoid
    unit gives the two columns 1 − p and p, ``k`` softmax units their softmax."""
    return head(output).probabilities(rest_logits(points, weights, activation, space))


def coverage(
    points: np.ndarray,
    box: tuple[tuple[float, float], tuple[float, float]],
    shape: tuple[int, int],
) -> np.ndarray:
    """Return which pixels of an image of ``box`` hold at least one of ``points`` (M, 2).

    With ``points`` the input plane's grid carried into a space (:func:`to_space` of
    :func:`grid_points`), this is where the plane lands: where a layer folds it (ReLU onto the
    axes) the grid piles up along the fold, where it squashes it (tanh) the grid is squeezed
    into the square, as in the post's pictures of its 200 x 200 grid.

    Returns
    -------
    numpy.ndarray
        Boolean, shape ``shape``; row 0 is the top of the box.
    """
    rows, cols = shape
    (x0, x1), (y0, y1) = box
    col = np.floor((points[:, 0] - x0) * (cols / (x1 - x0)))
    row = np.floor((y1 - points[:, 1]) * (rows / (y1 - y0)))
    inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
    covered = np.zeros(rows * cols, dtype=bool)
    covered[(row[inside] * cols + col[inside]).astype(np.intp)] = True
    return covered.reshape(shape)


def bce_from_logits(z: np.ndarray, y: np.ndarray) -> float:
    """Return the mean binary cross-entropy of labels ``y`` under logits ``z``, computed stably."""
    z = np.asarray(z, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.mean(np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def accuracy(z: np.ndarray, y: np.ndarray) -> float:
    """Return the share of points whose logit sign matches the label (``z > 0`` means class 1)."""
    return float(np.mean((np.asarray(z) > 0) == (np.asarray(y) == 1)))


#: The floating-point type of the pictures' meshes (not of the data's points, which stay float64).
PICTURE_DTYPE = np.float32


def grid_points(
    x_range: tuple[float, float], y_range: tuple[float, float], shape: tuple[int, int]
) -> np.ndarray:
    """Return the centres of an image's pixels as points, shape ``(rows * cols, 2)``.

    Row 0 is the top of the image (largest y), as in an image array; pixel centres sit half
    a pixel inside the ranges.
    """
    gx, gy = np.meshgrid(*_pixel_centres(x_range, y_range, shape))
    return np.column_stack([gx.ravel(), gy.ravel()])


def probability_grid(
    weights: Weights,
    activation: Activations,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    shape: tuple[int, int],
    space: Space = INPUT,
) -> np.ndarray:
    """Return the probability of class 1 at every pixel centre of an image of ``space`` (the
    input plane by default; see :func:`rest_probability`), shape ``shape``.

    Computed in float32, :data:`PICTURE_DTYPE`: a picture needs no more than 1e-6 of a colour
    step, and the mesh's forward pass through a deep network costs 2.5 times less. Over the
    input plane the first layer, ``W₁x + b₁``, is computed in float64 first: a file's columns
    may lie far from 0 on their own small ranges (values near 10⁶ that vary by a few units),
    where float32 keeps too few digits of ``x`` and of the nearly cancelling ``W₁x`` and
    ``b₁`` (0.01 of probability, three colour steps, at 10⁶).
    """
    low = weights.astype(PICTURE_DTYPE)
    points = grid_points(x_range, y_range, shape)
    if space.layer == 0:
        z = points @ np.asarray(weights.W[0], np.float64).T + np.asarray(weights.b[0], np.float64)
        first = Space(1, "affine")
        return rest_probability(z.astype(PICTURE_DTYPE), low, activation, first).reshape(shape)
    return rest_probability(points.astype(PICTURE_DTYPE), low, activation, space).reshape(shape)


def _pixel_centres(
    x_range: tuple[float, float], y_range: tuple[float, float], shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray]:
    """Return the x of every column's pixel centres and the y of every row's, float64 (row 0
    at the top, as :func:`grid_points`)."""
    rows, cols = shape
    dx = (x_range[1] - x_range[0]) / cols
    dy = (y_range[1] - y_range[0]) / rows
    return x_range[0] + dx * (np.arange(cols) + 0.5), y_range[1] - dy * (np.arange(rows) + 0.5)


def class_logit_grid(
    weights: Weights,
    activation: Activations,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    shape: tuple[int, int],
    space: Space = INPUT,
) -> np.ndarray:
    """Return the output logits at every pixel centre of an image of ``space`` (the input
    plane by default), class-major: shape ``(units, rows, cols)``, one plane per output unit
    (``k`` softmax units, or the one unit of a sigmoid output), float32.

    The picture's fast path (:meth:`nnviz.class_colors.ClassColormap.of_logits`,
    :func:`nnviz.ties.logit_tie_lines`): no probabilities, and every array is a few planes of
    ``rows · cols`` numbers, so each step is a plain elementwise pass or one matrix product
    ``W @ v`` over all pixels. The logits are those of :func:`rest_logits` at the pixel
    centres (:func:`grid_points`) up to float32 rounding: the pass runs in
    :data:`PICTURE_DTYPE`, except over the input plane the first layer, ``W₁x + b₁``, which is
    computed in float64 first (as :func:`probability_grid` does: columns near 10⁶), a column
    term per unit and pixel column plus a row term per unit and pixel row, since the grid is
    a product of its columns and rows.
    """
    _check_layer(weights, space)
    rows, cols = shape
    xs, ys = _pixel_centres(x_range, y_range, shape)
    names = layer_activations(activation, weights.layers - 1)
    if space.layer == 0:
        W = np.asarray(weights.W[0], np.float64)
        b = np.asarray(weights.b[0], np.float64)
        across = W[:, 0, None] * xs + b[:, None]  # (units, cols)
        down = W[:, 1, None] * ys  # (units, rows)
        v = (down[:, :, None] + across[:, None, :]).astype(PICTURE_DTYPE)
        v = v.reshape(len(W), rows * cols)
        start, affine = 1, True
    else:
        v = np.empty((2, rows, cols), dtype=PICTURE_DTYPE)
        v[0] = xs[None, :]
        v[1] = ys[:, None]
        v = v.reshape(2, rows * cols)
        start, affine = space.layer, space.stage == "affine"
    if affine and start >= 1:
        v = activate(v, names[start - 1])
    for k in range(start, weights.layers):
        W32 = np.asarray(weights.W[k], PICTURE_DTYPE)
        v = np.matmul(W32, v)
        v += np.asarray(weights.b[k], PICTURE_DTYPE)[:, None]
        if k < weights.layers - 1:
            v = activate(v, names[k])
    return v.reshape(len(v), rows, cols)


def class_probability_grid(
    weights: Weights,
    activation: Activations,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    shape: tuple[int, int],
    space: Space = INPUT,
    output: str = "softmax",
) -> np.ndarray:
    """Return P(class c) at every pixel centre of an image of ``space``, shape
    ``(rows, cols, k)``: :func:`probability_grid` for any output head.

    The head's probabilities (float64, every row summing to 1) of :func:`class_logit_grid`'s
    logits: the forward pass runs in :data:`PICTURE_DTYPE` as for :func:`probability_grid`,
    except over the input plane the first layer, ``W₁x + b₁``, which is computed in float64
    first: a file's columns may lie far from 0 on their own small ranges (values near 10⁶
    that vary by a few units), where float32 keeps too few digits of ``x`` and of the nearly
    cancelling ``W₁x`` and ``b₁``. A picture needs only the most probable class and its
    probability: :meth:`nnviz.class_colors.ClassColormap.of_logits` colours the logits
    directly, several times faster.
    """
    planes = class_logit_grid(weights, activation, x_range, y_range, shape, space)
    p = head(output).probabilities(planes.reshape(len(planes), -1).T)
    return p.reshape(*shape, p.shape[-1])


def output_line(
    weights: Weights, x_range: tuple[float, float], y_range: tuple[float, float]
) -> np.ndarray | None:
    """Return the segment of the output line ``w·h + b = 0`` inside a box of the last hidden
    layer's space.

    Only meaningful when the last hidden layer has two units.

    Returns
    -------
    numpy.ndarray or None
        The two end points, shape ``(2, 2)``, or ``None`` when the line misses the box (or the
        output weights are zero).
    """
    (w1, w2), b = weights.W[-1][0], weights.b[-1][0]
    (x0, x1), (y0, y1) = x_range, y_range
    candidates = []
    if w2 != 0:
        for x in (x0, x1):
            y = -(w1 * x + b) / w2
            if y0 <= y <= y1:
                candidates.append((x, y))
    if w1 != 0:
        for y in (y0, y1):
            x = -(w2 * y + b) / w1
            if x0 <= x <= x1:
                candidates.append((x, y))
    if len(candidates) < 2:
        return None
    # The two candidates furthest apart are the ends of the chord (a corner is found twice);
    # at most four points, so plain Python beats NumPy's per-call overhead on every frame.
    far, ends = 0.0, None
    for index, (xa, ya) in enumerate(candidates):
        for xb, yb in candidates[index + 1 :]:
            gap = math.hypot(xa - xb, ya - yb)  # no overflow for boxes of 1e200
            if gap > far:
                far, ends = gap, ((xa, ya), (xb, yb))
    if ends is None or far <= 1e-12:  # one point (the line only touches a corner)
        return None
    return np.array(ends, dtype=np.float64)
