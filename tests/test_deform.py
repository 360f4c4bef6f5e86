"""The hidden layer as a deformation of the plane, against torch as the oracle."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from nnviz import deform as dm
from nnviz import forward
from nnviz.forward import Weights

BOX = ((-2.0, 2.0), (-2.0, 2.0))


def weights_2x2(rng: np.random.Generator, scale: float = 1.0) -> Weights:
    return Weights(
        W1=rng.uniform(-scale, scale, (2, 2)),
        b1=rng.uniform(-scale, scale, 2),
        W2=rng.normal(0, 1, (1, 2)),
        b2=rng.normal(0, 1, 1),
    )


def torch_hidden(X: np.ndarray, w: Weights, activation: str) -> np.ndarray:
    layer = torch.nn.Linear(2, 2).double()
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(w.W1))
        layer.bias.copy_(torch.from_numpy(w.b1))
        z = layer(torch.from_numpy(X))
        h = torch.relu(z) if activation == "relu" else torch.tanh(z)
    return h.numpy()


@pytest.fixture
def points() -> np.ndarray:
    return np.random.default_rng(0).uniform(-2, 2, (500, 2))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_identity_at_zero_and_hidden_layer_at_three(points: np.ndarray, activation: str) -> None:
    rng = np.random.default_rng(1)
    for _ in range(5):
        w = weights_2x2(rng, scale=2.0)
        np.testing.assert_array_equal(dm.deform(points, w, activation, 0.0), points)
        end = dm.deform(points, w, activation, 3.0)
        np.testing.assert_allclose(end, torch_hidden(points, w, activation), rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(end, forward.hidden(points, w, activation))


@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_stages_meet_exactly_and_motion_is_continuous(points: np.ndarray, activation: str) -> None:
    w = weights_2x2(np.random.default_rng(2), scale=2.0)
    for boundary in (1, 2):
        end_of_stage = dm.apply_stage(points, w, activation, boundary, 1.0)
        start_of_next = dm.apply_stage(points, w, activation, boundary + 1, 0.0)
        np.testing.assert_array_equal(end_of_stage, start_of_next)
        np.testing.assert_array_equal(dm.deform(points, w, activation, boundary), end_of_stage)
        eps = 1e-7
        before = dm.deform(points, w, activation, boundary - eps)
        after = dm.deform(points, w, activation, boundary + eps)
        # Every stage moves a point of this box by less than ~20 units per unit of s.
        assert np.max(np.abs(after - before)) < 20 * 2 * eps


def test_stage_one_at_its_end_is_the_linear_map(points: np.ndarray) -> None:
    w = Weights(
        np.array([[2.0, -1.0], [0.5, 3.0]]), np.array([1.0, -1.0]), np.ones((1, 2)), np.zeros(1)
    )
    expected = np.column_stack(
        [2.0 * points[:, 0] - points[:, 1], 0.5 * points[:, 0] + 3.0 * points[:, 1]]
    )
    np.testing.assert_allclose(dm.deform(points, w, "relu", 1.0), expected, rtol=1e-14)
    # Half-way through stage 1 a point is half-way between itself and its image.
    np.testing.assert_allclose(
        dm.deform(points, w, "relu", 0.5), (points + expected) / 2, rtol=1e-12, atol=1e-14
    )
    # Stage 2 slides by b1.
    np.testing.assert_allclose(
        dm.deform(points, w, "relu", 1.5), expected + np.array([0.5, -0.5]), rtol=1e-12, atol=1e-14
    )


def test_relu_folds_the_plane_into_the_first_quadrant(points: np.ndarray) -> None:
    w = Weights(
        np.array([[1.0, 0.5], [-0.5, 1.0]]), np.array([0.2, -0.3]), np.ones((1, 2)), np.zeros(1)
    )
    h = dm.deform(points, w, "relu", 3.0)
    assert np.all(h >= 0.0)
    z = points @ np.array([[1.0, -0.5], [0.5, 1.0]]) + np.array([0.2, -0.3])
    negative = z < 0
    assert negative[:, 0].any() and negative[:, 1].any()
    assert np.all(h[negative] == 0.0)  # each negative coordinate lands on its axis
    np.testing.assert_array_equal(h[~negative], z[~negative])
    # The fold: with W1 = I and b1 = 0, distinct points with the same y and x < 0 meet.
    identity = Weights(np.eye(2), np.zeros(2), np.ones((1, 2)), np.zeros(1))
    folded = dm.deform(np.array([[-1.0, 0.7], [-3.0, 0.7], [-0.2, -4.0]]), identity, "relu", 3)
    np.testing.assert_array_equal(folded, [[0.0, 0.7], [0.0, 0.7], [0.0, 0.0]])


def test_tanh_squashes_into_the_open_square(points: np.ndarray) -> None:
    rng = np.random.default_rng(3)
    for _ in range(5):
        # |z| <= 2 * 1.5 * 2 + 0.5 = 6.5, where tanh is still below 1 in float64.
        w = Weights(
            rng.uniform(-1.5, 1.5, (2, 2)), rng.uniform(-0.5, 0.5, 2), np.ones((1, 2)), np.zeros(1)
        )
        h = dm.deform(points, w, "tanh", 3.0)
        assert np.all(np.abs(h) < 1.0)


def test_stage_names_and_clamping() -> None:
    assert dm.STAGES == 3
    assert dm.stage_name(0.0) == dm.stage_name(0.4) == dm.stage_name(1.0) == "linear map W₁x"
    assert dm.stage_name(1.2) == dm.stage_name(2.0) == "shift + b₁"
    assert dm.stage_name(2.5) == dm.stage_name(3.0) == "activation a(z)"
    assert dm.stage_of(0.0) == (1, 0.0)
    assert dm.stage_of(1.0) == (1, 1.0)
    assert dm.stage_of(2.25) == (3, 0.25)
    assert dm.stage_of(-0.5) == (1, 0.0)
    assert dm.stage_of(3.5) == (3, 1.0)
    assert dm.stage_of(7.5, hidden_layers=3) == (8, 0.5)
    assert dm.stage_of(10.0, hidden_layers=3) == (9, 1.0)
    assert dm.layer_and_kind(8) == (3, 2)
    assert dm.stage_name(3.5, hidden_layers=2) == "layer 2: linear map W₂h₁"
    assert dm.stage_name(0.5, hidden_layers=2) == "layer 1: linear map W₁x"
    assert dm.stage_name(6.0, hidden_layers=2) == "layer 2: activation a₂(z)"
    assert len(dm.stage_names(3)) == 9
    assert dm.stage_labels() == ("W₁x", "+ b₁", "a(z)")  # the stage bar's, from the same table
    w = weights_2x2(np.random.default_rng(4))
    x = np.array([[0.3, -0.4]])
    np.testing.assert_array_equal(dm.deform(x, w, "tanh", 3.7), dm.deform(x, w, "tanh", 3.0))


def test_stage_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="stage"):
        dm.apply_stage(np.zeros((1, 2)), weights_2x2(np.random.default_rng(0)), "relu", 4, 0.5)


# --- any architecture --------------------------------------------------------------------------

TORCH_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def random_weights(rng: np.random.Generator, widths: tuple[int, ...]) -> Weights:
    """Weights of a 2-…-1 network with hidden ``widths``."""
    sizes = (2, *widths, 1)
    arrays: list[np.ndarray] = []
    for n_in, n_out in itertools.pairwise(sizes):
        arrays += [rng.normal(0, 1, (n_out, n_in)), rng.normal(0, 0.5, n_out)]
    return Weights(*arrays)


def torch_layers(X: np.ndarray, w: Weights, names: tuple[str, ...]) -> list[np.ndarray]:
    """Every hidden layer's output by torch.nn.Linear and torch's activations."""
    out = []
    h = torch.from_numpy(X)
    with torch.no_grad():
        for W, b, name in zip(w.W[:-1], w.b[:-1], names, strict=True):
            layer = torch.nn.Linear(W.shape[1], W.shape[0]).double()
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
            h = TORCH_ACTIVATIONS[name](layer(h))
            out.append(h.numpy())
    return out


ARCHITECTURES = [(3,), (2, 2), (3, 2), (2, 3, 2), (1, 3), (3, 3, 1), (4, 4, 2)]


@pytest.mark.parametrize("widths", ARCHITECTURES)
def test_any_architecture_ends_at_each_layer_and_starts_at_the_identity(
    points: np.ndarray, widths: tuple[int, ...]
) -> None:
    rng = np.random.default_rng(len(widths) * 10 + sum(widths))
    w = random_weights(rng, widths)
    names = tuple(str(rng.choice(["relu", "tanh", "sigmoid"])) for _ in widths)
    np.testing.assert_array_equal(dm.deform(points, w, names, 0.0), points)
    for k, h in enumerate(torch_layers(points, w, names), start=1):
        # At the end of layer k's activation stage the points are h_k, torch's layer output.
        end = dm.deform(points, w, names, 3.0 * k)
        np.testing.assert_allclose(end, h, rtol=1e-12, atol=1e-12)
    assert dm.stage_count(w) == 3 * len(widths)
    assert dm.space_widths(w) == (2, *widths)


def test_a_width_change_interpolates_in_the_zero_padded_space(points: np.ndarray) -> None:
    w = random_weights(np.random.default_rng(7), (3, 2))
    names = ("tanh", "relu")
    # 2 -> 3: half-way, (x1, x2, 0) / 2 + W1 x / 2, by hand.
    lifted = points @ w.W[0].T
    half = dm.deform(points, w, names, 0.5)
    assert half.shape == (len(points), 3)
    np.testing.assert_allclose(half[:, :2], (points + lifted[:, :2]) / 2, rtol=1e-12)
    np.testing.assert_allclose(half[:, 2], lifted[:, 2] / 2, rtol=1e-12)
    # 3 -> 2: h1 starts in 3-D and lands on the plane h3 = 0, which is W2 h1 in 2-D.
    h1 = np.tanh(points @ w.W[0].T + w.b[0])
    z2 = h1 @ w.W[1].T
    quarter = dm.deform(points, w, names, 3.25)
    assert quarter.shape == (len(points), 3)
    np.testing.assert_allclose(quarter[:, :2], 0.75 * h1[:, :2] + 0.25 * z2, rtol=1e-12)
    np.testing.assert_allclose(quarter[:, 2], 0.75 * h1[:, 2], rtol=1e-12)
    end = dm.apply_stage(points, w, names, 4, 1.0)
    np.testing.assert_allclose(end[:, :2], z2, rtol=1e-12)
    np.testing.assert_array_equal(end[:, 2], 0.0)


def pad(points: np.ndarray, width: int) -> np.ndarray:
    return np.hstack([points, np.zeros((len(points), width - points.shape[1]))])


@pytest.mark.parametrize("widths", ARCHITECTURES)
def test_any_architecture_moves_continuously_across_stage_boundaries(
    points: np.ndarray, widths: tuple[int, ...]
) -> None:
    w = random_weights(np.random.default_rng(sum(widths)), widths)
    names = ("tanh",) * len(widths)
    width = max(2, *widths)
    for boundary in range(1, 3 * len(widths)):
        end_of_stage = dm.apply_stage(points, w, names, boundary, 1.0)
        start_of_next = dm.apply_stage(points, w, names, boundary + 1, 0.0)
        np.testing.assert_allclose(pad(end_of_stage, width), pad(start_of_next, width), atol=1e-12)
        eps = 1e-7
        before = pad(dm.deform(points, w, names, boundary - eps), width)
        after = pad(dm.deform(points, w, names, boundary + eps), width)
        assert np.max(np.abs(after - before)) < 1e-4


def test_too_wide_networks_are_named_in_one_line() -> None:
    assert dm.too_wide_message((2, 3, 2)) is None
    assert dm.too_wide_message((2, 1)) is None
    assert dm.too_wide_message((2, 8, 2)) == (
        "nnviz: the deformation shows spaces of up to 3 dimensions; layer 1 has 8 units"
    )
    assert dm.too_wide_message((2, 3, 4)) == (
        "nnviz: the deformation shows spaces of up to 3 dimensions; layer 2 has 4 units"
    )


def test_grid_lines_are_straight_and_bend_like_the_hidden_layer() -> None:
    lines = dm.grid_lines(BOX, count=5, samples=40)
    assert lines.shape == (10, 40, 2)
    horizontal, vertical = lines[:5], lines[5:]
    levels = np.broadcast_to(np.linspace(-2, 2, 5)[:, None], (5, 40))
    np.testing.assert_array_equal(horizontal[:, :, 1], levels)  # constant y along each line
    np.testing.assert_array_equal(horizontal[0, :, 0], np.linspace(-2, 2, 40))
    np.testing.assert_array_equal(vertical[:, :, 0], levels)  # constant x along each line
    np.testing.assert_array_equal(vertical[3, :, 1], np.linspace(-2, 2, 40))
    with pytest.raises(ValueError):
        dm.grid_lines(BOX, count=1, samples=40)

    w = weights_2x2(np.random.default_rng(5), scale=2.0)
    for activation in ("relu", "tanh"):
        bent = dm.deform_lines(lines, w, activation, 3.0)
        assert bent.shape == lines.shape
        np.testing.assert_allclose(
            bent.reshape(-1, 2),
            torch_hidden(lines.reshape(-1, 2), w, activation),
            rtol=1e-12,
            atol=1e-12,
        )
        np.testing.assert_array_equal(dm.deform_lines(lines, w, activation, 0.0), lines)


def lipschitz_bound(w: Weights) -> float:
    """Bound on |grad logit| for activations with slope at most 1 (ReLU, tanh)."""
    return float(np.sum(np.abs(w.W2[0]) * np.linalg.norm(w.W1, axis=1)))


@pytest.mark.parametrize(
    ("activation", "w"),
    [
        (
            "relu",
            Weights(
                np.array([[1.0, 0.5], [-0.5, 1.0]]),
                np.array([0.0, 0.2]),
                np.array([[1.5, -1.0]]),
                np.array([-0.5]),
            ),
        ),
        (
            "tanh",
            Weights(
                np.array([[2.0, -1.0], [1.0, 1.5]]),
                np.array([0.3, -0.4]),
                np.array([[2.0, 1.5]]),
                np.array([0.5]),
            ),
        ),
    ],
)
def test_pulled_back_boundary_is_where_the_logit_vanishes(activation: str, w: Weights) -> None:
    resolution = 120
    segments = dm.pull_back_boundary(w, activation, BOX, resolution)
    assert segments.ndim == 3 and segments.shape[1:] == (2, 2) and len(segments) > 20
    ends = segments.reshape(-1, 2)
    assert np.all((ends >= -2.0) & (ends <= 2.0))
    z = torch_forward_logits(ends, w, activation)
    pixel = 4.0 / resolution
    # An end point sits on a pixel edge whose samples straddle 0, so |z| <= |grad z| * pixel.
    assert np.max(np.abs(z)) <= lipschitz_bound(w) * pixel
    assert np.median(np.abs(z)) < 0.05 * lipschitz_bound(w) * pixel


def test_pulled_back_boundary_is_exact_where_the_logit_is_linear() -> None:
    # All pre-activations are positive in the box, so ReLU is the identity there and the
    # logit is x1 - 2 x2 + 0.3.
    w = Weights(np.eye(2), np.array([10.0, 10.0]), np.array([[1.0, -2.0]]), np.array([10.3]))
    segments = dm.pull_back_boundary(w, "relu", BOX, (50, 80))
    ends = segments.reshape(-1, 2)
    assert len(segments) > 0
    np.testing.assert_allclose(ends @ [1.0, -2.0] + 0.3, 0.0, atol=1e-12)
    # A boundary outside the box gives no segments.
    far = Weights(np.eye(2), np.zeros(2), np.array([[1.0, 0.0]]), np.array([-10.0]))
    assert dm.pull_back_boundary(far, "relu", BOX, 30).shape == (0, 2, 2)


def torch_forward_logits(X: np.ndarray, w: Weights, activation: str) -> np.ndarray:
    h = torch.from_numpy(torch_hidden(X, w, activation))
    return (h @ torch.from_numpy(w.W2).T + torch.from_numpy(w.b2))[:, 0].numpy()
