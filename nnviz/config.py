"""Run configuration: one frozen, validated description of a training run."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

__all__ = [
    "ACTIVATIONS",
    "BLOG_LEARNING_RATES",
    "DATASETS",
    "INITS",
    "ConfigError",
    "RunConfig",
]

#: Names of the hidden activations; :data:`nnviz.activations.ACTIVATION_REGISTRY` defines them.
ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "sigmoid", "linear", "leaky_relu")
DATASETS: tuple[str, ...] = ("seed", "xor", "circles", "moons", "spiral")
BLOG_LEARNING_RATES: tuple[float, ...] = (0.1, 0.01, 0.001)
#: Initial weights: ``glorot`` (Keras's default, as in the post: Glorot-uniform weights, zero
#: biases) or ``torch`` (PyTorch's ``nn.Linear`` default, Kaiming-uniform weights and biases).
INITS: tuple[str, ...] = ("glorot", "torch")
#: NumPy's legacy generator, which draws the blog's data, takes seeds below 2**32.
DATA_SEED_LIMIT = 2**32 - 1


class ConfigError(ValueError):
    """A run configuration value is invalid; the message is one line for the user."""


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a training run.

    Two equal configurations produce identical run files: data, initial weights and
    mini-batch order all derive from ``seed``.

    Parameters
    ----------
    dataset
        Name of the toy dataset, one of :data:`DATASETS`.
    samples
        Number of samples, split evenly between the two classes.
    noise
        Dataset noise (standard deviation in data units); ``None`` takes the dataset's default.
    seed
        Seed of the initial weights and the mini-batch order.
    data_seed
        Seed of the data; ``None`` takes the dataset's own (12345 for ``seed``, the post's
        sample; 0 for the others), so other initial weights can meet the same data.
    activation
        Hidden activation, one of :data:`ACTIVATIONS`.
    hidden
        Number of hidden neurons.
    lr
        Adam learning rate.
    batch_size
        Mini-batch size; ``None`` trains on the full batch.
    max_epochs
        Training stops after this many epochs.
    target_loss
        Before each epoch the whole-data loss is evaluated; training stops when it is at most
        this value (the post's notebook's rule).
    init
        Initial weights, one of :data:`INITS`.
    adam_epsilon
        Adam's ε (Keras's default 1e-7, as in the post; PyTorch's is 1e-8).
    """

    dataset: str = "seed"
    samples: int = 400
    noise: float | None = None
    seed: int = 0
    data_seed: int | None = None
    activation: str = "relu"
    hidden: int = 2
    lr: float = 0.01
    batch_size: int | None = 32
    max_epochs: int = 200
    target_loss: float = 0.263
    init: str = "glorot"
    adam_epsilon: float = 1e-7

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ConfigError(
                f"unknown dataset {self.dataset!r}; choose one of {', '.join(DATASETS)}"
            )
        if self.activation not in ACTIVATIONS:
            raise ConfigError(
                f"unknown activation {self.activation!r}; choose one of {', '.join(ACTIVATIONS)}"
            )
        if self.init not in INITS:
            raise ConfigError(f"unknown init {self.init!r}; choose one of {', '.join(INITS)}")
        _check_int("samples", self.samples, minimum=2)
        _check_int("seed", self.seed, minimum=0)
        _check_int("hidden", self.hidden, minimum=1)
        _check_int("max_epochs", self.max_epochs, minimum=1)
        if self.batch_size is not None:
            _check_int("batch_size", self.batch_size, minimum=1)
        if self.data_seed is not None:
            _check_int("data_seed", self.data_seed, minimum=0)
            if self.data_seed > DATA_SEED_LIMIT:
                raise ConfigError(
                    f"data_seed must be at most {DATA_SEED_LIMIT}, got {self.data_seed}"
                )
        _check_positive("lr", self.lr)
        _check_positive("adam_epsilon", self.adam_epsilon)
        _check_positive("target_loss", self.target_loss, allow_zero=True)
        if self.noise is not None:
            _check_positive("noise", self.noise, allow_zero=True)

    def replace(self, **changes: Any) -> RunConfig:
        """Return a copy with ``changes`` applied (and validated)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as a JSON-ready dictionary."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        """Build a configuration from :meth:`to_dict` output, rejecting unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"unknown run configuration keys: {', '.join(unknown)}")
        return cls(**values)

    def key(self) -> str:
        """Return a stable, readable cache key, unique to this configuration."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:10]
        return (
            f"{self.dataset}-{self.activation}-h{self.hidden}-lr{self.lr:g}-s{self.seed}-{digest}"
        )

    def label(self) -> str:
        """Return a short human label such as ``relu, lr 0.01``."""
        return f"{self.activation}, lr {self.lr:g}"


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")


def _check_positive(name: str, value: object, *, allow_zero: bool = False) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value}")
    if value < 0 or (value == 0 and not allow_zero):
        bound = "at least 0" if allow_zero else "greater than 0"
        raise ConfigError(f"{name} must be {bound}, got {value:g}")
