"""Tie lines on a grid of class probabilities or logits, checked with torch as the oracle at
the segments' points, by hand on symmetric fields, against the 0.5 contour (the logits' zero
contour) for two classes, and the two tracings against each other."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnviz import forward
from nnviz.contour import level_segments
from nnviz.forward import Weights
from nnviz.ties import TieLines, logit_tie_lines, tie_lines
from nnviz.view import Box
from tests.test_class_forward import random_case, torch_spaces

BOX = ((-3.0, 3.0), (-2.5, 3.5))
SHAPE = (180, 180)


def oracle(
    points: np.ndarray, w: Weights, names: tuple[str, ...], field: str = "probabilities"
) -> np.ndarray:
    """P(class c) at ``points`` by torch, float64 (or for ``field="logits"``, the logits)."""
    logits = torch_spaces(points, w, names)[-1]
    if field == "logits":
        return logits
    return torch.softmax(torch.from_numpy(logits), dim=-1).numpy()


def traced(
    field: str, w: Weights, names: tuple[str, ...], box: Box, shape: tuple[int, int]
) -> TieLines:
    """The tie lines of the network's field on a grid, traced on its probabilities
    (:func:`tie_lines`) or on its logits (:func:`logit_tie_lines`)."""
    if field == "logits":
        return logit_tie_lines(forward.class_logit_grid(w, names, *box, shape), *box)
    return tie_lines(forward.class_probability_grid(w, names, *box, shape), *box)


def canonical(segments: np.ndarray) -> np.ndarray:
    """Segments with their two ends in a fixed order, sorted: to compare sets of segments."""
    ends = np.round(segments, 9)
    swap = (ends[:, 0, 0] > ends[:, 1, 0]) | (
        (ends[:, 0, 0] == ends[:, 1, 0]) & (ends[:, 0, 1] > ends[:, 1, 1])
    )
    ends[swap] = ends[swap][:, ::-1]
    flat = ends.reshape(-1, 4)
    return flat[np.lexsort(flat.T[::-1])]


def test_three_classes_of_a_symmetric_field_by_hand() -> None:
    # Scores a0 = x, a1 = −x, a2 = y: classes 0 and 1 tie on x = 0 below y = 0 (where y is
    # under |x|); 0 and 2 tie on y = x for x ≥ 0; 1 and 2 on y = −x for x ≤ 0.
    box = ((-1.0, 1.0), (-1.0, 1.0))
    points = forward.grid_points(*box, (100, 100))
    scores = np.column_stack([points[:, 0], -points[:, 0], points[:, 1]]) * 4
    p = (np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)).reshape(100, 100, 3)
    ties = tie_lines(p, *box)
    assert sorted({tuple(pair) for pair in ties.pairs.tolist()}) == [(0, 1), (0, 2), (1, 2)]
    pixel = 2 / 100
    down = ties.of(0, 1)
    np.testing.assert_allclose(down[..., 0], 0.0, atol=1e-12)  # p0 − p1 is odd in x
    assert down[..., 1].max() == pytest.approx(0.0, abs=pixel)  # it ends at the triple point
    assert down[..., 1].min() == pytest.approx(-1.0 + pixel / 2)  # the outer pixel centres
    for (i, j), sign in (((0, 2), 1.0), ((1, 2), -1.0)):
        diagonal = ties.of(i, j)
        np.testing.assert_allclose(diagonal[..., 1], sign * diagonal[..., 0], atol=1e-3 * pixel)
        assert np.all(sign * diagonal[..., 0] >= -pixel)
    # Each line runs from the triple point to the edge of the sampled area.
    lengths = {
        pair: float(np.linalg.norm(ties.of(*pair)[:, 1] - ties.of(*pair)[:, 0], axis=1).sum())
        for pair in ((0, 1), (0, 2), (1, 2))
    }
    assert lengths[(0, 1)] == pytest.approx(1 - pixel / 2, abs=pixel)
    assert lengths[(0, 2)] == pytest.approx(np.sqrt(2) * (1 - pixel / 2), abs=2 * pixel)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_two_classes_tie_on_the_half_contour(seed: int) -> None:
    rng = np.random.default_rng(seed)
    w = Weights(rng.normal(0, 1.5, (4, 2)), rng.normal(0, 1, 4), rng.normal(0, 1.5, (2, 4)),
                rng.normal(0, 1, 2))  # fmt: skip
    p = forward.class_probability_grid(w, "tanh", *BOX, SHAPE)
    ties = tie_lines(p, *BOX)
    half = level_segments(p[..., 1], *BOX, level=0.5)
    assert len(half) > 0
    assert ties.segments.shape == half.shape
    np.testing.assert_allclose(canonical(ties.segments), canonical(half), atol=1e-8)
    # One sigmoid unit read as two classes: the same line as the sigmoid's own 0.5 contour.
    one = Weights(*w.arrays()[:-2], w.W[-1][:1], w.b[-1][:1])
    two = forward.class_probability_grid(one, "tanh", *BOX, SHAPE, output="sigmoid")
    np.testing.assert_allclose(
        canonical(tie_lines(two, *BOX).segments),
        canonical(level_segments(two[..., 1], *BOX, level=0.5)),
        atol=1e-8,
    )


def six_classes(seed: int) -> tuple[Weights, tuple[str, ...], int]:
    """A network of six classes, three to five of which win in the box, with triple points."""
    rng = np.random.default_rng(seed)
    return Weights(rng.normal(0, 1, (8, 2)), rng.normal(0, 1, 8), rng.normal(0, 3, (6, 8)),
                   rng.normal(0, 1, 6)), ("tanh",), 6  # fmt: skip


CASES = [("random", seed) for seed in range(12)] + [("six", seed) for seed in range(4)]


@pytest.mark.parametrize("field", ["probabilities", "logits"])
@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_tie_lines_are_where_the_top_two_classes_tie(kind: str, seed: int, field: str) -> None:
    """Traced on the probabilities, p_i − p_j is small at every segment's ends and middle;
    traced on the logits, z_i − z_j (both: to the change between neighbouring pixels)."""
    w, names, k = random_case(seed) if kind == "random" else six_classes(seed)
    ties = traced(field, w, names, BOX, SHAPE)
    # The oracle's field at the pixel centres, for the resolution of the grid: how much each
    # difference p_i − p_j (or z_i − z_j) changes from one pixel centre to the next, near each
    # point.
    centres = forward.grid_points(*BOX, SHAPE)
    q = oracle(centres, w, names, field).reshape(*SHAPE, k)
    if len(ties.segments) == 0:
        assert np.all(q.argmax(axis=-1) == q.argmax(axis=-1).flat[0])  # one class everywhere
        return
    # Ends and middles of every segment, by the oracle.
    points = np.concatenate([ties.segments[:, 0], ties.segments.mean(axis=1), ties.segments[:, 1]])
    pairs = np.tile(ties.pairs, (3, 1))
    exact = oracle(points, w, names, field)
    rows = np.arange(len(points))
    pi, pj = exact[rows, pairs[:, 0]], exact[rows, pairs[:, 1]]
    local = LocalSteps(q, points)
    gap = np.abs(pi - pj)
    tolerance = local(pairs[:, 0], pairs[:, 1])
    assert np.all(gap <= tolerance), np.max(gap / tolerance)
    # i and j are the top two: no other class above them by more than the grid resolves.
    others = exact.copy()
    others[rows, pairs[:, 0]] = -np.inf
    others[rows, pairs[:, 1]] = -np.inf
    third = others.argmax(axis=1)
    lower = np.minimum(pi, pj)
    resolution = np.maximum(local(pairs[:, 0], third), local(pairs[:, 1], third))
    assert np.all(exact[rows, third] <= lower + resolution)
    # Complete: wherever the oracle's top two classes are the same pair at two neighbouring
    # pixel centres and the winner changes between them, a tie of that pair crosses nearby.
    top = np.argsort(q, axis=-1)[..., ::-1][..., :2]
    pixel = float(np.hypot((BOX[0][1] - BOX[0][0]) / SHAPE[1], (BOX[1][1] - BOX[1][0]) / SHAPE[0]))
    grid = centres.reshape(*SHAPE, 2)
    for a, b, where in (
        (top[:, :-1], top[:, 1:], grid[:, :-1]),
        (top[:-1], top[1:], grid[:-1]),
    ):
        swapped = (a[..., 0] == b[..., 1]) & (a[..., 1] == b[..., 0])
        for (i, j), point in zip(np.sort(a[swapped], axis=-1), where[swapped], strict=True):
            segments = ties.of(int(i), int(j))
            assert len(segments) > 0, (i, j)
            assert distance(point, segments) <= pixel, (i, j, point)


class LocalSteps:
    """How much the oracle's p_a − p_b changes between neighbouring pixel centres in the 4 x 4
    centres around each point (the cell holding it and its neighbours)."""

    def __init__(self, q: np.ndarray, points: np.ndarray) -> None:
        rows, cols, _ = q.shape
        dx = (BOX[0][1] - BOX[0][0]) / cols
        dy = (BOX[1][1] - BOX[1][0]) / rows
        col = np.floor((points[:, 0] - BOX[0][0]) / dx - 0.5).astype(int)
        row = np.floor((BOX[1][1] - points[:, 1]) / dy - 0.5).astype(int)
        offsets = np.arange(-1, 3)
        self.rows = np.clip(row[:, None, None] + offsets[None, :, None], 0, rows - 1)
        self.cols = np.clip(col[:, None, None] + offsets[None, None, :], 0, cols - 1)
        self.q = q

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        rows, cols = self.rows, self.cols
        window = self.q[rows, cols, a[:, None, None]] - self.q[rows, cols, b[:, None, None]]
        across = np.abs(np.diff(window, axis=2)).max(axis=(1, 2))
        down = np.abs(np.diff(window, axis=1)).max(axis=(1, 2))
        return np.maximum(across, down)


def distances(points: np.ndarray, segments: np.ndarray) -> np.ndarray:
    """The distance from each of ``points`` (N, 2) to each of ``segments`` (M, 2, 2), (N, M)."""
    d = segments[:, 1] - segments[:, 0]
    length = np.maximum((d * d).sum(axis=1), 1e-300)
    rel = points[:, None, :] - segments[None, :, 0]
    t = np.clip((rel * d).sum(axis=-1) / length, 0.0, 1.0)
    return np.linalg.norm(rel - t[..., None] * d, axis=-1)


def distance(point: np.ndarray, segments: np.ndarray) -> float:
    """The distance from a point to the nearest of the segments (M, 2, 2)."""
    return float(distances(point[None], segments).min())


@pytest.mark.parametrize("seed", range(12))
def test_tie_lines_are_pieces_of_the_zero_contours(seed: int) -> None:
    """Every segment of a pair (i, j) lies on a segment of contourpy's zero line of p_i − p_j
    (the same marching squares), and for two classes the two are the same segments."""
    w, names, _ = random_case(seed)
    p = forward.class_probability_grid(w, names, *BOX, (90, 90))
    ties = tie_lines(p, *BOX)
    for pair in {tuple(pair) for pair in ties.pairs.tolist()}:
        traced = level_segments(p[..., pair[0]] - p[..., pair[1]], *BOX, level=0.0)
        ours = ties.of(*pair)
        on = (distances(ours[:, 0], traced) < 1e-9) & (distances(ours[:, 1], traced) < 1e-9)
        assert np.all(on.any(axis=1))


def test_a_saddle_is_split_as_contourpy_splits_it() -> None:
    # p1 − p0 = tanh(x y + c): the cell at the origin has corners of alternating signs; the
    # centre's sign (the mean of the corners, c) decides which corners the lines cut off.
    box = ((-1.0, 1.0), (-1.0, 1.0))
    points = forward.grid_points(*box, (10, 10))
    for c in (0.003, -0.003):
        p1 = (1 + np.tanh(points[:, 0] * points[:, 1] + c)) / 2
        p = np.column_stack([1 - p1, p1]).reshape(10, 10, 2)
        ties = tie_lines(p, *box)
        np.testing.assert_allclose(
            canonical(ties.segments), canonical(level_segments(p[..., 1], *box)), atol=1e-12
        )


def test_a_field_of_one_class_has_no_ties() -> None:
    p = np.zeros((20, 30, 4))
    p[..., 2] = 0.7
    p[..., [0, 1, 3]] = 0.1
    ties = tie_lines(p, (0.0, 1.0), (0.0, 1.0))
    assert ties.segments.shape == (0, 2, 2) and ties.pairs.shape == (0, 2)


def test_linear_logits_are_traced_exactly() -> None:
    # Logits a0 = x, a1 = −x, a2 = y: linear, so traced on the logits every line is exact,
    # and so is its end, the triple point at the origin (on the probabilities, to a pixel).
    box = ((-1.0, 1.0), (-1.0, 1.0))
    x, y = forward.grid_points(*box, (100, 100)).T.reshape(2, 100, 100)
    planes = np.array([x, -x, y]) * 4
    ties = logit_tie_lines(planes, *box)
    assert sorted({tuple(pair) for pair in ties.pairs.tolist()}) == [(0, 1), (0, 2), (1, 2)]
    down = ties.of(0, 1)
    np.testing.assert_allclose(down[..., 0], 0.0, atol=1e-12)
    assert down[..., 1].max() == pytest.approx(0.0, abs=1e-12)
    assert down[..., 1].min() == pytest.approx(-1.0 + 1 / 100)  # the outer pixel centres
    for (i, j), sign in (((0, 2), 1.0), ((1, 2), -1.0)):
        diagonal = ties.of(i, j)
        np.testing.assert_allclose(diagonal[..., 1], sign * diagonal[..., 0], atol=1e-12)
        assert np.all(sign * diagonal[..., 0] >= -1e-12)
        length = np.linalg.norm(diagonal[:, 1] - diagonal[:, 0], axis=1).sum()
        assert length == pytest.approx(np.sqrt(2) * (1 - 1 / 100), abs=1e-9)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_two_classes_tie_on_the_zero_contour_of_their_logits(seed: int) -> None:
    rng = np.random.default_rng(seed)
    w = Weights(rng.normal(0, 1.5, (4, 2)), rng.normal(0, 1, 4), rng.normal(0, 1.5, (2, 4)),
                rng.normal(0, 1, 2))  # fmt: skip
    planes = forward.class_logit_grid(w, "tanh", *BOX, SHAPE)
    ties = logit_tie_lines(planes, *BOX)
    difference = planes[1].astype(np.float64) - planes[0]
    zero = level_segments(difference, *BOX, level=0.0)
    assert len(zero) > 0 and ties.segments.shape == zero.shape
    np.testing.assert_allclose(canonical(ties.segments), canonical(zero), atol=1e-8)
    # One sigmoid unit, as the planes (0, z): the zero contour of its logit.
    one = Weights(*w.arrays()[:-2], w.W[-1][:1], w.b[-1][:1])
    z = forward.class_logit_grid(one, "tanh", *BOX, SHAPE)[0]
    sigmoid_ties = logit_tie_lines(np.stack([np.zeros_like(z), z]), *BOX)
    np.testing.assert_allclose(
        canonical(sigmoid_ties.segments),
        canonical(level_segments(z.astype(np.float64), *BOX, level=0.0)),
        atol=1e-8,
    )


@pytest.mark.parametrize("seed", range(12))
def test_logit_tie_lines_are_pieces_of_the_zero_contours(seed: int) -> None:
    w, names, _ = random_case(seed)
    z = forward.class_logit_grid(w, names, *BOX, (90, 90)).astype(np.float64)
    ties = logit_tie_lines(z, *BOX)
    for pair in {tuple(pair) for pair in ties.pairs.tolist()}:
        zero = level_segments(z[pair[0]] - z[pair[1]], *BOX, level=0.0)
        ours = ties.of(*pair)
        on = (distances(ours[:, 0], zero) < 1e-9) & (distances(ours[:, 1], zero) < 1e-9)
        assert np.all(on.any(axis=1))


@pytest.mark.parametrize(("kind", "seed"), CASES)
def test_the_two_tracings_agree_to_the_grid(kind: str, seed: int) -> None:
    """Traced on the logits or on the probabilities: the same pairs, and every end of either
    within a pixel of the other's lines of the same pair."""
    w, names, _ = random_case(seed) if kind == "random" else six_classes(seed)
    shape = (90, 90)
    logits = traced("logits", w, names, BOX, shape)
    probabilities = traced("probabilities", w, names, BOX, shape)
    pixel = float(np.hypot((BOX[0][1] - BOX[0][0]) / shape[1], (BOX[1][1] - BOX[1][0]) / shape[0]))
    pairs = {tuple(pair) for pair in logits.pairs.tolist()}
    assert pairs == {tuple(pair) for pair in probabilities.pairs.tolist()}
    for pair in pairs:
        for one, other in ((logits, probabilities), (probabilities, logits)):
            ends = one.of(*pair).reshape(-1, 2)
            assert distances(ends, other.of(*pair)).min(axis=1).max() <= pixel, pair


