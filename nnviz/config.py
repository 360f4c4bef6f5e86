"""Run configuration: one frozen, validated description of a training run."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from pathlib import PurePath
from typing import Any

from nnviz.activations import (
    activation_name,
    display_name,
    parse_activation,
)
from nnviz.data import DATASET_SPECS, DATASETS
from nnviz.errors import ConfigError
from nnviz.heads import HEADS, MAX_CLASSES, OutputHead, head
from nnviz.terminal import printable, shown

__all__ = [
    "BLOG_LEARNING_RATES",
    "DATA_SOURCES",
    "EXTERNAL",
    "INITS",
    "LATER_FIELDS",
    "MAX_EPOCHS",
    "MAX_HIDDEN_LAYERS",
    "MAX_LAYER_WIDTH",
    "MAX_NAME_CHARS",
    "MAX_NOISE",
    "MAX_PENALTY",
    "MAX_SAMPLES",
    "MAX_SEED",
    "MAX_TEST_FRACTION",
    "OPTIMIZERS",
    "SEED_TARGET_LOSS",
    "ConfigError",
    "RunConfig",
    "activation_file_name",
    "data_description",
    "data_name",
    "default_output",
    "default_target_loss",
]

#: A run's ``dataset`` and ``optimizer`` when it was trained outside nnviz (``nnviz.Recorder``).
EXTERNAL = "external"
#: Where else a run's points can come from: a CSV file (``data_file``), or the user's own
#: training loop (:data:`EXTERNAL`).
DATA_SOURCES: tuple[str, ...] = ("csv", EXTERNAL)
#: The optimizers nnviz trains with (torch's own): Adam, plain SGD, SGD with momentum 0.9, and
#: RMSprop.
OPTIMIZERS: tuple[str, ...] = ("adam", "sgd", "momentum", "rmsprop")
BLOG_LEARNING_RATES: tuple[float, ...] = (0.1, 0.01, 0.001)
#: Initial weights: ``glorot`` (Keras's default, as in the post: Glorot-uniform weights, zero
#: biases) or ``torch`` (PyTorch's ``nn.Linear`` default, Kaiming-uniform weights and biases).
INITS: tuple[str, ...] = ("glorot", "torch")
#: The networks nnviz draws: 1 to 3 hidden layers of 1 to 8 units (TensorFlow Playground's
#: own limit is 6 layers of 8).
MAX_HIDDEN_LAYERS = 3
MAX_LAYER_WIDTH = 8

#: Upper limits of a run: far beyond what a picture of a small network needs, small enough that
#: a run trains in memory and its run file stays under :data:`nnviz.run_file.MAX_RUN_DATA_BYTES`.
MAX_SAMPLES = 100_000
MAX_EPOCHS = 10_000
#: Every seeding API used (torch, NumPy's generators and its legacy ``np.random.seed``, which
#: draws the blog's data) takes it.
MAX_SEED = 2**32 - 1
#: Noise beyond this drowns every data set (all of them live within a few units of the origin).
MAX_NOISE = 1e6
#: At most this share of the points is held out as the test set.
MAX_TEST_FRACTION = 0.5
#: Weight decay and the L1 penalty beyond this leave nothing of the weights to draw.
MAX_PENALTY = 10.0
#: Longest name of a feature or a class (axis labels and the legend show them).
MAX_NAME_CHARS = 40


#: The post's stop rule: its notebook stops once the whole-data loss is at most this. It is a
#: property of the post's own sample (``dataset="seed"``) and the default for it only.
SEED_TARGET_LOSS = 0.263


def default_output(classes: int) -> str:
    """Return the output layer a run of ``classes`` classes has unless it names one: one
    ``sigmoid`` unit for two classes (the post's network), ``softmax`` units for more. Both
    are keys of :data:`nnviz.heads.HEADS`, which knows what they are."""
    return "sigmoid" if classes == 2 else "softmax"


def default_target_loss(dataset: str) -> float:
    """Return the stop target a data set trains to by default: :data:`SEED_TARGET_LOSS` for
    the post's sample, 0 (no target: train every epoch) for any other data."""
    return SEED_TARGET_LOSS if dataset == "seed" else 0.0


#: The fields whose ``None`` is resolved from another field: field -> (that field, the
#: default it gives).
_DEFAULTS_FROM: dict[str, tuple[str, Callable[[Any], object]]] = {
    "target_loss": ("dataset", default_target_loss),
    "output": ("classes", default_output),
}


def activation_file_name(activation: str | tuple[str, ...]) -> str:
    """Return the activations of a configuration as cache keys and video names write them:
    ``relu``, ``relu-tanh``, ``leaky_relu0.01`` (no colon in a file name)."""
    names = (activation,) if isinstance(activation, str) else activation
    return "-".join(name.replace(":", "") for name in names)


@dataclass(frozen=True)
class RunConfig:
    """Everything that determines a training run.

    Two equal configurations produce identical run files: data, initial weights and
    mini-batch order all derive from ``seed``.

    Parameters
    ----------
    dataset
        Name of the toy dataset, one of :data:`DATASETS`; or ``csv`` for points read from
        ``data_file``, or ``external`` for points a user's own training loop recorded.
    samples
        Number of samples, split evenly between the classes (at least one per class).
    noise
        Dataset noise (standard deviation in data units); ``None`` takes the dataset's default.
    seed
        Seed of the initial weights and the mini-batch order.
    data_seed
        Seed of the data; ``None`` takes the dataset's own (12345 for ``seed``, the post's
        sample; 0 for the others), so other initial weights can meet the same data.
    activation
        Hidden activation, one of :data:`ACTIVATIONS`, for every hidden layer; or a tuple of
        one per hidden layer (a tuple of equal names is stored as the one name). An activation
        of :data:`ACTIVATION_PARAMETERS` takes its parameter after a colon,
        ``leaky_relu:0.01``; it is stored as :func:`activation_name` writes it (the bare name
        for the default).
    hidden
        Width of each hidden layer, e.g. ``(2,)`` or ``(4, 4, 2)`` (a whole number means one
        layer): 1 to :data:`MAX_HIDDEN_LAYERS` layers of 1 to :data:`MAX_LAYER_WIDTH` units.
    lr
        Adam learning rate.
    batch_size
        Mini-batch size; ``None`` trains on the full batch.
    max_epochs
        Training stops after this many epochs.
    target_loss
        Before each epoch the whole-data loss is evaluated; training stops when it is at most
        this value (the post's notebook's rule). ``None`` (the default) takes the data's own
        rule, :func:`default_target_loss`: the post's 0.263 for its own sample (``seed``), and
        no target (0: every epoch up to ``max_epochs`` is trained) for every other data set,
        for which 0.263 means nothing. The value is recorded, never ``None``.
    init
        Initial weights, one of :data:`INITS`.
    adam_epsilon
        Adam's ε (Keras's default 1e-7, as in the post; PyTorch's is 1e-8).
    output
        The output layer, a key of :data:`nnviz.heads.HEADS`: ``sigmoid`` (one unit, P(class
        1); two classes only) or ``softmax`` (one unit per class). ``None`` (the default)
        takes :func:`default_output` of ``classes``: ``sigmoid`` for two classes, ``softmax``
        for more. The name is recorded, never ``None``.
    classes
        The number of classes, 2 to :data:`nnviz.heads.MAX_CLASSES`: a CSV file's distinct
        labels (``class_names``), the model's outputs for a recorded run, or the classes a
        built-in data set draws (``blobs`` and ``spiral`` take 2 to 6, the others have 2).
        Labels are ``0 … classes − 1``.
    data_file, data_hash
        For ``dataset="csv"``: the file's name as given, and the SHA-256 of its content (so a
        changed file is another run).
    feature_names, class_names
        Names of the two features (axis labels) and of the ``classes`` classes (the legend),
        e.g. from a CSV's header and label values; ``None`` for the built-in ``x₁, x₂`` and
        ``0, 1, …``.
    test_fraction
        Share of the points held out as a test set (stratified, from the data's seed), 0 to
        :data:`MAX_TEST_FRACTION`; 0 trains on every point, as the post does.
    optimizer
        One of :data:`OPTIMIZERS`, or ``external`` for a run trained outside nnviz.
    weight_decay, l1
        The L2 penalty (the optimizer's weight decay) and the L1 penalty on the weights,
        each at least 0.
    standardize
        Train on the inputs centred and scaled to unit variance over the training points,
        logging the first layer's weights mapped back to the data's own units, so that every
        picture stays in them (the learned function is the same; the optimizer's path is the
        one of the scaled problem). For data in units far from 1, such as a CSV file's
        millimetres, which plain SGD cannot follow at the usual learning rates.
    """

    dataset: str = "seed"
    samples: int = 400
    noise: float | None = None
    seed: int = 0
    data_seed: int | None = None
    activation: str | tuple[str, ...] = "relu"
    hidden: tuple[int, ...] = (2,)
    lr: float = 0.01
    batch_size: int | None = 32
    max_epochs: int = 200
    target_loss: float | None = None
    init: str = "glorot"
    adam_epsilon: float = 1e-7
    output: str | None = None
    data_file: str | None = None
    data_hash: str | None = None
    feature_names: tuple[str, ...] | None = None
    class_names: tuple[str, ...] | None = None
    test_fraction: float = 0.0
    optimizer: str = "adam"
    weight_decay: float = 0.0
    l1: float = 0.0
    standardize: bool = False
    classes: int = 2

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS + DATA_SOURCES:
            raise ConfigError(
                f"unknown dataset {shown(self.dataset)}; choose one of {', '.join(DATASETS)}",
                "dataset",
            )
        self._check_data_source()
        self._check_classes()
        if self.optimizer not in (*OPTIMIZERS, EXTERNAL):
            raise ConfigError(
                f"unknown optimizer {shown(self.optimizer)}; choose one of {', '.join(OPTIMIZERS)}",
                "optimizer",
            )
        _check_positive("test_fraction", self.test_fraction, allow_zero=True,
                        maximum=MAX_TEST_FRACTION)  # fmt: skip
        if self.test_fraction > 0 and self.dataset in DATASETS and self.samples < 2 * self.classes:
            raise ConfigError(
                f"test_fraction needs at least {2 * self.classes} samples (2 of each class) to "
                "hold some out",
                "test_fraction",
            )
        _check_positive("weight_decay", self.weight_decay, allow_zero=True, maximum=MAX_PENALTY)
        _check_positive("l1", self.l1, allow_zero=True, maximum=MAX_PENALTY)
        if not isinstance(self.standardize, bool):
            raise ConfigError(
                f"standardize must be true or false, got {shown(self.standardize)}",
                "standardize",
            )
        self._normalise_network()
        self._check_output()
        if self.init not in INITS:
            raise ConfigError(
                f"unknown init {shown(self.init)}; choose one of {', '.join(INITS)}", "init"
            )
        _check_int("samples", self.samples, minimum=2, maximum=MAX_SAMPLES)
        if self.dataset in DATASETS and self.samples < self.classes:
            raise ConfigError(
                f"samples must be at least the {self.classes} classes (a point of each), "
                f"got {self.samples}",
                "samples",
            )
        _check_int("seed", self.seed, minimum=0, maximum=MAX_SEED)
        _check_int("max_epochs", self.max_epochs, minimum=1, maximum=MAX_EPOCHS)
        if self.batch_size is not None:
            _check_int("batch_size", self.batch_size, minimum=1, maximum=MAX_SAMPLES)
        if self.data_seed is not None:
            _check_int("data_seed", self.data_seed, minimum=0, maximum=MAX_SEED)
        _check_positive("lr", self.lr)
        _check_positive("adam_epsilon", self.adam_epsilon)
        if self.target_loss is None:
            object.__setattr__(self, "target_loss", default_target_loss(self.dataset))
        _check_positive("target_loss", self.target_loss, allow_zero=True)
        if self.noise is not None:
            _check_positive("noise", self.noise, allow_zero=True, maximum=MAX_NOISE)

    def _check_data_source(self) -> None:
        """A CSV run names its file and hash; no other run does. Names are two short lines."""
        if self.dataset == "csv":
            for name in ("data_file", "data_hash"):
                value = getattr(self, name)
                if not isinstance(value, str) or not value or len(value) > 4096:
                    raise ConfigError(f"{name} must name the CSV file of a csv run", name)
        else:
            for name in ("data_file", "data_hash"):
                if getattr(self, name) is not None:
                    raise ConfigError(f"{name} is only for dataset 'csv'", name)
        for name in ("feature_names", "class_names"):
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, list):
                value = tuple(value)
            what = "two names" if name == "feature_names" else "names"
            if not isinstance(value, tuple) or (name == "feature_names" and len(value) != 2):
                raise ConfigError(f"{name} must be {what}, got {shown(value)}", name)
            if len(value) > 64:  # checked against the output layer later; not a huge list
                raise ConfigError(f"{name} holds {len(value)} names, far too many", name)
            for item in value:
                if not isinstance(item, str) or not item.strip():
                    raise ConfigError(f"{name} must be {what}, each non-empty", name)
                if len(item) > MAX_NAME_CHARS or not item.isprintable():
                    raise ConfigError(
                        f"{name}: {shown(item)} is not a name of at most {MAX_NAME_CHARS} "
                        "printable characters",
                        name,
                    )
            object.__setattr__(self, name, value)

    def _check_classes(self) -> None:
        """The classes are 2 to :data:`~nnviz.heads.MAX_CLASSES`, as many as ``class_names``
        names, and as many as the data set draws."""
        names = self.class_names
        where = f"{self.data_file}: " if self.data_file else ""
        if names is not None and not 2 <= len(names) <= MAX_CLASSES:
            listed = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
            raise ConfigError(
                f"{where}{len(names)} class{'' if len(names) == 1 else 'es'} ({listed}); nnviz "
                f"learns 2 to {MAX_CLASSES} classes",
                "class_names",
            )
        _check_int("classes", self.classes, minimum=2, maximum=MAX_CLASSES)
        if names is not None and len(names) != self.classes:
            listed = ", ".join(names)
            raise ConfigError(
                f"{where}class_names holds {len(names)} names ({listed}) for {self.classes} "
                "classes",
                "class_names",
            )
        if self.dataset in DATASETS:
            low, high = DATASET_SPECS[self.dataset].classes
            if not low <= self.classes <= high:
                takers = [name for name, spec in DATASET_SPECS.items() if spec.classes[1] > 2]
                raise ConfigError(
                    f"classes {self.classes}: the {self.dataset} data set has "
                    f"{_count_range(low, high)} classes ({' and '.join(takers)} take 2 to "
                    f"{MAX_CLASSES})",
                    "classes",
                )

    def _check_output(self) -> None:
        """The output is a head of :data:`nnviz.heads.HEADS` that tells the classes apart;
        ``None`` becomes :func:`default_output`."""
        if self.output is None:
            object.__setattr__(self, "output", default_output(self.classes))
        if not isinstance(self.output, str) or self.output not in HEADS:
            raise ConfigError(
                f"unknown output {shown(self.output)}; choose one of {', '.join(HEADS)}",
                "output",
            )
        chosen = HEADS[self.output]
        if not chosen.min_classes <= self.classes <= chosen.max_classes:
            others = [
                f"{name} tells {_count_range(h.min_classes, h.max_classes)}"
                for name, h in HEADS.items()
                if h.min_classes <= self.classes <= h.max_classes
            ]
            raise ConfigError(
                f"output {self.output} tells {_count_range(chosen.min_classes, chosen.max_classes)}"
                f" classes apart, not {self.classes} ({'; '.join(others)})",
                "output",
            )

    def _normalise_network(self) -> None:
        """Check the widths and activations, and store them in one canonical form."""
        hidden = self.hidden
        if not isinstance(hidden, (tuple, list)):
            _check_int("hidden", hidden, minimum=1)
            hidden = (hidden,)
        if not hidden:
            raise ConfigError("hidden must be layer widths such as 2 or 4,4,2, got none", "hidden")
        if len(hidden) > MAX_HIDDEN_LAYERS:
            raise ConfigError(
                f"hidden has {len(hidden)} layers; nnviz draws 1 to {MAX_HIDDEN_LAYERS}", "hidden"
            )
        for width in hidden:
            _check_int("hidden", width, minimum=1)
            if width > MAX_LAYER_WIDTH:
                raise ConfigError(
                    f"hidden layers of {shown(width)} units are too wide to draw; "
                    f"nnviz draws 1 to {MAX_LAYER_WIDTH}",
                    "hidden",
                )
        activation = self.activation
        names = (activation,) if isinstance(activation, str) else tuple(activation)
        names = tuple(activation_name(*parse_activation(name)) for name in names)
        if len(names) not in (1, len(hidden)):
            raise ConfigError(
                f"{len(names)} activations for {len(hidden)} hidden layers; "
                "give one for every layer or one for each",
                "activation",
            )
        object.__setattr__(self, "hidden", tuple(hidden))
        object.__setattr__(self, "activation", names[0] if len(set(names)) == 1 else names)

    @property
    def activations(self) -> tuple[str, ...]:
        """The activation of each hidden layer."""
        if isinstance(self.activation, str):
            return (self.activation,) * len(self.hidden)
        return self.activation

    @property
    def output_head(self) -> OutputHead:
        """The output layer's head (:data:`nnviz.heads.HEADS`): its units, loss, accuracy."""
        return head(self.output or default_output(self.classes))

    @property
    def output_units(self) -> int:
        """The number of output units: 1 for a sigmoid, ``classes`` for softmax."""
        return self.output_head.units(self.classes)

    @property
    def widths(self) -> tuple[int, ...]:
        """The width of every layer, inputs to output: ``(2, 2, 1)`` for the blog's network,
        ``(2, 4, 3)`` for 4 hidden units and a softmax of 3 classes."""
        return (2, *self.hidden, self.output_units)

    def network_sentence(self) -> str:
        """Return the network in words, as title cards show it: ``2 inputs → 2 hidden neurons
        (ReLU) → 1 sigmoid output``, or ``2 inputs → hidden layers 4, 4, 2 (ReLU/tanh ×2) → 1
        sigmoid output``."""
        if len(self.hidden) == 1:
            width = self.hidden[0]
            layers = f"{width} hidden neuron{'s' if width > 1 else ''}"
        else:
            layers = "hidden layers " + ", ".join(map(str, self.hidden))
        outputs = self.output_units
        return (
            f"2 inputs → {layers} ({display_name(self.activation)}) → "
            f"{outputs} {self.output_head.name} output{'s' if outputs > 1 else ''}"
        )

    @property
    def stop_loss(self) -> float:
        """The loss at which training stops (``target_loss``, resolved: 0 for no target)."""
        return float(self.target_loss or 0.0)

    @property
    def has_target(self) -> bool:
        """Whether training stops at a target loss (above 0) before ``max_epochs``."""
        return self.stop_loss > 0

    def replace(self, **changes: Any) -> RunConfig:
        """Return a copy with ``changes`` applied (and validated).

        A change of ``dataset`` takes the new data's own stop rule when this configuration
        has its data's (:func:`default_target_loss`) and no ``target_loss`` is given; a change
        of ``classes`` takes their output layer (:func:`default_output`) when this
        configuration has its classes' and no ``output`` is given.
        """
        for name, (source, default) in _DEFAULTS_FROM.items():
            changed = changes.get(source, getattr(self, source)) != getattr(self, source)
            if (
                changed
                and name not in changes
                and getattr(self, name) == default(getattr(self, source))
            ):
                changes[name] = None  # resolved again, from the new value
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Return the configuration as a JSON-ready dictionary.

        A field added after run-file schema 2 (:data:`LATER_FIELDS`) is left out while it has
        the value every configuration had before it, so a configuration that does not use it
        is written (run files) and keyed (:meth:`key`, the cache) exactly as before.
        """
        values = asdict(self)
        for name, before in LATER_FIELDS.items():
            if values[name] == before:
                del values[name]
        return values

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> RunConfig:
        """Build a configuration from :meth:`to_dict` output, rejecting unknown keys."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            listed = ", ".join(printable(key) for key in unknown)  # from any file
            listed = listed if len(listed) <= 60 else f"{listed[:57]}..."
            raise ConfigError(f"unknown run configuration keys: {listed!s}")
        values = dict(values)
        for key in ("hidden", "activation", "feature_names", "class_names"):  # JSON has lists
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        return cls(**values)

    def key(self) -> str:
        """Return a stable, readable cache key, unique to this configuration."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:10]
        names = activation_file_name(self.activation)
        widths = "-".join(map(str, self.hidden))
        return f"{self.dataset}-{names}-h{widths}-lr{self.lr:g}-s{self.seed}-{digest}"

    def label(self) -> str:
        """Return a short human label such as ``relu, lr 0.01`` (``2-3-1 tanh, lr 0.03`` for
        networks other than the blog's 2-2-1)."""
        names = self.activation if isinstance(self.activation, str) else "/".join(self.activation)
        network = "" if self.hidden == (2,) else f"{'-'.join(map(str, self.widths))} "
        return f"{network}{names}, lr {self.lr:g}"


#: The fields of :class:`RunConfig` added after run-file schema 2, and the value they stood for
#: then: :meth:`RunConfig.to_dict` leaves them out at that value (a run file without them
#: means it).
LATER_FIELDS: dict[str, object] = {"classes": 2}


def _count_range(low: int, high: int) -> str:
    """``2`` or ``2 to 6``."""
    return f"{low}" if low == high else f"{low} to {high}"


def _check_int(name: str, value: object, *, minimum: int, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {shown(value)}", name)
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {shown(value)}", name)
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {shown(value)}", name)


def _check_positive(
    name: str, value: object, *, allow_zero: bool = False, maximum: float = math.inf
) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be a number, got {shown(value)}", name)
    try:
        value = float(value)
    except OverflowError:
        raise ConfigError(f"{name} must be finite, got {shown(value)}", name) from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value}", name)
    if value < 0 or (value == 0 and not allow_zero):
        bound = "at least 0" if allow_zero else "greater than 0"
        raise ConfigError(f"{name} must be {bound}, got {value:g}", name)
    if value > maximum:
        raise ConfigError(f"{name} must be at most {maximum:g}, got {value:g}", name)


def data_name(config: RunConfig) -> str:
    """Return the short name of ``config``'s points, for a heading: a built-in data set's key
    (``seed``, ``blobs``), a CSV file's name without its folder (``iris.csv``), or ``your own
    points`` for those of your own training loop."""
    if config.dataset == EXTERNAL:
        return "your own points"
    if config.dataset == "csv":
        return PurePath(str(config.data_file)).name
    return config.dataset


def data_description(config: RunConfig) -> str:
    """Return one line on where ``config``'s points come from, for a caption: a built-in data
    set's :attr:`DatasetSpec.description`, ``the rows of iris.csv, petal width (cm) against
    petal length (cm)`` for a CSV file's data (its name without the folder, and its columns
    when the file names them), or ``the points of your own training loop``."""
    if config.dataset == EXTERNAL:
        return "the points of your own training loop"
    if config.dataset != "csv":
        return DATASET_SPECS[config.dataset].description
    line = f"the rows of {PurePath(str(config.data_file)).name}"
    names = config.feature_names
    return line if names is None else f"{line}, {names[1]} against {names[0]}"
