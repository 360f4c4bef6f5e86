"""The loss landscape of a set of runs, in numpy: a plane through weight space, the exact
whole-data loss over a grid of it, and each run's path and distance from it.

A network's P weights and biases are one point of a P-dimensional space (:func:`flatten`:
``W1, b1, W2, b2, …`` row by row). Runs of one architecture on one data set are paths in that
space; a :class:`Plane` is a 2-D slice through it, fixed once for the whole video:

- ``directions="pca"`` (default): the plane through a chosen centre (:data:`CENTRES`; by
  default the best final weights, those of the run with the lowest final loss) spanned by the
  two main directions of every logged state of every run, measured from that centre (the SVD
  of the stacked differences; Li et al., "Visualizing the Loss Landscape of Neural Nets",
  NeurIPS 2018, section 7). The basis is orthonormal.
- ``directions="random"``: Li et al.'s filter-normalised random directions: a Gaussian
  direction whose every filter (the incoming weights of one unit) is scaled to the norm of
  the centre's filter, biases left out (zero). They are not orthogonalised: their scale is the
  point of the normalisation.

What a plane holds of the paths (:attr:`Plane.explained`) is the share of the paths' squared
distance from the centre that lies in the plane: for PCA the two largest squared singular
values over their sum. A state off the plane has a distance from it (:meth:`Plane.distance`),
and the loss the surface shows at its projection is then not its own loss.

The surface's loss (:func:`plane_loss`, :func:`grid_loss`) is exact: one forward pass of every
training point per grid point, through :func:`nnviz.forward.to_space_stacked`, stacked over
grid points in chunks of bounded memory, and the output head's loss
(:meth:`nnviz.heads.OutputHead.stacked_losses`), as training logs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from nnviz import forward
from nnviz.errors import ConfigError
from nnviz.forward import Space, Weights
from nnviz.heads import head
from nnviz.run import Run
from nnviz.trajectory import Shapes, Trajectory, flat_states, unflatten

__all__ = [
    "CENTRES",
    "DIRECTIONS",
    "GRID_BUDGET",
    "LOG_RANGE",
    "MAX_RUNS",
    "Landscape",
    "Network",
    "PathState",
    "Plane",
    "check_same_network",
    "flat_states",
    "flatten",
    "grid_loss",
    "landscape",
    "loss_levels",
    "loss_scale",
    "loss_unit",
    "off_plane_opacity",
    "path",
    "path_state",
    "pca_plane",
    "plane_loss",
    "random_plane",
    "same_start",
    "shapes_of",
    "unflatten",
]

#: Where the plane is centred: the final weights of the run with the lowest final loss, or the
#: first run's initial weights (shared by runs that start alike).
CENTRES = ("best", "start")
#: The most runs one landscape shows (their paths in distinct colours, a row each beside it).
MAX_RUNS = 4
#: How the plane's two directions are chosen.
DIRECTIONS = ("pca", "random")
#: About how many numbers one array of a stacked forward pass may hold (grid points × data
#: points × the widest layer): 4 Mi float64, 32 MB.
GRID_BUDGET = 2**22

Centre = Literal["best", "start"]
Directions = Literal["pca", "random"]
Range = tuple[float, float]


def flatten(weights: Weights) -> np.ndarray:
    """Return one state's weights as one vector: ``W1, b1, W2, b2, …`` row by row, shape (P,)."""
    return np.concatenate([np.ravel(a) for a in weights.arrays()])


def shapes_of(weights: Weights) -> Shapes:
    """Return the shape of every array of ``weights``, ``W1, b1, W2, …`` in order."""
    return tuple(np.shape(a) for a in weights.arrays())


