"""The run file: a portable ``.npz`` holding every logged epoch of one training run.

Contract (schema version 2), for E epochs run, a network of L hidden layers of widths
``h_1 … h_L`` (``h_0 = 2`` inputs, ``h_{L+1} = 1`` output) and N samples:

================ ===================== ==================================================
key              shape                 meaning
================ ===================== ==================================================
``W{k}``         (E+1, h_k, h_{k-1})   layer k's weights, k = 1 … L+1; index 0 is the
                                       initial state
``b{k}``         (E+1, h_k)            layer k's biases
``loss``         (E+1,)                whole-data binary cross-entropy of each state
``accuracy``     (E+1,)                whole-data accuracy of each logged state
``X``            (N, 2)                the training inputs
``y``            (N,)                  the labels, 0 or 1
``config``       ()                    JSON string: ``schema``, ``config`` (a
                                       :class:`RunConfig`, with the architecture),
                                       ``epochs``, ``stop_reason``, ``nnviz_version``
================ ===================== ==================================================

Schema 1 (nnviz 0.1 and 0.2) is the same for one hidden layer (``W1, b1, W2, b2``); such files
still load. Files are written atomically and read with ``allow_pickle=False``.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from nnviz.config import ConfigError, RunConfig
from nnviz.forward import Weights

__all__ = ["SCHEMA_VERSION", "STOP_REASONS", "Run", "RunFileError", "load_run", "save_run"]

SCHEMA_VERSION = 2
#: The schemas this version reads.
READABLE_SCHEMAS: tuple[int, ...] = (1, 2)
STOP_REASONS: tuple[str, ...] = ("target_loss", "max_epochs", "diverged")
_LOG_KEYS = ("loss", "accuracy", "X", "y")

#: What the configuration fields added in nnviz 0.2 meant for run files written before them:
#: PyTorch's initial weights, PyTorch's Adam ε, and data drawn from the run's own ``seed``
#: (the ``seed`` data set was then another sample of the recipe; the file stores its points).
_BEFORE_0_2: dict[str, Any] = {"init": "torch", "adam_epsilon": 1e-8}


class RunFileError(ValueError):
    """A run file is missing, damaged or not a run file; the message is one line."""


@dataclass(frozen=True)
class Run:
    """One training run: its configuration and every logged state.

    Attributes
    ----------
    config
        The configuration that produced the run.
    W, b
        The weights and biases of every layer at every logged epoch: ``W[k - 1]`` is the
        run file's ``W{k}`` (see the module docstring for shapes).
    loss, accuracy
        Whole-data loss and accuracy of every logged epoch.
    X, y
        The training data.
    stop_reason
        ``target_loss``, ``max_epochs`` or ``diverged``.
    """

    config: RunConfig
    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    loss: np.ndarray
    accuracy: np.ndarray
    X: np.ndarray
    y: np.ndarray
    stop_reason: str

    def __post_init__(self) -> None:
        _check_shapes(self)
        if self.stop_reason not in STOP_REASONS:
            raise RunFileError(f"unknown stop reason {self.stop_reason!r}")

    def __deepcopy__(self, memo: dict[int, object]) -> Run:
        """Share, do not copy: a run is immutable once made."""
        return self

    @property
    def epochs(self) -> int:
        """Number of epochs run (E); the run holds E + 1 states."""
        return len(self.loss) - 1

    @property
    def W1(self) -> np.ndarray:
        """The first layer's weights at every epoch, (E+1, h_1, 2)."""
        return self.W[0]

    @property
    def b1(self) -> np.ndarray:
        """The first layer's biases at every epoch."""
        return self.b[0]

    @property
    def W2(self) -> np.ndarray:
        """The second layer's weights (the output layer's for one hidden layer)."""
        return self.W[1]

    @property
    def b2(self) -> np.ndarray:
        """The second layer's biases."""
        return self.b[1]

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        """The width of every hidden layer, read from the arrays."""
        return tuple(int(W.shape[1]) for W in self.W[:-1])

    def weights(self, epoch: int) -> Weights:
        """Return the logged weights after ``epoch`` epochs (0 is the initial state)."""
        return Weights(*(a[epoch] for pair in zip(self.W, self.b, strict=True) for a in pair))

    def arrays(self) -> dict[str, np.ndarray]:
        """Return the run file's arrays by key (``W1, b1, …, loss, accuracy, X, y``)."""
        layers = {
            f"{name}{k}": array
            for k, pair in enumerate(zip(self.W, self.b, strict=True), start=1)
            for name, array in zip("Wb", pair, strict=True)
        }
        return {**layers, **{key: getattr(self, key) for key in _LOG_KEYS}}

    def describe_stop(self) -> str:
        """Return a short sentence saying why training stopped."""
        if self.stop_reason == "target_loss":
            return f"loss ≤ {self.config.target_loss:g} at epoch {self.epochs}"
        if self.stop_reason == "diverged":
            return f"diverged (loss blew up or became NaN); kept the finite epochs 0-{self.epochs}"
        return f"reached the {self.config.max_epochs}-epoch limit"

    def metadata(self) -> dict[str, Any]:
        """Return the JSON document stored under ``config`` in the run file."""
        from nnviz import __version__

        return {
            "schema": SCHEMA_VERSION,
            "config": self.config.to_dict(),
            "epochs": self.epochs,
            "stop_reason": self.stop_reason,
            "nnviz_version": __version__,
        }


