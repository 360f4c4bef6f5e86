"""Seeded toy datasets in the plane, as numpy arrays; one registry of them.

Most have two classes; ``blobs`` (Gaussian clusters on a circle) and ``spiral`` (interleaved
arms) draw 2 to :data:`nnviz.heads.MAX_CLASSES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

import numpy as np

from nnviz.config import DATASETS, EXTERNAL, RunConfig
from nnviz.heads import MAX_CLASSES

__all__ = [
    "DATASET_SPECS",
    "MAX_DRAWN_POINTS",
    "DatasetSpec",
    "class_counts",
    "classes_without_points",
    "data_description",
    "data_seed_of",
    "drawn_sample",
    "held_out_count",
    "make_dataset",
    "split_test",
    "too_many_to_draw",
]

#: A video draws at most this many points (each panel draws every one of them on every frame);
#: a larger data set is drawn as a seeded sample (``nnviz render --draw-points``), while
#: training and the loss use every point.
MAX_DRAWN_POINTS = 2000

#: Draws ``counts[c]`` points of class ``c`` (``counts = (n0, n1)`` for two classes) with noise
#: ``sigma`` from a seed; returns the points and their labels in the data set's own order.
Maker = Callable[[int, tuple[int, ...], float], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class DatasetSpec:
    """One built-in data set.

    Attributes
    ----------
    maker
        ``maker(seed, counts, sigma)`` returns ``(X, y)``: ``counts[c]`` points of class c.
    noise
        Default noise (standard deviation, in data units).
    data_seed
        Default seed of the data (``--data-seed``).
    description
        One line for titles and captions.
    classes
        The fewest and the most classes it draws (``--classes``): ``(2, 2)`` for a two-class
        set.
    """

    maker: Maker
    noise: float
    data_seed: int
    description: str
    classes: tuple[int, int] = (2, 2)


def make_dataset(
    name: str = "seed",
    samples: int = 400,
    noise: float | None = None,
    seed: int | None = None,
    classes: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Return a balanced dataset.

    Parameters
    ----------
    name
        One of :data:`DATASET_SPECS`: ``seed`` (the blog's three Gaussians), ``xor``,
        ``circles``, ``moons``, ``spiral``, ``blobs``.
    samples
        Total number of samples, split as :func:`class_counts` says: for two classes, class 0
        gets ``samples // 2``, class 1 the rest.
    noise
        Noise level in data units; ``None`` takes the dataset's default. For ``seed`` it is the
        standard deviation of each Gaussian.
    seed
        Seed of the data; ``None`` takes the dataset's default (12345 for ``seed``, the blog's;
        0 for the others). Equal arguments give identical arrays.
    classes
        Number of classes, within the data set's :attr:`DatasetSpec.classes` (2 to
        :data:`~nnviz.heads.MAX_CLASSES` for ``blobs`` and ``spiral``, 2 for the others).

    Returns
    -------
    X : numpy.ndarray
        Float64 array of shape ``(samples, 2)``.
    y : numpy.ndarray
        Int64 array of shape ``(samples,)`` holding ``0 … classes − 1``.
    """
    if name not in DATASET_SPECS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if samples < 2:
        raise ValueError(f"samples must be at least 2, got {samples}")
    spec = DATASET_SPECS[name]
    low, high = spec.classes
    if not low <= classes <= high:
        told = f"{low}" if low == high else f"{low} to {high}"
        raise ValueError(f"the {name} data set draws {told} classes, not {classes}")
    if samples < classes:
        raise ValueError(f"{samples} samples are fewer than the {classes} classes")
    sigma = spec.noise if noise is None else float(noise)
    if sigma < 0:
        raise ValueError(f"noise must be at least 0, got {sigma:g}")
    counts = class_counts(samples, classes)
    X, y = spec.maker(spec.data_seed if seed is None else seed, counts, sigma)
    return X.astype(np.float64), y.astype(np.int64)


def class_counts(samples: int, classes: int) -> tuple[int, ...]:
    """Return how many of ``samples`` points each of ``classes`` classes gets: as equal as can
    be, the last classes one more (for two classes, ``samples // 2`` and the rest)."""
    base, extra = divmod(samples, classes)
    return tuple(base + (c >= classes - extra) for c in range(classes))


def _class_first(
    maker: Callable[[np.random.Generator, tuple[int, ...], float], np.ndarray],
) -> Maker:
    """Wrap a maker that draws class 0, then class 1, … from NumPy's ``default_rng(seed)``."""

    def make(seed: int, counts: tuple[int, ...], sigma: float) -> tuple[np.ndarray, np.ndarray]:
        X = maker(np.random.default_rng(seed), counts, sigma)
        return X, np.repeat(np.arange(len(counts), dtype=np.int64), counts)

    return make