@dataclass(frozen=True)
class Network:
    """What the loss of a weight vector needs: the architecture, the output head and the
    training points.

    Attributes
    ----------
    shapes
        The shapes of ``W1, b1, W2, …``.
    activations
        The activation of each hidden layer.
    output
        The output head's name (:mod:`nnviz.heads`).
    X, y
        The training points and their labels (the points the runs' logged loss is of).
    """

    shapes: Shapes
    activations: tuple[str, ...]
    output: str
    X: np.ndarray
    y: np.ndarray

    @classmethod
    def of(cls, run: Run) -> Network:
        """Return the network of ``run``, with its training points."""
        mask = run.train_mask
        return cls(
            shapes=shapes_of(run.weights(0)),
            activations=run.config.activations,
            output=run.config.output_head.name,
            X=np.asarray(run.X[mask], dtype=np.float64),
            y=np.asarray(run.y[mask]),
        )

    @property
    def parameters(self) -> int:
        """P, the number of weights and biases."""
        return sum(int(np.prod(shape)) for shape in self.shapes)

    @property
    def widest(self) -> int:
        """The widest layer's number of units (a stacked pass holds points × this)."""
        return max(shape[0] for shape in self.shapes)


def _architecture(run: Run) -> str:
    """``2-2-1 relu, sigmoid``: what two runs must share to share a landscape."""
    config = run.config
    widths = "-".join(map(str, config.widths))
    return f"{widths} {'/'.join(config.activations)}, {config.output_head.name}"


def check_same_network(runs: Sequence[Run]) -> None:
    """Refuse, in one line, runs that cannot share one landscape.

    Raises
    ------
    ConfigError
        When there are no runs, when two runs differ in architecture (widths, activations,
        output head) or were trained on different points.
    """
    if not runs:
        raise ConfigError("a loss landscape needs at least one run")
    first = runs[0]
    for run in runs[1:]:
        if _architecture(run) != _architecture(first):
            raise ConfigError(
                f"runs of different architectures cannot share a loss landscape: "
                f"{_architecture(first)} and {_architecture(run)}"
            )
    for run in runs[1:]:
        same = (
            run.X.shape == first.X.shape
            and np.array_equal(run.X, first.X)
            and np.array_equal(run.y, first.y)
            and np.array_equal(run.train_mask, first.train_mask)
        )
        if not same:
            raise ConfigError(
                f"runs trained on different data cannot share a loss landscape: "
                f"{first.config.label()} and {run.config.label()}"
            )


def same_start(runs: Sequence[Run]) -> bool:
    """Return whether every run starts at the same weights (exactly: runs of one seed do), so
    that their paths share one starting point."""
    first = flat_states(runs[0])[0]
    return all(np.array_equal(flat_states(run)[0], first) for run in runs[1:])


@dataclass(frozen=True, eq=False)
class Plane:
    """A 2-D plane through weight space: ``centre + a·basis[0] + b·basis[1]``.

    Attributes
    ----------
    centre
        The origin of the plane's coordinates, shape (P,).
    basis
        The two directions, shape (2, P): orthonormal for PCA, filter-normalised for random
        directions.
    centre_name
        What the centre is, in words (``the best final weights (tanh, lr 0.01)``).
    directions
        ``"pca"`` or ``"random"`` (:data:`DIRECTIONS`).
    explained
        The share of the paths' squared distance from the centre that lies in the plane,
        0 to 1.
    """

    centre: np.ndarray
    basis: np.ndarray
    centre_name: str
    directions: str
    explained: float

    @property
    def parameters(self) -> int:
        """P, the dimension of the space the plane lies in."""
        return int(self.centre.shape[0])

    def _dual(self) -> np.ndarray:
        """The (P, 2) matrix that gives a vector's coordinates in the plane (least squares;
        ``basis.T`` for an orthonormal basis)."""
        return np.linalg.pinv(self.basis)

    def project(self, flat: np.ndarray) -> np.ndarray:
        """Return the plane coordinates of the orthogonal projection of vectors ``flat``,
        shape ``(..., P)`` → ``(..., 2)``."""
        return (np.asarray(flat) - self.centre) @ self._dual()

    def point(self, coordinates: np.ndarray) -> np.ndarray:
        """Return the weight vectors at plane ``coordinates`` ``(..., 2)``, shape ``(..., P)``."""
        return self.centre + np.asarray(coordinates, dtype=np.float64) @ self.basis

    def distance(self, flat: np.ndarray) -> np.ndarray:
        """Return the Euclidean distance of vectors ``flat`` ``(..., P)`` from the plane."""
        offset = np.asarray(flat) - self.centre
        inside = (offset @ self._dual()) @ self.basis
        return np.linalg.norm(offset - inside, axis=-1)


