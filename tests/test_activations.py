"""The activation registry against torch, the oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from nnviz.activations import ACTIVATION_REGISTRY, ACTIVATIONS, LEAKY_SLOPE, activation
from nnviz.config import ConfigError, RunConfig
from nnviz.train import activation_module

# Written out here, independently of the registry's own torch names.
TORCH_FUNCTIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
}


def test_every_activation_a_configuration_accepts_has_a_torch_oracle() -> None:
    assert set(TORCH_FUNCTIONS) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_numpy_and_torch_module_match_torch(name: str) -> None:
    entry = activation(name)
    z = np.linspace(-30, 30, 1201)
    expected = TORCH_FUNCTIONS[name](torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(entry.numpy(z), expected, rtol=1e-12, atol=1e-300)
    with torch.no_grad():
        module_out = activation_module(name)(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(module_out, expected, rtol=1e-12, atol=1e-300)
    low, high = entry.output_range
    assert np.all(expected >= low) and np.all(expected <= high)
    assert entry.bounded == (math.isfinite(low) and math.isfinite(high))


def test_only_relu_units_can_die_and_leaky_relu_keeps_a_visible_slope() -> None:
    assert [a.name for a in ACTIVATION_REGISTRY.values() if a.can_die] == ["relu"]
    leaky = activation("leaky_relu").numpy(np.array([-2.0, 3.0]))
    np.testing.assert_allclose(leaky, [-2.0 * LEAKY_SLOPE, 3.0])
    assert LEAKY_SLOPE >= 0.05  # visible in a video
    assert RunConfig(activation="leaky_relu").activation == "leaky_relu"


def test_unknown_activations_get_one_line() -> None:
    with pytest.raises(ValueError, match="unknown activation 'swish'; choose one of relu, tanh"):
        activation("swish")
    with pytest.raises(ConfigError, match="unknown activation 'swish'"):
        RunConfig(activation="swish")


def test_display_names_count_equal_neighbouring_layers() -> None:
    from nnviz.activations import display_name

    assert display_name("relu") == "ReLU"
    assert display_name(("relu", "tanh")) == "ReLU/tanh"
    assert display_name(("leaky_relu", "leaky_relu", "tanh")) == "leaky ReLU ×2/tanh"
    assert display_name(("tanh", "relu", "tanh")) == "tanh/ReLU/tanh"


# --- leaky_relu's negative slope, a parameter of the activation ----------------------------


@pytest.mark.parametrize("slope", [0.01, 0.2, 0.1])
def test_leaky_relu_of_any_slope_matches_torchs_module(slope: float) -> None:
    name = "leaky_relu" if slope == 0.1 else f"leaky_relu:{slope}"
    entry = activation(name)
    z = np.linspace(-30, 30, 1201)
    with torch.no_grad():
        expected = torch.nn.LeakyReLU(slope)(torch.from_numpy(z)).numpy()
        module_out = activation_module(name)(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(entry.numpy(z), expected, rtol=1e-15, atol=0)
    np.testing.assert_allclose(module_out, expected, rtol=1e-15, atol=0)
    assert entry.torch_layer == ("LeakyReLU", {"negative_slope": slope})
    assert f"{slope:g}" in entry.formula and f"{slope:g}" in entry.short_formula


def test_a_network_of_leaky_relus_of_slope_0_01_matches_torch() -> None:
    """The numpy forward pass of a 2-4-3-1 network of ``leaky_relu:0.01`` layers against the
    same network built from ``nn.LeakyReLU()`` (PyTorch's default slope, 0.01)."""
    from nnviz import forward
    from nnviz.forward import Weights

    torch.manual_seed(3)
    model = torch.nn.Sequential(
        torch.nn.Linear(2, 4), torch.nn.LeakyReLU(), torch.nn.Linear(4, 3),
        torch.nn.LeakyReLU(), torch.nn.Linear(3, 1),
    ).double()  # fmt: skip
    X = np.random.default_rng(3).normal(0, 2, (500, 2))
    arrays = [p.detach().numpy() for p in model.parameters()]
    weights = Weights(*arrays)
    with torch.no_grad():
        hidden = model[:2](torch.from_numpy(X)).numpy()
        logits = model(torch.from_numpy(X))[:, 0].numpy()
    names = ("leaky_relu:0.01", "leaky_relu:0.01")
    outputs = forward.layer_outputs(X, weights, names)
    np.testing.assert_allclose(outputs[0][1], hidden, rtol=1e-12, atol=1e-14)
    assert (outputs[0][0] < 0).any()  # the negative side is exercised
    np.testing.assert_allclose(forward.logits(X, weights, names), logits, rtol=1e-12,
                               atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(forward.logits(X, weights, "leaky_relu:0.01"), logits,
                               rtol=1e-12, atol=1e-12)  # fmt: skip
    # nnviz's own slope is another function: the parameter is really used
    assert not np.allclose(forward.logits(X, weights, "leaky_relu"), logits)


def test_the_slope_is_spelled_once_and_checked() -> None:
    assert RunConfig(activation="leaky_relu:0.10").activation == "leaky_relu"  # the default
    assert RunConfig(activation="leaky_relu:.01").activation == "leaky_relu:0.01"
    assert RunConfig(activation=("leaky_relu:0.2", "tanh"), hidden=(3, 2)).activation == (
        "leaky_relu:0.2", "tanh")  # fmt: skip
    for bad, message in [
        ("leaky_relu:1", "the negative slope of leaky_relu must be a number above 0 and below 1"),
        ("leaky_relu:0", "above 0 and below 1"),
        ("leaky_relu:-0.1", "above 0 and below 1"),
        ("leaky_relu:nan", "above 0 and below 1"),
        ("leaky_relu:inf", "above 0 and below 1"),
        ("leaky_relu:steep", "above 0 and below 1"),
        ("tanh:0.1", "tanh takes no parameter"),
        ("swish:0.1", "unknown activation 'swish:0.1'"),
    ]:
        with pytest.raises(ConfigError, match=message) as error:
            RunConfig(activation=bad)
        assert error.value.field == "activation"
        with pytest.raises(ValueError, match=message):
            activation(bad)


def test_display_names_and_formulas_show_a_slope_other_than_nnvizs() -> None:
    from nnviz.activations import display_name

    assert display_name("leaky_relu") == "leaky ReLU"  # as before: scenes are unchanged
    assert activation("leaky_relu").formula == r"a(z) = \max(0.1\, z,\, z)"
    assert display_name("leaky_relu:0.01") == "leaky ReLU (0.01)"
    assert activation("leaky_relu:0.01").formula == r"a(z) = \max(0.01\, z,\, z)"
    assert display_name(("leaky_relu:0.2", "leaky_relu:0.2", "tanh")) == (
        "leaky ReLU (0.2) ×2/tanh")  # fmt: skip
    sentence = RunConfig(activation="leaky_relu:0.01").network_sentence()
    assert sentence == "2 inputs → 2 hidden neurons (leaky ReLU (0.01)) → 1 sigmoid output"
