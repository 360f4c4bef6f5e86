"""Key moments of a run, and a clock that slows the video down around them.

A scene plays a run epoch by epoch; some epochs deserve more screen time than others: the
first epoch at which the boundary separates most of the data, the epoch from which a ReLU
unit stays dead, the start of a long plateau of the loss, and in a run of ``k`` softmax classes
the epoch each class first holds most of its own points. :func:`key_moments` finds them,
:func:`clock_speed` turns them into per-epoch time weights and :func:`time_to_epoch` into knots
a scene interpolates to map video time to epoch, and :func:`fit_clock` fits the same clock,
slow motion included, into a given length of video (a long run sampled at the frame rate, a
short one slowed down).

Epochs are the indices of logged states: 0 is the initial state, ``run.epochs`` the last.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz import forward
from nnviz.activations import activation
from nnviz.formatting import short_name
from nnviz.heads import head
from nnviz.run import Run

__all__ = [
    "CAPTION_NAME_CHARS",
    "MOMENT_KINDS",
    "MOMENT_SECONDS",
    "Moment",
    "class_accuracies_per_epoch",
    "class_majorities",
    "class_majority_moments",
    "class_names",
    "clock_speed",
    "dead_units",
    "first_separation",
    "fit_clock",
    "key_moments",
    "plateaus",
    "run_class_accuracies",
    "shows_classes",
    "time_to_epoch",
    "unit_name",
]

#: The kinds of :class:`Moment`, in the order moments of the same epoch are listed.
MOMENT_KINDS: tuple[str, ...] = ("separation", "dead_unit", "plateau", "class_majority")

#: Characters a class majority's caption gives the names of its classes together: one name
#: up to 40 (whole), two up to 20 each, … (:func:`nnviz.formatting.short_name`), at least 7
#: (``class 0``) each.
CAPTION_NAME_CHARS = 40

#: Video seconds the slowed stretch around a lone moment lasts at the default timing (four
#: epochs within 2 of the moment, three times slower, at 0.08 s an epoch): :func:`fit_clock`
#: widens the stretch of a run it compresses until it lasts about this long again.
MOMENT_SECONDS = 2 * 2.0 * 3.0 * 0.08


@dataclass(frozen=True)
class Moment:
    """One key moment of a run.

    Attributes
    ----------
    epoch
        The epoch the moment happens at (for a plateau, the epoch it starts at).
    kind
        ``"separation"``, ``"dead_unit"``, ``"plateau"`` or ``"class_majority"``.
    caption
        A one-line caption for the video, starting with the epoch (in the run's unit:
        ``step 1200`` for a run logged every 10 steps).
    end
        For a plateau, the epoch it ends at; ``None`` for the other kinds.
    classes
        For a class majority, the classes it names, in the caption's order; empty otherwise.
    spans
        Where each of :attr:`classes`' names stands in :attr:`caption`, ``(start, stop)``
        as for slicing it (a picture colours each name in its class's colour).
    """

    epoch: int
    kind: str
    caption: str
    end: int | None = None
    classes: tuple[int, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in MOMENT_KINDS:
            raise ValueError(f"unknown moment kind {self.kind!r}; use one of {MOMENT_KINDS}")
        if len(self.spans) != len(self.classes):
            raise ValueError("a moment needs one caption span per class it names")


def first_separation(run: Run, threshold: float = 0.8) -> int | None:
    """Return the first logged epoch whose accuracy reaches ``threshold``, or ``None``.

    This is where the boundary first separates most of the data; the accuracy may dip below the
    threshold again later.
    """
    reached = np.nonzero(np.asarray(run.accuracy) >= threshold)[0]
    return int(reached[0]) if len(reached) else None


def dead_units(run: Run) -> dict[tuple[int, int], int]:
    """Return the hidden units, of every hidden layer, that end the run dead, with the epoch
    from which they stay dead.

    A ReLU unit is dead at an epoch when its pre-activation (``W1 x + b1`` in the first layer,
    ``W_l h_{l-1} + b_l`` in layer ``l``) is at most 0 for every training point, so its
    activation is zero everywhere on the data (and so is its gradient). A unit counts when it
    is dead at the last epoch; its value is the first epoch of the unbroken run of dead epochs
    that reaches the end (a unit that dies and revives earlier is dated from its final death).

    Returns
    -------
    dict[tuple[int, int], int]
        ``(layer, unit)`` (both 0-based) to epoch. Only layers whose activation can die (ReLU)
        have entries.
    """
    found: dict[tuple[int, int], int] = {}
    names = run.config.activations
    if not any(activation(name).can_die for name in names):
        return found
    # Whether each unit is off for every point, epoch by epoch: (E+1, H) a layer, from stacked
    # passes over chunks of epochs, so that large data sets stay in bounded memory.
    chunks = forward.epoch_chunks(len(run.loss), len(run.X), max(run.hidden_widths))
    off: list[list[np.ndarray]] = [[] for _ in names]
    for epochs in chunks:
        layers = forward.layer_outputs_per_epoch(run.X, run.W, run.b, names, epochs)
        for layer, (pre, _) in enumerate(layers):
            off[layer].append(np.all(pre <= 0.0, axis=1))
    for layer, name in enumerate(names):
        if activation(name).can_die:
            dead = np.concatenate(off[layer])  # (E+1, H)
            alive = ~dead
            last = len(dead) - 1
            # Index of the last alive epoch of each unit, -1 when it never lived.
            last_alive = np.where(alive.any(axis=0), last - np.argmax(alive[::-1], axis=0), -1)
            for unit in np.nonzero(dead[last])[0]:
                found[(layer, int(unit))] = int(last_alive[unit] + 1)
    return found


def unit_name(run: Run, layer: int, unit: int) -> str:
    """Return a hidden unit as captions name it, counting from 1 like the panels' ``h_1``:
    ``hidden unit 2`` in a one-layer network, ``unit 2 of layer 3`` in a deeper one."""
    if len(run.config.hidden) == 1:
        return f"hidden unit {unit + 1}"
    return f"unit {unit + 1} of layer {layer + 1}"


def plateaus(run: Run, window: int = 10, tolerance: float = 1e-3) -> list[tuple[int, int]]:
    """Return the maximal epoch spans over which the loss stays flat.

    Definition: the window ``[e, e + window]`` (``window`` epochs, ``window + 1`` logged states)
    is *flat* when the loss's range over it, ``max - min`` of ``loss[e : e + window + 1]``, is
    less than ``tolerance * window``: the loss moves by less than ``tolerance`` per epoch on
    average, with no dip in between. A plateau ``(a, b)`` is a maximal span whose every window
    is flat, i.e. the windows starting at ``a, a + 1, ..., b - window`` are all flat and those
    starting at ``a - 1`` and ``b - window + 1`` are not. Every plateau therefore lasts at least
    ``window`` epochs. ``tolerance`` is absolute, in loss units per epoch; a non-finite loss is
    never flat.

    Returns
    -------
    list[tuple[int, int]]
        ``(first_epoch, last_epoch)`` of each plateau, in order.
    """
    if window < 1:
        raise ValueError(f"window must be at least 1, got {window}")
    loss = np.asarray(run.loss, dtype=np.float64)
    if len(loss) < window + 1:
        return []
    windows = np.lib.stride_tricks.sliding_window_view(loss, window + 1)
    spread = windows.max(axis=1) - windows.min(axis=1)
    flat = spread < tolerance * window  # NaN compares False
    edges = np.diff(np.concatenate([[0], flat.astype(np.int8), [0]]))
    starts = np.nonzero(edges == 1)[0]
    stops = np.nonzero(edges == -1)[0] - 1  # last flat window start of each run
    return [(int(a), int(b) + window) for a, b in zip(starts, stops, strict=True)]


def key_moments(
    run: Run,
    threshold: float = 0.8,
    window: int = 10,
    tolerance: float = 1e-3,
    majority_window: float = 10.0,
) -> list[Moment]:
    """Return the run's key moments, sorted by epoch (ties in the order of :data:`MOMENT_KINDS`).

    Captions number hidden units from 1, like the panels' ``h_1, h_2``. A run whose pictures
    show its classes (:func:`shows_classes`: a softmax output) also has the epochs at which
    its classes first hold most of their own points (:func:`class_majority_moments`).

    Parameters
    ----------
    run
        The logged run.
    threshold
        Accuracy of the separation moment, see :func:`first_separation`.
    window, tolerance
        Plateau definition, see :func:`plateaus`.
    majority_window
        Classes that reach their majority within this many epochs of each other share one
        moment (:func:`class_majority_moments`).
    """
    moments = []
    separation = first_separation(run, threshold)
    if separation is not None:
        # The accuracy reached, as the read-out shows it at that epoch (the threshold is only
        # where the moment starts: an easy data set may be 98.7 % separated at epoch 0).
        reached = f"{float(run.accuracy[separation]):.1%}"
        when = run.count_text(separation)
        if separation == 0:
            caption = f"{when}: the first boundary already separates {reached} of the points"
        else:
            caption = f"{when}: the boundary separates {reached} of the points"
        moments.append(Moment(separation, "separation", caption))
    for (layer, unit), epoch in dead_units(run).items():
        verb = "is dead from the start" if epoch == 0 else "dies"
        when = run.count_text(epoch)
        caption = f"{when}: {unit_name(run, layer, unit)} {verb} (zero for every point)"
        moments.append(Moment(epoch, "dead_unit", caption))
    for start, end in plateaus(run, window, tolerance):
        span = f"{run.unit}s {start * run.every}–{end * run.every}"
        moments.append(Moment(start, "plateau", f"{span}: the loss plateaus", end=end))
    if shows_classes(run):
        moments.extend(class_majority_moments(run, window=majority_window))
    return sorted(moments, key=lambda m: (m.epoch, MOMENT_KINDS.index(m.kind)))


def shows_classes(run: Run) -> bool:
    """Whether the run's pictures show each class on its own: a softmax output, of 2 to
    :data:`nnviz.heads.MAX_CLASSES` classes (the class palette, the class legend, each class's
    accuracy and the epochs the classes first hold most of their points). One sigmoid unit's
    two classes keep the two-class pictures."""
    return run.config.output_head.link == "softmax"


def class_names(run: Run) -> tuple[str, ...]:
    """Return the names of the run's classes: the data's own (a CSV file's labels), else
    ``class 0``, ``class 1``, …"""
    names = run.config.class_names
    if names is not None:
        return tuple(names)
    return tuple(f"class {c}" for c in range(run.config.classes))


def run_class_accuracies(run: Run) -> np.ndarray:
    """Return each class's accuracy on the run's training points (every point without a test
    set, as the read-out's accuracy) at every logged epoch, shape ``(E + 1, k)``: the share of
    its own points that the network predicts as it (:func:`class_accuracies_per_epoch`).

    The logits come from stacked forward passes over chunks of epochs
    (:func:`nnviz.forward.epoch_chunks`), so a large data set stays in bounded memory.
    """
    train = run.train_mask
    X, y = run.X[train], run.y[train]
    config = run.config
    chunks = forward.epoch_chunks(len(run.loss), len(X), max(run.hidden_widths))
    parts = []
    for epochs in chunks:
        last = forward.layer_outputs_per_epoch(X, run.W, run.b, config.activations, epochs)[-1][1]
        W, b = run.W[-1][epochs], run.b[-1][epochs]  # (e, units, width), (e, units)
        logits = np.einsum("enh,euh->enu", last, W) + b[:, None, :]
        parts.append(class_accuracies_per_epoch(logits, y, config.output_head.name, config.classes))
    return np.concatenate(parts)


def class_majority_moments(
    run: Run, accuracies: np.ndarray | None = None, window: float = 10.0
) -> list[Moment]:
    """Return the moments at which the run's classes first hold most of their own points
    (:func:`class_majorities` of :func:`run_class_accuracies`), one caption per group.

    Classes are taken in the order they reach their majority (ties by class); a group starts
    at its first class and holds every later one that reaches its majority at most ``window``
    epochs after it while the group's classes still hold theirs, so classes that sort
    themselves out together share one caption instead of a flood. A group's moment is at its
    last class's epoch, when every class it names holds its majority:
    ``epoch 37: most points of versicolor now lie in its region``,
    ``epochs 9–12: most points of setosa and virginica now lie in their regions``
    (``already`` at epoch 0). A class that never holds a majority has no moment. The names
    share :data:`CAPTION_NAME_CHARS` characters, so a caption of many long names stays
    short.

    Parameters
    ----------
    run
        The logged run.
    accuracies
        Its classes' accuracies, shape ``(E + 1, k)``; by default
        :func:`run_class_accuracies`.
    window
        Epochs within which classes share a moment; 0 gives every epoch its own.
    """
    if window < 0:
        raise ValueError(f"window must be at least 0, got {window}")
    shares = run_class_accuracies(run) if accuracies is None else accuracies
    reached = [(epoch, c) for c, epoch in enumerate(class_majorities(shares)) if epoch is not None]
    holds = np.asarray(shares, dtype=np.float64) > 0.5  # NaN compares False
    groups: list[list[tuple[int, int]]] = []
    for epoch, c in sorted(reached):
        group = groups[-1] if groups else []
        # Joined only while every class of the group still holds its majority then: the
        # caption, at the group's last epoch, is true when it appears.
        if group and epoch - group[0][0] <= window and all(holds[epoch, m] for _, m in group):
            group.append((epoch, c))
        else:
            groups.append([(epoch, c)])
    names = class_names(run)
    return [_majority_moment(run, group, names) for group in groups]


def _majority_moment(run: Run, group: list[tuple[int, int]], names: tuple[str, ...]) -> Moment:
    """The moment of one group of ``(epoch, class)`` reaching their majorities together."""
    first, last = group[0][0], group[-1][0]
    if first == last:
        when = run.count_text(last)
    else:
        when = f"{run.unit}s {first * run.every}–{last * run.every}"
    caption = f"{when}: most points of "
    spans = []
    limit = max(7, CAPTION_NAME_CHARS // len(group))
    for index, (_, c) in enumerate(group):
        if index > 0:
            caption += " and " if index == len(group) - 1 else ", "
        name = short_name(names[c], limit)
        spans.append((len(caption), len(caption) + len(name)))
        caption += name
    adverb = "already" if last == 0 else "now"
    caption += f" {adverb} lie in {'its region' if len(group) == 1 else 'their regions'}"
    classes = tuple(c for _, c in group)
    return Moment(last, "class_majority", caption, classes=classes, spans=tuple(spans))


def class_accuracies_per_epoch(
    logits: np.ndarray, y: np.ndarray, output: str = "softmax", classes: int | None = None
) -> np.ndarray:
    """Return each class's accuracy at every logged epoch: the share of its own points that the
    network predicts as it (that lie in its region).

    Parameters
    ----------
    logits
        The output logits of every point at every logged epoch, shape ``(E + 1, N, units)``.
    y
        The labels ``0 … k−1``, shape ``(N,)``.
    output
        The output head (:func:`nnviz.heads.head`), which decides the predicted class.
    classes
        The number of classes ``k``; by default 2 for one sigmoid unit and ``units`` for
        softmax.

    Returns
    -------
    numpy.ndarray
        Shape ``(E + 1, k)``; NaN for a class without points.
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim == 2:  # one unit, logged as (E + 1, N)
        z = z[..., None]
    epochs, points, units = z.shape
    labels = np.asarray(y).astype(np.intp)
    output_head = head(output)
    k = classes if classes is not None else (2 if output_head.link == "sigmoid" else units)
    predicted = output_head.predict(z.reshape(epochs * points, units)).reshape(epochs, points)
    right = (predicted == labels).astype(np.float64)
    own = np.arange(k) == labels[:, None]  # (N, k): each point's class
    counts = own.sum(axis=0).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (right @ own) / counts


def class_majorities(accuracies: np.ndarray, share: float = 0.5) -> list[int | None]:
    """Return, for each class, the first logged epoch at which it holds most of its own
    points: its accuracy (:func:`class_accuracies_per_epoch`) is above ``share`` (more than
    half, by default). ``None`` for a class that never does (or has no points).

    The class may lose its majority again later; this is the moment it first has one.

    Parameters
    ----------
    accuracies
        Shape ``(E + 1, k)``.
    share
        The share of its points a class must hold, strictly more.
    """
    held = np.asarray(accuracies, dtype=np.float64) > share  # NaN compares False
    if len(held) == 0:
        return [None] * held.shape[1]
    first = np.argmax(held, axis=0)
    return [int(e) if held[e, c] else None for c, e in enumerate(first)]


def clock_speed(
    moments: list[Moment], epochs: int, slow_factor: float = 3.0, radius: float = 2.0
) -> np.ndarray:
    """Return how much video time each epoch gets, relative to an ordinary epoch.

    Entry ``e`` weighs the step from epoch ``e`` to ``e + 1``. It is ``slow_factor`` when the
    step's midpoint ``e + 0.5`` lies within ``radius`` epochs of a separation or dead-unit
    moment, or of the first epoch of a plateau (the rest of a plateau plays at normal speed), and
    1 elsewhere.

    Parameters
    ----------
    moments
        Moments, e.g. from :func:`key_moments`.
    epochs
        Number of epochs ``E`` of the run.
    slow_factor
        Time weight near a moment; above 1 slows the video down.
    radius
        Half-width, in epochs, of the slowed stretch around each moment.

    Returns
    -------
    numpy.ndarray
        Time weights, shape ``(epochs,)``.
    """
    if slow_factor <= 0 or radius < 0:
        raise ValueError(f"need slow_factor > 0 and radius >= 0, got {slow_factor}, {radius}")
    weights = np.ones(epochs, dtype=np.float64)
    if not moments or epochs == 0:
        return weights
    centres = np.array([m.epoch for m in moments], dtype=np.float64)
    midpoints = np.arange(epochs) + 0.5
    near = np.any(np.abs(midpoints[:, None] - centres[None, :]) <= radius, axis=1)
    weights[near] = slow_factor
    return weights


def time_to_epoch(weights: np.ndarray, seconds_per_epoch: float) -> tuple[np.ndarray, np.ndarray]:
    """Return knots mapping video time to epoch, for ``np.interp(time, times, epochs)``.

    Parameters
    ----------
    weights
        Per-epoch time weights, shape ``(E,)``, all positive (see :func:`clock_speed`).
    seconds_per_epoch
        Video seconds of an epoch of weight 1.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray]
        ``times`` and ``epochs``, each of shape ``(E + 1,)``: strictly increasing, from
        ``(0, 0)`` to ``(total_time, E)`` with ``total_time = seconds_per_epoch * sum(weights)``.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if seconds_per_epoch <= 0 or np.any(~(weights > 0)):
        raise ValueError("seconds_per_epoch and every weight must be positive")
    times = np.concatenate([[0.0], np.cumsum(weights * seconds_per_epoch)])
    return times, np.arange(len(weights) + 1, dtype=np.float64)


def fit_clock(
    moments: list[Moment],
    epochs: int,
    seconds: float,
    slow_factor: float = 3.0,
    radius: float = 2.0,
    moment_seconds: float = MOMENT_SECONDS,
    max_slow_share: float = 0.5,
) -> tuple[np.ndarray, np.ndarray]:
    """Return knots mapping video time to epoch that play ``epochs`` epochs in exactly
    ``seconds`` of video, slowed down ``slow_factor`` times around ``moments``.

    The clock is :func:`clock_speed`'s, scaled to the length asked for: a long run is sampled
    at whatever epochs the frames fall on (the clock is a real-valued epoch, never a frame per
    logged state), a short one is slowed down. Near a moment the epochs still pass
    ``slow_factor`` times slower than elsewhere. When the run is compressed so much that the
    stretch around a lone moment (``2 * radius`` epochs) would last less than
    ``moment_seconds``, the stretch is widened (a larger radius, never a smaller one) until
    it lasts about ``moment_seconds`` or until the slowed epochs take ``max_slow_share`` of
    the video, whichever comes first; the total stays ``seconds``.

    Parameters
    ----------
    moments
        Moments, e.g. from :func:`key_moments`.
    epochs
        Number of epochs ``E`` of the run, at least 1.
    seconds
        Video seconds from epoch 0 to epoch ``E``, positive.
    slow_factor, radius
        As for :func:`clock_speed`; ``radius`` is the smallest half-width used.
    moment_seconds
        Video seconds a lone moment's slowed stretch should last at least, where the share
        allows.
    max_slow_share
        Largest share of ``seconds`` the widened stretches may take together.

    Returns
    -------
    tuple[numpy.ndarray, numpy.ndarray]
        ``times`` and ``epochs`` of shape ``(E + 1,)``, strictly increasing, from ``(0, 0)``
        to exactly ``(seconds, E)``, for ``np.interp(time, times, epochs)``.
    """
    if epochs < 1:
        raise ValueError(f"need at least 1 epoch, got {epochs}")
    if not seconds > 0 or not np.isfinite(seconds):
        raise ValueError(f"seconds must be a positive number, got {seconds}")

    def measured(r: float) -> tuple[np.ndarray, float, float]:
        """The weights of half-width ``r``, the share of the video they slow down and the
        seconds a lone moment's stretch lasts."""
        weights = clock_speed(moments, epochs, slow_factor, r)
        total = float(weights.sum())
        share = float(weights[weights != 1.0].sum()) / total
        return weights, share, 2 * r * slow_factor * seconds / total

    weights, share, stretch = measured(radius)
    if moments and slow_factor > 1 and stretch < moment_seconds and share < max_slow_share:

        def fits(r: float) -> bool:
            _, share, stretch = measured(r)
            return share <= max_slow_share and stretch <= moment_seconds

        low, high = radius, float(epochs)
        if fits(high):
            low = high
        else:  # the widest half-width that still fits, to a small fraction of an epoch
            while high - low > 1e-3:
                middle = (low + high) / 2
                low, high = (middle, high) if fits(middle) else (low, middle)
        weights = measured(low)[0]
    times, knots = time_to_epoch(weights, seconds / float(weights.sum()))
    times[-1] = seconds  # the sum of the steps may miss it by a rounding error
    return times, knots
