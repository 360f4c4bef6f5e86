"""The one table of hidden activations: what training, the maths and the pictures need of each.

Adding an activation is one :class:`Activation` in :data:`ACTIVATION_REGISTRY` (and its name in
:data:`nnviz.config.ACTIVATIONS`, which validates configurations without importing numpy; a
test checks the two agree) plus its test against torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnviz.config import ACTIVATIONS

__all__ = [
    "ACTIVATION_REGISTRY",
    "LEAKY_SLOPE",
    "Activation",
    "activation",
    "display_name",
    "sigmoid",
]

#: The negative slope of ``leaky_relu``: large enough to see in a video.
LEAKY_SLOPE = 0.1


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Return the logistic function of ``z``, without overflow for large ``|z|``."""
    z = np.asarray(z)
    if z.dtype.kind != "f":
        z = z.astype(np.float64)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype, copy=False)


@dataclass(frozen=True)
class Activation:
    """One activation function and everything the project needs of it.

    Attributes
    ----------
    name
        The name in configurations and on the command line (``relu``).
    display
        The name on screen (``ReLU``).
    formula
        LaTeX of its definition, for titles (``a(z) = \\max(0, z)``).
    short_formula
        A shorter LaTeX form for labels (``a(z) = \\tanh z``).
    numpy
        The function, elementwise on numpy arrays.
    torch_layer
        The name of its ``torch.nn`` module class and the keyword arguments to build it.
    output_range
        The interval every output lies in (``-inf``/``inf`` for unbounded sides).
    can_die
        Whether a unit can output a constant zero with zero gradient for every input (ReLU):
        the key moments look for such units.
    """

    name: str
    display: str
    formula: str
    short_formula: str
    numpy: Callable[[np.ndarray], np.ndarray]
    torch_layer: tuple[str, dict[str, Any]]
    output_range: tuple[float, float] = (-math.inf, math.inf)
    can_die: bool = False

    @property
    def bounded(self) -> bool:
        """Whether both ends of :attr:`output_range` are finite."""
        return all(math.isfinite(v) for v in self.output_range)

    @property
    def nonnegative(self) -> bool:
        """Whether every output is at least zero."""
        return self.output_range[0] >= 0.0


def _identity(z: np.ndarray) -> np.ndarray:
    return np.asarray(z)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def _leaky_relu(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z)
    return np.maximum(z, LEAKY_SLOPE * z)  # the slope is below 1; faster than np.where


#: Every hidden activation, by name.
ACTIVATION_REGISTRY: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "relu", "ReLU", r"a(z) = \max(0,\, z)", r"a(z) = \max(0,\, z)", _relu,
            ("ReLU", {}), (0.0, math.inf), can_die=True,
        ),
        Activation(
            "tanh", "tanh", r"a(z) = \tanh z = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
            r"a(z) = \tanh z", np.tanh, ("Tanh", {}), (-1.0, 1.0),
        ),
        Activation(
            "sigmoid", "sigmoid", r"a(z) = \frac{1}{1 + e^{-z}}", r"a(z) = \frac{1}{1 + e^{-z}}",
            sigmoid, ("Sigmoid", {}), (0.0, 1.0),
        ),
        Activation("linear", "linear", r"a(z) = z", r"a(z) = z", _identity, ("Identity", {})),
        Activation(
            "leaky_relu", "leaky ReLU", rf"a(z) = \max({LEAKY_SLOPE:g}\, z,\, z)",
            rf"a(z) = \max({LEAKY_SLOPE:g}\, z,\, z)", _leaky_relu,
            ("LeakyReLU", {"negative_slope": LEAKY_SLOPE}),
        ),
    )
}  # fmt: skip


def display_name(names: str | tuple[str, ...]) -> str:
    """Return the on-screen name of one activation or of one per layer, equal neighbours
    counted: ``ReLU``, ``ReLU/tanh``, ``leaky ReLU ×2/tanh``."""
    if isinstance(names, str):
        return activation(names).display
    groups: list[list[Any]] = []
    for name in names:
        if groups and groups[-1][0] == name:
            groups[-1][1] += 1
        else:
            groups.append([name, 1])
    return "/".join(
        activation(name).display + (f" ×{count}" if count > 1 else "") for name, count in groups
    )


def activation(name: str) -> Activation:
    """Return the registry entry of ``name``.

    Raises
    ------
    ValueError
        For a name that is not in the registry, listing the ones that are.
    """
    try:
        return ACTIVATION_REGISTRY[name]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
