"""The numpy forward pass against torch, the oracle."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from nnviz import forward
from nnviz.forward import Weights

TORCH_ACTIVATIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
}


def random_weights(rng: np.random.Generator, hidden: int = 2, scale: float = 2.0) -> Weights:
    return Weights(
        W1=rng.normal(0, scale, (hidden, 2)),
        b1=rng.normal(0, scale, hidden),
        W2=rng.normal(0, scale, (1, hidden)),
        b2=rng.normal(0, scale, 1),
    )


def torch_forward(X: np.ndarray, w: Weights, activation: str) -> tuple[np.ndarray, np.ndarray]:
    x = torch.from_numpy(X)
    h = TORCH_ACTIVATIONS[activation](x @ torch.from_numpy(w.W1).T + torch.from_numpy(w.b1))
    z = h @ torch.from_numpy(w.W2).T + torch.from_numpy(w.b2)
    return h.numpy(), z[:, 0].numpy()


@pytest.mark.parametrize("activation", list(TORCH_ACTIVATIONS))
@pytest.mark.parametrize("hidden", [1, 2, 5])
def test_forward_matches_torch(activation: str, hidden: int) -> None:
    rng = np.random.default_rng(hidden)
    X = rng.normal(0, 2, (300, 2))
    for _ in range(5):
        w = random_weights(rng, hidden)
        h_torch, z_torch = torch_forward(X, w, activation)
        np.testing.assert_allclose(
            forward.hidden(X, w, activation), h_torch, rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(
            forward.logits(X, w, activation), z_torch, rtol=1e-12, atol=1e-12
        )
        np.testing.assert_allclose(
            forward.probabilities(X, w, activation),
            torch.sigmoid(torch.from_numpy(z_torch)).numpy(),
            rtol=1e-12,
            atol=1e-15,
        )


def test_bce_and_accuracy_match_torch_even_for_huge_logits() -> None:
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(0, 3, 100), [800.0, -800.0, 40.0, -40.0]])
    y = rng.integers(0, 2, len(z))
    expected = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.from_numpy(z), torch.from_numpy(y.astype(np.float64))
    )
    assert forward.bce_from_logits(z, y) == pytest.approx(float(expected), rel=1e-12)
    assert forward.accuracy(z, y) == pytest.approx(np.mean((z > 0) == (y == 1)))
    assert np.all(np.isfinite(forward.sigmoid(np.array([-1e4, 1e4]))))


def test_grid_points_are_pixel_centres_with_row_zero_on_top() -> None:
    points = forward.grid_points((0.0, 4.0), (0.0, 2.0), shape=(2, 4))
    # Pixels are 1 x 1: the top-left centre is (0.5, 1.5), the bottom-right (3.5, 0.5).
    np.testing.assert_allclose(points[0], [0.5, 1.5])
    np.testing.assert_allclose(points[-1], [3.5, 0.5])
    assert points.shape == (8, 2)


def test_probability_grid_is_the_forward_pass_at_pixel_centres() -> None:
    w = random_weights(np.random.default_rng(1))
    grid = forward.probability_grid(w, "tanh", (-2, 2), (-1, 1), shape=(10, 20))
    centre = forward.grid_points((-2, 2), (-1, 1), (10, 20)).reshape(10, 20, 2)[3, 7]
    _, z = torch_forward(centre[None], w, "tanh")
    # The picture's mesh is float32 (a colour step is 1/256): true to float32's precision.
    assert grid.dtype == forward.PICTURE_DTYPE
    assert grid[3, 7] == pytest.approx(1 / (1 + np.exp(-z[0])), rel=1e-6)


def test_output_line_lies_on_the_line_and_the_box_edges() -> None:
    w = Weights(np.eye(2), np.zeros(2), np.array([[1.0, -2.0]]), np.array([0.5]))
    ends = forward.output_line(w, (-3, 3), (-3, 3))
    assert ends is not None
    # 1*h1 - 2*h2 + 0.5 = 0
    np.testing.assert_allclose(ends @ [1.0, -2.0] + 0.5, 0, atol=1e-12)
    on_edge = np.isclose(np.abs(ends), 3).any(axis=1)
    assert on_edge.all()
    far = Weights(np.eye(2), np.zeros(2), np.array([[1.0, 0.0]]), np.array([-10.0]))
    assert forward.output_line(far, (-3, 3), (-3, 3)) is None
    flat = Weights(np.eye(2), np.zeros(2), np.array([[0.0, 0.0]]), np.array([1.0]))
    assert forward.output_line(flat, (-3, 3), (-3, 3)) is None


def test_layer_outputs_per_epoch_match_the_forward_pass_epoch_by_epoch() -> None:
    rng = np.random.default_rng(4)
    widths, epochs, names = (2, 3, 4, 2, 1), 5, ("relu", "tanh", "leaky_relu")
    W = [rng.normal(size=(epochs + 1, o, i)) for i, o in itertools.pairwise(widths)]
    b = [rng.normal(size=(epochs + 1, o)) for o in widths[1:]]
    X = rng.normal(size=(7, 2))
    every = forward.layer_outputs_per_epoch(X, W, b, names)
    picked = forward.layer_outputs_per_epoch(X, W, b, names, slice(1, None, 2))
    for e in range(epochs + 1):
        weights = Weights(*(a[e] for pair in zip(W, b, strict=True) for a in pair))
        for layer, (z, h) in enumerate(forward.layer_outputs(X, weights, names)):
            np.testing.assert_allclose(every[layer][0][e], z, rtol=1e-12, atol=1e-12)
            np.testing.assert_allclose(every[layer][1][e], h, rtol=1e-12, atol=1e-12)
            if e % 2 == 1:
                np.testing.assert_allclose(picked[layer][1][e // 2], h, rtol=1e-12, atol=1e-12)
    assert [h.shape for _, h in every] == [
        (epochs + 1, 7, 3),
        (epochs + 1, 7, 4),
        (epochs + 1, 7, 2),
    ]


def test_to_space_stacked_matches_the_forward_pass_state_by_state() -> None:
    rng = np.random.default_rng(5)
    widths, states, names = (2, 3, 4, 2, 1), 6, ("relu", "tanh", "leaky_relu")
    W = [rng.normal(size=(states, o, i)) for i, o in itertools.pairwise(widths)]
    b = [rng.normal(size=(states, o)) for o in widths[1:]]
    X = rng.normal(size=(7, 2))
    for layer in range(4):
        for stage in ("affine", "activation"):
            space = forward.Space(layer, stage)  # type: ignore[arg-type]
            stacked = forward.to_space_stacked(X, W, b, names, space)
            for s in range(states):
                weights = Weights(*(a[s] for pair in zip(W, b, strict=True) for a in pair))
                one = forward.to_space(X, weights, names, space)
                np.testing.assert_allclose(stacked[s], one, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="3 hidden layers, not 4"):
        forward.to_space_stacked(X, W, b, names, forward.Space(4))


def test_output_line_touching_only_a_corner_of_the_box_is_none() -> None:
    # x + y = 6 meets the box [-3, 3]² in its corner (3, 3) alone, found on two edges.
    corner = Weights(np.eye(2), np.zeros(2), np.array([[1.0, 1.0]]), np.array([-6.0]))
    assert forward.output_line(corner, (-3, 3), (-3, 3)) is None
    # Moved a little inwards, it cuts the corner off: a short chord between two edges.
    cut = Weights(np.eye(2), np.zeros(2), np.array([[1.0, 1.0]]), np.array([-5.9]))
    ends = forward.output_line(cut, (-3, 3), (-3, 3))
    assert ends is not None
    np.testing.assert_allclose(sorted(map(tuple, ends)), [(2.9, 3.0), (3.0, 2.9)])