def save_run(run: Run, path: str | os.PathLike[str]) -> Path:
    """Write ``run`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    An interrupted write leaves any earlier file at ``path`` untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    arrays = {key: np.asarray(array) for key, array in run.arrays().items()}
    arrays["config"] = np.array(json.dumps(run.metadata(), sort_keys=True))
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def load_run(path: str | os.PathLike[str]) -> Run:
    """Read and validate a run file, never unpickling anything.

    Raises
    ------
    RunFileError
        When the file is missing, not an ``.npz``, truncated, holds objects, lacks a key, has
        arrays of the wrong shape or a schema this version does not read.
    """
    source = Path(path)
    if not source.is_file():
        raise RunFileError(f"{source}: no such run file")
    if not zipfile.is_zipfile(source):
        raise RunFileError(f"{source}: damaged or not an .npz run file")
    try:
        with np.load(source, allow_pickle=False) as archive:
            layers = _layer_count(archive.files)
            keys = [f"{p}{k}" for k in range(1, layers + 1) for p in "Wb"]
            wanted = (*keys, *_LOG_KEYS, "config")
            missing = [key for key in wanted if key not in archive.files]
            if missing or layers < 2:
                missing = missing or ["W2", "b2"]
                raise RunFileError(f"{source}: not a run file (missing {', '.join(missing)})")
            arrays = {key: archive[key] for key in wanted}
    except RunFileError:
        raise
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise RunFileError(f"{source}: holds pickled objects, refused") from None
        raise RunFileError(f"{source}: damaged run file ({error})") from None
    except (OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise RunFileError(f"{source}: damaged or not an .npz run file ({error})") from None

    metadata = _parse_metadata(source, arrays.pop("config"))
    try:
        config = RunConfig.from_dict(_with_legacy_defaults(metadata["config"]))
    except (ConfigError, TypeError) as error:
        raise RunFileError(f"{source}: invalid run configuration ({error})") from None
    weights = tuple(arrays.pop(f"W{k}") for k in range(1, layers + 1))
    biases = tuple(arrays.pop(f"b{k}") for k in range(1, layers + 1))
    try:
        run = Run(config=config, W=weights, b=biases,
                  stop_reason=str(metadata["stop_reason"]), **arrays)  # fmt: skip
    except RunFileError as error:
        raise RunFileError(f"{source}: {error}") from None
    if metadata.get("epochs") != run.epochs:
        raise RunFileError(
            f"{source}: header says {metadata.get('epochs')} epochs, arrays hold {run.epochs}"
        )
    return run


def _with_legacy_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Fill the fields that run files of nnviz < 0.2 lack with what they meant then."""
    if "init" in values:
        return values
    legacy = {**_BEFORE_0_2, "data_seed": values.get("seed", 0)}
    return {**legacy, **values}


