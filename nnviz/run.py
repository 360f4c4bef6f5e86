"""The run file: a portable ``.npz`` holding every logged epoch of one training run.

Contract (schema version 1), for E epochs run, H hidden neurons and N samples:

=========== ============ ==========================================================
key         shape        meaning
=========== ============ ==========================================================
``W1``      (E+1, H, 2)  hidden weights; index 0 is the initial state
``b1``      (E+1, H)     hidden biases
``W2``      (E+1, 1, H)  output weights
``b2``      (E+1, 1)     output bias
``loss``    (E+1,)       whole-data binary cross-entropy of each logged state
``accuracy``(E+1,)       whole-data accuracy of each logged state
``X``       (N, 2)       the training inputs
``y``       (N,)         the labels, 0 or 1
``config``  ()           JSON string: ``schema``, ``config`` (a :class:`RunConfig`),
                         ``epochs``, ``stop_reason`` and ``nnviz_version``
=========== ============ ==========================================================

Files are written atomically and read with ``allow_pickle=False``.
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

SCHEMA_VERSION = 1
STOP_REASONS: tuple[str, ...] = ("target_loss", "max_epochs", "diverged")
_ARRAY_KEYS = ("W1", "b1", "W2", "b2", "loss", "accuracy", "X", "y")

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
    W1, b1, W2, b2
        Weights of every logged epoch; see the module docstring for shapes.
    loss, accuracy
        Whole-data loss and accuracy of every logged epoch.
    X, y
        The training data.
    stop_reason
        ``target_loss``, ``max_epochs`` or ``diverged``.
    """

    config: RunConfig
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    X: np.ndarray
    y: np.ndarray
    stop_reason: str

    def __post_init__(self) -> None:
        _check_shapes(self.W1, self.b1, self.W2, self.b2, self.loss, self.accuracy, self.X, self.y)
        if self.stop_reason not in STOP_REASONS:
            raise RunFileError(f"unknown stop reason {self.stop_reason!r}")

    def __deepcopy__(self, memo: dict[int, object]) -> Run:
        """Share, do not copy: a run is immutable once made."""
        return self

    @property
    def epochs(self) -> int:
        """Number of epochs run (E); the run holds E + 1 states."""
        return len(self.loss) - 1

    def weights(self, epoch: int) -> Weights:
        """Return the logged weights after ``epoch`` epochs (0 is the initial state)."""
        return Weights(self.W1[epoch], self.b1[epoch], self.W2[epoch], self.b2[epoch])

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
    arrays = {key: np.asarray(getattr(run, key)) for key in _ARRAY_KEYS}
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
            missing = [key for key in (*_ARRAY_KEYS, "config") if key not in archive.files]
            if missing:
                raise RunFileError(f"{source}: not a run file (missing {', '.join(missing)})")
            arrays = {key: archive[key] for key in (*_ARRAY_KEYS, "config")}
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
    try:
        run = Run(config=config, stop_reason=str(metadata["stop_reason"]), **arrays)
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
    if schema != SCHEMA_VERSION:
        raise RunFileError(
            f"{source}: run file schema {schema!r} is not supported "
            f"(this nnviz reads {SCHEMA_VERSION})"
        )
    for key in ("config", "stop_reason", "epochs"):
        if key not in metadata:
            raise RunFileError(f"{source}: 'config' lacks {key!r}")
    if not isinstance(metadata["config"], dict):
        raise RunFileError(f"{source}: 'config.config' must be a JSON object")
    return metadata


def _check_shapes(
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    loss: np.ndarray,
    accuracy: np.ndarray,
    X: np.ndarray,
    y: np.ndarray,
) -> None:
    for name, array in zip(_ARRAY_KEYS, (W1, b1, W2, b2, loss, accuracy, X, y), strict=True):
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiu":
            raise RunFileError(f"array {name!r} must be numeric")
    if loss.ndim != 1 or len(loss) < 1:
        raise RunFileError("array 'loss' must have shape (E+1,)")
    states = len(loss)
    if W1.ndim != 3 or W1.shape[0] != states or W1.shape[2] != 2:
        raise RunFileError(f"array 'W1' must have shape ({states}, H, 2), got {W1.shape}")
    width = W1.shape[1]
    expected = {
        "b1": (b1, (states, width)),
        "W2": (W2, (states, 1, width)),
        "b2": (b2, (states, 1)),
        "accuracy": (accuracy, (states,)),
    }
    for name, (array, shape) in expected.items():
        if array.shape != shape:
            raise RunFileError(f"array {name!r} must have shape {shape}, got {array.shape}")
    if X.ndim != 2 or X.shape[1] != 2 or X.shape[0] < 1:
        raise RunFileError(f"array 'X' must have shape (N, 2), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise RunFileError(f"array 'y' must have shape ({X.shape[0]},), got {y.shape}")
    if not all(np.all(np.isfinite(a)) for a in (W1, b1, W2, b2, X)):
        raise RunFileError("weights and data must be finite")
