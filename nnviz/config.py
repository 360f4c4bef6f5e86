"""Run configuration: one frozen, validated description of a training run."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, NamedTuple

from nnviz.terminal import printable

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_PARAMETERS",
    "BLOG_LEARNING_RATES",
    "DATASETS",
    "DATA_SOURCES",
    "EXTERNAL",
    "INITS",
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
    "OUTPUTS",
    "OUTPUT_CLASSES",
    "SEED_TARGET_LOSS",
    "ActivationParameter",
    "ConfigError",
    "RunConfig",
    "activation_file_name",
    "activation_name",
    "default_target_loss",
    "parse_activation",
]

#: Names of the hidden activations; :data:`nnviz.activations.ACTIVATION_REGISTRY` defines them.
ACTIVATIONS: tuple[str, ...] = ("relu", "tanh", "sigmoid", "linear", "leaky_relu")


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


#: The activations of :data:`ACTIVATIONS` that take a parameter, and what it is. A leaky ReLU's
#: negative slope lies between 0 (a ReLU) and 1 (the identity); nnviz's own default, 0.1, is
#: large enough to see in a video, and ``leaky_relu:0.01`` is PyTorch's ``nn.LeakyReLU()``.
ACTIVATION_PARAMETERS: dict[str, ActivationParameter] = {
    "leaky_relu": ActivationParameter("negative slope", 0.1, 0.0, 1.0),
}
DATASETS: tuple[str, ...] = ("seed", "xor", "circles", "moons", "spiral")
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
#: The output layers nnviz can draw: one sigmoid unit, P(class 1). (Softmax outputs for three
#: or more classes are planned; they go here.)
OUTPUTS: dict[str, int] = {"sigmoid": 1}
#: How many classes each output layer tells apart: the one place that limits a run's classes
#: (``class_names``, e.g. a CSV file's labels; the CSV reader itself takes any number).
OUTPUT_CLASSES: dict[str, int] = {"sigmoid": 2}
#: The networks nnviz draws: 1 to 3 hidden layers of 1 to 8 units (TensorFlow Playground's
#: own limit is 6 layers of 8).
MAX_HIDDEN_LAYERS = 3
MAX_LAYER_WIDTH = 8

#: Upper limits of a run: far beyond what a picture of a small network needs, small enough that
#: a run trains in memory and its run file stays under :data:`nnviz.run.MAX_RUN_DATA_BYTES`.
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


def default_target_loss(dataset: str) -> float:
    """Return the stop target a data set trains to by default: :data:`SEED_TARGET_LOSS` for
    the post's sample, 0 (no target: train every epoch) for any other data."""
    return SEED_TARGET_LOSS if dataset == "seed" else 0.0


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
            f"unknown activation {_shown(name)}; choose one of {', '.join(ACTIVATIONS)}",
            "activation",
        )
    base, colon, text = name.partition(":")
    if base not in ACTIVATIONS:
        raise ConfigError(
            f"unknown activation {_shown(name)}; choose one of {', '.join(ACTIVATIONS)}",
            "activation",
        )
    parameter = ACTIVATION_PARAMETERS.get(base)
    if parameter is None:
        if colon:
            raise ConfigError(
                f"activation {_shown(name)}: {base} takes no parameter; write {base}",
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
            f"activation {_shown(name)}: the {parameter.description} of {base} must be a "
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
    parameter = ACTIVATION_PARAMETERS.get(base)
    if value is None or (parameter is not None and float(value) == parameter.default):
        name = base
    else:
        name = f"{base}:{float(value)!r}"
    parse_activation(name)
    return name


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
        Number of samples, split evenly between the two classes.
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
    output
        The output layer, a key of :data:`OUTPUTS` (``sigmoid``: one unit, P(class 1)).
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
        The output layer, a key of :data:`OUTPUTS`.
    data_file, data_hash
        For ``dataset="csv"``: the file's name as given, and the SHA-256 of its content (so a
        changed file is another run).
    feature_names, class_names
        Names of the two features (axis labels) and of the two classes (the legend), e.g. from
        a CSV's header and label values; ``None`` for the built-in ``x₁, x₂`` and ``0, 1``.
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
    output: str = "sigmoid"
    data_file: str | None = None
    data_hash: str | None = None
    feature_names: tuple[str, ...] | None = None
    class_names: tuple[str, ...] | None = None
    test_fraction: float = 0.0
    optimizer: str = "adam"
    weight_decay: float = 0.0
    l1: float = 0.0
    standardize: bool = False

    def __post_init__(self) -> None:
        if self.dataset not in DATASETS + DATA_SOURCES:
            raise ConfigError(
                f"unknown dataset {_shown(self.dataset)}; choose one of {', '.join(DATASETS)}",
                "dataset",
            )
        self._check_data_source()
        if self.optimizer not in (*OPTIMIZERS, EXTERNAL):
            raise ConfigError(
                f"unknown optimizer {_shown(self.optimizer)}; choose one of "
                f"{', '.join(OPTIMIZERS)}",
                "optimizer",
            )
        _check_positive("test_fraction", self.test_fraction, allow_zero=True,
                        maximum=MAX_TEST_FRACTION)  # fmt: skip
        if self.test_fraction > 0 and self.dataset in DATASETS and self.samples < 4:
            raise ConfigError(
                "test_fraction needs at least 4 samples (2 of each class) to hold some out",
                "test_fraction",
            )
        _check_positive("weight_decay", self.weight_decay, allow_zero=True, maximum=MAX_PENALTY)
        _check_positive("l1", self.l1, allow_zero=True, maximum=MAX_PENALTY)
        if not isinstance(self.standardize, bool):
            raise ConfigError(
                f"standardize must be true or false, got {_shown(self.standardize)}",
                "standardize",
            )
        self._normalise_network()
        if self.output not in OUTPUTS:
            raise ConfigError(
                f"unknown output {_shown(self.output)}; nnviz draws {', '.join(OUTPUTS)} outputs",
                "output",
            )
        self._check_classes()
        if self.init not in INITS:
            raise ConfigError(
                f"unknown init {_shown(self.init)}; choose one of {', '.join(INITS)}", "init"
            )
        _check_int("samples", self.samples, minimum=2, maximum=MAX_SAMPLES)
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
            if not isinstance(value, tuple) or (name == "feature_names" and len(value) != 2):
                raise ConfigError(f"{name} must be two names, got {_shown(value)}", name)
            if len(value) > 64:  # checked against the output layer later; not a huge list
                raise ConfigError(f"{name} holds {len(value)} names, far too many", name)
            for item in value:
                if not isinstance(item, str) or not item.strip():
                    raise ConfigError(f"{name} must be two non-empty names", name)
                if len(item) > MAX_NAME_CHARS or not item.isprintable():
                    raise ConfigError(
                        f"{name}: {_shown(item)} is not a name of at most {MAX_NAME_CHARS} "
                        "printable characters",
                        name,
                    )
            object.__setattr__(self, name, value)

    def _check_classes(self) -> None:
        """The classes must be as many as the output layer tells apart."""
        names = self.class_names
        wanted = OUTPUT_CLASSES[self.output]
        if names is None or len(names) == wanted:
            return
        where = f"{self.data_file}: " if self.data_file else ""
        listed = ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
        raise ConfigError(
            f"{where}{len(names)} classes ({listed}); nnviz learns {wanted} classes so far "
            f"(one {self.output} output)"
            if len(names) > wanted
            else f"{where}class_names must be {wanted} names, got {len(names)}",
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
                    f"hidden layers of {_shown(width)} units are too wide to draw; "
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
    def widths(self) -> tuple[int, ...]:
        """The width of every layer, inputs to output: ``(2, 2, 1)`` for the blog's network."""
        return (2, *self.hidden, OUTPUTS[self.output])

    def network_sentence(self) -> str:
        """Return the network in words, as title cards show it: ``2 inputs → 2 hidden neurons
        (ReLU) → 1 sigmoid output``, or ``2 inputs → hidden layers 4, 4, 2 (ReLU/tanh ×2) → 1
        sigmoid output``."""
        from nnviz.activations import display_name  # here: nnviz.activations imports config

        if len(self.hidden) == 1:
            width = self.hidden[0]
            layers = f"{width} hidden neuron{'s' if width > 1 else ''}"
        else:
            layers = "hidden layers " + ", ".join(map(str, self.hidden))
        outputs = OUTPUTS[self.output]
        return (
            f"2 inputs → {layers} ({display_name(self.activation)}) → "
            f"{outputs} {self.output} output{'s' if outputs > 1 else ''}"
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
        has its data's (:func:`default_target_loss`) and no ``target_loss`` is given.
        """
        dataset = changes.get("dataset", self.dataset)
        if (dataset != self.dataset and "target_loss" not in changes
                and self.target_loss == default_target_loss(self.dataset)):  # fmt: skip
            changes["target_loss"] = None
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
