"""Any small network, from configuration to run file to trajectory, against torch."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from nnviz import forward
from nnviz.config import ConfigError, RunConfig
from nnviz.forward import Space, Weights
from nnviz.run_file import load_run, save_run
from nnviz.train import train
from nnviz.trajectory import Trajectory

TORCH = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
}
ARCHITECTURES = [
    ((3,), ("tanh",)),
    ((1,), ("relu",)),
    ((4, 4, 2), ("relu", "tanh", "tanh")),
    ((8, 3), ("leaky_relu", "sigmoid")),
]


def random_weights(widths: tuple[int, ...], seed: int) -> Weights:
    rng = np.random.default_rng(seed)
    full = (2, *widths, 1)
    arrays = []
    for k in range(len(full) - 1):
        arrays += [rng.normal(0, 1.5, (full[k + 1], full[k])), rng.normal(0, 0.5, full[k + 1])]
    return Weights(*arrays)


def torch_layers(X: np.ndarray, w: Weights, names: tuple[str, ...]) -> list[torch.Tensor]:
    """Every layer's affine output and activation, then the logit, written with torch."""
    out = []
    h = torch.from_numpy(X)
    for k, name in enumerate(names):
        z = h @ torch.from_numpy(w.W[k]).T + torch.from_numpy(w.b[k])
        h = TORCH[name](z)
        out += [z, h]
    out.append(h @ torch.from_numpy(w.W[-1]).T[:, 0] + torch.from_numpy(w.b[-1])[0])
    return out


@pytest.mark.parametrize(("widths", "names"), ARCHITECTURES)
def test_every_space_and_the_rest_of_the_network_match_torch(
    widths: tuple[int, ...], names: tuple[str, ...]
) -> None:
    w = random_weights(widths, seed=len(widths))
    X = np.random.default_rng(1).normal(0, 2, (150, 2))
    expected = [t.numpy() for t in torch_layers(X, w, names)]
    p = 1 / (1 + np.exp(-expected[-1]))
    np.testing.assert_allclose(forward.logits(X, w, names), expected[-1], rtol=1e-10, atol=1e-12)
    for layer in range(1, len(widths) + 1):
        for index, stage in ((2 * layer - 2, "affine"), (2 * layer - 1, "activation")):
            space = Space(layer, stage)  # type: ignore[arg-type]
            points = forward.to_space(X, w, names, space)
            np.testing.assert_allclose(points, expected[index], rtol=1e-10, atol=1e-12)
            rest = forward.rest_probability(points, w, names, space)
            np.testing.assert_allclose(rest, p, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match=f"has {len(widths)} hidden"):
        forward.to_space(X, w, names, Space(len(widths) + 1))


def test_configuration_describes_the_network() -> None:
    config = RunConfig(hidden=(4, 4, 2), activation=("relu", "tanh", "tanh"))
    assert config.widths == (2, 4, 4, 2, 1)
    assert config.activations == ("relu", "tanh", "tanh")
    assert RunConfig(hidden=3).hidden == (3,)
    # One name stands for every layer, and equal names are stored as one.
    same = RunConfig(hidden=(3, 3), activation=("tanh", "tanh"))
    assert same.activation == "tanh" and same == RunConfig(hidden=(3, 3), activation="tanh")
    assert RunConfig.from_dict(config.to_dict()) == config
    assert config.key() != RunConfig(hidden=(4, 4, 2)).key()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"hidden": (2, 2, 2, 2)}, "hidden has 4 layers; nnviz draws 1 to 3"),
        ({"hidden": (9,)}, "hidden layers of 9 units are too wide to draw; nnviz draws 1 to 8"),
        ({"hidden": (2, 0)}, "hidden must be at least 1"),
        ({"hidden": ()}, "hidden must be layer widths"),
        ({"hidden": (3, 2), "activation": ("relu", "tanh", "relu")}, "3 activations for 2"),
        ({"activation": ("relu", "swish")}, "unknown activation 'swish'"),
        ({"output": "tanh"}, "unknown output 'tanh'; choose one of sigmoid, softmax"),
        (
            {"output": "sigmoid", "dataset": "blobs", "classes": 3},
            "output sigmoid tells 2 classes apart, not 3",
        ),
    ],
)
def test_networks_beyond_the_limits_get_one_line(changes: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        RunConfig(**changes)
    assert "\n" not in str(caught.value)


@pytest.fixture(scope="module")
def deep_run():  # type: ignore[no-untyped-def]
    config = RunConfig(dataset="spiral", hidden=(4, 4, 2), activation=("relu", "tanh", "tanh"),
                       lr=0.03, max_epochs=8, target_loss=0.0)  # fmt: skip
    return train(config)


def test_a_deep_run_logs_every_layer_and_its_loss(deep_run) -> None:  # type: ignore[no-untyped-def]
    run = deep_run
    assert [W.shape for W in run.W] == [(9, 4, 2), (9, 4, 4), (9, 2, 4), (9, 1, 2)]
    assert [b.shape for b in run.b] == [(9, 4), (9, 4), (9, 2), (9, 1)]
    names = run.config.activations
    y = torch.from_numpy(run.y.astype(np.float64))
    for epoch in (0, 4, 8):
        logit = torch_layers(run.X, run.weights(epoch), names)[-1]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(logit, y)
        assert run.loss[epoch] == pytest.approx(float(loss), rel=1e-10)
    # Glorot: every layer's weights inside its own limit, biases zero.
    for W, b in zip(run.W, run.b, strict=True):
        fan_out, fan_in = W.shape[1:]
        assert np.all(np.abs(W[0]) <= np.sqrt(6 / (fan_in + fan_out))) and not np.any(b[0])


def test_schema_2_round_trip(deep_run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = save_run(deep_run, tmp_path / "deep.npz")
    with np.load(path, allow_pickle=False) as archive:
        assert {f"W{k}" for k in range(1, 5)} <= set(archive.files)
        assert "W5" not in archive.files
    loaded = load_run(path)
    assert loaded.config == deep_run.config
    for a, b in zip(loaded.arrays().values(), deep_run.arrays().values(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_deep_trajectory_is_exact_at_epochs_and_between(deep_run) -> None:  # type: ignore[no-untyped-def]
    run = deep_run
    trajectory = Trajectory(run)
    for a, b in zip(trajectory.weights_at(3.0).arrays(), run.weights(3).arrays(), strict=True):
        np.testing.assert_array_equal(a, b)
    state = trajectory.state(3.4)
    expected = torch_layers(run.X, trajectory.weights_at(3.4), run.config.activations)
    np.testing.assert_allclose(state.logits, expected[-1].numpy(), rtol=1e-10)
    pairs = list(zip(expected[0:-1:2], expected[1:-1:2], strict=True))
    for (z, h), (tz, th) in zip(state.layers, pairs, strict=True):
        np.testing.assert_allclose(z, tz.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(h, th.numpy(), rtol=1e-10, atol=1e-12)
