from __future__ import annotations

import numpy as np
import pytest

from nnviz.config import DATASETS
from nnviz.data import make_dataset


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


def test_seed_set_is_three_gaussians_of_the_blog() -> None:
    X, y = make_dataset("seed", samples=40_000, seed=0)
    class0 = X[y == 0]
    class1 = X[y == 1]
    low = class1[class1.sum(axis=1) < 0]
    high = class1[class1.sum(axis=1) >= 0]
    # Means 0, -1, 1 and standard deviation 0.5 (sampling error ~0.005 at this size).
    np.testing.assert_allclose(class0.mean(axis=0), [0, 0], atol=0.02)
    np.testing.assert_allclose(class0.std(axis=0), [0.5, 0.5], atol=0.02)
    assert len(class1) == 20_000
    # Splitting class 1 by the sign of x0 + x1 cuts off a little of each Gaussian's tail,
    # so compare the means of the halves loosely and the split sizes exactly in expectation.
    np.testing.assert_allclose(low.mean(axis=0), [-1, -1], atol=0.05)
    np.testing.assert_allclose(high.mean(axis=0), [1, 1], atol=0.05)
    assert abs(len(low) - 10_000) < 300


def test_noise_parameter_changes_spread() -> None:
    X_tight, y = make_dataset("seed", samples=4000, noise=0.1)
    X_wide, _ = make_dataset("seed", samples=4000, noise=0.8)
    assert X_tight[y == 0].std() < 0.15 < 0.6 < X_wide[y == 0].std()


def test_unknown_dataset_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown dataset 'mnist'"):
        make_dataset("mnist")