def _blog_gaussians(
    seed: int, counts: tuple[int, ...], sigma: float
) -> tuple[np.ndarray, np.ndarray]:
    """The post's recipe, as its notebook draws it.

    NumPy's legacy generator (``np.random.seed(seed)``, whose stream NumPy keeps stable) draws
    in this order: a quarter of the points from N(−1, σ²) per coordinate, half from N(0, σ²),
    a quarter from N(1, σ²). The middle Gaussian is class 1, the two outer ones class 0.
    """
    n0, n1 = counts
    rng = np.random.RandomState(seed)
    low = n0 // 2
    draws = [
        rng.normal(-1.0, sigma, (low, 2)),
        rng.normal(0.0, sigma, (n1, 2)),
        rng.normal(1.0, sigma, (n0 - low, 2)),
    ]
    y = np.repeat(np.array([0, 1, 0], dtype=np.int64), [low, n1, n0 - low])
    return np.concatenate(draws), y


def _xor(rng: np.random.Generator, counts: tuple[int, ...], sigma: float) -> np.ndarray:
    """Uniform squares: class 0 in quadrants II and IV, class 1 in I and III."""
    n0, n1 = counts

    def quadrant_points(n: int, signs: np.ndarray) -> np.ndarray:
        which = rng.integers(0, 2, size=n)
        magnitude = rng.uniform(0.1, 1.5, size=(n, 2))
        return magnitude * signs[which]

    class0 = quadrant_points(n0, np.array([[-1.0, 1.0], [1.0, -1.0]]))
    class1 = quadrant_points(n1, np.array([[1.0, 1.0], [-1.0, -1.0]]))
    points = np.concatenate([class0, class1])
    return points + rng.normal(0.0, sigma, size=points.shape)


def _circles(rng: np.random.Generator, counts: tuple[int, ...], sigma: float) -> np.ndarray:
    """Class 0 in a disc of radius 0.6, class 1 in a ring between radii 1.0 and 1.5."""
    n0, n1 = counts
    radius = np.concatenate([rng.uniform(0.0, 0.6, n0), rng.uniform(1.0, 1.5, n1)])
    angle = rng.uniform(0.0, 2 * np.pi, n0 + n1)
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return points + rng.normal(0.0, sigma, size=points.shape)


def _moons(rng: np.random.Generator, counts: tuple[int, ...], sigma: float) -> np.ndarray:
    """Two interleaved half circles, centred on the origin."""
    n0, n1 = counts
    t0 = rng.uniform(0.0, np.pi, n0)
    t1 = rng.uniform(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    points = (np.concatenate([upper, lower]) - [0.5, 0.25]) * 1.2
    return points + rng.normal(0.0, sigma, size=points.shape)


def _spiral(rng: np.random.Generator, counts: tuple[int, ...], sigma: float) -> np.ndarray:
    """k interleaved arms of an Archimedean spiral (k = ``len(counts)``), arm c starting at
    the angle 2πc/k, as in the spiral of Stanford's CS231n course notes (three arms for three
    classes).

    Every arm winds 3.5/k turns out to radius 1.6, so that neighbouring arms lie as far apart
    (1.6 / 3.5 along a ray) for any k; two arms (half a turn apart, 1.75 turns each) are the
    two-class spiral of nnviz before it took k.
    """
    k = len(counts)
    turns = 3.5 / k

    def arm(n: int, phase: float) -> np.ndarray:
        t = rng.uniform(0.0, 1.0, n)
        radius = 1.6 * t
        angle = turns * 2 * np.pi * t + phase
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])

    points = np.concatenate([arm(n, 2 * np.pi * c / k) for c, n in enumerate(counts)])
    return points + rng.normal(0.0, sigma, size=points.shape)


#: The radius of the circle the centres of the ``blobs`` clusters lie on.
BLOBS_RADIUS = 1.2


def _blobs(rng: np.random.Generator, counts: tuple[int, ...], sigma: float) -> np.ndarray:
    """k round Gaussian clusters (k = ``len(counts)``) of standard deviation ``sigma``, their
    centres evenly spaced on a circle of radius :data:`BLOBS_RADIUS`, class 0's at the top."""
    k = len(counts)
    angles = np.pi / 2 + 2 * np.pi * np.arange(k) / k
    centres = BLOBS_RADIUS * np.column_stack([np.cos(angles), np.sin(angles)])
    points = np.repeat(centres, counts, axis=0)
    return points + rng.normal(0.0, sigma, size=points.shape)