def _parse_metadata(source: Path, raw: np.ndarray) -> dict[str, Any]:
    if raw.shape != () or raw.dtype.kind != "U":
        raise RunFileError(f"{source}: 'config' must be a 0-d string array")
    try:
        metadata = json.loads(str(raw))
    except json.JSONDecodeError as error:
        raise RunFileError(f"{source}: 'config' is not valid JSON ({error.msg})") from None
    if not isinstance(metadata, dict):
        raise RunFileError(f"{source}: 'config' must hold a JSON object")
    schema = metadata.get("schema")
    if schema not in READABLE_SCHEMAS:
        raise RunFileError(
            f"{source}: run file schema {schema!r} is not supported "
            f"(this nnviz reads {', '.join(map(str, READABLE_SCHEMAS))})"
        )
    for key in ("config", "stop_reason", "epochs"):
        if key not in metadata:
            raise RunFileError(f"{source}: 'config' lacks {key!r}")
    if not isinstance(metadata["config"], dict):
        raise RunFileError(f"{source}: 'config.config' must be a JSON object")
    return metadata


def _layer_count(keys: list[str]) -> int:
    """Return how many consecutive layers ``W1, W2, …`` the archive holds."""
    count = 0
    while f"W{count + 1}" in keys:
        count += 1
    return count


def _check_shapes(run: Run) -> None:
    arrays = {**{f"W{k}": W for k, W in enumerate(run.W, 1)},
              **{f"b{k}": b for k, b in enumerate(run.b, 1)},
              **{key: getattr(run, key) for key in _LOG_KEYS}}  # fmt: skip
    for name, array in arrays.items():
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiu":
            raise RunFileError(f"array {name!r} must be numeric")
    loss, X, y = run.loss, run.X, run.y
    if loss.ndim != 1 or len(loss) < 1:
        raise RunFileError("array 'loss' must have shape (E+1,)")
    states = len(loss)
    if len(run.W) != len(run.b) or len(run.W) < 2:
        raise RunFileError("a run needs the weights and biases of at least two layers")
    fan_in, last = 2, len(run.W)
    for k, W in enumerate(run.W, start=1):
        out = "1" if k == last else f"h_{k}"
        if W.ndim != 3 or W.shape[0] != states or W.shape[2] != fan_in:
            raise RunFileError(
                f"array 'W{k}' must have shape ({states}, {out}, {fan_in}), got {W.shape}"
            )
        if k == last and W.shape[1] != 1:
            raise RunFileError(
                f"array 'W{k}' must have shape ({states}, 1, {fan_in}) (one output unit), "
                f"got {W.shape}"
            )
        fan_in = W.shape[1]
    for k, (W, b) in enumerate(zip(run.W, run.b, strict=True), start=1):
        if b.shape != (states, W.shape[1]):
            raise RunFileError(
                f"array 'b{k}' must have shape {(states, W.shape[1])}, got {b.shape}"
            )
    if run.accuracy.shape != (states,):
        raise RunFileError(
            f"array 'accuracy' must have shape {(states,)}, got {run.accuracy.shape}"
        )
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] < 1:
        raise RunFileError(f"array 'X' must have shape (N, 2), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise RunFileError(f"array 'y' must have shape ({X.shape[0]},), got {y.shape}")
    if not all(np.all(np.isfinite(a)) for a in (*run.W, *run.b, X)):
        raise RunFileError("weights and data must be finite")
    widths = tuple(int(W.shape[1]) for W in run.W[:-1])
    if widths != run.config.hidden:
        shown = ",".join(map(str, run.config.hidden))
        raise RunFileError(
            f"the configuration says hidden layers {shown}, the arrays hold "
            f"{','.join(map(str, widths))}"
        )
