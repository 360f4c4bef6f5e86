"""The k-class forward pass (logits of every output unit, the rest of the network from any
space, probabilities through the output heads) against torch, the oracle."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnviz import forward
from nnviz.forward import INPUT, Space, Weights

TORCH = {
    "relu": torch.nn.ReLU,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "linear": torch.nn.Identity,
    "leaky_relu": lambda: torch.nn.LeakyReLU(0.1),  # nnviz's own slope
}
NAMES = list(TORCH)


def random_case(seed: int) -> tuple[Weights, tuple[str, ...], int]:
    """A random network: 1 to 3 hidden layers of widths 1 to 8, a random activation per
    layer, and k = 2 to 6 softmax outputs."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 4))
    widths = tuple(int(w) for w in rng.integers(1, 9, depth))
    names = tuple(NAMES[int(i)] for i in rng.integers(0, len(NAMES), depth))
    classes = int(rng.integers(2, 7))
    full = (2, *widths, classes)
    arrays = []
    for k in range(len(full) - 1):
        arrays += [rng.normal(0, 1.5, (full[k + 1], full[k])), rng.normal(0, 0.7, full[k + 1])]
    return Weights(*arrays), names, classes


def torch_network(w: Weights, names: tuple[str, ...]) -> list[torch.nn.Module]:
    """The network as torch modules: Linear, activation, …, Linear (the logits)."""
    modules: list[torch.nn.Module] = []
    for k in range(w.layers):
        linear = torch.nn.Linear(w.W[k].shape[1], w.W[k].shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.W[k]))
            linear.bias.copy_(torch.from_numpy(w.b[k]))
        modules.append(linear)
        if k < len(names):
            modules.append(TORCH[names[k]]())
    return modules


def torch_spaces(X: np.ndarray, w: Weights, names: tuple[str, ...]) -> list[np.ndarray]:
    """Every module's output: z_1, h_1, z_2, h_2, …, logits."""
    out = []
    v = torch.from_numpy(X)
    with torch.no_grad():
        for module in torch_network(w, names):
            v = module(v)
            out.append(v.numpy().copy())
    return out


@pytest.mark.parametrize("seed", range(40))
def test_logits_and_probabilities_of_every_space_match_torch(seed: int) -> None:
    w, names, classes = random_case(seed)
    X = np.random.default_rng(100 + seed).normal(0, 2, (120, 2))
    spaces = torch_spaces(X, w, names)
    logits = spaces[-1]
    p = torch.softmax(torch.from_numpy(logits), dim=-1).numpy()
    assert logits.shape == (120, classes)
    np.testing.assert_allclose(forward.output_logits(X, w, names), logits, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        forward.rest_class_probabilities(X, w, names, INPUT), p, rtol=1e-9, atol=1e-14
    )
    for layer in range(1, len(names) + 1):
        for index, stage in ((2 * layer - 2, "affine"), (2 * layer - 1, "activation")):
            space = Space(layer, stage)  # type: ignore[arg-type]
            points = spaces[index]
            np.testing.assert_allclose(
                forward.rest_logits(points, w, names, space), logits, rtol=1e-10, atol=1e-12
            )
            np.testing.assert_allclose(
                forward.rest_class_probabilities(points, w, names, space, "softmax"), p,
                rtol=1e-9, atol=1e-14,
            )  # fmt: skip


@pytest.mark.parametrize("seed", range(8))
def test_one_sigmoid_unit_is_two_classes(seed: int) -> None:
    """One sigmoid unit: one logit column, and the two classes' probabilities 1 − σ, σ; the
    one-unit functions give the same numbers as before."""
    w, names, _ = random_case(seed)
    w = Weights(*w.arrays()[:-2], w.W[-1][:1], w.b[-1][:1])
    X = np.random.default_rng(seed).normal(0, 2, (80, 2))
    logit = torch_spaces(X, w, names)[-1]
    sigma = torch.sigmoid(torch.from_numpy(logit)).numpy()[:, 0]
    np.testing.assert_allclose(forward.output_logits(X, w, names), logit, rtol=1e-10, atol=1e-12)
    two = forward.rest_class_probabilities(X, w, names, INPUT, "sigmoid")
    np.testing.assert_allclose(two, np.column_stack([1 - sigma, sigma]), rtol=1e-9, atol=1e-14)
    np.testing.assert_allclose(forward.probabilities(X, w, names), sigma, rtol=1e-12)
    np.testing.assert_array_equal(
        forward.rest_probability(X, w, names, INPUT), forward.probabilities(X, w, names)
    )