def _centre(runs: Sequence[Run], centre: Centre | str) -> tuple[np.ndarray, str]:
    """The centre's weights and its name."""
    if centre == "best":
        best = min(runs, key=lambda run: float(run.loss[-1]))
        return flat_states(best)[-1], f"the best final weights ({best.config.label()})"
    if centre == "start":
        return flat_states(runs[0])[0], "the initial weights"
    raise ConfigError(f"unknown centre {centre!r}; choose one of {', '.join(CENTRES)}")


def _explained(offsets: np.ndarray, basis: np.ndarray) -> float:
    """The share of ``offsets``' squared length that their projections on the span of
    ``basis`` hold (1 when every offset is 0)."""
    total = float(np.sum(offsets**2))
    if total == 0.0:
        return 1.0
    q, _ = np.linalg.qr(basis.T)  # an orthonormal basis of the same span
    return float(np.sum((offsets @ q) ** 2)) / total


def pca_plane(runs: Sequence[Run], centre: Centre | str = "best") -> Plane:
    """Return the PCA plane of the runs' logged states around ``centre``.

    The two directions are the first two right singular vectors of the stacked differences
    ``state − centre`` over every logged state of every run, each with the sign that makes its
    largest component positive (so the picture does not depend on the SVD's sign choice). A
    space of one parameter, or paths in one line, give a second direction orthogonal to the
    first all the same.
    """
    check_same_network(runs)
    middle, name = _centre(runs, centre)
    offsets = np.concatenate([flat_states(run) for run in runs]) - middle
    _, singular, vt = np.linalg.svd(offsets, full_matrices=True)
    if vt.shape[0] < 2:
        raise ConfigError("a loss landscape needs a network of at least two parameters")
    basis = vt[:2].copy()
    for row in basis:
        row *= np.sign(row[np.argmax(np.abs(row))])
    total = float(np.sum(singular**2))
    explained = 1.0 if total == 0.0 else float(np.sum(singular[:2] ** 2)) / total
    return Plane(middle, basis, name, "pca", explained)


def random_plane(runs: Sequence[Run], centre: Centre | str = "best", seed: int = 0) -> Plane:
    """Return a plane of two filter-normalised random directions around ``centre`` (Li et al.
    2018, section 4): every row of a direction's weight matrices (the incoming weights of one
    unit) scaled to the norm of that row of the centre's, biases zero."""
    check_same_network(runs)
    middle, name = _centre(runs, centre)
    shapes = shapes_of(runs[0].weights(0))
    rng = np.random.default_rng(seed)
    centre_arrays = unflatten(middle, shapes)
    directions = []
    for _ in range(2):
        parts = []
        for index, array in enumerate(centre_arrays):
            if index % 2:  # a bias: left out
                parts.append(np.zeros(array.size))
                continue
            d = rng.standard_normal(array.shape)
            d *= np.linalg.norm(array, axis=1, keepdims=True) / np.maximum(
                np.linalg.norm(d, axis=1, keepdims=True), 1e-300
            )
            parts.append(d.ravel())
        directions.append(np.concatenate(parts))
    basis = np.array(directions)
    offsets = np.concatenate([flat_states(run) for run in runs]) - middle
    return Plane(middle, basis, name, "random", _explained(offsets, basis))


