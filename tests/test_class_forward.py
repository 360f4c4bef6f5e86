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
