"""The run file: a portable ``.npz`` holding every logged epoch of one training run, saved
atomically and read without unpickling anything (:func:`save_run`, :func:`load_run`).

Contract (schema version 3), for E epochs run, a network of L hidden layers of widths
``h_1 … h_L`` (``h_0 = 2`` inputs, ``h_{L+1}`` outputs: 1 for a sigmoid, k for a softmax of k
classes) and N samples:

================ ===================== ==================================================
key              shape                 meaning
================ ===================== ==================================================
``W{k}``         (E+1, h_k, h_{k-1})   layer k's weights, k = 1 … L+1; index 0 is the
                                       initial state
``b{k}``         (E+1, h_k)            layer k's biases
``loss``         (E+1,)                the output head's cross-entropy of each state on
                                       the training points (every point when there is no
                                       test set)
``accuracy``     (E+1,)                accuracy of each state on the training points
``X``            (N, 2)                the inputs, training and test points
``y``            (N,)                  the labels, 0 … k−1 (0 or 1 for two classes)
``test``         (N,)                  only with a test set: 1 for a held-out point
``test_loss``    (E+1,)                only with a test set: its loss at each state
``test_accuracy`` (E+1,)               only with a test set: its accuracy at each state
``config``       ()                    JSON string: ``schema``, ``config`` (a
                                       :class:`RunConfig`, with the architecture),
                                       ``epochs``, ``stop_reason``, ``unit``, ``every``,
                                       ``nnviz_version``
================ ===================== ==================================================

``unit`` and ``every`` say what the logged states count: state k is ``unit`` k × ``every``
(``epoch`` and 1 for nnviz's own training; a run of your own loop may log every 10 steps).
Files without them (written before they existed) count epochs, one per state.

The configuration's ``output`` names the output head (:data:`nnviz.heads.HEADS`) and
``classes`` the number of classes k (left out for two). Schema 3 added ``classes`` and the
``softmax`` output: a file of a softmax output is written as schema 3; a file of one sigmoid
output for two classes holds nothing schema 2 lacks and is written as schema 2, the same file
as before (older nnviz reads it). A run has a test set exactly when its configuration's
``test_fraction`` is above 0. Schema 1 (nnviz 0.1 and 0.2) is the same for one hidden layer
(``W1, b1, W2, b2``); such files still load. Schemas 1 and 2 hold one sigmoid output and two
classes. Files are written atomically. They are read without unpickling anything and every
``.npy`` header is checked (dtype, shape, declared size against :data:`MAX_RUN_DATA_BYTES`)
before any array data is read or inflated.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from nnviz.atomic_files import check_writable_target, remove_stale_temporaries, write_atomically
from nnviz.config import ConfigError, RunConfig
from nnviz.errors import RunFileError
from nnviz.files import FileRefusedError, open_regular_file
from nnviz.npz_reader import NpzError, read_npz
from nnviz.run import LOG_KEYS, SCHEMA_VERSION, TEST_KEYS, Run
from nnviz.terminal import brief

__all__ = [
    "MAX_CONFIG_CHARS",
    "MAX_RUN_DATA_BYTES",
    "MAX_RUN_FILE_BYTES",
    "READABLE_SCHEMAS",
    "REQUIRED_CONFIG_KEYS",
    "load_run",
    "save_run",
]

#: The most members a run file's archive lists: its arrays (a few per layer, the logs, the
#: test set) and ``config``, with room to spare.
_MAX_MEMBERS = 64

#: The schemas this version reads.
READABLE_SCHEMAS: tuple[int, ...] = (1, 2, 3)


#: What the configuration fields added in nnviz 0.2 meant for run files written before them:
#: PyTorch's initial weights, PyTorch's Adam ε, and data drawn from the run's own ``seed``
#: (the ``seed`` data set was then another sample of the recipe; the file stores its points).
_BEFORE_0_2: dict[str, Any] = {"init": "torch", "adam_epsilon": 1e-8}


#: The arrays of a run file may declare at most this many bytes in total (the largest run the
#: limits of :mod:`nnviz.config` allow needs about 23 MB); nothing larger is ever read.
MAX_RUN_DATA_BYTES = 64 * 2**20


#: A run file on disk may be at most this large (the data plus room for headers).
MAX_RUN_FILE_BYTES = MAX_RUN_DATA_BYTES + 2**20


#: The ``config`` JSON may be at most this many characters long.
MAX_CONFIG_CHARS = 2**16


#: The configuration keys every run file holds (the fields of the first
#: :class:`RunConfig`); fields added to :class:`RunConfig` later take their defaults when an
#: older file lacks them.
REQUIRED_CONFIG_KEYS: tuple[str, ...] = (
    "dataset",
    "samples",
    "noise",
    "seed",
    "activation",
    "hidden",
    "lr",
    "batch_size",
    "max_epochs",
    "target_loss",
)


def save_run(run: Run, path: str | os.PathLike[str]) -> Path:
    """Write ``run`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    An interrupted write leaves any earlier file at ``path`` untouched; temporary files left by
    writes that were killed (older than :data:`STALE_TEMPORARY_SECONDS`) are removed. The file
    gets the permissions of the umask, as any file the user creates. ``path`` must be a regular
    file or a new path: a symbolic link, device, FIFO or folder there is refused, not replaced.

    Raises
    ------
    RunFileError
        When something other than a regular file is at ``path``.
    OSError
        When the file cannot be written; its ``filename`` is ``path``, not the temporary file.
    """
    target = Path(path)
    check_writable_target(target)
    arrays = {key: np.asarray(array) for key, array in run.arrays().items()}
    arrays["config"] = np.array(json.dumps(run.metadata(), sort_keys=True))
    write_atomically(target, lambda handle: np.savez(handle, **arrays))  # type: ignore[arg-type]
    remove_stale_temporaries(target.parent, target.name)
    return target


def load_run(path: str | os.PathLike[str]) -> Run:
    """Read and validate a run file, never unpickling anything.

    Every ``.npy`` header in the archive is read and checked (dtype, shape, declared size) before
    any array data: the arrays may declare at most :data:`MAX_RUN_DATA_BYTES` in total, the
    ``config`` JSON at most :data:`MAX_CONFIG_CHARS` characters, and no more than that is ever
    read or decompressed, whatever the archive claims.

    Raises
    ------
    RunFileError
        When the file is missing, not a regular file, not an ``.npz``, truncated, too large,
        holds objects, lacks a key, has arrays of the wrong shape, values a run cannot have
        (NaN loss, accuracy outside [0, 1], labels outside 0 … k−1), a configuration that
        disagrees with its arrays or a schema this version does not read. No other exception
        escapes for any content of the file.
    """
    source = Path(path)
    try:
        handle, status = open_regular_file(source)  # a FIFO or device is never opened
    except FileRefusedError as error:
        if error.missing:
            raise RunFileError(f"{source}: no such run file") from None
        raise RunFileError(f"{source}: {error}") from None
    try:
        with handle:
            if status.st_size > MAX_RUN_FILE_BYTES:
                raise RunFileError(
                    f"{status.st_size} bytes, larger than any run file "
                    f"(limit {MAX_RUN_FILE_BYTES} bytes)"
                )
            arrays = read_npz(handle, _run_members, max_members=_MAX_MEMBERS,
                              max_data_bytes=MAX_RUN_DATA_BYTES, text_keys=("config",),
                              max_text_chars=MAX_CONFIG_CHARS, what="run file")  # fmt: skip
    except (RunFileError, NpzError) as error:
        raise RunFileError(f"{source}: {error}") from None
    except OSError as error:
        raise RunFileError(f"{source}: cannot read ({error.strerror or error})") from None
    except Exception as error:  # zipfile, zlib and numpy raise many types on damaged input
        raise RunFileError(f"{source}: damaged or not an .npz run file ({brief(error)})") from None

    metadata = _parse_metadata(source, arrays.pop("config"))
    values = metadata["config"]
    missing = [key for key in REQUIRED_CONFIG_KEYS if key not in values]
    if missing:
        raise RunFileError(f"{source}: run configuration lacks {', '.join(missing)}")
    try:
        config = RunConfig.from_dict(_with_legacy_defaults(values))
    except (ConfigError, TypeError) as error:
        raise RunFileError(f"{source}: invalid run configuration ({error})") from None
    if metadata["schema"] < SCHEMA_VERSION and config.output != "sigmoid":
        raise RunFileError(
            f"{source}: run file schema {metadata['schema']} holds one sigmoid output, but its "
            f"configuration says output {config.output} (schema {SCHEMA_VERSION} and later)"
        )
    if not isinstance(metadata["stop_reason"], str):
        raise RunFileError(f"{source}: stop reason must be a string")
    layers = _layer_count(list(arrays))
    if "test" in arrays:
        arrays["test"] = _test_mask(source, arrays["test"])
    weights = tuple(arrays.pop(f"W{k}") for k in range(1, layers + 1))
    biases = tuple(arrays.pop(f"b{k}") for k in range(1, layers + 1))
    try:
        run = Run(config=config, W=weights, b=biases, stop_reason=metadata["stop_reason"],
                  unit=metadata.get("unit", "epoch"), every=metadata.get("every", 1),
                  **arrays)  # fmt: skip
    except RunFileError as error:
        raise RunFileError(f"{source}: {error}") from None
    epochs = metadata["epochs"]
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs != run.epochs:
        raise RunFileError(
            f"{source}: header says {brief(epochs)} epochs, arrays hold {run.epochs}"
        )
    if run.epochs > config.max_epochs:
        raise RunFileError(
            f"{source}: {run.epochs} epochs logged, more than its limit of {config.max_epochs}"
        )
    # The limit is a count too: a run stopped by it ran all its epochs, and a recorded run's
    # limit is the epochs it logged (the loss curve's axis ends there).
    if run.stop_reason == "max_epochs" and run.epochs != config.max_epochs:
        raise RunFileError(
            f"{source}: stopped at its limit of {config.max_epochs} epochs, "
            f"but {run.epochs} epochs logged"
        )
    if run.stop_reason == "external" and config.max_epochs != max(1, run.epochs):
        raise RunFileError(
            f"{source}: configuration says {config.max_epochs} epochs, "
            f"arrays hold {run.epochs} (a recorded run's limit is its epochs)"
        )
    return run


def _test_mask(source: Path, raw: np.ndarray) -> np.ndarray:
    """The stored test mask (0 or 1 per point) as booleans."""
    if raw.ndim != 1 or not np.all((raw == 0) | (raw == 1)):
        raise RunFileError(f"{source}: array 'test' must hold 0 or 1 for each point")
    return raw.astype(bool)


def _with_legacy_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """Fill the fields that run files of nnviz < 0.2 lack with what they meant then."""
    if "init" in values:
        return values
    legacy = {**_BEFORE_0_2, "data_seed": values.get("seed", 0)}
    return {**legacy, **values}


def _layer_count(keys: list[str]) -> int:
    """Return how many consecutive layers ``W1, W2, …`` there are among ``keys``."""
    count = 0
    while f"W{count + 1}" in keys:
        count += 1
    return count


def _parse_metadata(source: Path, raw: np.ndarray) -> dict[str, Any]:
    if raw.shape != () or raw.dtype.kind != "U":
        raise RunFileError(f"{source}: 'config' must be a 0-d string array")
    try:
        metadata = json.loads(str(raw))
    except json.JSONDecodeError as error:
        raise RunFileError(f"{source}: 'config' is not valid JSON ({error.msg})") from None
    except RecursionError:
        raise RunFileError(f"{source}: 'config' is nested too deeply") from None
    except ValueError as error:  # e.g. an integer of more digits than Python converts
        raise RunFileError(f"{source}: 'config' is not valid JSON ({brief(error)})") from None
    if not isinstance(metadata, dict):
        raise RunFileError(f"{source}: 'config' must hold a JSON object")
    schema = metadata.get("schema")
    if isinstance(schema, bool) or schema not in READABLE_SCHEMAS:
        raise RunFileError(
            f"{source}: run file schema {brief(schema)} is not supported "
            f"(this nnviz reads {', '.join(map(str, READABLE_SCHEMAS))})"
        )
    for key in ("config", "stop_reason", "epochs"):
        if key not in metadata:
            raise RunFileError(f"{source}: 'config' lacks {key!r}")
    if not isinstance(metadata["config"], dict):
        raise RunFileError(f"{source}: 'config.config' must be a JSON object")
    return metadata


def _run_members(members: list[str]) -> tuple[str, ...]:
    """The members of a run file to read: every layer's ``W{k}``, ``b{k}``, the logs,
    ``config`` and the test set's arrays when there is one."""
    layers = max(_layer_count(members), 2)
    wanted = (*(f"{p}{k}" for k in range(1, layers + 1) for p in "Wb"), *LOG_KEYS, "config")
    missing = [key for key in wanted if key not in members]
    if missing:
        raise RunFileError(f"not a run file (missing {', '.join(missing)})")
    return (*wanted, *(key for key in TEST_KEYS if key in members))
