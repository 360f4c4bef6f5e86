from __future__ import annotations

import numpy as np
import pytest

from nnviz.data import DATASET_SPECS, DATASETS, make_dataset


@pytest.mark.parametrize("name", DATASETS)
def test_shapes_balance_and_seeding(name: str) -> None:
    X, y = make_dataset(name, samples=400, seed=3)
    assert X.shape == (400, 2) and X.dtype == np.float64
    assert y.shape == (400,) and set(np.unique(y)) == {0, 1}
    assert np.sum(y == 0) == np.sum(y == 1) == 200
    X2, y2 = make_dataset(name, samples=400, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make_dataset(name, samples=400, seed=4)
    assert not np.array_equal(X, X3)


def test_odd_sample_count_splits_as_evenly_as_possible() -> None:
    _, y = make_dataset("seed", samples=7)
    assert np.sum(y == 0) == 3 and np.sum(y == 1) == 4


def test_registry_names_are_the_configs() -> None:
    assert tuple(DATASET_SPECS) == DATASETS


def test_seed_set_is_the_posts_sample_bit_for_bit() -> None:
    """The notebook's own cells, replayed here with NumPy's legacy global generator."""
    np.random.seed(12345)  # noqa: NPY002 (the notebook's own call)
    x_train_1 = np.random.normal(-1, 0.5, (100, 2))  # noqa: NPY002
    x_train_2 = np.random.normal(0, 0.5, (200, 2))  # noqa: NPY002
    x_train_3 = np.random.normal(1, 0.5, (100, 2))  # noqa: NPY002
    expected_X = np.concatenate((x_train_1, x_train_2, x_train_3))
    expected_y = np.concatenate((np.repeat(0, 100), np.repeat(1, 200), np.repeat(0, 100)))
    X, y = make_dataset("seed")
    np.testing.assert_array_equal(X, expected_X)
    np.testing.assert_array_equal(y, expected_y)


def test_seed_set_matches_values_written_down_from_the_recipe() -> None:
    # np.random.seed(12345); np.random.normal(-1, .5, (100, 2))[0], the 200-point draw's first
    # row and the last draw's last row, printed once by hand with NumPy 1.26 and 2.x.
    X, y = make_dataset("seed")
    np.testing.assert_allclose(X[0], [-1.10235383, -0.76052833], atol=1e-8)
    np.testing.assert_allclose(X[100], [0.56374055, -0.28418172], atol=1e-8)
    np.testing.assert_allclose(X[399], [0.77080963, 1.27170295], atol=1e-8)
    assert (y[0], y[100], y[399]) == (0, 1, 0)


def test_seed_set_is_three_gaussians_with_class_1_in_the_middle() -> None:
    X, y = make_dataset("seed", samples=40_000, seed=7)
    middle = X[y == 1]
    outer = X[y == 0]
    low = outer[outer.sum(axis=1) < 0]
    high = outer[outer.sum(axis=1) >= 0]
    # Means 0, -1, 1 and standard deviation 0.5 (sampling error ~0.005 at this size).
    np.testing.assert_allclose(middle.mean(axis=0), [0, 0], atol=0.02)
    np.testing.assert_allclose(middle.std(axis=0), [0.5, 0.5], atol=0.02)
    assert len(middle) == 20_000
    # Splitting class 0 by the sign of x0 + x1 cuts off a little of each Gaussian's tail,
    # so compare the means of the halves loosely and the split sizes exactly in expectation.
    np.testing.assert_allclose(low.mean(axis=0), [-1, -1], atol=0.05)
    np.testing.assert_allclose(high.mean(axis=0), [1, 1], atol=0.05)
    assert abs(len(low) - 10_000) < 300


def test_other_data_seeds_draw_other_samples_of_the_recipe() -> None:
    rng = np.random.RandomState(3)
    expected = np.concatenate(
        [rng.normal(-1, 0.5, (100, 2)), rng.normal(0, 0.5, (200, 2)), rng.normal(1, 0.5, (100, 2))]
    )
    X, _ = make_dataset("seed", seed=3)
    np.testing.assert_array_equal(X, expected)


# First and last points of the other data sets as nnviz 0.1 drew them (default seed 0).
NNVIZ_0_1_POINTS = {
    "xor": ([0.78453179, -0.29083576], [0.13924642, 0.45264808]),
    "circles": ([-0.00782568, 0.1917467], [1.20306848, -0.01901953]),
    "moons": ([-1.12127457, 0.73251662], [0.3837262, -0.97836979]),
    "spiral": ([0.74508171, 0.61434105], [0.38377036, 0.45539876]),
}


@pytest.mark.parametrize("name", sorted(NNVIZ_0_1_POINTS))
def test_other_datasets_are_unchanged(name: str) -> None:
    X, y = make_dataset(name)
    first, last = NNVIZ_0_1_POINTS[name]
    np.testing.assert_allclose(X[0], first, atol=1e-8)
    np.testing.assert_allclose(X[-1], last, atol=1e-8)
    np.testing.assert_array_equal(y, np.repeat([0, 1], 200))


def test_noise_parameter_changes_spread() -> None:
    X_tight, y = make_dataset("seed", samples=4000, noise=0.1)
    X_wide, _ = make_dataset("seed", samples=4000, noise=0.8)
    assert X_tight[y == 1].std() < 0.15 < 0.6 < X_wide[y == 1].std()


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        make_dataset("mnist")
