"""The numpy work of one frame of a panel, two classes against three (issue 21).

Issue 21 asks that a three-class 2-8-2-3 render cost at most 1.3 times the per-frame time of
a two-class render of the same architecture. A panel of a field needs, per frame, the field on
its mesh, the colour of every pixel and the boundary. This script times those steps on a
2-8-2-1 and a 2-8-2-3 network, for the two panels of the default layout that show a field (the
input plane and the last hidden layer's plane), at 180 x 180 (the training story's
``mesh_resolution``) and at the resolution the default layout gives these panels
(:func:`nnviz.mobjects.layout.scaled_mesh_resolution`: a 2-8-2 network has three panels, each
narrower than the 2-2-1's). It prints a table of milliseconds per frame and the ratios.

The paths timed:

- ``2 classes``: what the panels do now (:mod:`nnviz.mobjects.panels`):
  :func:`nnviz.forward.probability_grid`, :class:`nnviz.colormap.DivergingColormap`, and the
  0.5 contour (:func:`nnviz.contour.level_segments`) over the input plane or the output's
  exact line (:func:`nnviz.forward.output_line`) over the last hidden plane;
- ``2 classes, logit grid``: the same colour map and boundary, the field through
  :func:`nnviz.forward.class_logit_grid` and a sigmoid (the fast path's forward pass, which
  the two-class panels do not use): the like-for-like reference;
- ``3 classes, probabilities``: :func:`nnviz.forward.class_probability_grid`,
  :class:`nnviz.class_colors.ClassColormap` on the probabilities and
  :func:`nnviz.ties.tie_lines` (or :func:`nnviz.regions.tie_segments` over the last hidden
  plane): the slow path;
- ``3 classes, logits``: :func:`nnviz.forward.class_logit_grid`,
  :meth:`nnviz.class_colors.ClassColormap.of_logits` and :func:`nnviz.ties.logit_tie_lines`
  (or :func:`nnviz.regions.tie_segments`): the fast path.

The networks are made by hand, not trained (nnviz trains k classes on another branch): random
first layers and, after the 2-unit layer, three class scores at 120 degrees of each other that
tie at the median of where the input plane lands, so that the input plane is cut into three
curved regions that meet; the 2-8-2-1 keeps the same layers and the first class's score. The
seed is the first whose three classes each cover a sixth of the input plane. The paths run in
turn, repetition by repetition, so that the machine's changes of speed fall on all of them
alike; the table shows each step's fastest frame and the fastest and median totals (a machine
shared with other work slows some frames several times over: the fastest frames are the
steadiest measure). Only numpy work is timed: no Manim, no drawing.

Run: ``.venv/bin/python benchmarks/classes.py [--repeats 100] [--activation tanh ...]``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnviz import forward
from nnviz.class_colors import ClassColormap
from nnviz.colormap import DivergingColormap
from nnviz.contour import level_segments
from nnviz.forward import Space, Weights
from nnviz.mobjects.layout import TrainingLayout, row_viewports, scaled_mesh_resolution
from nnviz.mobjects.panels import BOUNDARY_LEVEL
from nnviz.regions import ClassScores, tie_segments
from nnviz.theme import THEMES
from nnviz.ties import logit_tie_lines, tie_lines

__all__ = ["main"]

#: The hidden widths of both networks.
HIDDEN = (8, 2)
#: The input plane shown.
INPUT_BOX = ((-3.0, 3.0), (-3.0, 3.0))
#: The training story's mesh resolution.
RESOLUTION = 180

Box = tuple[tuple[float, float], tuple[float, float]]
#: One step of a frame after the field: takes the field.
Step = Callable[[np.ndarray], object]


@dataclass(frozen=True)
class Networks:
    """The two networks of a benchmark and the last hidden plane's view."""

    two: Weights
    three: Weights
    seed: int
    hidden_box: Box


def networks(activation: str) -> Networks:
    """Return the 2-8-2-1 and 2-8-2-3 networks (see the module's notes): the class scores
    meet at the median of the input plane's grid in the last hidden plane, which is viewed
    from the grid's least to its largest point and a tenth more."""
    angles = np.pi / 2 + 2 * np.pi / 3 * np.arange(3)
    W3 = 4.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    points = forward.grid_points(*INPUT_BOX, (60, 60))
    for seed in range(1000):
        rng = np.random.default_rng(seed)
        first = (rng.normal(0, 1.2, (8, 2)), rng.normal(0, 1.0, 8))
        second = (rng.normal(0, 0.8, (2, 8)), np.zeros(2))
        plane = forward.to_space(points, Weights(*first, *second, W3, np.zeros(3)), activation,
                                 Space(len(HIDDEN)))  # fmt: skip
        b3 = -W3 @ np.median(plane, axis=0)
        three = Weights(*first, *second, W3, b3)
        z = forward.class_logit_grid(three, activation, *INPUT_BOX, (60, 60))
        shares = np.bincount(z.argmax(axis=0).ravel(), minlength=3) / z[0].size
        if shares.min() >= 1 / 6:
            margin = 0.1 * np.ptp(plane, axis=0) + 1e-3
            low, high = (plane.min(axis=0) - margin).tolist(), (plane.max(axis=0) + margin).tolist()
            box = ((low[0], high[0]), (low[1], high[1]))
            two = Weights(*first, *second, W3[:1], b3[:1])
            return Networks(two, three, seed, box)
    raise RuntimeError("no seed below 1000 gives three classes their share of the plane")


