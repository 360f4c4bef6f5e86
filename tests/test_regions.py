"""Exact class regions of the last hidden layer against brute force: random points, the
argmax of the scores at each, and hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.forward import Weights
from nnviz.heads import head
from nnviz.regions import (
    ClassScores,
    argmax_cells,
    argmax_intervals,
    clip_half_space,
    polygon_area,
    tie_polygons,
    tie_segments,
)

BOX = ((-2.0, 3.0), (-1.5, 2.0))
CUBE = ((-1.0, 1.0), (-2.0, 1.0), (0.0, 2.0))


def random_scores(seed: int, width: int) -> ClassScores:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    return ClassScores(rng.normal(0, 1, (k, width)), rng.normal(0, 1, k))


def brute_winner(scores: ClassScores, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The class of largest score at each point, by comparing every score, and the gap between
    the largest and the second (points with a tiny gap may go either way)."""
    values = points @ scores.normals.T + scores.offsets
    order = np.sort(values, axis=1)
    return values.argmax(axis=1), order[:, -1] - order[:, -2]


def inside_convex(polygon: np.ndarray, points: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Whether each point lies in a counter-clockwise convex polygon: left of every side."""
    edges = np.roll(polygon, -1, axis=0) - polygon
    rel = points[:, None, :] - polygon[None, :, :]
    cross = edges[None, :, 0] * rel[..., 1] - edges[None, :, 1] * rel[..., 0]
    return np.all(cross >= -tol, axis=1)


def square(box: tuple[tuple[float, float], ...]) -> np.ndarray:
    (x0, x1), (y0, y1) = box
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])


def random_points(
    rng: np.random.Generator, box: tuple[tuple[float, float], ...], n: int
) -> np.ndarray:
    return np.column_stack([rng.uniform(lo, hi, n) for lo, hi in box])


def test_clipping_a_square_by_half_planes_by_hand() -> None:
    square = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    right = clip_half_space(square, np.array([1.0, 0.0]), -0.5)  # x ≥ 0.5
    np.testing.assert_allclose(right, [[0.5, 0], [1, 0], [1, 1], [0.5, 1]])
    corner = clip_half_space(square, np.array([-1.0, -1.0]), 1.0)  # x + y ≤ 1: a triangle
    np.testing.assert_allclose(corner, [[0, 0], [1, 0], [0, 1]])  # no corner doubled
    assert polygon_area(corner) == pytest.approx(0.5)
    assert clip_half_space(square, np.array([1.0, 0.0]), -2.0).shape == (0, 2)
    np.testing.assert_array_equal(clip_half_space(square, np.zeros(2), 0.0), square)
    # A polygon of a plane in 3-D is cut the same way.
    tilted = np.column_stack([square, square[:, 0]])
    half = clip_half_space(tilted, np.array([0.0, 1.0, 0.0]), -0.25)
    assert polygon_area(half) == pytest.approx(0.75 * np.sqrt(2))


def test_cells_and_tie_of_a_hand_worked_case() -> None:
    # a0 = x, a1 = −x, a2 = y − 10: class 2 wins nowhere in [−1, 1]²; the tie is x = 0.
    scores = ClassScores(np.array([[1.0, 0], [-1, 0], [0, 1]]), np.array([0.0, 0, -10]))
    box = ((-1.0, 1.0), (-1.0, 1.0))
    cells = argmax_cells(scores, box)
    assert [c.label for c in cells] == [0, 1]
    assert polygon_area(cells[0].polygon) == pytest.approx(2.0)
    assert cells[0].polygon[:, 0].min() == pytest.approx(0.0)
    assert cells[1].polygon[:, 0].max() == pytest.approx(0.0)
    (tie,) = tie_segments(scores, box)
    assert tie.pair == (0, 1)
    np.testing.assert_allclose(sorted(tie.points.tolist()), [[0, -1], [0, 1]], atol=1e-15)


@pytest.mark.parametrize("seed", range(30))
def test_cells_are_the_argmax_of_the_scores(seed: int) -> None:
    scores = random_scores(seed, 2)
    cells = argmax_cells(scores, BOX)
    rng = np.random.default_rng(1000 + seed)
    points = random_points(rng, BOX, 4000)
    winner, gap = brute_winner(scores, points)
    clear = gap > 1e-9
    holders = np.column_stack([inside_convex(c.polygon, points) for c in cells])
    labels = np.array([c.label for c in cells])
    # Every point away from a tie lies in exactly one cell: its winner's.
    assert np.all(holders[clear].sum(axis=1) == 1)
    np.testing.assert_array_equal(labels[holders[clear].argmax(axis=1)], winner[clear])
    # The cells tile the box.
    area = (BOX[0][1] - BOX[0][0]) * (BOX[1][1] - BOX[1][0])
    assert sum(polygon_area(c.polygon) for c in cells) == pytest.approx(area, rel=1e-12)
    for cell in cells:  # counter-clockwise convex polygons inside the box
        edges = np.roll(cell.polygon, -1, axis=0) - cell.polygon
        following = np.roll(edges, -1, axis=0)
        turns = edges[:, 0] * following[:, 1] - edges[:, 1] * following[:, 0]
        assert np.all(turns >= -1e-12)
        assert np.all(inside_convex(square(BOX), cell.polygon))


@pytest.mark.parametrize("seed", range(30))
def test_tie_segments_are_the_edges_between_cells(seed: int) -> None:
    scores = random_scores(seed, 2)
    ties = tie_segments(scores, BOX)
    cells = argmax_cells(scores, BOX)
    for tie in ties:
        i, j = tie.pair
        along = tie.points[0] + np.linspace(0, 1, 21)[:, None] * (tie.points[1] - tie.points[0])
        values = along @ scores.normals.T + scores.offsets
        np.testing.assert_allclose(values[:, i], values[:, j], atol=1e-9)
        assert np.all(values[:, i][:, None] >= values - 1e-9)  # i and j on top
    # Each inner edge of the tiling is one tie: the cells' perimeters are the box's plus
    # twice the ties' length.
    perimeter = sum(
        np.linalg.norm(np.roll(c.polygon, -1, axis=0) - c.polygon, axis=1).sum() for c in cells
    )
    box_perimeter = 2 * ((BOX[0][1] - BOX[0][0]) + (BOX[1][1] - BOX[1][0]))
    length = sum(float(np.linalg.norm(t.points[1] - t.points[0])) for t in ties)
    assert perimeter == pytest.approx(box_perimeter + 2 * length, rel=1e-9)
    # Brute force on a fine grid: wherever the winner changes between neighbouring samples,
    # a tie of those two classes passes within one sample spacing.
    xs = np.linspace(*BOX[0], 301)
    ys = np.linspace(*BOX[1], 211)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.stack([gx, gy], axis=-1)
    winner = scores.winner(grid.reshape(-1, 2)).reshape(gx.shape)
    step = float(np.hypot(xs[1] - xs[0], ys[1] - ys[0]))
    for a, b, where in (
        (winner[:, :-1], winner[:, 1:], grid[:, :-1]),  # neighbours along a row
        (winner[:-1], winner[1:], grid[:-1]),  # along a column
    ):
        changed = a != b
        for ca, cb, point in zip(a[changed], b[changed], where[changed], strict=True):
            pair = (min(ca, cb), max(ca, cb))
            near = [t for t in ties if t.pair == pair and distance(point, t.points) <= step]
            assert near, (pair, point)


def distance(point: np.ndarray, ends: np.ndarray) -> float:
    d = ends[1] - ends[0]
    t = np.clip((point - ends[0]) @ d / (d @ d), 0.0, 1.0)
    return float(np.linalg.norm(ends[0] + t * d - point))


def test_equal_scores_go_to_the_lower_class() -> None:
    normals = np.array([[1.0, 0.0], [1.0, 0.0], [-1.0, 0.0]])
    scores = ClassScores(normals, np.zeros(3))  # classes 0 and 1 are the same function
    cells = argmax_cells(scores, BOX)
    assert [c.label for c in cells] == [0, 2]
    assert [t.pair for t in tie_segments(scores, BOX)] == [(0, 2)]
    area = (BOX[0][1] - BOX[0][0]) * (BOX[1][1] - BOX[1][0])
    assert sum(polygon_area(c.polygon) for c in cells) == pytest.approx(area)


def test_one_sigmoid_unit_scores_as_two_classes() -> None:
    rng = np.random.default_rng(7)
    w = Weights(rng.normal(0, 1, (2, 2)), rng.normal(0, 1, 2), np.array([[1.5, -0.7]]),
                np.array([0.3]))  # fmt: skip
    scores = ClassScores.from_weights(w, "sigmoid")
    points = random_points(rng, BOX, 2000)
    z = points @ w.W[-1].T + w.b[-1]
    np.testing.assert_array_equal(scores.winner(points), head("sigmoid").predict(z))
    (tie,) = tie_segments(scores, BOX)
    np.testing.assert_allclose(tie.points @ w.W[-1][0] + w.b[-1][0], 0.0, atol=1e-12)
    softmax = ClassScores.from_weights(Weights(*w.arrays()[:-2], rng.normal(0, 1, (4, 2)),
                                               rng.normal(0, 1, 4)))  # fmt: skip
    assert softmax.classes == 4


@pytest.mark.parametrize("seed", range(20))
def test_tie_planes_are_where_two_classes_tie_on_top(seed: int) -> None:
    scores = random_scores(seed, 3)
    ties = tie_polygons(scores, CUBE)
    rng = np.random.default_rng(2000 + seed)
    for i in range(scores.classes):
        for j in range(i + 1, scores.classes):
            found = [t for t in ties if t.pair == (i, j)]
            assert len(found) <= 1
            normal, offset = scores.difference(i, j)
            # Random points of the plane a_i = a_j inside the cube: points of the cube moved
            # onto the plane along its normal, kept if still inside.
            samples = random_points(rng, CUBE, 3000)
            on_plane = samples - np.outer(samples @ normal + offset, normal) / (normal @ normal)
            low = np.array([c[0] for c in CUBE])
            high = np.array([c[1] for c in CUBE])
            on_plane = on_plane[np.all((on_plane >= low) & (on_plane <= high), axis=1)]
            values = on_plane @ scores.normals.T + scores.offsets
            others = np.delete(values, [i, j], axis=1)
            best_other = others.max(axis=1) if others.shape[1] else np.full(len(values), -np.inf)
            margin = values[:, i] - best_other  # > 0 where i and j are the top two
            clear = np.abs(margin) > 1e-6
            on_top = margin > 0
            if not found:
                assert not np.any(on_top & clear)
                continue
            polygon = found[0].points
            np.testing.assert_allclose(polygon @ normal + offset, 0.0, atol=1e-9)
            corners = polygon @ scores.normals.T + scores.offsets
            assert np.all(corners[:, [i]] >= corners - 1e-9)
            inside = inside_planar(polygon, normal, on_plane)
            np.testing.assert_array_equal(inside[clear], on_top[clear])


def inside_planar(
    polygon: np.ndarray, normal: np.ndarray, points: np.ndarray, tol: float = 1e-9
) -> np.ndarray:
    """Whether points of the polygon's plane (of ``normal``) lie in the convex polygon (M, 3):
    on the same side of every side as the polygon's centre."""
    centre = polygon.mean(axis=0)
    edges = np.roll(polygon, -1, axis=0) - polygon
    sign = np.sign(np.cross(edges, centre - polygon) @ normal)
    rel = points[:, None, :] - polygon[None, :, :]
    side = np.cross(np.broadcast_to(edges, rel.shape), rel) @ normal
    return np.all(side * sign >= -tol, axis=1)


def test_intervals_of_a_hand_worked_case() -> None:
    # a0 = h, a1 = −h, a2 = 1/2: class 1 left of −1/2, class 2 between, class 0 right of 1/2.
    scores = ClassScores(np.array([[1.0], [-1.0], [0.0]]), np.array([0.0, 0.0, 0.5]))
    breaks, labels = argmax_intervals(scores, (-2.0, 2.0))
    np.testing.assert_allclose(breaks, [-2, -0.5, 0.5, 2])
    np.testing.assert_array_equal(labels, [1, 2, 0])
    # a0 and a1 cross at 0, under a2: that crossing is no break.
    breaks, labels = argmax_intervals(scores, (-0.25, 0.25))
    np.testing.assert_allclose(breaks, [-0.25, 0.25])
    np.testing.assert_array_equal(labels, [2])


@pytest.mark.parametrize("seed", range(30))
def test_intervals_are_the_argmax_of_the_scores(seed: int) -> None:
    scores = random_scores(seed, 1)
    breaks, labels = argmax_intervals(scores, (-3.0, 2.0))
    assert breaks[0] == -3.0 and breaks[-1] == 2.0
    assert np.all(np.diff(breaks) > 0) and len(labels) == len(breaks) - 1
    assert np.all(labels[1:] != labels[:-1])
    points = np.random.default_rng(seed).uniform(-3.0, 2.0, 5000)
    winner, gap = brute_winner(scores, points[:, None])
    piece = np.searchsorted(breaks, points, side="right") - 1
    clear = gap > 1e-9
    np.testing.assert_array_equal(labels[piece[clear]], winner[clear])
    # At every inner break the classes on either side tie on top.
    for n, x in enumerate(breaks[1:-1]):
        values = scores(np.array([[x]]))[0]
        assert values[labels[n]] == pytest.approx(values[labels[n + 1]], abs=1e-12)
        assert values[labels[n]] >= values.max() - 1e-12


def test_views_check_the_width() -> None:
    with pytest.raises(ValueError, match="width 2, not 3"):
        argmax_cells(random_scores(0, 3), BOX)
    with pytest.raises(ValueError, match="width 3, not 2"):
        tie_polygons(random_scores(0, 2), CUBE)
    with pytest.raises(ValueError, match="width 1, not 2"):
        argmax_intervals(random_scores(0, 2), (0.0, 1.0))


def test_the_class_maths_needs_neither_torch_nor_manim() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import nnviz.class_colors, nnviz.forward, nnviz.moments, nnviz.regions, nnviz.ties\n"
        "loaded = sorted({'torch', 'manim'} & set(sys.modules))\n"
        "assert not loaded, f'imported {loaded}'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("seed", range(10))
def test_two_classes_tie_on_the_plane_where_it_cuts_the_cube(seed: int) -> None:
    from nnviz.projection import plane_in_cube

    rng = np.random.default_rng(seed)
    scores = ClassScores(rng.normal(0, 1, (2, 3)), rng.normal(0, 0.5, 2))
    normal, offset = scores.difference(0, 1)
    expected = plane_in_cube(normal, offset, CUBE)
    ties = tie_polygons(scores, CUBE)
    if len(expected) == 0:
        assert ties == []
        return
    (tie,) = ties
    assert polygon_area(tie.points) == pytest.approx(polygon_area(expected), rel=1e-9)
    # The same corners (the clipping may keep a corner twice where the plane meets an edge).
    gaps = np.linalg.norm(tie.points[:, None, :] - expected[None, :, :], axis=-1)
    assert np.all(gaps.min(axis=1) < 1e-9) and np.all(gaps.min(axis=0) < 1e-9)