#: The registry of built-in data sets, by name (the names are :data:`nnviz.config.DATASETS`).
DATASET_SPECS: dict[str, DatasetSpec] = {
    "seed": DatasetSpec(
        _blog_gaussians, 0.5, 12345, "class 1 around (0, 0), class 0 around (−1, −1) and (1, 1)"
    ),
    "xor": DatasetSpec(_class_first(_xor), 0.15, 0, "the xor data set"),
    "circles": DatasetSpec(_class_first(_circles), 0.1, 0, "the circles data set"),
    "moons": DatasetSpec(_class_first(_moons), 0.1, 0, "the moons data set"),
    "spiral": DatasetSpec(
        _class_first(_spiral), 0.1, 0, "the spiral data set", classes=(2, MAX_CLASSES)
    ),
    "blobs": DatasetSpec(
        _class_first(_blobs), 0.3, 0, "Gaussian clusters on a circle", classes=(2, MAX_CLASSES)
    ),
}


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


def data_seed_of(dataset: str, data_seed: int | None) -> int:
    """Return the seed the data of ``dataset`` is drawn (and split) with: ``data_seed``, or
    the data set's own default (0 for data that is not drawn, such as a CSV file's)."""
    if data_seed is not None:
        return data_seed
    spec = DATASET_SPECS.get(dataset)
    return spec.data_seed if spec is not None else 0


def split_test(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Return which points to hold out as a test set: a stratified, seeded choice.

    Each class gives ``round(fraction * n_c)`` of its ``n_c`` points, at least one when
    ``fraction`` is above 0 and at most ``n_c - 1``, so that both sets hold every class (a
    class of one point cannot be split: it stays in training). The classes are visited in
    order, 0 first. Equal arguments give equal masks.

    Parameters
    ----------
    y
        The labels, ``0 … k − 1``, shape (N,).
    fraction
        Share of each class to hold out, in ``[0, 1)``.
    seed
        Seed of the choice.

    Returns
    -------
    numpy.ndarray
        Boolean mask of shape (N,), True for a test point.
    """
    y = np.asarray(y)
    test = np.zeros(len(y), dtype=bool)
    if fraction <= 0:
        return test
    rng = np.random.default_rng([seed, 0x7E57])
    for label in range(max(int(y.max()) + 1, 2) if len(y) else 0):
        members = np.flatnonzero(y == label)
        count = held_out_count(len(members), fraction)
        if count > 0:
            test[rng.choice(members, size=count, replace=False)] = True
    return test


def classes_without_points(
    y: np.ndarray,
    classes: int,
    test: np.ndarray | None = None,
    names: tuple[str, ...] | None = None,
) -> str | None:
    """Return why the points cannot train ``classes`` classes, in one line, or ``None``: fewer
    points than classes, or a class without a training point (one that is not in ``test``).

    Parameters
    ----------
    y
        The labels, ``0 … classes − 1``, shape (N,).
    classes
        The number of classes the network tells apart.
    test
        Which points are held out (booleans), or ``None``.
    names
        The classes' names, for the message; ``None``: their numbers.
    """
    labels = np.asarray(y)
    if len(labels) < classes:
        return (
            f"{len(labels)} points are fewer than the {classes} classes; every class needs a point"
        )
    training = labels if test is None else labels[~np.asarray(test, dtype=bool)]
    counts = np.bincount(training.astype(np.intp), minlength=classes)[:classes]
    empty = [c for c in range(classes) if counts[c] == 0]
    if not empty:
        return None
    shown = ", ".join(repr(names[c]) if names else str(c) for c in empty)
    plural = "es" if len(empty) > 1 else ""
    held = " after the test split" if test is not None and np.any(test) else ""
    return (
        f"class{plural} {shown} {'have' if plural else 'has'} no training point{held}; each of "
        f"the {classes} classes needs one"
    )


def held_out_count(members: int, fraction: float) -> int:
    """Return how many of a class's ``members`` points :func:`split_test` holds out:
    ``round(fraction * members)``, at least 1 when ``fraction`` is above 0, at most
    ``members - 1`` (0 for a class of one point or for ``fraction`` 0)."""
    if fraction <= 0:
        return 0
    return max(min(max(round(fraction * members), 1), members - 1), 0)


def drawn_sample(count: int, limit: int, seed: int = 0) -> np.ndarray | None:
    """Return the indices of the points a video draws out of ``count``: ``None`` (all of them)
    when there are at most ``limit``, else ``limit`` of them chosen by ``seed``, in order."""
    if count <= limit:
        return None
    rng = np.random.default_rng([seed, 0xD7A3])
    return np.sort(rng.choice(count, size=limit, replace=False))


def too_many_to_draw(points: int, remedy: str) -> str | None:
    """Return why a video cannot draw all of ``points`` points (more than
    :data:`MAX_DRAWN_POINTS`), naming ``remedy`` (how the caller asks for a sample), or
    ``None`` when it can."""
    if points <= MAX_DRAWN_POINTS:
        return None
    return (
        f"the run has {points} points and a video draws at most {MAX_DRAWN_POINTS}: "
        f"{remedy} to draw a seeded sample (training and the loss use every point)"
    )
