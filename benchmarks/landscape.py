"""The loss landscape's grid: how long the exact whole-data loss of a grid of a plane takes, by
data points and by parameters (issue 24).

The surface costs one forward pass of every data point per grid point
(:func:`nnviz.landscape.grid_loss`: grid points stacked, in chunks of bounded memory). Issue 24
asks that a 60 × 60 grid over the seed's 400 points stay under a second. This script times
:func:`~nnviz.landscape.grid_loss` for random weights of a few architectures (2-2-1 is the
blog's), over 100 to 1 600 random points, and prints the fastest and the median of
``--repeats`` runs in a table, with the time per grid point and per (grid point × data point ×
parameter). Only numpy work is timed: no training, no Manim.

Run: ``.venv/bin/python benchmarks/landscape.py [--repeats 5] [--resolution 60]``.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time

import numpy as np

from nnviz.landscape import Network, Plane, grid_loss

#: (hidden widths, activation, output head, classes) of the networks timed.
NETWORKS: tuple[tuple[tuple[int, ...], str, str, int], ...] = (
    ((2,), "tanh", "sigmoid", 2),
    ((8,), "relu", "sigmoid", 2),
    ((8, 8), "tanh", "softmax", 3),
    ((32, 32), "relu", "sigmoid", 2),
)
#: Numbers of data points timed.
POINTS = (100, 400, 1600)


def network(hidden: tuple[int, ...], activation: str, output: str, classes: int,
            points: int, rng: np.random.Generator) -> Network:  # fmt: skip
    """A network of random points and labels (the loss's cost does not depend on the values)."""
    widths = (2, *hidden, 1 if output == "sigmoid" else classes)
    shapes: list[tuple[int, ...]] = []
    for a, b in itertools.pairwise(widths):
        shapes += [(b, a), (b,)]
    X = rng.normal(0, 1, (points, 2))
    y = rng.integers(0, classes, points)
    return Network(tuple(shapes), (activation,) * len(hidden), output, X, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--resolution", type=int, default=60)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = args.resolution
    print(f"grid_loss of a {n} x {n} grid, fastest and median of {args.repeats} runs")
    print(f"{'network':<22}{'P':>6}{'points':>8}{'fastest s':>11}{'median s':>10}"
          f"{'us/grid pt':>12}{'ns/(pt·pt·P)':>14}")  # fmt: skip
    for (hidden, activation, output, classes), points in itertools.product(NETWORKS, POINTS):
        net = network(hidden, activation, output, classes, points, rng)
        P = net.parameters
        plane = Plane(rng.normal(0, 1, P), rng.normal(0, 1, (2, P)), "random", "random", 0.0)
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            grid_loss(net, plane, (-1.0, 1.0), (-1.0, 1.0), (n, n))
            times.append(time.perf_counter() - start)
        fastest, median = min(times), statistics.median(times)
        units = 1 if output == "sigmoid" else classes
        name = f"2-{'-'.join(map(str, hidden))}-{units} {activation}"
        per_point, per_product = fastest / n**2 * 1e6, fastest / (n**2 * points * P) * 1e9
        print(f"{name:<22}{P:>6}{points:>8}{fastest:>11.3f}{median:>10.3f}"
              f"{per_point:>12.1f}{per_product:>14.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
