"""One training run in memory: its configuration and every logged state, checked against
each other when it is made (a :class:`Run` that exists is a run nnviz can draw).

The run file that stores it is :mod:`nnviz.run_file`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnviz.config import EXTERNAL, RunConfig
from nnviz.data import held_out_count
from nnviz.errors import RunFileError
from nnviz.forward import FirstLayersByName, Weights
from nnviz.stop_reasons import STOP_REASONS, StopReason
from nnviz.terminal import brief
from nnviz.version import __version__

__all__ = [
    "LOG_KEYS",
    "MAX_LOG_EVERY",
    "SCHEMA_VERSION",
    "SIGMOID_SCHEMA",
    "TEST_KEYS",
    "UNITS",
    "Run",
    "RunFileError",
]

#: The schema of the run files this version writes (:mod:`nnviz.run_file`).
SCHEMA_VERSION = 3
#: The schema of a run of one sigmoid output (two classes): it holds nothing that schema 2
#: lacks, and is written as schema 2, so that nnviz versions before schema 3 read it.
SIGMOID_SCHEMA = 2
#: The logs every run holds besides its weights.
LOG_KEYS = ("loss", "accuracy", "X", "y")
#: The arrays of a run with a test set, and only of such a run.
TEST_KEYS = ("test", "test_loss", "test_accuracy")
#: What a run's logged states count: epochs (nnviz's own training, one state each) or the
#: optimizer steps of your own loop (:class:`nnviz.Recorder`).
UNITS: tuple[str, ...] = ("epoch", "step")
#: The most epochs or steps between two logged states.
MAX_LOG_EVERY = 10_000


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
        logs = {key: getattr(self, key) for key in LOG_KEYS}
        if self.test is not None:
            logs.update(test=self.test.astype(np.uint8), test_loss=self.test_loss,
                        test_accuracy=self.test_accuracy)  # fmt: skip
        return {**layers, **logs}

    @property
    def stop(self) -> StopReason:
        """What the run's stop reason says (:data:`nnviz.stop_reasons.STOP_REASONS`)."""
        return STOP_REASONS[self.stop_reason]

    def stop_words(self, text: str) -> str:
        """Return ``text``, one of :attr:`stop`'s texts, filled in with this run's values."""
        return text.format(epochs=self.epochs, count=self.count_text(self.epochs),
                           span=self.span_text(), limit=self.config.max_epochs,
                           target=self.config.target_loss, loss=float(self.loss[-1]))  # fmt: skip

    def describe_stop(self) -> str:
        """Return a short sentence saying why training stopped."""
        return self.stop_words(self.stop.sentence)

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


def _check_shapes(run: Run) -> None:
    arrays = {**{f"W{k}": W for k, W in enumerate(run.W, 1)},
              **{f"b{k}": b for k, b in enumerate(run.b, 1)},
              **{key: getattr(run, key) for key in LOG_KEYS}}  # fmt: skip
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
        raise RunFileError(f"unit must be one of {', '.join(UNITS)}, got {brief(run.unit)}")
    every = run.every
    if isinstance(every, bool) or not isinstance(every, int) or not 1 <= every <= MAX_LOG_EVERY:
        raise RunFileError(f"every must be a whole number from 1 to {MAX_LOG_EVERY}, got "
                           f"{brief(every)}")  # fmt: skip
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