def plane_loss(
    network: Network, plane: Plane, coordinates: np.ndarray, budget: int = GRID_BUDGET
) -> np.ndarray:
    """Return the exact whole-data loss of the weights at plane ``coordinates`` (M, 2), shape
    (M,).

    Every weight set is run over every training point: the weight sets are stacked and run
    through :func:`nnviz.forward.to_space_stacked` in chunks whose arrays hold about
    ``budget`` numbers, and the loss is the output head's
    (:meth:`~nnviz.heads.OutputHead.stacked_losses`).
    """
    coordinates = np.asarray(coordinates, dtype=np.float64).reshape(-1, 2)
    out = head(network.output)
    hidden_layers = len(network.shapes) // 2 - 1
    last = Space(hidden_layers, "activation")
    losses = np.empty(len(coordinates))
    chunks = forward.epoch_chunks(len(coordinates), len(network.X), network.widest, budget)
    for chunk in chunks:
        arrays = unflatten(plane.point(coordinates[chunk]), network.shapes)
        W, b = arrays[0::2], arrays[1::2]
        h = forward.to_space_stacked(network.X, W, b, network.activations, last)
        logits = np.matmul(h, np.swapaxes(W[-1], 1, 2)) + b[-1][:, None, :]
        losses[chunk] = out.stacked_losses(logits, network.y)
    return losses


def grid_loss(
    network: Network,
    plane: Plane,
    x_range: Range,
    y_range: Range,
    shape: tuple[int, int],
    budget: int = GRID_BUDGET,
) -> np.ndarray:
    """Return the loss at the pixel centres of an image of the plane's box ``x_range`` ×
    ``y_range`` (:func:`nnviz.forward.grid_points`: row 0 is the top), shape ``shape``."""
    points = forward.grid_points(x_range, y_range, shape)
    return plane_loss(network, plane, points, budget).reshape(shape)


