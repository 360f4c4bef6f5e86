"""The run file: a portable ``.npz`` holding every logged epoch of one training run.

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

import io
import json
import math
import os
import stat
import struct
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO

import numpy as np

from nnviz.config import EXTERNAL, ConfigError, RunConfig
from nnviz.data import held_out_count
from nnviz.files import FileRefusedError, open_regular_file
from nnviz.forward import FirstLayersByName, Weights
from nnviz.terminal import printable
from nnviz.version import __version__

__all__ = [
    "MAX_CONFIG_CHARS",
    "MAX_LOG_EVERY",
    "MAX_RUN_DATA_BYTES",
    "MAX_RUN_FILE_BYTES",
    "READABLE_SCHEMAS",
    "REQUIRED_CONFIG_KEYS",
    "SCHEMA_VERSION",
    "SIGMOID_SCHEMA",
    "STALE_TEMPORARY_SECONDS",
    "STOP_REASONS",
    "TEST_KEYS",
    "UNITS",
    "Run",
    "RunFileError",
    "check_writable_target",
    "load_run",
    "new_file_mode",
    "remove_stale_temporaries",
    "save_run",
]

SCHEMA_VERSION = 3
#: The schemas this version reads.
READABLE_SCHEMAS: tuple[int, ...] = (1, 2, 3)
#: The schema of a run of one sigmoid output (two classes): it holds nothing that schema 2
#: lacks, and is written as schema 2, so that nnviz versions before schema 3 read it.
SIGMOID_SCHEMA = 2
#: Why training stopped; ``external`` for a run recorded from the user's own loop.
STOP_REASONS: tuple[str, ...] = ("target_loss", "max_epochs", "diverged", "external")
_LOG_KEYS = ("loss", "accuracy", "X", "y")
#: The arrays of a run with a test set, and only of such a run.
TEST_KEYS = ("test", "test_loss", "test_accuracy")
#: What a run's logged states count: epochs (nnviz's own training, one state each) or the
#: optimizer steps of your own loop (:class:`nnviz.Recorder`).
UNITS: tuple[str, ...] = ("epoch", "step")
#: The most epochs or steps between two logged states.
MAX_LOG_EVERY = 10_000

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
_MAX_HEADER_BYTES = 10_000  # numpy's own limit for a safe .npy header
_MAX_MEMBERS = 64
#: Temporary files of writes that were killed are removed once they are this old (seconds).
STALE_TEMPORARY_SECONDS = 600.0


class RunFileError(ValueError):
    """A run file is missing, damaged or not a run file; the message is one line.

    Whatever of the file (or of its path) the message quotes, it reaches the user escaped
    (:func:`nnviz.terminal.printable`): no control character, no second line.
    """

    def __init__(self, message: str) -> None:
        super().__init__(printable(message))


@dataclass(frozen=True)
class Run(FirstLayersByName):
    """One training run: its configuration and every logged state.

    Attributes
    ----------
    config
        The configuration that produced the run.
    W, b
        The weights and biases of every layer at every logged epoch: ``W[k - 1]`` is the
        run file's ``W{k}`` (see the module docstring for shapes).
    loss, accuracy
        Loss and accuracy of every logged epoch on the training points, as the output head
        (``config.output_head``) defines them.
    X, y
        The data: training and test points; the labels are ``0 … config.classes − 1``.
    stop_reason
        ``target_loss``, ``max_epochs``, ``diverged``, or ``external`` for a run recorded from
        the user's own training loop.
    test
        Which points are held out (boolean, shape (N,)); ``None`` without a test set.
    test_loss, test_accuracy
        Loss and accuracy of every logged epoch on the test points; ``None`` without a test
        set.
    unit, every
        What the logged states count, one of :data:`UNITS`, and how many of it lie between two
        of them: state k is ``unit`` ``k * every`` (:meth:`counted`). ``epoch`` and 1 for
        nnviz's own training; a run of your own loop may log every 10 steps. "Epoch" in the
        names of the rest of the API means a logged state.
    """

    config: RunConfig
    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    loss: np.ndarray
    accuracy: np.ndarray
    X: np.ndarray
    y: np.ndarray
    stop_reason: str
    test: np.ndarray | None = None
    test_loss: np.ndarray | None = None
    test_accuracy: np.ndarray | None = None
    unit: str = "epoch"
    every: int = 1

    def __post_init__(self) -> None:
        _check_shapes(self)
        if self.stop_reason not in STOP_REASONS:
            raise RunFileError(f"unknown stop reason {self.stop_reason!r}")
        _check_unit(self)

    def __deepcopy__(self, memo: dict[int, object]) -> Run:
        """Share, do not copy: a run is immutable once made."""
        return self

    @classmethod
    def from_log(
        cls,
        config: RunConfig,
        states: Sequence[tuple[np.ndarray, ...]],
        metrics: Sequence[Sequence[float]],
        X: np.ndarray,
        y: np.ndarray,
        stop_reason: str,
        test: np.ndarray | None = None,
        unit: str = "epoch",
        every: int = 1,
    ) -> Run:
        """Return the run of logged states, as a training loop collects them.

        Parameters
        ----------
        states
            ``(W1, b1, W2, b2, …)`` of every logged epoch, epoch 0 first.
        metrics
            ``(loss, accuracy, test loss, test accuracy)`` of every logged epoch (the test
            columns are read only with a ``test`` mask).
        test
            Which points are held out; ``None`` without a test set.
        unit, every
            What the states count (see :class:`Run`).
        """
        stacked = [np.stack(arrays) for arrays in zip(*states, strict=True)]
        table = np.array(metrics, dtype=np.float64)
        return cls(
            config=config,
            W=tuple(stacked[0::2]),
            b=tuple(stacked[1::2]),
            loss=table[:, 0].copy(),
            accuracy=table[:, 1].copy(),
            X=X,
            y=y,
            stop_reason=stop_reason,
            test=test,
            test_loss=None if test is None else table[:, 2].copy(),
            test_accuracy=None if test is None else table[:, 3].copy(),
            unit=unit,
            every=every,
        )

    @property
    def epochs(self) -> int:
        """Number of epochs run (E); the run holds E + 1 states."""
        return len(self.loss) - 1

    def counted(self, state: float) -> float:
        """Return the epoch or step (:attr:`unit`) of the continuous state index ``state``:
        ``state * every``."""
        return state * self.every

    @property
    def last_count(self) -> int:
        """The epoch or step of the last logged state."""
        return self.epochs * self.every

    @property
    def count_limit(self) -> int:
        """The epoch or step at the end of the run's axis: its limit, ``max_epochs`` states."""
        return self.config.max_epochs * self.every

    def count_text(self, state: int) -> str:
        """``epoch 12``, ``step 1200``: the logged state ``state`` as the pictures name it."""
        return f"{self.unit} {state * self.every}"

    def span_text(self) -> str:
        """``40 epochs``, ``3000 steps (logged every 10)``: how far the run went."""
        count = self.last_count
        text = f"{count} {self.unit}{'' if count == 1 else 's'}"
        return text if self.every == 1 else f"{text} (logged every {self.every})"

    @property
    def hidden_widths(self) -> tuple[int, ...]:
        """The width of every hidden layer, read from the arrays."""
        return tuple(int(W.shape[1]) for W in self.W[:-1])

    @property
    def has_test(self) -> bool:
        """Whether the run holds out a test set."""
        return self.test is not None

    @property
    def train_mask(self) -> np.ndarray:
        """Which points the network was trained on (boolean, shape (N,))."""
        if self.test is None:
            return np.ones(len(self.y), dtype=bool)
        return ~self.test

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
        logs = {key: getattr(self, key) for key in _LOG_KEYS}
        if self.test is not None:
            logs.update(test=self.test.astype(np.uint8), test_loss=self.test_loss,
                        test_accuracy=self.test_accuracy)  # fmt: skip
        return {**layers, **logs}

    def describe_stop(self) -> str:
        """Return a short sentence saying why training stopped."""
        if self.stop_reason == "target_loss":
            return f"loss ≤ {self.config.target_loss:g} at epoch {self.epochs}"
        if self.stop_reason == "diverged":
            return f"diverged (loss blew up or became NaN); kept the finite epochs 0-{self.epochs}"
        if self.stop_reason == "external":
            return f"recorded from your own training loop, {self.span_text()}"
        return f"reached the {self.config.max_epochs}-epoch limit"

    @property
    def schema(self) -> int:
        """The schema the run file is written in: :data:`SIGMOID_SCHEMA` for one sigmoid
        output (the file older nnviz reads), else :data:`SCHEMA_VERSION`."""
        return SIGMOID_SCHEMA if self.config.output == "sigmoid" else SCHEMA_VERSION

    def metadata(self) -> dict[str, Any]:
        """Return the JSON document stored under ``config`` in the run file."""
        return {
            "schema": self.schema,
            "config": self.config.to_dict(),
            "epochs": self.epochs,
            "stop_reason": self.stop_reason,
            "unit": self.unit,
            "every": self.every,
            "nnviz_version": __version__,
        }


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
    temporary: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), new_file_mode())
            np.savez(handle, **arrays)  # type: ignore[arg-type]
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror or str(error), str(target)) from error
    except BaseException:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise
    remove_stale_temporaries(target.parent, target.name)
    return target


