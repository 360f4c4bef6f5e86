"""Record a run of your own torch training loop as a standard nnviz run file.

The recorder reads the weights of a ``torch.nn.Sequential`` of ``nn.Linear`` layers and the
activations of :data:`nnviz.activations.ACTIVATION_REGISTRY` (2 inputs, hidden layers within
:mod:`nnviz.config`'s limits, and the output logits: one, a sigmoid output of two classes, or
k = 2 to 6, a softmax of k classes as ``nn.CrossEntropyLoss`` trains it; a final
``nn.Sigmoid``, ``nn.Softmax(dim=-1)`` or ``nn.LogSoftmax(dim=-1)`` after them is recorded as
the logit model it wraps), snapshots them when asked (every epoch, or every N steps:
``unit="step", every=N``), and evaluates each snapshot as :func:`nnviz.train.train` evaluates
its own states (:func:`nnviz.train.logit_metrics`, the output head's loss and accuracy) on
the given points, in float64.

It never changes the model: no ``train()``/``eval()`` switch, no forward pass through it (the
loss is computed from detached float64 copies of the weights), gradients untouched.

Examples
--------
>>> rec = Recorder(model, X, y)  # doctest: +SKIP
>>> for epoch in range(epochs):  # doctest: +SKIP
...     train_one_epoch(model)
...     rec.log()
>>> rec.save("my_run.npz")  # doctest: +SKIP

Logging every 10 optimizer steps instead, for a video that counts steps:

>>> rec = Recorder(model, X, y, unit="step", every=10)  # doctest: +SKIP
>>> for step in range(1, steps + 1):  # doctest: +SKIP
...     train_one_step(model)
...     if step % 10 == 0:
...         rec.log()
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from nnviz.activations import (
    ACTIVATION_PARAMETERS,
    ACTIVATION_REGISTRY,
    ACTIVATIONS,
    activation_name,
)
from nnviz.atomic_files import check_writable_target
from nnviz.config import (
    EXTERNAL,
    MAX_EPOCHS,
    MAX_HIDDEN_LAYERS,
    MAX_LAYER_WIDTH,
    MAX_SAMPLES,
    MAX_TEST_FRACTION,
    ConfigError,
    RunConfig,
)
from nnviz.data import classes_without_points
from nnviz.heads import MAX_CLASSES
from nnviz.run import MAX_LOG_EVERY, UNITS, Run
from nnviz.run_file import save_run
from nnviz.train import activation_module, logit_metrics

__all__ = ["FINAL_LINKS", "Recorder", "ends_in_sigmoid", "final_link", "model_architecture"]

#: The modules a model may end with after its last ``nn.Linear``, turning the logits into
#: (log) probabilities: the output head they belong to. Such a model is recorded as the logit
#: model it wraps (nnviz applies the head's link itself). ``nn.Softmax`` and ``nn.LogSoftmax``
#: count over the classes only: ``dim=-1`` or ``dim=1``.
FINAL_LINKS: dict[type[nn.Module], str] = {
    nn.Sigmoid: "sigmoid",
    nn.Softmax: "softmax",
    nn.LogSoftmax: "softmax",
}
#: The ``dim`` of a final softmax that means the classes of a batch of shape (N, k).
_CLASS_DIMS = (-1, 1)


def _supported() -> str:
    return f"nnviz draws nn.Linear layers and the activations {', '.join(ACTIVATIONS)}"


def _activation_of(module: nn.Module) -> str | None:
    """Return the configuration's name of ``module`` when it is one of the registry's
    activations with the registry's settings (``tanh``), or with a parameter the activation
    takes (``leaky_relu:0.01`` for ``nn.LeakyReLU()``), else ``None``."""
    for name, entry in ACTIVATION_REGISTRY.items():
        layer, settings = entry.torch_layer
        if type(module) is not getattr(nn, layer) or not all(
            getattr(module, key, None) == value
            for key, value in settings.items()
            if key != entry.parameter
        ):
            continue
        if entry.parameter is None:
            return name
        value = getattr(module, entry.parameter, None)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        try:
            return activation_name(name, value)
        except ConfigError:  # out of the parameter's range
            return None
    return None


def _refusal(index: int, module: nn.Module) -> str:
    """Why ``module`` (at ``index`` in the model) is not one nnviz draws, in one line."""
    kind = type(module).__name__
    for name, entry in ACTIVATION_REGISTRY.items():
        layer, settings = entry.torch_layer
        if type(module) is getattr(nn, layer):
            given = ", ".join(f"{key}={getattr(module, key, None)!r}" for key in settings)
            if entry.parameter is not None:
                parameter = ACTIVATION_PARAMETERS[name]
                return (
                    f"module {index} ({kind}) has {given}; nnviz's {name} takes a "
                    f"{entry.parameter} above {parameter.low:g} and below {parameter.high:g}"
                )
            wanted = ", ".join(f"{key}={value!r}" for key, value in settings.items())
            return f"module {index} ({kind}) has {given}; nnviz's {name} is {kind}({wanted})"
    activations = [getattr(nn, entry.torch_layer[0]) for entry in ACTIVATION_REGISTRY.values()]
    for layer_type in (nn.Linear, *activations):
        if isinstance(module, layer_type):
            return (
                f"module {index} ({kind}) is a subclass of nn.{layer_type.__name__}, which may "
                f"compute something else; nnviz draws nn.{layer_type.__name__} itself"
            )
    return f"module {index} ({kind}) is not supported; {_supported()}"


#: The methods through which calling a module runs: a model that defines one of its own, on
#: its class or on the object, computes what nnviz cannot know.
_CALL_PATH: tuple[str, ...] = ("forward", "__call__", "_call_impl", "_wrapped_call_impl")

#: The forward hooks a module (``_forward_hooks``) and torch (``_global_forward_hooks``) keep,
#: named as their ``register_…`` functions name them; hooks that take keyword arguments or
#: are always called are in the same tables (the ``…_with_kwargs`` tables only flag them).
_FORWARD_HOOKS: tuple[tuple[str, str], ...] = (
    ("forward hook", "forward_hook"),
    ("forward pre-hook", "forward_pre_hook"),
)


def _own_class_computation(model: nn.Sequential) -> str | None:
    """Say in one line how the class of ``model`` changes what ``nn.Sequential`` computes (a
    method of the call path of its own, or another way to walk its modules), or return
    ``None``. A subclass that only builds its modules (its own ``__init__``) is fine."""
    for kind in type(model).__mro__:
        if kind is nn.Sequential:
            return None
        for method in (*_CALL_PATH, "__iter__"):
            if method in vars(kind):
                return (
                    f"the model's class {kind.__name__} defines its own {method}; nnviz "
                    "records an nn.Sequential that runs its modules in order"
                )
    return None


def _own_module_computation(model: nn.Sequential) -> str | None:
    """Say in one line how ``model`` or one of its modules computes other than its torch
    class does, or return ``None``.

    Checked: methods of the call path set on an object (``layer.forward = ...``), forward
    hooks and forward pre-hooks of every module (see :data:`_FORWARD_HOOKS`), and the global
    forward hooks and pre-hooks of
    ``torch.nn.modules.module.register_module_forward_hook`` and
    ``register_module_forward_pre_hook``. A handful of dictionary lookups: cheap enough for
    every :meth:`Recorder.log`.
    """
    from torch.nn.modules import module as torch_module

    for what, register in _FORWARD_HOOKS:
        if getattr(torch_module, f"_global_{register}s", None):
            return (
                f"a global {what} is registered (torch.nn.modules.module.register_module_"
                f"{register}), which may change what every module computes; remove it "
                "before recording"
            )
    for index, module in [(None, model), *enumerate(model)]:
        kind = "Sequential" if index is None else type(module).__name__  # torch's own
        where = "the model" if index is None else f"module {index} ({kind})"
        for method in _CALL_PATH:
            if method in vars(module):
                return (
                    f"{where} has its own {method}, set on the object; nnviz draws what "
                    f"nn.{kind} computes"
                )
        for what, register in _FORWARD_HOOKS:
            if getattr(module, f"_{register}s", None):
                return (
                    f"{where} has a {what}, which may change what it computes; nnviz draws "
                    "the layers alone: remove it (its handle's remove()) before recording"
                )
    return None


def ends_in_sigmoid(model: nn.Sequential) -> bool:
    """Return whether ``model`` ends in ``nn.Linear`` and then ``nn.Sigmoid`` (the class itself):
    a network that outputs the probability, as trained with ``nn.BCELoss``."""
    final = final_link(model)
    return final is not None and type(final) is nn.Sigmoid


def final_link(model: nn.Sequential) -> nn.Module | None:
    """Return the last module of ``model`` when it is one of :data:`FINAL_LINKS` (the class
    itself; a softmax over ``dim=-1`` or ``dim=1``) right after an ``nn.Linear``, else
    ``None``: ``nn.Sigmoid`` (trained with ``nn.BCELoss``), ``nn.Softmax`` or
    ``nn.LogSoftmax`` (trained with ``nn.NLLLoss`` on its logarithm)."""
    modules = list(model)
    if len(modules) < 2 or type(modules[-2]) is not nn.Linear:
        return None
    last = modules[-1]
    if type(last) not in FINAL_LINKS:
        return None
    if type(last) is not nn.Sigmoid and getattr(last, "dim", None) not in _CLASS_DIMS:
        return None
    return last


def _final_refusal(index: int, module: nn.Module, outputs: int | None) -> str | None:
    """Why the final ``module`` (at ``index``), after a last ``nn.Linear`` of ``outputs``
    outputs (``None``: not after one), is not a link nnviz records, or ``None`` when it is
    not a softmax at all (the general refusals apply)."""
    kind = type(module).__name__
    if type(module) not in (nn.Softmax, nn.LogSoftmax):
        return None
    if getattr(module, "dim", None) not in _CLASS_DIMS:
        return (
            f"module {index} ({kind}) has dim={getattr(module, 'dim', None)!r}; nnviz records "
            f"a final nn.{kind} over the classes, nn.{kind}(dim=-1)"
        )
    if outputs is None:
        return (
            f"module {index} ({kind}) is not right after an nn.Linear; nnviz records "
            f"nn.{kind}(dim=-1) only as the last module, after the output logits"
        )
    return None


def model_architecture(model: nn.Module) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Return the hidden widths and activations of ``model``, or say why nnviz cannot draw it.

    ``model`` must be an ``nn.Sequential`` of ``nn.Linear`` layers with one activation of the
    registry (its class and settings, e.g. ``nn.Tanh()``; ``nn.LeakyReLU`` with any negative
    slope between 0 and 1, ``leaky_relu:0.01`` for PyTorch's default) between two of them (none
    between two ``nn.Linear`` layers counts as ``linear``), 2 inputs and 1 output logit (a
    sigmoid output, two classes) or k = 2 to :data:`~nnviz.heads.MAX_CLASSES` (a softmax of k
    classes), or those logits through a final module of :data:`FINAL_LINKS` (``nn.Sigmoid``
    after one logit, ``nn.Softmax(dim=-1)`` or ``nn.LogSoftmax(dim=-1)`` after k; see
    :func:`final_link`: the same network, whose logits nnviz draws and puts through the link
    itself), 1 to
    :data:`~nnviz.config.MAX_HIDDEN_LAYERS` hidden layers
    of 1 to :data:`~nnviz.config.MAX_LAYER_WIDTH` units. It must compute what these classes
    compute: a subclass of ``nn.Sequential`` may build its modules but not define its own
    ``forward`` (or ``__call__``, or ``__iter__``), no module may have a ``forward`` of its
    own set on the object, and no module may have forward hooks or forward pre-hooks, nor
    may global ones be registered.

    Raises
    ------
    ValueError
        With a one-line message naming the module at fault.
    """
    if not isinstance(model, nn.Sequential):
        raise ValueError(
            f"the model is a {type(model).__name__}; nnviz records an nn.Sequential of "
            "nn.Linear layers and activations"
        )
    reason = _own_class_computation(model)
    if reason is not None:
        raise ValueError(reason)
    modules = list(model)
    final = final_link(model)
    if final is not None:
        modules = modules[:-1]  # the logit model it wraps
    linears = [m for m in modules if type(m) is nn.Linear]
    if not linears:
        raise ValueError(f"the model has no nn.Linear layer; {_supported()}")
    widths: list[int] = []
    names: list[str] = []
    pending: str | None = None  # the activation since the last Linear
    for index, module in enumerate(modules):
        if type(module) is nn.Linear:
            if widths:
                if module.in_features != widths[-1]:
                    raise ValueError(
                        f"module {index} (Linear) takes {module.in_features} inputs, but the "
                        f"layer before it has {widths[-1]} units"
                    )
                names.append(pending or "linear")
            elif module.in_features != 2:
                raise ValueError(
                    f"module {index} (Linear) takes {module.in_features} inputs; nnviz draws "
                    "networks of 2 inputs (the plane)"
                )
            widths.append(module.out_features)
            pending = None
            continue
        name = _activation_of(module)
        if name is None:
            after = widths[-1] if widths and pending is None else None
            raise ValueError(_final_refusal(index, module, after) or _refusal(index, module))
        if not widths:
            raise ValueError(
                f"module {index} ({type(module).__name__}) comes before the first nn.Linear; "
                "the model must start with nn.Linear(2, ...)"
            )
        if pending is not None:
            raise ValueError(
                f"module {index} ({type(module).__name__}) follows another activation; nnviz "
                "draws one activation between two nn.Linear layers"
            )
        pending = name
    if pending is not None:
        raise ValueError(
            f"module {len(modules) - 1} ({type(modules[-1]).__name__}) comes after the last "
            "nn.Linear; the model must end with its output logits, nn.Linear(..., 1) or "
            "nn.Linear(..., k), or with them through nn.Sigmoid() (one logit) or "
            "nn.Softmax(dim=-1) (k logits)"
        )
    outputs = widths[-1]
    last = len(modules) - 1
    if not 1 <= outputs <= MAX_CLASSES:
        raise ValueError(
            f"module {last} (Linear) has {outputs} outputs; nnviz draws one output logit (two "
            f"classes, sigmoid) or 2 to {MAX_CLASSES}, one per class (softmax)"
        )
    if final is not None and (outputs == 1) != (type(final) is nn.Sigmoid):
        kind = type(final).__name__
        raise ValueError(
            f"module {last + 1} ({kind}) follows {outputs} output logit"
            f"{'s' if outputs > 1 else ''}; nnviz records a "
            "final nn.Sigmoid after one logit (two classes) and nn.Softmax(dim=-1) or "
            "nn.LogSoftmax(dim=-1) after 2 or more, one per class"
        )
    hidden = tuple(widths[:-1])
    if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS:
        raise ValueError(
            f"the model has {len(hidden)} hidden layers; nnviz draws 1 to {MAX_HIDDEN_LAYERS}"
        )
    for k, width in enumerate(hidden, start=1):
        if width > MAX_LAYER_WIDTH:
            raise ValueError(
                f"hidden layer {k} has {width} units; nnviz draws layers of 1 to {MAX_LAYER_WIDTH}"
            )
    reason = _own_module_computation(model)
    if reason is not None:
        raise ValueError(reason)
    return hidden, tuple(names)


