"""The activation registry against torch, the oracle."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from nnviz.activations import ACTIVATION_REGISTRY, LEAKY_SLOPE, activation
from nnviz.config import ACTIVATIONS, ConfigError, RunConfig
from nnviz.train import activation_module

# Written out here, independently of the registry's own torch names.
TORCH_FUNCTIONS = {
    "relu": torch.relu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "linear": lambda z: z,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
}


def test_registry_holds_exactly_the_configs_activations() -> None:
    assert tuple(ACTIVATION_REGISTRY) == ACTIVATIONS
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
