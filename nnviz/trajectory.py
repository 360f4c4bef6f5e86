"""A run as a continuous path: the network's state at any real epoch ``t``.

Between logged epochs the weights are interpolated; everything on screen (probabilities,
hidden positions, loss) is then computed from the interpolated weights, so the picture at an
integer epoch is exactly the logged state and the picture in between is a real network.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.interpolate import PchipInterpolator

from nnviz import forward
from nnviz.forward import Weights
from nnviz.run import Run

__all__ = ["FrameState", "Interpolation", "Shapes", "Trajectory", "flat_states", "unflatten"]

#: The shape of every array of a network's weights, ``W1, b1, W2, …`` in order.
Shapes = tuple[tuple[int, ...], ...]


def flat_states(run: Run) -> np.ndarray:
    """Return every logged state of ``run`` as one vector each, ``W1, b1, W2, b2, …`` row by
    row: shape ``(E + 1, P)``."""
    per_layer = [a for pair in zip(run.W, run.b, strict=True) for a in pair]
    return np.concatenate([a.reshape(len(run.loss), -1) for a in per_layer], axis=1)


def unflatten(flat: np.ndarray, shapes: Shapes) -> list[np.ndarray]:
    """Return the arrays ``W1, b1, W2, …`` of vectors ``flat`` of shape ``(..., P)``, each of
    shape ``(..., *shape)`` (views where ``flat`` is contiguous): the inverse of
    :func:`flat_states` for one state, stacked weights for many."""
    flat = np.asarray(flat)
    lead = flat.shape[:-1]
    sizes = [int(np.prod(shape)) for shape in shapes]
    if flat.shape[-1] != sum(sizes):
        raise ValueError(f"{flat.shape[-1]} numbers for {sum(sizes)} parameters")
    arrays, start = [], 0
    for shape, size in zip(shapes, sizes, strict=True):
        arrays.append(flat[..., start : start + size].reshape(*lead, *shape))
        start += size
    return arrays


Interpolation = Literal["pchip", "linear"]
Range = tuple[float, float]


@dataclass(frozen=True)
class FrameState:
    """Everything the panels draw at one epoch ``t``, computed once and shared.

    Attributes
    ----------
    t
        The (possibly fractional) epoch, clamped to ``[0, E]``.
    weights
        The interpolated weights.
    layers
        ``(z_l, h_l)`` of every hidden layer ``l``: the data's affine output and activation.
    affine
        The first hidden layer's affine output (pre-activation) of the data, ``(N, h_1)``.
    hidden
        The first hidden layer's activations of the data, ``(N, h_1)``.
    logits
        Output logits of the data: shape ``(N,)`` for one sigmoid unit, ``(N, k)`` for ``k``
        softmax units (:mod:`nnviz.heads` turns them into probabilities and predictions).
    loss, accuracy
        Loss and accuracy of this state on the training points (every point without a test
        set).
    test_loss, test_accuracy
        Loss and accuracy on the held-out test points; ``None`` without a test set.
    hidden_range
        The smoothed view box of the hidden space, ``((h1_min, h1_max), (h2_min, h2_max))``.
    class_accuracies
        For ``k`` softmax units, each class's accuracy on the training points, shape ``(k,)``
        (NaN for a class without training points), computed like :attr:`accuracy` from this
        state's weights; ``None`` for one sigmoid unit.
    """

    t: float
    weights: Weights
    layers: tuple[tuple[np.ndarray, np.ndarray], ...]
    affine: np.ndarray
    hidden: np.ndarray
    logits: np.ndarray
    loss: float
    accuracy: float
    hidden_range: tuple[Range, Range]
    test_loss: float | None = None
    test_accuracy: float | None = None
    class_accuracies: np.ndarray | None = None


class Trajectory:
    """The states of a run at continuous epochs.

    Parameters
    ----------
    run
        The logged run.
    interpolation
        ``"pchip"`` (default): a shape-preserving, continuously differentiable cubic through
        every logged weight, so motion has no kinks at epochs and never overshoots the logged
        values between two epochs. ``"linear"``: straight lines between epochs (velocity jumps
        at every epoch).
    drawn
        Indices of the points the pictures draw (see :func:`nnviz.data.drawn_sample`);
        ``None`` for all. Loss and accuracy are always those of all the run's points.

    Attributes
    ----------
    X, y, test
        The drawn points, their labels and which of them are test points (``None`` without a
        test set); every :class:`FrameState` array of points is of these.
    """

    #: Samples per epoch used to compute the hidden-space view.
    VIEW_SAMPLES_PER_EPOCH = 4
    #: Half-width, in epochs, of the window the hidden-space view looks ahead and behind.
    VIEW_WINDOW_EPOCHS = 3.0

    def __init__(
        self, run: Run, interpolation: Interpolation = "pchip", drawn: np.ndarray | None = None
    ) -> None:
        if interpolation not in ("pchip", "linear"):
            raise ValueError(f"unknown interpolation {interpolation!r}; use 'pchip' or 'linear'")
        self.run = run
        self.drawn = None if drawn is None else np.asarray(drawn, dtype=np.intp)
        every = slice(None) if self.drawn is None else self.drawn
        self.X, self.y = run.X[every], run.y[every]
        self.test = None if run.test is None else run.test[every]
        self.activation = run.config.activation
        self.activations = run.config.activations
        self.interpolation = interpolation
        self.epochs = run.epochs
        # Every weight and bias of every layer, one row per logged epoch.
        self._shapes: Shapes = tuple(
            a.shape[1:] for pair in zip(run.W, run.b, strict=True) for a in pair
        )
        self._flat = flat_states(run)
        knots = np.arange(self.epochs + 1, dtype=np.float64)
        self._pchip = PchipInterpolator(knots, self._flat, axis=0) if self.epochs > 0 else None
        self._views: dict[Hashable, tuple[np.ndarray, np.ndarray]] = {}
        self._last: FrameState | None = None

    def __deepcopy__(self, memo: dict[int, object]) -> Trajectory:
        """Share, do not copy: a trajectory never changes (Manim deep-copies mobjects that
        refer to it on every fade)."""
        return self

    def clamp(self, t: float) -> float:
        """Return ``t`` limited to ``[0, E]``: a run that stopped holds its last state."""
        return float(min(max(t, 0.0), self.epochs))

    def weights_at(self, t: float) -> Weights:
        """Return the interpolated weights at epoch ``t`` (exactly the logged ones at integers)."""
        t = self.clamp(t)
        if t == int(t):
            return self.run.weights(int(t))
        if self.interpolation == "linear" or self._pchip is None:
            low = int(np.floor(t))
            frac = t - low
            flat = (1 - frac) * self._flat[low] + frac * self._flat[low + 1]
        else:
            flat = self._pchip(t)
        return self._unflatten(flat)

    def state(self, t: float) -> FrameState:
        """Return the frame state at ``t``; the last one is memoised, so panels share it."""
        t = self.clamp(t)
        if self._last is not None and self._last.t == t:
            return self._last
        weights = self.weights_at(t)
        layers = tuple(forward.layer_outputs(self.X, weights, self.activation))
        if self.run.config.output_head.link == "sigmoid":
            logits = layers[-1][1] @ weights.W[-1][0] + weights.b[-1][0]
        else:  # one column per class, scored through the head
            logits = layers[-1][1] @ weights.W[-1].T + weights.b[-1]
        self._last = self._with_metrics(t, weights, layers, logits)
        return self._last

    def _with_metrics(
        self,
        t: float,
        weights: Weights,
        layers: tuple[tuple[np.ndarray, np.ndarray], ...],
        logits: np.ndarray,
    ) -> FrameState:
        """The frame state of the drawn points, with the loss and accuracy of all of them."""
        if self.drawn is None:
            scored = logits
        elif logits.ndim == 2:
            scored = forward.output_logits(self.run.X, weights, self.activation)
        else:
            scored = forward.logits(self.run.X, weights, self.activation)
        y, test = self.run.y, self.run.test
        classes = None
        if logits.ndim == 2:  # k softmax units: cross-entropy and argmax through the head
            out = self.run.config.output_head
            train = np.ones(len(y), dtype=bool) if test is None else ~test
            loss = out.loss(scored[train], y[train])
            accuracy = out.accuracy(scored[train], y[train])
            classes = out.class_accuracies(scored[train], y[train], self.run.config.classes)
            test_loss = test_accuracy = None
            if test is not None:
                test_loss = out.loss(scored[test], y[test])
                test_accuracy = out.accuracy(scored[test], y[test])
        elif test is None:
            loss, accuracy = forward.bce_from_logits(scored, y), forward.accuracy(scored, y)
            test_loss = test_accuracy = None
        else:
            train = ~test
            loss = forward.bce_from_logits(scored[train], y[train])
            accuracy = forward.accuracy(scored[train], y[train])
            test_loss = forward.bce_from_logits(scored[test], y[test])
            test_accuracy = forward.accuracy(scored[test], y[test])
        return FrameState(
            t=t,
            weights=weights,
            layers=layers,
            affine=layers[0][0],
            hidden=layers[0][1],
            logits=logits,
            loss=loss,
            accuracy=accuracy,
            hidden_range=self.hidden_view(t),
            test_loss=test_loss,
            test_accuracy=test_accuracy,
            class_accuracies=classes,
        )

    def hidden_view(self, t: float) -> tuple[Range, Range]:
        """Return the hidden-space view box at ``t`` (see :meth:`view_box`)."""
        return self.view_box(forward.HIDDEN, t)

    def view_box(self, space: forward.Space, t: float) -> tuple[Range, Range]:
        """Return the view box of a hidden ``space`` at ``t``: square, holding the origin and
        the points (its first two coordinates; a width-1 space's second is 0).

        The box follows a look-ahead envelope of the points' extent, smoothed over time, so it
        grows before points leave it and never jumps. It is computed once per space.
        """
        box = self.view_cube(space, t, dims=2)
        return box[0], box[1]

    def view_cube(
        self,
        space: forward.Space,
        t: float,
        dims: int = 3,
        projection: Callable[[np.ndarray], np.ndarray] | None = None,
        key: Hashable = None,
    ) -> tuple[Range, ...]:
        """Return the view box of ``space`` at ``t`` in ``dims`` coordinates (a cube for 3),
        as :meth:`view_box` does, optionally of the points mapped by ``projection`` (give a
        ``key`` that names the projection, for the cache)."""
        cache = (space, dims, key)
        if cache not in self._views:
            self._views[cache] = self._smoothed_view(space, dims, projection)
        times, boxes = self._views[cache]
        t = self.clamp(t)
        box = [float(np.interp(t, times, column)) for column in boxes.T]
        return tuple((box[2 * k], box[2 * k + 1]) for k in range(dims))

    def _unflatten(self, flat: np.ndarray) -> Weights:
        return Weights(*unflatten(flat, self._shapes))

    def weights_at_many(self, times: np.ndarray) -> list[np.ndarray]:
        """Return the interpolated weights at every epoch of ``times`` at once, as
        :meth:`weights_at` gives them one by one: ``W1, b1, W2, …`` stacked, shapes
        ``(len(times), *shape)``."""
        return unflatten(self.flat_at_many(times), self._shapes)

    def flat_at_many(self, times: np.ndarray) -> np.ndarray:
        """Return the interpolated states at every epoch of ``times`` as vectors
        (:func:`flat_states`' order), shape ``(len(times), P)``: exactly the logged ones at
        whole epochs."""
        t = np.clip(np.asarray(times, dtype=np.float64), 0.0, float(self.epochs))
        whole = t == np.floor(t)
        if self.interpolation == "linear" or self._pchip is None:
            low = np.minimum(np.floor(t).astype(np.intp), max(self.epochs - 1, 0))
            frac = (t - low)[:, None]
            high = np.minimum(low + 1, self.epochs)
            flat = (1 - frac) * self._flat[low] + frac * self._flat[high]
        else:
            flat = self._pchip(t)
        flat[whole] = self._flat[t[whole].astype(np.intp)]  # exactly the logged ones
        return np.asarray(flat)

    #: Samples of the view computed at once (bounds the memory of one forward pass).
    VIEW_CHUNK = 64

    def _smoothed_view(
        self,
        space: forward.Space,
        dims: int,
        projection: Callable[[np.ndarray], np.ndarray] | None,
    ) -> tuple[np.ndarray, np.ndarray]:
        per_epoch = self.VIEW_SAMPLES_PER_EPOCH
        times = np.linspace(0.0, self.epochs, self.epochs * per_epoch + 1)
        extents = np.empty((len(times), 2 * dims))
        for first in range(0, len(times), self.VIEW_CHUNK):
            chunk = slice(first, first + self.VIEW_CHUNK)
            arrays = self.weights_at_many(times[chunk])
            h = forward.to_space_stacked(self.X, arrays[0::2], arrays[1::2], self.activation, space)
            if projection is not None:
                h = projection(h)
            h = h[..., :dims]
            # Negate the minima so that every column is an extent to take maxima of; the origin
            # is always inside (a width-1 space's missing coordinates are 0).
            low = np.zeros((h.shape[0], dims))
            high = np.zeros((h.shape[0], dims))
            low[:, : h.shape[2]] = -np.minimum(h.min(axis=1), 0.0)
            high[:, : h.shape[2]] = np.maximum(h.max(axis=1), 0.0)
            extents[chunk, 0::2] = low
            extents[chunk, 1::2] = high
        window = round(self.VIEW_WINDOW_EPOCHS * per_epoch)
        envelope = _running_max(extents, window)
        smooth = _gaussian_smooth(envelope, window // 2)
        low, high = -smooth[:, 0::2], smooth[:, 1::2]
        span = np.maximum((high - low).max(axis=1), 0.5) * 1.15
        middle = (low + high) / 2
        boxes = np.empty((len(times), 2 * dims))
        boxes[:, 0::2] = middle - span[:, None] / 2
        boxes[:, 1::2] = middle + span[:, None] / 2
        return times, boxes


def _running_max(values: np.ndarray, radius: int) -> np.ndarray:
    """Return the maximum of ``values`` over ``[i - radius, i + radius]`` for every row ``i``."""
    padded = np.pad(values, ((radius, radius), (0, 0)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1, axis=0)
    return windows.max(axis=-1)


def _gaussian_smooth(values: np.ndarray, radius: int) -> np.ndarray:
    """Return ``values`` smoothed along rows by a Gaussian truncated at ``radius`` rows."""
    if radius < 1:
        return values
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-0.5 * (offsets / (radius / 2)) ** 2)
    kernel /= kernel.sum()
    padded = np.pad(values, ((radius, radius), (0, 0)), mode="edge")
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * radius + 1, axis=0)
    return windows @ kernel