def check_writable_target(path: Path, what: str = "a run file") -> None:
    """Refuse ``path`` as a file to write (``what``: a run file, a video, ...) unless it is a
    regular file or a new path in a folder that exists (or can be made) and is writable; call
    it before expensive work.

    Raises
    ------
    RunFileError
        With a one-line message naming ``path``.
    """
    try:
        status = path.lstat()
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise RunFileError(f"{path}: cannot write ({error.strerror or error})") from None
    if status is not None and not stat.S_ISREG(status.st_mode):
        kind = (
            "a symbolic link" if stat.S_ISLNK(status.st_mode)
            else "a folder" if stat.S_ISDIR(status.st_mode)
            else "a FIFO" if stat.S_ISFIFO(status.st_mode)
            else "a device" if stat.S_ISCHR(status.st_mode) or stat.S_ISBLK(status.st_mode)
            else "not a regular file"
        )  # fmt: skip
        raise RunFileError(f"{path}: is {kind}; {what} is written only to a regular file "
                           "or a new path")  # fmt: skip
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise RunFileError(f"{path}: cannot write ({folder} is not a folder)")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RunFileError(f"{path}: cannot write (folder {folder} is not writable)")


def remove_stale_temporaries(
    folder: str | os.PathLike[str], name: str | None = None, age: float | None = None
) -> list[Path]:
    """Remove the temporary files that killed writes of run files left in ``folder``.

    Only files named ``.<name>.*.tmp`` (any ``name`` ending in ``.npz`` when ``name`` is
    ``None``) and older than ``age`` seconds (default :data:`STALE_TEMPORARY_SECONDS`) are
    removed: younger ones may belong to a write in progress. Returns the removed paths.
    """
    limit = STALE_TEMPORARY_SECONDS if age is None else age
    removed: list[Path] = []
    now = time.time()
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        stem = entry.name
        if not (stem.startswith(".") and stem.endswith(".tmp")):
            continue
        base = stem[1:].rsplit(".", 2)[0] if stem.count(".") >= 3 else ""
        if (name is not None and base != name) or (name is None and not base.endswith(".npz")):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or now - entry.stat().st_mtime < limit:
                continue
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def new_file_mode() -> int:
    """Return the permissions the umask gives a new file (``0o666 & ~umask``): a file written
    to a temporary name and renamed into place gets these, as any file the user creates."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


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
            arrays = _read_archive(handle)
    except RunFileError as error:
        raise RunFileError(f"{source}: {error}") from None
    except OSError as error:
        raise RunFileError(f"{source}: cannot read ({error.strerror or error})") from None
    except Exception as error:  # zipfile, zlib and numpy raise many types on damaged input
        raise RunFileError(f"{source}: damaged or not an .npz run file ({_brief(error)})") from None

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
            f"{source}: header says {_brief(epochs)} epochs, arrays hold {run.epochs}"
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


def _brief(value: object, limit: int = 60) -> str:
    """``value`` as one short printable line: whitespace runs become one space, other
    characters that are not printable their escapes (messages of numpy or zipfile about a
    damaged file quote its bytes)."""
    text = printable(" ".join(str(value).split()))
    return text if len(text) <= limit else f"{text[: limit - 3]}..."


def _read_archive(handle: BinaryIO) -> dict[str, np.ndarray]:
    """Return the arrays of the run file open as ``handle``, reading each header before any
    data.

    Raises :class:`RunFileError` (without the path) for what a run file must not be; damaged
    archives raise whatever zipfile, zlib or numpy raise.
    """
    _check_central_directory(handle)
    with zipfile.ZipFile(handle) as archive:
        members: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            key = info.filename.removesuffix(".npy")
            if key in members:
                raise RunFileError(f"archive holds {key!r} twice")
            members[key] = info
        layers = max(_layer_count(list(members)), 2)
        wanted = (*(f"{p}{k}" for k in range(1, layers + 1) for p in "Wb"), *_LOG_KEYS,
                  "config")  # fmt: skip
        missing = [key for key in wanted if key not in members]
        if missing:
            raise RunFileError(f"not a run file (missing {', '.join(missing)})")
        wanted = (*wanted, *(key for key in TEST_KEYS if key in members))
        headers = {}
        for key in wanted:
            info = members[key]
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise RunFileError(f"{key!r} uses an unsupported compression")
            with archive.open(info) as stream:
                headers[key] = _read_header(key, stream)
        declared = sum(nbytes for key, (_, _, _, nbytes) in headers.items() if key != "config")
        if declared > MAX_RUN_DATA_BYTES:
            raise RunFileError(
                f"arrays declare {declared} bytes, more than the limit of "
                f"{MAX_RUN_DATA_BYTES} bytes"
            )
        arrays = {}
        for key, (shape, fortran, dtype, nbytes) in headers.items():
            with archive.open(members[key]) as stream:
                _read_header(key, stream)
                arrays[key] = _read_data(key, stream, shape, fortran, dtype, nbytes)
    return arrays


def _check_central_directory(handle: BinaryIO) -> None:
    """Refuse archives whose central directory lists more entries than a run file has, before
    :mod:`zipfile` builds an object for each of them."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, 22 + 65535)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    handle.seek(0)
    end = tail.rfind(b"PK\x05\x06")
    if end < 0 or end + 22 > len(tail):
        raise RunFileError("damaged or not an .npz run file (no zip directory)")
    (entries,) = struct.unpack("<H", tail[end + 10 : end + 12])
    if entries > _MAX_MEMBERS:
        raise RunFileError(f"archive lists {entries} entries; a run file has {_MAX_MEMBERS - 1}")


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise RunFileError("damaged run file (an array is truncated)")
    return data