def test_logit_planes_must_be_class_major() -> None:
    with pytest.raises(ValueError, match=r"shape \(k >= 2, rows, cols\)"):
        logit_tie_lines(np.zeros((5, 5)), (0.0, 1.0), (0.0, 1.0))
    with pytest.raises(ValueError, match=r"not \(1, 5, 5\)"):
        logit_tie_lines(np.zeros((1, 5, 5)), (0.0, 1.0), (0.0, 1.0))
    ties = logit_tie_lines(np.zeros((3, 1, 5)), (0.0, 1.0), (0.0, 1.0))
    assert ties.segments.shape == (0, 2, 2)


def test_a_pair_that_ties_under_a_third_class_leaves_no_line() -> None:
    # Classes 0 and 1 change places along x = 0, but class 2 is above both everywhere: the
    # cells are dropped before tracing (logits) or the segments cut away (probabilities).
    x = forward.grid_points((-1.0, 1.0), (-1.0, 1.0), (20, 30))[:, 0].reshape(20, 30)
    planes = np.array([x, -x, np.full_like(x, 5.0)])
    p = np.exp(planes) / np.exp(planes).sum(axis=0)
    for ties in (logit_tie_lines(planes, (-1.0, 1.0), (-1.0, 1.0)),
                 tie_lines(np.moveaxis(p, 0, -1), (-1.0, 1.0), (-1.0, 1.0))):  # fmt: skip
        assert ties.segments.shape == (0, 2, 2) and ties.pairs.shape == (0, 2)
    # Lowered below the pair near x = 0, class 2 leaves the tie there and only there.
    planes[2] = 2 * np.abs(x) - 0.5
    ties = logit_tie_lines(planes, (-1.0, 1.0), (-1.0, 1.0))
    assert {tuple(pair) for pair in ties.pairs.tolist()} >= {(0, 1)}
    np.testing.assert_allclose(ties.of(0, 1)[..., 0], 0.0, atol=1e-12)