def _as_numpy(value: Any, name: str) -> np.ndarray:
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.array(value, dtype=np.float64)  # a copy: later changes to the data do not leak
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {type(value).__name__}") from None
    return array


class Recorder:
    """Log the weights of a model that your own loop trains, and save them as a run file.

    The initial state is logged at construction (epoch 0); call :meth:`log` after each epoch
    of your training (or every ``every`` epochs or steps, see ``unit``) and :meth:`save` at
    the end. The model is never changed.

    Parameters
    ----------
    model
        An ``nn.Sequential`` of ``nn.Linear`` layers and supported activations, 2 inputs and
        1 logit (a sigmoid output, two classes, trained with ``nn.BCEWithLogitsLoss``) or k =
        2 to :data:`~nnviz.heads.MAX_CLASSES` logits (a softmax of k classes, trained with
        ``nn.CrossEntropyLoss``) (see :func:`model_architecture`), on any device and in any
        float dtype. A final ``nn.Sigmoid`` (a model trained with ``nn.BCELoss``),
        ``nn.Softmax(dim=-1)`` or ``nn.LogSoftmax(dim=-1)`` (trained with ``nn.NLLLoss``) is
        recorded as the logit model it wraps, the same network and weights, and said in one
        line on stderr.
    X
        The points, shape (N, 2): a tensor or an array (copied).
    y
        Their labels, shape (N,) (or (N, 1)): 0 or 1 for one logit; the class indices
        ``0 … k − 1`` for k logits, as ``nn.CrossEntropyLoss`` takes them, every class among
        the training points.
    test
        Optionally which points are held out from training (booleans, shape (N,)): the loss
        and accuracy are then logged for the training and the test points apart, and the video
        draws the test points hollow. At most half the points, with every class among the
        training and the test points.
    unit
        What your loop counts between two :meth:`log` calls, one of
        :data:`nnviz.run.UNITS`: ``"epoch"`` (the default) or ``"step"`` (an optimizer
        step). The video's counter and loss curve say it: ``step 1200 / 3000``.
    every
        How many of ``unit`` pass between two :meth:`log` calls: with ``unit="step",
        every=10``, log after every 10th step and state k is step 10·k. 1 to
        :data:`nnviz.run.MAX_LOG_EVERY`.
    class_names
        Optionally the names of the classes, in the order of their labels (the legend's);
        ``None`` names them by their labels.

    Raises
    ------
    ValueError
        With one line, for a model nnviz cannot draw, data of the wrong shape or values, or
        a unit or ``every`` it does not know.
    """

    def __init__(
        self,
        model: nn.Module,
        X: Any,
        y: Any,
        test: Any = None,
        unit: str = "epoch",
        every: int = 1,
        class_names: Sequence[str] | None = None,
    ) -> None:
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
        whole = isinstance(every, int) and not isinstance(every, bool)
        if not whole or not 1 <= every <= MAX_LOG_EVERY:
            raise ValueError(f"every must be a whole number from 1 to {MAX_LOG_EVERY}, "
                             f"got {every!r}")  # fmt: skip
        self.unit, self.every = unit, every
        self.hidden, self.activations = model_architecture(model)
        assert isinstance(model, nn.Sequential)  # model_architecture refuses anything else
        self.model = model
        #: Whether the model ends in ``nn.Sigmoid``, recorded as the logit model it wraps.
        self.sigmoid_output = ends_in_sigmoid(model)
        final = final_link(model)
        #: The class name of the module of :data:`FINAL_LINKS` the model ends in (recorded as
        #: the logit model it wraps), or ``None``.
        self.final_module: str | None = None if final is None else type(final).__name__
        self._layers = list(model)  # as nn.Sequential runs them (a shared layer twice)
        self._linears = [m for m in self._layers if type(m) is nn.Linear]
        units = self._linears[-1].out_features
        #: The number of classes: 2 for one output logit, else one per output.
        self.classes = 2 if units == 1 else units
        #: The output head (:data:`nnviz.heads.HEADS`): ``sigmoid`` for one logit, ``softmax``
        #: for more.
        self.output = "sigmoid" if units == 1 else "softmax"
        self.class_names = None if class_names is None else tuple(class_names)
        X_np = _as_numpy(X, "X")
        y_np = _as_numpy(y, "y")
        if y_np.ndim == 2 and y_np.shape[1] == 1:
            y_np = y_np[:, 0]
        if X_np.ndim != 2 or X_np.shape[1] != 2:
            raise ValueError(f"X must have shape (N, 2), got {X_np.shape}")
        if y_np.shape == (len(X_np), units) and units > 1:
            raise ValueError(f"y must hold class indices, shape ({len(X_np)},), not one-hot "
                             f"rows {y_np.shape}: pass y.argmax(1)")  # fmt: skip
        if y_np.shape != (len(X_np),):
            raise ValueError(f"y must have shape ({len(X_np)},), one label per point, got "
                             f"{y_np.shape}")  # fmt: skip
        if not 2 <= len(X_np) <= MAX_SAMPLES:
            raise ValueError(f"X must hold 2 to {MAX_SAMPLES} points, got {len(X_np)}")
        if not np.all(np.isfinite(X_np)):
            raise ValueError("X must be finite (no NaN or inf)")
        if units == 1 and not np.all((y_np == 0) | (y_np == 1)):
            raise ValueError("y must hold labels 0 or 1")
        if not np.all((y_np >= 0) & (y_np < self.classes) & (y_np == np.round(y_np))):
            raise ValueError(f"y must hold the class indices 0 to {self.classes - 1} of the "
                             f"model's {self.classes} outputs")  # fmt: skip
        self.X, self.y = X_np, y_np.astype(np.int64)
        self.test: np.ndarray | None = None
        if test is not None:
            mask = np.array(test.detach().cpu() if isinstance(test, torch.Tensor) else test)
            if mask.shape != (len(X_np),) or mask.dtype != bool:
                raise ValueError(f"test must be {len(X_np)} booleans, one per point")
            if not 0 < mask.mean() <= MAX_TEST_FRACTION:
                raise ValueError(
                    f"test must hold out some points and at most {MAX_TEST_FRACTION:g} of them"
                )
            every_class = (
                "both classes" if self.classes == 2 else f"every one of the {self.classes} classes"
            )
            for part, name in ((~mask, "training"), (mask, "test")):
                if set(np.unique(self.y[part]).tolist()) != set(range(self.classes)):
                    raise ValueError(f"the {name} points must hold {every_class}")
            self.test = mask
        if units > 1:  # a class without training points: a legend entry nothing taught
            reason = classes_without_points(self.y, self.classes, self.test, self.class_names)
            if reason is not None:
                raise ValueError(f"y: {reason}")
        self._inputs = torch.from_numpy(self.X)
        labels = self.y.astype(np.float64) if units == 1 else self.y
        self._targets = torch.from_numpy(labels)
        self._states: list[tuple[np.ndarray, ...]] = []
        self._metrics: list[tuple[float, ...]] = []
        self._config()  # the class names, checked as a run file's are
        self.log()
        if final is not None:  # after every check: said only of a model that is recorded
            link = "sigmoid" if self.sigmoid_output else "softmax"
            print(
                f"nnviz: the model ends in nn.{self.final_module}: recorded as the logit model "
                f"it wraps (the same network; nnviz applies the {link})",
                file=sys.stderr,
                flush=True,
            )

    @property
    def epochs(self) -> int:
        """The number of states logged after the initial one (epochs, or logs of
        :attr:`every` steps)."""
        return len(self._states) - 1

    def _now(self) -> str:
        """``epoch 12`` or ``step 1200``: what the next :meth:`log` records."""
        return f"{self.unit} {len(self._states) * self.every}"

    def log(self) -> float:
        """Snapshot the model's weights now (after an epoch, or after :attr:`every` of the
        recorder's unit) and return their loss.

        Raises
        ------
        ValueError
            When the weights or their loss are not finite (training diverged; the states
            logged before stay), after :data:`~nnviz.config.MAX_EPOCHS` logged states, or
            when the model no longer computes what was recorded (a forward hook added since,
            a module replaced; see :func:`model_architecture`).
        """
        if len(self._states) > MAX_EPOCHS:
            raise ValueError(
                f"a run holds at most {MAX_EPOCHS} logged states after the first; save this "
                "one" + ("" if self.unit == "epoch" and self.every == 1 else " or log less often")
            )
        if self._states:
            self._check_unchanged()
        state = self._snapshot()
        if not all(np.all(np.isfinite(a)) for a in state):
            raise ValueError(
                f"{self._now()}: the weights are not finite (training diverged); "
                f"the {len(self._states)} states before it can still be saved"
            )
        metrics = self._evaluate(state)
        if not np.all(np.isfinite(metrics)):
            raise ValueError(f"{self._now()}: the loss is not finite")
        self._states.append(state)
        self._metrics.append(metrics)
        return metrics[0]

    def _config(self) -> RunConfig:
        """The configuration of the run logged so far."""
        return RunConfig(
            dataset=EXTERNAL,
            optimizer=EXTERNAL,
            hidden=self.hidden,
            activation=self.activations,
            samples=len(self.X),
            max_epochs=max(1, self.epochs),
            target_loss=0.0,
            test_fraction=float(self.test.mean()) if self.test is not None else 0.0,
            output=self.output,
            classes=self.classes,
            class_names=self.class_names,
        )

    def run(self) -> Run:
        """Return the logged states as a :class:`~nnviz.run.Run` (stop reason ``external``)."""
        config = self._config()
        test = None if self.test is None else self.test.copy()
        return Run.from_log(config, self._states, self._metrics, self.X.copy(), self.y.copy(),
                            "external", test, unit=self.unit, every=self.every)  # fmt: skip

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the run file to ``path`` (atomically; see :func:`nnviz.run_file.save_run`) and
        return its path."""
        target = Path(path)
        check_writable_target(target)
        return save_run(self.run(), target)

    def _check_unchanged(self) -> None:
        """Refuse to log a model that no longer computes what the recorder draws: its
        modules, classes, settings, hooks and ``forward`` are checked again (microseconds)."""
        epoch = self._now()
        try:
            architecture = model_architecture(self.model)
        except ValueError as error:
            raise ValueError(f"{epoch}: {error}") from None
        modules = list(self.model)
        if (
            architecture != (self.hidden, self.activations)
            or len(modules) != len(self._layers)
            or any(now is not then for now, then in zip(modules, self._layers, strict=True))
        ):
            raise ValueError(
                f"{epoch}: the model's modules changed since Recorder(...); a run "
                "records one network (make a new Recorder for another)"
            )

    def _snapshot(self) -> tuple[np.ndarray, ...]:
        """Float64 copies of (W1, b1, W2, b2, …); a missing bias is zeros."""
        arrays: list[np.ndarray] = []
        with torch.no_grad():
            for layer in self._linears:
                weight = layer.weight.detach().to("cpu", torch.float64, copy=True).numpy()
                if layer.bias is None:
                    bias = np.zeros(layer.out_features)
                else:
                    bias = layer.bias.detach().to("cpu", torch.float64, copy=True).numpy()
                arrays += [weight, bias]
        return tuple(arrays)

    def _evaluate(self, state: tuple[np.ndarray, ...]) -> tuple[float, ...]:
        """Loss and accuracy of ``state`` on the training points (and on the test points),
        defined as :func:`nnviz.train.train` logs them."""
        with torch.no_grad():
            h = self._inputs
            tensors = [torch.from_numpy(a) for a in state]
            for k, name in enumerate(self.activations):
                h = activation_module(name)(nn.functional.linear(h, tensors[2 * k],
                                                                 tensors[2 * k + 1]))  # fmt: skip
            logits = nn.functional.linear(h, tensors[-2], tensors[-1])
        output = self.output
        if self.test is None:
            return logit_metrics(logits, self._targets, output)
        train = torch.from_numpy(~self.test)
        test = torch.from_numpy(self.test)
        return (*logit_metrics(logits[train], self._targets[train], output),
                *logit_metrics(logits[test], self._targets[test], output))  # fmt: skip