def _read_header(key: str, stream: IO[bytes]) -> tuple[tuple[int, ...], bool, np.dtype, int]:
    """Read and check one ``.npy`` header; return shape, Fortran order, dtype and data bytes."""
    magic = _read_exactly(stream, 8)
    if magic[:6] != b"\x93NUMPY" or magic[6:] not in (b"\x01\x00", b"\x02\x00"):
        raise RunFileError(f"{key!r} is not a .npy array of format 1 or 2")
    length_format = "<H" if magic[6] == 1 else "<I"
    raw_length = _read_exactly(stream, struct.calcsize(length_format))
    (length,) = struct.unpack(length_format, raw_length)
    if length > _MAX_HEADER_BYTES:
        raise RunFileError(
            f"the .npy header of {key!r} is {length} bytes long (limit {_MAX_HEADER_BYTES})"
        )
    header = io.BytesIO(magic + raw_length + _read_exactly(stream, length))
    header.seek(8)
    if magic[6] == 1:
        read = np.lib.format.read_array_header_1_0
    else:
        read = np.lib.format.read_array_header_2_0
    shape, fortran, dtype = read(header, max_header_size=_MAX_HEADER_BYTES)
    if dtype.hasobject:
        raise RunFileError(f"{key!r} holds pickled objects, refused")
    kinds = "U" if key == "config" else "fiu"
    if dtype.kind not in kinds or dtype.itemsize == 0 or dtype.fields is not None:
        kind = "a string" if key == "config" else "numeric"
        raise RunFileError(f"array {key!r} must be {kind}, got dtype {_brief(dtype)}")
    if any(not isinstance(n, int) or n < 0 for n in shape):
        raise RunFileError(f"array {key!r} has an invalid shape")
    nbytes = math.prod(shape) * dtype.itemsize
    if key == "config" and (shape != () or nbytes > MAX_CONFIG_CHARS * 4):
        raise RunFileError(f"'config' must be one string of at most {MAX_CONFIG_CHARS} characters")
    if nbytes > MAX_RUN_DATA_BYTES:
        raise RunFileError(
            f"array {key!r} declares {nbytes} bytes, more than the limit of "
            f"{MAX_RUN_DATA_BYTES} bytes"
        )
    return tuple(shape), bool(fortran), dtype, nbytes