def test_class_probability_grid_is_the_field_at_the_pixel_centres() -> None:
    w, names, classes = random_case(3)
    box = ((-2.0, 3.0), (-1.0, 1.0))
    grid = forward.class_probability_grid(w, names, *box, shape=(7, 9))
    assert grid.shape == (7, 9, classes)
    np.testing.assert_allclose(grid.sum(axis=-1), 1.0, atol=1e-12)
    # Pixel (row 0, col 0) is the top-left: x = −2 + 5/18, y = 1 − 2/14.
    corner = np.array([[-2.0 + 5 / 18, 1.0 - 2 / 14]])
    logits = torch_spaces(corner, w, names)[-1]
    expected = torch.softmax(torch.from_numpy(logits), dim=-1).numpy()[0]
    np.testing.assert_allclose(grid[0, 0], expected, atol=2e-6)  # a float32 forward pass


def test_class_probability_grid_of_a_sigmoid_unit_is_the_probability_grid() -> None:
    w, names, _ = random_case(5)
    w = Weights(*w.arrays()[:-2], w.W[-1][:1], w.b[-1][:1])
    box = ((-2.0, 2.0), (-2.0, 2.0))
    two = forward.class_probability_grid(w, names, *box, (6, 6), output="sigmoid")
    one = forward.probability_grid(w, names, *box, (6, 6))
    np.testing.assert_allclose(two[..., 1], one, atol=1e-6)
    np.testing.assert_allclose(two[..., 0], 1 - one, atol=1e-6)


def test_class_probability_grid_far_from_zero() -> None:
    """Columns near 10⁶ that vary by a few units: the first layer in float64 keeps the field
    right (a float32 x near 10⁶ is only good to 0.06)."""
    rng = np.random.default_rng(11)
    w = Weights(
        rng.normal(0, 1, (4, 2)), np.zeros(4), rng.normal(0, 2, (3, 4)), rng.normal(0, 1, 3)
    )
    centre = np.array([1.0e6, -2.0e6])
    w = Weights(w.W[0], -w.W[0] @ centre, w.W[1], w.b[1])  # the interesting part is at `centre`
    box = ((centre[0] - 3, centre[0] + 3), (centre[1] - 3, centre[1] + 3))
    grid = forward.class_probability_grid(w, "tanh", *box, (12, 12))
    logits = torch_spaces(forward.grid_points(*box, (12, 12)), w, ("tanh",))[-1]
    expected = torch.softmax(torch.from_numpy(logits), dim=-1).numpy().reshape(12, 12, 3)
    np.testing.assert_allclose(grid, expected, atol=1e-5)


