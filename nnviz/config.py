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
    "MAX_EPOCHS",
    "MAX_HIDDEN",
    "MAX_NOISE",
    "MAX_SAMPLES",
    "MAX_SEED",
    "ConfigError",
    "RunConfig",
]

ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "sigmoid", "linear")
DATASETS: tuple[str, ...] = ("seed", "xor", "circles", "moons", "spiral")
BLOG_LEARNING_RATES: tuple[float, ...] = (0.1, 0.01, 0.001)

#: Upper limits of a run: far beyond what a picture of a small network needs, small enough that
#: a run trains in memory and its run file stays under :data:`nnviz.run.MAX_RUN_DATA_BYTES`.
MAX_SAMPLES = 100_000
MAX_EPOCHS = 10_000
MAX_HIDDEN = 64
#: Every seeding API used (torch, NumPy's generators and its legacy ``np.random.seed``) takes it.
MAX_SEED = 2**32 - 1
#: Noise beyond this drowns every data set (all of them live within a few units of the origin).
MAX_NOISE = 1e6


class ConfigError(ValueError):
    """A run configuration value is invalid; the message is one line for the user.

    Parameters
    ----------
    message
        The message; when ``field`` is given it starts with the field's name.
    field
        The :class:`RunConfig` field at fault, if any (the CLI names its flag instead).
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


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
        Seed of the data, the initial weights and the mini-batch order.
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
        Training stops as soon as the whole-data loss falls below this value.
    """

    dataset: str = "seed"
    samples: int = 400
    noise: float | None = None
    seed: int = 0
    activation: str = "relu"
    hidden: int = 2
    lr: float = 0.01
    batch_size: int | None = 32
    max_epochs: int = 200
    target_loss: float = 0.263

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS:
            raise ConfigError(
                f"unknown dataset {_shown(self.dataset)}; choose one of {', '.join(DATASETS)}",
                "dataset",
            )
        if self.activation not in ACTIVATIONS:
            raise ConfigError(
                f"unknown activation {_shown(self.activation)}; "
                f"choose one of {', '.join(ACTIVATIONS)}",
                "activation",
            )
        _check_int("samples", self.samples, minimum=2, maximum=MAX_SAMPLES)
        _check_int("seed", self.seed, minimum=0, maximum=MAX_SEED)
        _check_int("hidden", self.hidden, minimum=1, maximum=MAX_HIDDEN)
        _check_int("max_epochs", self.max_epochs, minimum=1, maximum=MAX_EPOCHS)
        if self.batch_size is not None:
            _check_int("batch_size", self.batch_size, minimum=1, maximum=MAX_SAMPLES)
        _check_positive("lr", self.lr)
        _check_positive("target_loss", self.target_loss, allow_zero=True)
        if self.noise is not None:
            _check_positive("noise", self.noise, allow_zero=True, maximum=MAX_NOISE)

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
            listed = ", ".join(unknown)
            listed = listed if len(listed) <= 60 else f"{listed[:57]}..."
            raise ConfigError(f"unknown run configuration keys: {listed!s}")
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


def _shown(value: object) -> str:
    """``repr(value)``, cut to one short line (values may come from a hostile run file)."""
    try:
        text = repr(value)
    except RecursionError:
        text = f"<deeply nested {type(value).__name__}>"
    return text if len(text) <= 40 else f"{text[:37]}..."


def _check_int(name: str, value: object, *, minimum: int, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {_shown(value)}", name)
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {_shown(value)}", name)
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {_shown(value)}", name)


def _check_positive(
    name: str, value: object, *, allow_zero: bool = False, maximum: float = math.inf
) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {_shown(value)}", name)
    try:
        value = float(value)
    except OverflowError:
        raise ConfigError(f"{name} must be finite, got {_shown(value)}", name) from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value}", name)
    if value < 0 or (value == 0 and not allow_zero):
        bound = "at least 0" if allow_zero else "greater than 0"
        raise ConfigError(f"{name} must be {bound}, got {value:g}", name)
    if value > maximum:
        raise ConfigError(f"{name} must be at most {maximum:g}, got {value:g}", name)