@dataclass(frozen=True)
class Path:
    """One way to make a panel's frame: the field, the colours, the boundary."""

    name: str
    field: Callable[[], np.ndarray]
    colour: Step
    lines: Step


def paths(
    two: Weights, three: Weights, activation: str, box: Box, shape: tuple[int, int], space: Space
) -> list[Path]:
    """The four paths of a panel of ``space`` (the input plane or the last hidden plane)."""
    theme = THEMES["dark"]
    diverging = DivergingColormap.from_theme(theme)
    classes = ClassColormap.from_theme(theme, 3)
    hidden = space.layer > 0
    scores = ClassScores.from_weights(three)

    def two_lines(p: np.ndarray) -> object:
        if hidden:
            return forward.output_line(two, *box)
        return level_segments(p, *box, BOUNDARY_LEVEL)

    def three_lines(
        tie: Callable[[np.ndarray, tuple[float, float], tuple[float, float]], object],
    ) -> Step:
        if hidden:
            return lambda _: tie_segments(scores, box)
        return lambda field: tie(field, *box)

    def sigmoid_grid() -> np.ndarray:
        z = forward.class_logit_grid(two, activation, *box, shape, space)[0]
        return forward.sigmoid(z)

    return [
        Path(
            "2 classes",
            lambda: forward.probability_grid(two, activation, *box, shape, space),
            diverging,
            two_lines,
        ),
        Path("2 classes, logit grid", sigmoid_grid, diverging, two_lines),
        Path(
            "3 classes, probabilities",
            lambda: forward.class_probability_grid(three, activation, *box, shape, space),
            classes,
            three_lines(tie_lines),
        ),
        Path(
            "3 classes, logits",
            lambda: forward.class_logit_grid(three, activation, *box, shape, space),
            classes.of_logits,
            three_lines(logit_tie_lines),
        ),
    ]


def measure(candidates: list[Path], repeats: int) -> np.ndarray:
    """Return the seconds of each path's field, colours and lines, shape (paths, repeats, 3);
    the paths run in turn within each repetition (after one warm-up round)."""
    times = np.zeros((len(candidates), repeats + 1, 3))
    for repeat in range(repeats + 1):
        for index, path in enumerate(candidates):
            start = time.perf_counter()
            field = path.field()
            after_field = time.perf_counter()
            path.colour(field)
            after_colour = time.perf_counter()
            path.lines(field)
            end = time.perf_counter()
            times[index, repeat] = (
                after_field - start,
                after_colour - after_field,
                end - after_colour,
            )
    return times[:, 1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=100, help="frames timed per path")
    parser.add_argument(
        "--activation", action="append", help="a hidden activation (again for more; tanh, relu)"
    )
    args = parser.parse_args()
    layout = scaled_mesh_resolution(RESOLUTION, row_viewports(len(HIDDEN) + 1)[0].width)
    print(
        f"default layout of a 2-8-2: three panels of {row_viewports(3)[0].width} units "
        f"(the 2-2-1's: {TrainingLayout.PANEL}), mesh {layout} at --mesh-resolution {RESOLUTION}"
    )
    print(f"{args.repeats} frames per path; milliseconds of the fastest frame unless 'median'")
    header = (
        f"{'panel':<14}{'mesh':>5}  {'path':<25}{'field':>7}{'colour':>7}{'lines':>7}"
        f"{'total':>7}{'median':>7}  {'/2 cls':>6}{'median':>7}  {'/logit':>6}"
    )
    for activation in args.activation or ["tanh", "relu"]:
        made = networks(activation)
        two, three = made.two, made.three
        print()
        print(f"2-8-2-1 and 2-8-2-3, {activation}, seed {made.seed}")
        print(header)
        print("-" * len(header))
        panels = (
            ("input plane", INPUT_BOX, forward.INPUT),
            ("hidden plane", made.hidden_box, Space(len(HIDDEN))),
        )
        for name, box, space in panels:
            for size in sorted({RESOLUTION, layout}, reverse=True):
                candidates = paths(two, three, activation, box, (size, size), space)
                times = measure(candidates, args.repeats) * 1000
                steps = times.min(axis=1)
                fastest = times.sum(axis=2).min(axis=1)
                median = np.median(times.sum(axis=2), axis=1)
                for index, path in enumerate(candidates):
                    field, colour, lines = steps[index]
                    print(
                        f"{name:<14}{size:>5}  {path.name:<25}{field:>7.2f}{colour:>7.2f}"
                        f"{lines:>7.2f}{fastest[index]:>7.2f}{median[index]:>7.2f}  "
                        f"{fastest[index] / fastest[0]:>6.2f}{median[index] / median[0]:>7.2f}  "
                        f"{fastest[index] / fastest[1]:>6.2f}"
                    )
    print()
    print("/2 cls: the path's time over the two-class panels' own (the issue's ratio), of the")
    print("fastest frames and of the medians; /logit: over the two-class field through the")
    print("logit grid (the fast three-class path's forward pass), of the fastest frames")


if __name__ == "__main__":
    main()