def planes_of(logits: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Logits of the pixels (rows · cols, k) as class-major planes (k, rows, cols)."""
    return np.moveaxis(logits.reshape(*shape, -1), -1, 0)


def within_float32(fast: np.ndarray, exact: np.ndarray) -> None:
    """A float32 forward pass: off by a few units of float32 rounding of the largest logit."""
    np.testing.assert_allclose(fast, exact, rtol=0, atol=1e-5 * (1 + np.abs(exact).max()))


@pytest.mark.parametrize("seed", range(40))
def test_class_logit_grid_is_the_logits_at_the_pixel_centres(seed: int) -> None:
    w, names, classes = random_case(seed)
    box, shape = ((-3.0, 2.0), (-1.0, 2.5)), (13, 17)
    planes = forward.class_logit_grid(w, names, *box, shape)
    assert planes.shape == (classes, *shape) and planes.dtype == np.float32
    exact = torch_spaces(forward.grid_points(*box, shape), w, names)[-1]
    within_float32(planes, planes_of(exact, shape))


def plane_case(seed: int) -> tuple[Weights, tuple[str, ...], int]:
    """A random network (as :func:`random_case`) whose hidden layer ``plane`` has 2 units."""
    rng = np.random.default_rng(1000 + seed)
    depth = int(rng.integers(1, 4))
    widths = [int(w) for w in rng.integers(1, 9, depth)]
    plane = int(rng.integers(0, depth))
    widths[plane] = 2
    names = tuple(NAMES[int(i)] for i in rng.integers(0, len(NAMES), depth))
    full = (2, *widths, int(rng.integers(2, 7)))
    arrays = []
    for k in range(len(full) - 1):
        arrays += [rng.normal(0, 1.5, (full[k + 1], full[k])), rng.normal(0, 0.7, full[k + 1])]
    return Weights(*arrays), names, plane + 1


@pytest.mark.parametrize("seed", range(16))
def test_class_logit_grid_of_a_hidden_plane_is_the_rest_of_the_network(seed: int) -> None:
    """Over a hidden layer of two units, before and after its activation: the logits the rest
    of the network gives at the view's pixel centres, as torch computes them from there."""
    w, names, layer = plane_case(seed)
    box, shape = ((-1.5, 2.0), (-1.2, 0.8)), (11, 14)
    points = forward.grid_points(*box, shape)
    rest = torch_network(w, names)[2 * layer - 1 :]  # after hidden layer `layer`'s affine output
    for stage, modules in (("affine", rest), ("activation", rest[1:])):
        v = torch.from_numpy(points)
        with torch.no_grad():
            for module in modules:
                v = module(v)
        space = Space(layer, stage)  # type: ignore[arg-type]
        planes = forward.class_logit_grid(w, names, *box, shape, space)
        within_float32(planes, planes_of(v.numpy(), shape))
        np.testing.assert_allclose(
            planes, planes_of(forward.rest_logits(points, w, names, space), shape),
            rtol=0, atol=1e-5 * (1 + np.abs(planes).max()),
        )  # fmt: skip


def test_class_logit_grid_of_a_sigmoid_unit_is_the_probability_grid() -> None:
    w, names, _ = random_case(5)
    w = Weights(*w.arrays()[:-2], w.W[-1][:1], w.b[-1][:1])
    box = ((-2.0, 2.0), (-2.0, 2.0))
    planes = forward.class_logit_grid(w, names, *box, (6, 7))
    assert planes.shape == (1, 6, 7)
    one = forward.probability_grid(w, names, *box, (6, 7))
    np.testing.assert_allclose(forward.sigmoid(planes[0]), one, atol=1e-6)


def test_class_logit_grid_far_from_zero() -> None:
    """Columns near 10⁶ that vary by a few units: the first layer in float64 keeps the logits
    right to float32 rounding (a float32 x near 10⁶ is only good to 0.06)."""
    rng = np.random.default_rng(11)
    W1 = rng.normal(0, 1, (4, 2))
    for centre in (np.array([1.0e6, -2.0e6]), np.array([3.0e8, 5.0])):
        w = Weights(W1, -W1 @ centre, rng.normal(0, 2, (3, 4)), rng.normal(0, 1, 3))
        box = ((centre[0] - 3, centre[0] + 3), (centre[1] - 3, centre[1] + 3))
        planes = forward.class_logit_grid(w, "tanh", *box, (12, 12))
        exact = torch_spaces(forward.grid_points(*box, (12, 12)), w, ("tanh",))[-1]
        within_float32(planes, planes_of(exact, (12, 12)))


def test_class_logit_grid_checks_the_layer() -> None:
    w, names, _ = random_case(0)
    with pytest.raises(ValueError, match="hidden layer"):
        forward.class_logit_grid(w, names, (0.0, 1.0), (0.0, 1.0), (4, 4), Space(9))
