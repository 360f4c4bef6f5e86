"""The data sets of k classes: ``blobs`` and ``spiral`` with ``classes=k``, their balance and
seeding, the two-arm spiral as it always was, and the stratified split of k classes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnviz.config import ConfigError, RunConfig
from nnviz.data import DATASET_SPECS, DATASETS, class_counts, make_dataset, split_test
from nnviz.heads import MAX_CLASSES

FIXTURES = Path(__file__).parent / "fixtures"

#: What nnviz drew for ``make_dataset("spiral", samples, noise, seed)`` before the spiral took
#: k arms (commit 4ee54e3), saved by that code as ``spiral_two_arms.npz`` (``X0, y0, …``).
TWO_ARM_CASES = [(400, None, None), (37, 0.0, 5), (7, 0.3, 3), (120, 0.05, 11)]


@pytest.mark.parametrize("case", range(len(TWO_ARM_CASES)))
def test_the_spiral_of_two_arms_is_the_one_nnviz_always_drew(case: int) -> None:
    samples, noise, seed = TWO_ARM_CASES[case]
    with np.load(FIXTURES / "spiral_two_arms.npz") as before:
        X_then, y_then = before[f"X{case}"], before[f"y{case}"]
    for X, y in (make_dataset("spiral", samples, noise, seed),
                 make_dataset("spiral", samples, noise, seed, classes=2)):  # fmt: skip
        np.testing.assert_array_equal(X, X_then)  # bit for bit
        np.testing.assert_array_equal(y, y_then)
        assert y.dtype == np.int64


@pytest.mark.parametrize("name", ["blobs", "spiral"])
@pytest.mark.parametrize("classes", range(2, MAX_CLASSES + 1))
def test_k_classes_are_balanced_and_seeded(name: str, classes: int) -> None:
    X, y = make_dataset(name, samples=301, seed=3, classes=classes)
    assert X.shape == (301, 2) and X.dtype == np.float64 and y.dtype == np.int64
    counts = np.bincount(y, minlength=classes)
    assert len(counts) == classes and counts.sum() == 301
    assert counts.max() - counts.min() <= 1  # as equal as can be
    assert tuple(counts) == class_counts(301, classes)
    assert np.all(np.diff(y) >= 0)  # class 0 first, then 1, …
    X2, y2 = make_dataset(name, samples=301, seed=3, classes=classes)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make_dataset(name, samples=301, seed=4, classes=classes)
    assert not np.array_equal(X, X3)
    assert np.abs(X).max() < 4  # in units like the other data sets'


def test_class_counts_split_as_evenly_as_two_classes_always_did() -> None:
    for samples in range(2, 40):
        assert class_counts(samples, 2) == (samples // 2, samples - samples // 2)
        for classes in range(2, min(samples, MAX_CLASSES) + 1):
            counts = class_counts(samples, classes)
            assert sum(counts) == samples and max(counts) - min(counts) <= 1
            assert list(counts) == sorted(counts)


@pytest.mark.parametrize("classes", range(2, MAX_CLASSES + 1))
def test_blobs_are_k_clusters_evenly_spaced_on_a_circle(classes: int) -> None:
    """With little noise each class is a tight cluster around a centre; the centres lie at
    one distance from the origin, class 0's straight up, the next a k-th of a turn on."""
    X, y = make_dataset("blobs", samples=600, noise=0.01, seed=1, classes=classes)
    centres = np.array([X[y == c].mean(axis=0) for c in range(classes)])
    spread = max(
        float(np.linalg.norm(X[y == c] - centres[c], axis=1).max()) for c in range(classes)
    )
    assert spread < 0.06
    radii = np.linalg.norm(centres, axis=1)
    np.testing.assert_allclose(radii, radii[0], atol=0.01)
    assert 0.8 < radii[0] < 2.0
    angles = np.arctan2(centres[:, 1], centres[:, 0])
    expected = np.pi / 2 + 2 * np.pi * np.arange(classes) / classes
    np.testing.assert_allclose(np.angle(np.exp(1j * (angles - expected))), 0, atol=0.01)
    # the noise is the standard deviation of each coordinate around the centre
    X, y = make_dataset("blobs", samples=6000, noise=0.3, seed=2, classes=classes)
    residual = np.concatenate([X[y == c] - X[y == c].mean(axis=0) for c in range(classes)])
    np.testing.assert_allclose(residual.std(axis=0), 0.3, rtol=0.05)


