"""The loss landscape's maths against oracles: torch's loss of the same weights, the logged
weights projected by hand, the eigenvalues of the paths' second moments."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner

from nnviz import landscape
from nnviz.cli import cli
from nnviz.errors import ConfigError
from nnviz.landscape import Network, Plane
from nnviz.run import Run
from nnviz.run_file import save_run
from nnviz.trajectory import Trajectory

TORCH_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def torch_loss(
    X: np.ndarray, y: np.ndarray, widths: tuple[int, ...], activations: tuple[str, ...],
    output: str, vector: np.ndarray,
) -> float:  # fmt: skip
    """The loss of the weight vector ``vector`` by torch: its parameters set by torch's own
    ``vector_to_parameters`` (weight then bias of each layer), the loss by torch's functions."""
    layers = [torch.nn.Linear(a, b).double() for a, b in itertools.pairwise(widths)]
    params = [p for layer in layers for p in layer.parameters()]
    torch.nn.utils.vector_to_parameters(torch.from_numpy(vector), params)
    h = torch.from_numpy(X)
    with torch.no_grad():
        for layer, name in zip(layers[:-1], activations, strict=True):
            h = TORCH_ACTIVATIONS[name](layer(h))
        z = layers[-1](h)
        if output == "sigmoid":
            target = torch.from_numpy(y.astype(np.float64))
            return float(torch.nn.functional.binary_cross_entropy_with_logits(z[:, 0], target))
        return float(torch.nn.functional.cross_entropy(z, torch.from_numpy(y.astype(np.int64))))


ARCHITECTURES = [
    ((2, 2, 1), ("relu",), "sigmoid", 2),
    ((2, 3, 4, 1), ("tanh", "relu"), "sigmoid", 2),
    ((2, 4, 3), ("sigmoid",), "softmax", 3),
    ((2, 5, 2, 4), ("relu", "tanh"), "softmax", 4),
]


def random_network(
    rng: np.random.Generator, widths: tuple[int, ...], activations: tuple[str, ...],
    output: str, classes: int,
) -> Network:  # fmt: skip
    shapes: list[tuple[int, ...]] = []
    for a, b in itertools.pairwise(widths):
        shapes += [(b, a), (b,)]
    X = rng.normal(0, 1.5, (150, 2))
    y = rng.integers(0, classes, 150)
    return Network(tuple(shapes), activations, output, X, y)


@pytest.mark.parametrize(("widths", "activations", "output", "classes"), ARCHITECTURES)
def test_grid_loss_is_torchs_loss_of_the_weights(
    widths: tuple[int, ...], activations: tuple[str, ...], output: str, classes: int
) -> None:
    rng = np.random.default_rng(len(widths) + classes)
    network = random_network(rng, widths, activations, output, classes)
    P = network.parameters
    centre, basis = rng.normal(0, 1, P), rng.normal(0, 1, (2, P))
    plane = Plane(centre, basis, "a random point", "random", 0.0)
    x_range, y_range, shape = (-1.0, 2.0), (-0.5, 1.5), (7, 5)
    # A tiny budget: chunks of a few grid points, so the chunking is tested too.
    grid = landscape.grid_loss(network, plane, x_range, y_range, shape, budget=2000)
    assert grid.shape == shape
    rows, cols = shape
    for row, col in [(0, 0), (0, cols - 1), (rows - 1, 0), (3, 2), (rows - 1, cols - 1)]:
        a = x_range[0] + (col + 0.5) * (x_range[1] - x_range[0]) / cols
        b = y_range[1] - (row + 0.5) * (y_range[1] - y_range[0]) / rows  # row 0 at the top
        vector = centre + a * basis[0] + b * basis[1]
        expected = torch_loss(network.X, network.y, widths, activations, output, vector)
        assert grid[row, col] == pytest.approx(expected, rel=1e-10, abs=1e-12)


def test_the_chunks_do_not_change_the_loss() -> None:
    rng = np.random.default_rng(5)
    network = random_network(rng, (2, 3, 1), ("tanh",), "sigmoid", 2)
    plane = Plane(rng.normal(0, 1, 13), rng.normal(0, 1, (2, 13)), "c", "random", 0.0)
    points = rng.normal(0, 1, (40, 2))
    whole = landscape.plane_loss(network, plane, points)
    np.testing.assert_allclose(landscape.plane_loss(network, plane, points, budget=1), whole,
                               rtol=1e-13)  # fmt: skip


def by_hand(run: Run, epoch: int) -> np.ndarray:
    """The logged weights of ``epoch`` as one vector, W1, b1, W2, b2, … row by row."""
    return np.concatenate(
        [a[epoch].ravel() for pair in zip(run.W, run.b, strict=True) for a in pair]
    )


