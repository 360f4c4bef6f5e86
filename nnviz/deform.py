"""The hidden layer as a continuous deformation of the plane.

After Chris Olah, "Neural Networks, Manifolds, and Topology" (2014): a network with two hidden
neurons maps the input plane onto the hidden plane, and that map can be played as a movie.
A parameter ``s`` in ``[0, 3]`` runs through three stages, each with a local time ``t`` in
``[0, 1]``:

1. ``s`` in ``[0, 1]``, ``t = s``: the linear map, ``x -> (1 - t) x + t W1 x``;
2. ``s`` in ``[1, 2]``, ``t = s - 1``: the shift, ``W1 x -> W1 x + t b1``;
3. ``s`` in ``[2, 3]``, ``t = s - 2``: the activation, ``z -> (1 - t) z + t a(z)`` with
   ``z = W1 x + b1``.

``s = 0`` is the identity, ``s = 3`` is the hidden layer :func:`nnviz.forward.hidden`, and the
stages agree where they meet, so the picture moves continuously. Everything is vectorised over
points; the grid lines drawn by a scene are just densely sampled points.
"""

from __future__ import annotations

import numpy as np

from nnviz import forward
from nnviz.contour import level_segments
from nnviz.forward import Weights

__all__ = [
    "STAGES",
    "STAGE_NAMES",
    "Box",
    "apply_stage",
    "deform",
    "deform_lines",
    "grid_lines",
    "pull_back_boundary",
    "stage_name",
    "stage_of",
]

#: Number of stages the parameter ``s`` runs through; ``s`` lies in ``[0, STAGES]``.
STAGES = 3
#: Caption of each stage, in order.
STAGE_NAMES: tuple[str, ...] = ("linear map W₁x", "shift + b₁", "activation a(z)")

#: A box in the plane, ``((x_min, x_max), (y_min, y_max))``.
Box = tuple[tuple[float, float], tuple[float, float]]


def stage_of(s: float) -> tuple[int, float]:
    """Return the stage (1, 2 or 3) that ``s`` falls in and the stage's local time ``t``.

    ``s`` is clamped to ``[0, 3]``. Each stage owns its end: ``s = 1`` is stage 1 at ``t = 1``
    (the linear map complete), not stage 2 at ``t = 0``; ``s = 0`` is stage 1 at ``t = 0``.
    Both readings give the same points, as the stages agree at their boundaries.
    """
    s = float(min(max(s, 0.0), float(STAGES)))
    stage = max(int(np.ceil(s)), 1)
    return stage, s - (stage - 1)


def stage_name(s: float) -> str:
    """Return the caption of the stage that ``s`` falls in (see :func:`stage_of`)."""
    return STAGE_NAMES[stage_of(s)[0] - 1]


def apply_stage(
    points: np.ndarray, weights: Weights, activation: str, stage: int, t: float
) -> np.ndarray:
    """Return the points after ``stage`` (1, 2 or 3) has run for local time ``t`` in ``[0, 1]``.

    Parameters
    ----------
    points
        Input points ``x``, shape ``(N, 2)``.
    weights
        Weights of a network with exactly two hidden neurons.
    activation
        The hidden activation, as in :func:`nnviz.forward.activate`.
    stage
        1: ``(1 - t) x + t W1 x``; 2: ``W1 x + t b1``; 3: ``(1 - t) z + t a(z)`` with
        ``z = W1 x + b1``.
    t
        The stage's local time.

    Returns
    -------
    numpy.ndarray
        The moved points, shape ``(N, 2)``.
    """
    _check_two_hidden(weights)
    x = np.asarray(points, dtype=np.float64)
    linear = x @ weights.W1.T
    if stage == 1:
        return (1.0 - t) * x + t * linear
    if stage == 2:
        return linear + t * weights.b1
    if stage == 3:
        z = linear + weights.b1
        return (1.0 - t) * z + t * forward.activate(z, activation)
    raise ValueError(f"stage must be 1, 2 or 3, got {stage!r}")


def deform(points: np.ndarray, weights: Weights, activation: str, s: float) -> np.ndarray:
    """Return the points moved by the hidden layer's deformation at parameter ``s``.

    Parameters
    ----------
    points
        Input points, shape ``(N, 2)``.
    weights
        Weights of a network with exactly two hidden neurons.
    activation
        The hidden activation.
    s
        Position in the movie, clamped to ``[0, 3]`` (so overshooting rate functions are safe):
        ``0`` is the identity, ``3`` is :func:`nnviz.forward.hidden`.

    Returns
    -------
    numpy.ndarray
        The deformed points, shape ``(N, 2)``.
    """
    stage, t = stage_of(s)
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


def deform_lines(lines: np.ndarray, weights: Weights, activation: str, s: float) -> np.ndarray:
    """Return every sample of ``lines`` (shape ``(..., 2)``) moved by :func:`deform` at ``s``."""
    lines = np.asarray(lines, dtype=np.float64)
    return deform(lines.reshape(-1, 2), weights, activation, s).reshape(lines.shape)


def pull_back_boundary(
    weights: Weights, activation: str, box: Box, resolution: int | tuple[int, int]
) -> np.ndarray:
    """Return the output line ``w·h + b = 0`` pulled back to the input plane, as segments.

    The pull-back is the set of inputs whose hidden image lies on the output line, i.e. where
    the logit ``W2 a(W1 x + b1) + b2`` is zero. That is exactly the network's decision
    boundary, the 0.5 contour of its probability, so it is traced with
    :func:`nnviz.contour.level_segments` at level 0 on the logits sampled at the pixel centres
    of :func:`nnviz.forward.grid_points`. Tracing the logit rather than the probability keeps
    the linear interpolation inside each cell exact wherever the logit is linear (a linear
    activation, or ReLU away from its kinks); elsewhere an end point is off the true boundary by
    at most one pixel.

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

    Returns
    -------
    numpy.ndarray
        Segments in input units, shape ``(M, 2, 2)``; ``M`` is 0 when the boundary misses the box.
    """
    shape = (resolution, resolution) if isinstance(resolution, int) else tuple(resolution)
    rows, cols = int(shape[0]), int(shape[1])
    x_range, y_range = box
    points = forward.grid_points(x_range, y_range, (rows, cols))
    values = forward.logits(points, weights, activation).reshape(rows, cols)
    return level_segments(values, x_range, y_range, level=0.0)


def _check_two_hidden(weights: Weights) -> None:
    if weights.layers != 2:
        raise ValueError(
            f"the deformation shows one hidden layer; this network has {weights.layers - 1}"
        )
    if weights.W1.shape != (2, 2):
        raise ValueError(
            f"the deformation needs exactly two hidden neurons (W1 of shape (2, 2)), "
            f"got W1 of shape {weights.W1.shape}"
        )