@pytest.mark.parametrize("classes", range(2, MAX_CLASSES + 1))
def test_spiral_arms_are_k_interleaved_arms(classes: int) -> None:
    """Without noise every point of class c lies on arm c: at radius r its angle is the
    arm's start 2πc/k plus (3.5/k turns) × r/1.6; the arms together wind 3.5 turns, so
    neighbouring arms lie as far apart for every k."""
    X, y = make_dataset("spiral", samples=500, noise=0.0, seed=0, classes=classes)
    radius = np.linalg.norm(X, axis=1)
    assert radius.max() <= 1.6 + 1e-12
    t = radius / 1.6
    expected = (3.5 / classes) * 2 * np.pi * t + 2 * np.pi * y / classes
    angle = np.arctan2(X[:, 1], X[:, 0])
    np.testing.assert_allclose(np.angle(np.exp(1j * (angle - expected))), 0, atol=1e-9)
    # a point is never on another arm (away from the centre, where all arms meet)
    far = radius > 0.2
    for other in range(1, classes):
        shifted = expected + 2 * np.pi * other / classes
        assert np.all(np.abs(np.angle(np.exp(1j * (angle - shifted))))[far] > 1e-3)


def test_the_registry_says_how_many_classes_each_data_set_draws() -> None:
    assert tuple(DATASET_SPECS) == DATASETS and "blobs" in DATASETS
    for name, spec in DATASET_SPECS.items():
        low, high = spec.classes
        assert low == 2 and high in (2, MAX_CLASSES)
        assert (high == MAX_CLASSES) == (name in ("blobs", "spiral"))
    for name in ("seed", "xor", "circles", "moons"):
        with pytest.raises(ValueError, match=f"the {name} data set draws 2 classes, not 3"):
            make_dataset(name, classes=3)
    with pytest.raises(ValueError, match="draws 2 to 6 classes, not 7"):
        make_dataset("blobs", classes=7)
    with pytest.raises(ValueError, match="3 samples are fewer than the 4 classes"):
        make_dataset("spiral", samples=3, classes=4)


def test_a_configuration_takes_the_classes_its_data_set_draws() -> None:
    assert RunConfig(dataset="blobs").classes == 2
    assert RunConfig(dataset="spiral", classes=5).classes == 5
    message = r"^classes 3: the moons data set has 2 classes \(spiral and blobs take 2 to 6\)$"
    with pytest.raises(ConfigError, match=message) as caught:
        RunConfig(dataset="moons", classes=3)
    assert caught.value.field == "classes"
    with pytest.raises(ConfigError, match="classes must be at most 6, got 7"):
        RunConfig(dataset="blobs", classes=7)
    with pytest.raises(ConfigError, match="classes must be at least 2, got 1"):
        RunConfig(dataset="blobs", classes=1)
    with pytest.raises(ConfigError, match=r"samples must be at least the 4 classes \(a point"):
        RunConfig(dataset="blobs", classes=4, samples=3)
    with pytest.raises(ConfigError, match="test_fraction needs at least 6 samples"):
        RunConfig(dataset="blobs", classes=3, samples=5, test_fraction=0.2)


def _split_of_two_classes_before_k(y: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """nnviz's split before it took k classes, as it was written (the reference)."""
    from nnviz.data import held_out_count

    test = np.zeros(len(y), dtype=bool)
    if fraction <= 0:
        return test
    rng = np.random.default_rng([seed, 0x7E57])
    for label in (0, 1):
        members = np.flatnonzero(y == label)
        count = held_out_count(len(members), fraction)
        if count > 0:
            test[rng.choice(members, size=count, replace=False)] = True
    return test


@pytest.mark.parametrize("seed", [0, 5, 12345])
def test_the_split_of_two_classes_is_unchanged_and_k_classes_split_each(seed: int) -> None:
    for samples in (4, 7, 50, 400):
        _, y = make_dataset("moons", samples=samples)
        for fraction in (0.0, 0.1, 0.25, 0.5):
            np.testing.assert_array_equal(
                split_test(y, fraction, seed), _split_of_two_classes_before_k(y, fraction, seed)
            )
    only_zeros = np.zeros(9, dtype=np.int64)
    np.testing.assert_array_equal(
        split_test(only_zeros, 0.3, seed), _split_of_two_classes_before_k(only_zeros, 0.3, seed)
    )
    _, y = make_dataset("blobs", samples=61, classes=5)
    test = split_test(y, 0.25, seed)
    for c in range(5):
        members = int(np.count_nonzero(y == c))
        assert int(np.count_nonzero(test & (y == c))) == round(0.25 * members)
    np.testing.assert_array_equal(test, split_test(y, 0.25, seed))