def test_flatten_and_unflatten_are_inverse(short_tanh_run: Run) -> None:
    weights = short_tanh_run.weights(5)
    flat = landscape.flatten(weights)
    np.testing.assert_array_equal(flat, by_hand(short_tanh_run, 5))
    back = landscape.unflatten(flat, landscape.shapes_of(weights))
    for mine, theirs in zip(back, weights.arrays(), strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_loss_at_the_centre_is_the_logged_loss(short_tanh_run: Run) -> None:
    """Training logs each state's whole-data loss (torch): the surface at the centre, the
    best run's final weights, is that number."""
    plane = landscape.pca_plane([short_tanh_run])
    loss = landscape.plane_loss(landscape.Network.of(short_tanh_run), plane, np.zeros((1, 2)))
    assert loss[0] == pytest.approx(short_tanh_run.loss[-1], rel=1e-9)


def test_pca_basis_is_orthonormal_and_holds_the_paths_variance(short_tanh_run: Run) -> None:
    runs = [short_tanh_run, relabelled(short_tanh_run, lr=0.051, scale=0.7)]
    plane = landscape.pca_plane(runs)
    np.testing.assert_allclose(plane.basis @ plane.basis.T, np.eye(2), atol=1e-12)
    assert plane.parameters == 9
    # The oracle: the two largest eigenvalues of the offsets' second moment over its trace.
    offsets = np.concatenate(
        [np.array([by_hand(run, e) for e in range(run.epochs + 1)]) for run in runs]
    ) - by_hand(runs[0], runs[0].epochs)  # the best final weights: the first run's
    moments = np.linalg.eigvalsh(offsets.T @ offsets)
    assert plane.explained == pytest.approx(moments[-2:].sum() / moments.sum(), rel=1e-9)
    assert "best final weights" in plane.centre_name
    # Fixed: the same runs give the same plane, signs and all.
    np.testing.assert_array_equal(landscape.pca_plane(runs).basis, plane.basis)


def relabelled(run: Run, lr: float, scale: float) -> Run:
    """Another run of the same network and data: its states moved towards its first one (a
    made-up path, with a higher final loss so that the centre stays the original's)."""
    start = [a[:1] for a in (*run.W, *run.b)]
    moved = [s + scale * (a - s) for s, a in zip(start, (*run.W, *run.b), strict=True)]
    layers = len(run.W)
    return dataclasses.replace(run, config=run.config.replace(lr=lr), W=tuple(moved[:layers]),
                               b=tuple(moved[layers:]), loss=run.loss + 0.1)  # fmt: skip


def test_path_at_whole_epochs_is_the_projection_of_the_logged_weights(
    short_tanh_run: Run,
) -> None:
    plane = landscape.pca_plane([short_tanh_run], centre="start")
    assert plane.centre_name == "the initial weights"
    times = np.array([0.0, 3.0, 7.0, 12.0])
    coordinates, distance = landscape.path(Trajectory(short_tanh_run), plane, times)
    for row, epoch in enumerate(times.astype(int)):
        offset = by_hand(short_tanh_run, epoch) - by_hand(short_tanh_run, 0)
        expected = plane.basis @ offset  # orthonormal rows: the coordinates are dot products
        np.testing.assert_allclose(coordinates[row], expected, atol=1e-12)
        residual = offset - expected @ plane.basis
        assert distance[row] == pytest.approx(np.linalg.norm(residual), abs=1e-12)
    # Between epochs: the trajectory's own interpolated weights, projected.
    between = Trajectory(short_tanh_run).weights_at(4.5)
    offset = landscape.flatten(between) - by_hand(short_tanh_run, 0)
    coordinates, _ = landscape.path(Trajectory(short_tanh_run), plane, np.array([4.5]))
    np.testing.assert_allclose(coordinates[0], plane.basis @ offset, atol=1e-12)


def test_distance_is_zero_in_the_plane_and_the_normal_offset_off_it(
    short_tanh_run: Run,
) -> None:
    """A made-up run whose states all lie in one 2-D plane: the PCA plane is that plane, every
    state's distance from it is 0 and it holds all of the paths' variance."""
    rng = np.random.default_rng(3)
    start = by_hand(short_tanh_run, 0)
    u, v = rng.normal(0, 0.3, (2, 9))
    t = np.linspace(0, 1, short_tanh_run.epochs + 1)[:, None]
    flat = start + np.sin(3 * t) * u + t**2 * v
    shapes = landscape.shapes_of(short_tanh_run.weights(0))
    arrays = landscape.unflatten(flat, shapes)
    run = dataclasses.replace(short_tanh_run, W=tuple(arrays[0::2]), b=tuple(arrays[1::2]))
    plane = landscape.pca_plane([run])
    assert plane.explained == pytest.approx(1.0, abs=1e-12)
    _, distance = landscape.path(Trajectory(run), plane, np.arange(run.epochs + 1.0))
    np.testing.assert_allclose(distance, 0.0, atol=1e-12)
    # Off the plane by d along a unit normal: distance |d|, projection unchanged.
    normal = rng.normal(0, 1, 9)
    normal -= plane.basis.T @ (plane.basis @ normal)
    normal /= np.linalg.norm(normal)
    point = plane.point(np.array([0.4, -1.2]))
    assert float(plane.distance(point - 0.3 * normal)) == pytest.approx(0.3, rel=1e-12)
    np.testing.assert_allclose(plane.project(point - 0.3 * normal), [0.4, -1.2], atol=1e-12)


def test_random_directions_are_filter_normalised(short_tanh_run: Run) -> None:
    plane = landscape.random_plane([short_tanh_run], seed=1)
    centre = short_tanh_run.weights(short_tanh_run.epochs)
    shapes = landscape.shapes_of(centre)
    for direction in plane.basis:
        arrays = landscape.unflatten(direction, shapes)
        for k, (W, b) in enumerate(zip(arrays[0::2], arrays[1::2], strict=True)):
            np.testing.assert_allclose(np.linalg.norm(W, axis=1),
                                       np.linalg.norm(centre.W[k], axis=1), rtol=1e-12)  # fmt: skip
            np.testing.assert_array_equal(b, 0.0)
    assert 0.0 <= plane.explained <= 1.0


def test_runs_of_different_architectures_are_refused(short_run: Run, short_tanh_run: Run) -> None:
    with pytest.raises(ConfigError) as refused:
        landscape.landscape([short_tanh_run, short_run])
    message = str(refused.value)
    assert "different architectures" in message and "\n" not in message
    assert "2-2-1 tanh" in message and "2-2-1 relu" in message
    with pytest.raises(ConfigError, match="different data"):
        moved = dataclasses.replace(short_tanh_run, X=short_tanh_run.X + 1.0)
        landscape.check_same_network([short_tanh_run, moved])


def test_loss_scale_levels_and_opacity_by_hand() -> None:
    assert landscape.loss_scale(np.array([0.3, 2.9])) == "linear"
    assert landscape.loss_scale(np.array([0.2, 2.1])) == "log"
    np.testing.assert_allclose(landscape.loss_unit(np.array([0.1, 1.0, 10.0]), 0.1, 10.0, "log"),
                               [0.0, 0.5, 1.0])  # fmt: skip
    np.testing.assert_allclose(landscape.loss_unit(np.array([0.0, 3.0, 9.0]), 1.0, 5.0, "linear"),
                               [0.0, 0.5, 1.0])  # fmt: skip
    np.testing.assert_allclose(landscape.loss_levels(1.0, 16.0, "log", 3), [2.0, 4.0, 8.0])
    np.testing.assert_allclose(landscape.loss_levels(0.0, 4.0, "linear", 3), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(landscape.off_plane_opacity(np.array([0.0, 2.0, 100.0]), 2.0),
                               [1.0, 0.5, 0.2])  # fmt: skip


def test_render_landscape_refuses_runs_of_different_architectures_in_one_line(
    short_run: Run, short_tanh_run: Run, tmp_path: Path
) -> None:
    """Refused before anything is drawn: one line, exit status 1, no traceback."""
    for name, run in (("a.npz", short_tanh_run), ("b.npz", short_run)):
        save_run(run, tmp_path / name)
    args = ["render", "--landscape", "--run", str(tmp_path / "a.npz"), "--run",
            str(tmp_path / "b.npz")]  # fmt: skip
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "nnviz: runs of different architectures cannot share a loss landscape: "
        "2-2-1 tanh, sigmoid and 2-2-1 relu, sigmoid"
    ]
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--landscape", "--lr", "0.1"], "--landscape takes no --lr"),
        (["--landscape", "--still", "final"], "--landscape takes no --still"),
        (["--run", "a.npz", "--run", "b.npz"], "several only with --landscape"),
    ],
)
def test_render_landscape_refuses_options_it_has_no_use_for(args: list[str], words: str) -> None:
    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_same_start_is_exact_equality_of_the_initial_weights(short_tanh_run: Run) -> None:
    alike = relabelled(short_tanh_run, lr=0.051, scale=0.7)  # moved towards its own start
    assert landscape.same_start([short_tanh_run, alike])
    apart = dataclasses.replace(alike, b=(alike.b[0] + 1e-9, *alike.b[1:]))
    assert not landscape.same_start([short_tanh_run, apart])