def path(trajectory: Trajectory, plane: Plane, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return a run's path on the plane at real epochs ``times``: the plane coordinates of
    its weights (interpolated between logged epochs as :class:`~nnviz.trajectory.Trajectory`
    does, exactly the logged ones at whole epochs), shape ``(T, 2)``, and their distance from
    the plane, shape ``(T,)``."""
    flat = trajectory.flat_at_many(np.asarray(times, dtype=np.float64))
    return plane.project(flat), plane.distance(flat)


@dataclass(frozen=True)
class PathState:
    """A run's state at one epoch as its path shows it.

    Attributes
    ----------
    coordinates
        Its projection on the plane, shape (2,).
    distance
        Its distance from the plane.
    own_loss
        The run's own loss there, of its weights, as its pictures show it
        (:meth:`nnviz.trajectory.Trajectory.state`).
    slice_loss
        The surface's loss at its projection: the loss of the weights on the plane under the
        dot, which is the run's own only where the distance is 0.
    """

    coordinates: np.ndarray
    distance: float
    own_loss: float
    slice_loss: float


def path_state(trajectory: Trajectory, network: Network, plane: Plane, t: float) -> PathState:
    """Return the state of ``trajectory``'s path at epoch ``t`` (clamped to its epochs)."""
    t = trajectory.clamp(t)
    coordinates, distance = path(trajectory, plane, np.array([t]))
    on_slice = float(plane_loss(network, plane, coordinates)[0])
    return PathState(coordinates[0], float(distance[0]), trajectory.state(t).loss, on_slice)


@dataclass(frozen=True, eq=False)
class Landscape:
    """The loss over a box of a plane, and the runs' paths on it.

    Attributes
    ----------
    plane
        The plane.
    network
        The architecture and training points every run shares.
    x_range, y_range
        The box of plane coordinates the grid covers.
    loss
        The loss at the grid's pixel centres, shape ``(rows, cols)``, row 0 at the top.
    paths
        Each run's logged states' plane coordinates, shape ``(E_r + 1, 2)``.
    """

    plane: Plane
    network: Network
    x_range: Range
    y_range: Range
    loss: np.ndarray
    paths: tuple[np.ndarray, ...]


def _box(paths: Sequence[np.ndarray], margin: float) -> tuple[Range, Range]:
    """A square box of plane coordinates around the paths and the centre, with ``margin`` of
    its side on either side (one scale for both axes: the plane's units are the same)."""
    points = np.concatenate([np.zeros((1, 2)), *paths])
    low, high = points.min(axis=0), points.max(axis=0)
    side = max(float(np.max(high - low)), 1e-6) * (1 + 2 * margin)
    middle = (low + high) / 2
    x = (float(middle[0] - side / 2), float(middle[0] + side / 2))
    y = (float(middle[1] - side / 2), float(middle[1] + side / 2))
    return x, y


def landscape(
    runs: Sequence[Run],
    resolution: int = 60,
    centre: Centre | str = "best",
    directions: Directions | str = "pca",
    margin: float = 0.15,
    budget: int = GRID_BUDGET,
) -> Landscape:
    """Return the loss landscape of ``runs`` (one architecture, one data set): the plane, the
    loss over a ``resolution`` × ``resolution`` grid of a square box around every path, and
    the paths' logged states on it.

    Raises
    ------
    ConfigError
        For runs that cannot share a landscape (:func:`check_same_network`), an unknown
        centre or directions.
    """
    if directions == "pca":
        plane = pca_plane(runs, centre)
    elif directions == "random":
        plane = random_plane(runs, centre)
    else:
        raise ConfigError(f"unknown directions {directions!r}; choose one of "
                          f"{', '.join(DIRECTIONS)}")  # fmt: skip
    paths = tuple(plane.project(flat_states(run)) for run in runs)
    x_range, y_range = _box(paths, margin)
    network = Network.of(runs[0])
    loss = grid_loss(network, plane, x_range, y_range, (resolution, resolution), budget)
    return Landscape(plane, network, x_range, y_range, loss, paths)


#: A surface whose highest loss is more than this many times its lowest is coloured and
#: contoured on a log scale.
LOG_RANGE = 10.0


def loss_scale(loss: np.ndarray) -> str:
    """Return ``"log"`` when the loss spans more than :data:`LOG_RANGE` times (its lowest
    value above 0), else ``"linear"``."""
    low, high = float(np.min(loss)), float(np.max(loss))
    return "log" if low > 0 and high > LOG_RANGE * low else "linear"


def loss_unit(loss: np.ndarray, low: float, high: float, scale: str) -> np.ndarray:
    """Return ``loss`` mapped to 0 (``low``) … 1 (``high``), linearly or by its logarithm,
    clipped to that range."""
    values = np.asarray(loss, dtype=np.float64)
    if scale == "log":
        values, low, high = np.log(values), float(np.log(low)), float(np.log(high))
    if high <= low:
        return np.zeros_like(values)
    return np.clip((values - low) / (high - low), 0.0, 1.0)


def loss_levels(low: float, high: float, scale: str, count: int) -> np.ndarray:
    """Return ``count`` contour levels strictly between ``low`` and ``high``, evenly spaced on
    the ``scale`` (geometrically for ``"log"``)."""
    steps = np.arange(1, count + 1) / (count + 1)
    if scale == "log":
        return np.asarray(low * (high / low) ** steps)
    return np.asarray(low + (high - low) * steps)


def off_plane_opacity(distance: np.ndarray, scale: float, floor: float = 0.2) -> np.ndarray:
    """Return the opacity of a state's dot at ``distance`` from the plane: 1 on the plane,
    ``1/2`` at ``scale``, falling as ``1 / (1 + (d / scale)²)`` but never below ``floor``."""
    d = np.asarray(distance, dtype=np.float64) / max(scale, 1e-300)
    return np.maximum(1.0 / (1.0 + d**2), floor)
