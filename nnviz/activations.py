"""The one table of hidden activations: what training, the maths and the pictures need of each.

Adding an activation is one :class:`Activation` in :data:`ACTIVATION_REGISTRY` (and its name in
:data:`nnviz.config.ACTIVATIONS`, which validates configurations without importing numpy; a
test checks the two agree) plus its test against torch. An activation with a parameter
(``leaky_relu``'s negative slope, :data:`nnviz.config.ACTIVATION_PARAMETERS`) is one function
of the parameter in :data:`PARAMETERISED`; its registry entry is the one of the default, and
:func:`activation` makes the entry of any other value (``leaky_relu:0.01``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnviz.config import ACTIVATION_PARAMETERS, ACTIVATIONS, activation_name, parse_activation

__all__ = [
    "ACTIVATION_REGISTRY",
    "LEAKY_SLOPE",
    "PARAMETERISED",
    "Activation",
    "activation",
    "display_name",
    "leaky_relu",
    "sigmoid",
]

#: nnviz's own negative slope of ``leaky_relu``: large enough to see in a video (PyTorch's
#: default is 0.01, ``leaky_relu:0.01``).
LEAKY_SLOPE = ACTIVATION_PARAMETERS["leaky_relu"].default


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
    parameter
        For an activation with a parameter: the keyword of :attr:`torch_layer` that holds it
        (``negative_slope``), so that a torch module's value can be read back.
    """

    name: str
    display: str
    formula: str
    short_formula: str
    numpy: Callable[[np.ndarray], np.ndarray]
    torch_layer: tuple[str, dict[str, Any]]
    output_range: tuple[float, float] = (-math.inf, math.inf)
    can_die: bool = False
    parameter: str | None = None

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


def leaky_relu(slope: float) -> Activation:
    """Return the leaky ReLU of negative slope ``slope`` (between 0 and 1): ``max(slope·z, z)``.

    Named ``leaky_relu`` for nnviz's own :data:`LEAKY_SLOPE` and ``leaky_relu:<slope>`` for any
    other, which the display name and the formulas show too (``leaky ReLU (0.01)``).
    """
    slope = float(slope)

    def function(z: np.ndarray) -> np.ndarray:
        z = np.asarray(z)
        return np.maximum(z, slope * z)  # the slope is below 1; faster than np.where

    shown = "" if slope == LEAKY_SLOPE else f" ({slope:g})"
    formula = rf"a(z) = \max({slope:g}\, z,\, z)"
    return Activation(
        activation_name("leaky_relu", slope), f"leaky ReLU{shown}", formula, formula, function,
        ("LeakyReLU", {"negative_slope": slope}), parameter="negative_slope",
    )  # fmt: skip


#: The activations with a parameter: their entry for any value of it.
PARAMETERISED: dict[str, Callable[[float], Activation]] = {"leaky_relu": leaky_relu}


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
        leaky_relu(LEAKY_SLOPE),
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
    """Return the registry entry of ``name``, or for ``name:value`` (``leaky_relu:0.01``) the
    entry of that parameter.

    Raises
    ------
    ValueError
        For a name that is not in the registry, listing the ones that are, or a parameter
        out of its range (:func:`nnviz.config.parse_activation`).
    """
    entry = ACTIVATION_REGISTRY.get(name)
    if entry is not None:
        return entry
    return _parameterised(name)


@functools.lru_cache(maxsize=64)
def _parameterised(name: str) -> Activation:
    """The entry of ``name:value``: made once (the pictures ask for it every frame)."""
    base, value = parse_activation(name)
    if value is None or base not in PARAMETERISED:
        raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    return PARAMETERISED[base](value)
