"""The one table of hidden activations: what training, the maths and the pictures need of each.

Adding an activation is one :class:`Activation` in :data:`ACTIVATION_REGISTRY` plus its test
against torch; :data:`ACTIVATIONS`, the names configurations accept, are its keys. An
activation with a parameter (``leaky_relu``'s negative slope, :data:`ACTIVATION_PARAMETERS`)
is one function of the parameter in :data:`PARAMETERISED`; its registry entry is the one of
the default, and :func:`activation` makes the entry of any other value (``leaky_relu:0.01``).
:func:`parse_activation` and :func:`activation_name` read and write such names for
:mod:`nnviz.config`, which imports this module.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from nnviz.errors import ConfigError
from nnviz.terminal import shown

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_PARAMETERS",
    "ACTIVATION_REGISTRY",
    "LEAKY_SLOPE",
    "PARAMETERISED",
    "Activation",
    "ActivationParameter",
    "activation",
    "activation_name",
    "display_name",
    "leaky_relu",
    "parse_activation",
    "sigmoid",
]


class ActivationParameter(NamedTuple):
    """The parameter of an activation, written after its name: ``leaky_relu:0.01``.

    The bare name means :attr:`default` (run files written before the parameter could be
    given say ``leaky_relu`` for the slope 0.1 they were trained with), and a configuration
    stores the default as the bare name, so that its cache key is the one it always had.
    """

    #: What the parameter is, in words (``negative slope``).
    description: str
    #: Its value when the name has none.
    default: float
    #: It lies strictly between these two.
    low: float
    high: float


#: The activations of :data:`ACTIVATION_REGISTRY` that take a parameter, and what it is. A
#: leaky ReLU's negative slope lies between 0 (a ReLU) and 1 (the identity); nnviz's own
#: default, 0.1, is large enough to see in a video, and ``leaky_relu:0.01`` is PyTorch's
#: ``nn.LeakyReLU()``.
ACTIVATION_PARAMETERS: dict[str, ActivationParameter] = {
    "leaky_relu": ActivationParameter("negative slope", 0.1, 0.0, 1.0),
}


def parse_activation(name: object) -> tuple[str, float | None]:
    """Return the registry name and the parameter of an activation as configurations write it:
    ``tanh`` is ``("tanh", None)``, ``leaky_relu:0.01`` is ``("leaky_relu", 0.01)`` and the bare
    ``leaky_relu`` is ``("leaky_relu", 0.1)``, its default (see :data:`ACTIVATION_PARAMETERS`).

    Raises
    ------
    ConfigError
        For a name that is not in :data:`ACTIVATIONS`, a parameter given to an activation
        that takes none, or one that is not a number in its range; one line, for field
        ``activation``.
    """
    if not isinstance(name, str):
        raise ConfigError(
            f"unknown activation {shown(name)}; choose one of {', '.join(ACTIVATIONS)}",
            "activation",
        )
    base, colon, text = name.partition(":")
    if base not in ACTIVATIONS:
        raise ConfigError(
            f"unknown activation {shown(name)}; choose one of {', '.join(ACTIVATIONS)}",
            "activation",
        )
    parameter = ACTIVATION_PARAMETERS.get(base)
    if parameter is None:
        if colon:
            raise ConfigError(
                f"activation {shown(name)}: {base} takes no parameter; write {base}",
                "activation",
            )
        return base, None
    if not colon:
        return base, parameter.default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not parameter.low < value < parameter.high:  # NaN and infinities fail too
        raise ConfigError(
            f"activation {shown(name)}: the {parameter.description} of {base} must be a "
            f"number above {parameter.low:g} and below {parameter.high:g} ({base}:0.01)",
            "activation",
        )
    return base, value


def activation_name(base: str, value: float | None = None) -> str:
    """Return how a configuration writes activation ``base`` with parameter ``value``: the
    bare name for none or the default, else ``name:value`` with the shortest text that reads
    back as the same float (``leaky_relu:0.01``).

    Raises
    ------
    ConfigError
        As :func:`parse_activation` does for the name written.
    """
    name = _written_name(base, value)
    parse_activation(name)
    return name


def _written_name(base: str, value: float | None) -> str:
    """The name :func:`activation_name` writes, not checked (the registry is built with it)."""
    parameter = ACTIVATION_PARAMETERS.get(base)
    if value is None or (parameter is not None and float(value) == parameter.default):
        return base
    return f"{base}:{float(value)!r}"


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

    shown_slope = "" if slope == LEAKY_SLOPE else f" ({slope:g})"
    formula = rf"a(z) = \max({slope:g}\, z,\, z)"
    return Activation(
        _written_name("leaky_relu", slope), f"leaky ReLU{shown_slope}", formula, formula, function,
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
#: The names of the hidden activations, as configurations write them (a parameterised one
#: may take its parameter after a colon: ``leaky_relu:0.01``).
ACTIVATIONS: tuple[str, ...] = tuple(ACTIVATION_REGISTRY)


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
        out of its range (:func:`parse_activation`).
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
