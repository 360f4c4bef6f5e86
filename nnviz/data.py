"""Seeded two-class toy datasets in the plane, as numpy arrays."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnviz.config import DATASETS

__all__ = ["DEFAULT_NOISE", "make_dataset"]

#: Default noise of each dataset (standard deviation, in data units).
DEFAULT_NOISE: dict[str, float] = {
    "seed": 0.5,
    "xor": 0.15,
    "circles": 0.1,
    "moons": 0.1,
    "spiral": 0.1,
}

Maker = Callable[[np.random.Generator, int, int, float], np.ndarray]


def make_dataset(
    name: str = "seed", samples: int = 400, noise: float | None = None, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Return a balanced two-class dataset.

    Parameters
    ----------
    name
        One of ``seed`` (the blog's three Gaussians), ``xor``, ``circles``, ``moons``, ``spiral``.
    samples
        Total number of samples; class 0 gets ``samples // 2``, class 1 the rest.
    noise
        Noise level in data units; ``None`` takes :data:`DEFAULT_NOISE` for the dataset. For
        ``seed`` it is the standard deviation of each Gaussian.
    seed
        Seed of the random generator; equal arguments give identical arrays.

    Returns
    -------
    X : numpy.ndarray
        Float64 array of shape ``(samples, 2)``, class 0 first.
    y : numpy.ndarray
        Int64 array of shape ``(samples,)`` holding 0 or 1.
    """
    if name not in _MAKERS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if samples < 2:
        raise ValueError(f"samples must be at least 2, got {samples}")
    sigma = DEFAULT_NOISE[name] if noise is None else float(noise)
    if sigma < 0:
        raise ValueError(f"noise must be at least 0, got {sigma:g}")
    rng = np.random.default_rng(seed)
    n0 = samples // 2
    n1 = samples - n0
    X = _MAKERS[name](rng, n0, n1, sigma)
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    return X.astype(np.float64), y


def _seed(rng: np.random.Generator, n0: int, n1: int, sigma: float) -> np.ndarray:
    """Class 0 around (0, 0); class 1 split between (-1, -1) and (1, 1)."""
    low = n1 // 2
    centres = np.concatenate(
        [np.zeros((n0, 2)), np.full((low, 2), -1.0), np.full((n1 - low, 2), 1.0)]
    )
    return centres + rng.normal(0.0, sigma, size=centres.shape)


def _xor(rng: np.random.Generator, n0: int, n1: int, sigma: float) -> np.ndarray:
    """Uniform squares: class 0 in quadrants II and IV, class 1 in I and III."""

    def quadrant_points(n: int, signs: np.ndarray) -> np.ndarray:
        which = rng.integers(0, 2, size=n)
        magnitude = rng.uniform(0.1, 1.5, size=(n, 2))
        return magnitude * signs[which]

    class0 = quadrant_points(n0, np.array([[-1.0, 1.0], [1.0, -1.0]]))
    class1 = quadrant_points(n1, np.array([[1.0, 1.0], [-1.0, -1.0]]))
    points = np.concatenate([class0, class1])
    return points + rng.normal(0.0, sigma, size=points.shape)


def _circles(rng: np.random.Generator, n0: int, n1: int, sigma: float) -> np.ndarray:
    """Class 0 in a disc of radius 0.6, class 1 in a ring between radii 1.0 and 1.5."""
    radius = np.concatenate([rng.uniform(0.0, 0.6, n0), rng.uniform(1.0, 1.5, n1)])
    angle = rng.uniform(0.0, 2 * np.pi, n0 + n1)
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return points + rng.normal(0.0, sigma, size=points.shape)


def _moons(rng: np.random.Generator, n0: int, n1: int, sigma: float) -> np.ndarray:
    """Two interleaved half circles, centred on the origin."""
    t0 = rng.uniform(0.0, np.pi, n0)
    t1 = rng.uniform(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    points = (np.concatenate([upper, lower]) - [0.5, 0.25]) * 1.2
    return points + rng.normal(0.0, sigma, size=points.shape)


def _spiral(rng: np.random.Generator, n0: int, n1: int, sigma: float) -> np.ndarray:
    """Two interleaved arms of an Archimedean spiral, half a turn apart."""

    def arm(n: int, phase: float) -> np.ndarray:
        t = rng.uniform(0.0, 1.0, n)
        radius = 1.6 * t
        angle = 1.75 * 2 * np.pi * t + phase
        return np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])

    points = np.concatenate([arm(n0, 0.0), arm(n1, np.pi)])
    return points + rng.normal(0.0, sigma, size=points.shape)


_MAKERS: dict[str, Maker] = {
    "seed": _seed,
    "xor": _xor,
    "circles": _circles,
    "moons": _moons,
    "spiral": _spiral,
}