def _read_data(
    key: str,
    stream: IO[bytes],
    shape: tuple[int, ...],
    fortran: bool,
    dtype: np.dtype,
    nbytes: int,
) -> np.ndarray:
    """Read exactly the ``nbytes`` of data a header declared, and check that nothing follows."""
    buffer = bytearray(nbytes)
    view = memoryview(buffer)
    done = 0
    while done < nbytes:
        chunk = stream.read(min(nbytes - done, 1 << 20))
        if not chunk:
            raise RunFileError(f"damaged run file (array {key!r} is truncated)")
        view[done : done + len(chunk)] = chunk
        done += len(chunk)
    if stream.read(1):
        raise RunFileError(f"damaged run file (array {key!r} has trailing data)")
    count = math.prod(shape)
    array = np.frombuffer(buffer, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran else "C")


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
        raise RunFileError(f"{source}: 'config' is not valid JSON ({_brief(error)})") from None
    if not isinstance(metadata, dict):
        raise RunFileError(f"{source}: 'config' must hold a JSON object")
    schema = metadata.get("schema")
    if isinstance(schema, bool) or schema not in READABLE_SCHEMAS:
        raise RunFileError(
            f"{source}: run file schema {_brief(schema)} is not supported "
            f"(this nnviz reads {', '.join(map(str, READABLE_SCHEMAS))})"
        )
    for key in ("config", "stop_reason", "epochs"):
        if key not in metadata:
            raise RunFileError(f"{source}: 'config' lacks {key!r}")
    if not isinstance(metadata["config"], dict):
        raise RunFileError(f"{source}: 'config.config' must be a JSON object")
    return metadata


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
    config = run.config
    units = config.output_units
    for k, W in enumerate(run.W, start=1):
        out = str(units) if k == last else f"h_{k}"
        if W.ndim != 3 or W.shape[0] != states or W.shape[2] != fan_in:
            raise RunFileError(
                f"array 'W{k}' must have shape ({states}, {out}, {fan_in}), got {W.shape}"
            )
        if k == last and W.shape[1] != units:
            what = (
                "one output unit" if units == 1
                else f"{units} {config.output} outputs, one per class"
            )  # fmt: skip
            raise RunFileError(
                f"array 'W{k}' must have shape ({states}, {units}, {fan_in}) ({what}), "
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
    if X.shape[0] != run.config.samples:  # what limits drawing must be what is drawn
        raise RunFileError(
            f"configuration says {run.config.samples} samples, arrays hold {X.shape[0]} points"
        )
    if not all(np.all(np.isfinite(a)) for a in (*run.W, *run.b, X)):
        raise RunFileError("weights and data must be finite")
    if not (np.all(np.isfinite(loss)) and np.all(loss >= 0)):
        raise RunFileError("every logged loss must be a finite number of at least 0")
    accuracy = run.accuracy
    if not (np.all(np.isfinite(accuracy)) and np.all((accuracy >= 0) & (accuracy <= 1))):
        raise RunFileError("every logged accuracy must lie between 0 and 1")
    classes = config.classes
    if not np.all((y >= 0) & (y < classes) & (y == np.round(y))):
        if classes == 2:
            raise RunFileError("labels 'y' must be 0 or 1")
        raise RunFileError(f"labels 'y' must be whole numbers 0 to {classes - 1} "
                           f"({classes} classes)")  # fmt: skip
    _check_test_set(run)
    widths = tuple(int(W.shape[1]) for W in run.W[:-1])
    if widths != run.config.hidden:
        shown, held = (",".join(map(str, w)) for w in (run.config.hidden, widths))
        raise RunFileError(f"configuration says {shown} hidden units, arrays hold {held}")


def _check_unit(run: Run) -> None:
    """The unit is one of :data:`UNITS` and ``every`` a whole number within
    :data:`MAX_LOG_EVERY`; nnviz's own training logs every epoch."""
    if not isinstance(run.unit, str) or run.unit not in UNITS:
        raise RunFileError(f"unit must be one of {', '.join(UNITS)}, got {_brief(run.unit)}")
    every = run.every
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= MAX_LOG_EVERY:
        raise RunFileError(f"every must be a whole number from 1 to {MAX_LOG_EVERY}, got "
                           f"{_brief(every)}")  # fmt: skip
    if run.stop_reason != "external" and (run.unit, every) != ("epoch", 1):
        raise RunFileError(
            f"a run of nnviz's own training logs every epoch, not every {every} {run.unit}"
        )


def _check_test_counts(config: RunConfig, y: np.ndarray, test: np.ndarray) -> None:
    """The test set holds as many points as ``test_fraction`` says: of each class as
    :func:`nnviz.data.split_test` holds out, or of all points for a run of one's own loop
    (whose ``test_fraction`` is the share its mask held)."""
    fraction = config.test_fraction
    if config.dataset == EXTERNAL:
        wanted, held = round(fraction * len(y)), int(np.count_nonzero(test))
        if held != wanted:
            raise RunFileError(
                f"configuration holds out {fraction:g} of {len(y)} points ({wanted}), "
                f"array 'test' marks {held}"
            )
        return
    for label in range(config.classes):
        members = y == label
        wanted = held_out_count(int(np.count_nonzero(members)), fraction)
        held = int(np.count_nonzero(test & members))
        if held != wanted:
            raise RunFileError(
                f"configuration holds out {wanted} of the {int(np.count_nonzero(members))} "
                f"points of class {label} (test_fraction {fraction:g}), array 'test' marks {held}"
            )


def _check_test_set(run: Run) -> None:
    """A run with ``test_fraction`` above 0 holds a test set, of every class's training points
    and its own metrics; another run holds none."""
    present = [key for key in TEST_KEYS if getattr(run, key) is not None]
    wanted = run.config.test_fraction > 0
    if not wanted:
        if present:
            raise RunFileError(f"{present[0]!r} given, but the run has no test set")
        return
    if len(present) != len(TEST_KEYS):
        missing = [key for key in TEST_KEYS if key not in present]
        raise RunFileError(f"a run with a test set needs {', '.join(missing)}")
    test = np.asarray(run.test)
    if test.shape != run.y.shape or test.dtype != bool:
        raise RunFileError(f"array 'test' must be {len(run.y)} booleans, one per point")
    train = ~test
    classes = run.config.classes
    every = "both classes" if classes == 2 else f"every one of the {classes} classes"
    for name, mask in (("training", train), ("test", test)):
        if set(np.unique(run.y[mask]).tolist()) != set(range(classes)):
            raise RunFileError(f"the {name} points must hold {every}")
    _check_test_counts(run.config, run.y, test)
    states = len(run.loss)
    for key in ("test_loss", "test_accuracy"):
        values = np.asarray(getattr(run, key))
        if values.shape != (states,) or values.dtype.kind != "f" or not np.all(np.isfinite(values)):
            raise RunFileError(f"array {key!r} must hold {states} finite numbers")
        if np.any(values < 0) or (key == "test_accuracy" and np.any(values > 1)):
            raise RunFileError(f"array {key!r} holds a value no {key.replace('_', ' ')} can have")
