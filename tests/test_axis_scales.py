"""Each axis its own scale (issue 20), the numpy core without Manim: the per-axis box and its
map to the screen, the choice by the data's kind, the range labels' decimals and the
deformation's cameras, checked against hand computations."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from nnviz import deform as dm
from nnviz.data import DATASETS
from nnviz.deform_view import (
    OrbitCamera,
    PlaneCamera,
    embed,
    make_camera,
    stage_end_points,
)
from nnviz.formatting import fit_number, range_decimals
from nnviz.forward import Weights
from nnviz.view import (
    AXIS_SCALES,
    Viewport,
    axis_scales_for,
    check_axis_scales,
    data_box,
    per_axis_box,
    square_box_around,
)

VIEW = Viewport((-1.5, 0.5), 4.0, 4.0)

#: Points whose columns differ in range a thousandfold: x from 0 to 1000, y from 0 to 1.
WIDE = np.array([[0.0, 0.0], [1000.0, 1.0], [250.0, 0.75], [600.0, 0.2]])


def unmap(view: Viewport, points: np.ndarray, box) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Scene coordinates back to data coordinates, written out here, independently of
    Viewport: the share of the rectangle's width (height) from its left (bottom) edge is the
    share of the box's x (y) range from its low end."""
    (x0, x1), (y0, y1) = box
    cx, cy = view.centre
    u = (points[:, 0] - (cx - view.width / 2)) / view.width
    v = (points[:, 1] - (cy - view.height / 2)) / view.height
    return np.column_stack([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])


# --- the per-axis box ---------------------------------------------------------------------------


def test_a_thousandfold_range_ratio_gives_a_box_whose_aspect_follows_the_data() -> None:
    # By hand: extents 1000 and 1, middles 500 and 0.5; a margin of 0.1 makes each half-range
    # 0.6 of its extent: x from 500 - 600 to 500 + 600, y from 0.5 - 0.6 to 0.5 + 0.6.
    (x0, x1), (y0, y1) = per_axis_box(WIDE, margin=0.1)
    assert (x0, x1) == pytest.approx((-100.0, 1100.0))
    assert (y0, y1) == pytest.approx((-0.1, 1.1))
    assert (x1 - x0) / (y1 - y0) == pytest.approx(1000.0)
    # On a square panel the points spread over 1/1.2 of its width and of its height ...
    screen = VIEW.to_screen(WIDE, ((x0, x1), (y0, y1)))
    spread = screen[:, :2].max(axis=0) - screen[:, :2].min(axis=0)
    np.testing.assert_allclose(spread, [4.0 / 1.2, 4.0 / 1.2])
    # ... where one scale for both axes squeezes them onto a line 1/1200 of its height.
    square = square_box_around(WIDE, margin=0.1)
    flat = VIEW.to_screen(WIDE, square)
    assert np.ptp(flat[:, 1]) == pytest.approx(4.0 / 1200.0)
    assert data_box(WIDE, "equal", 0.1) == square
    assert data_box(WIDE, "per-axis", 0.1) == ((x0, x1), (y0, y1))
    with pytest.raises(ValueError, match="unknown scales"):
        data_box(WIDE, "auto", 0.1)  # type: ignore[arg-type]


def test_the_per_axis_box_round_trips_between_screen_and_data() -> None:
    box = per_axis_box(WIDE, margin=0.1)
    # Screen points over the whole panel, corners included, to data and back.
    cx, cy = VIEW.centre
    xs = cx + np.linspace(-2.0, 2.0, 9)
    ys = cy + np.linspace(-2.0, 2.0, 7)
    screen = np.array([[x, y, 0.0] for x in xs for y in ys])
    data = VIEW.to_data(screen, box)
    np.testing.assert_allclose(data, unmap(VIEW, screen, box), rtol=0, atol=1e-9)
    np.testing.assert_allclose(VIEW.to_screen(data, box), screen, rtol=0, atol=1e-12)
    # The panel's corners are the box's corners; the data back from the screen.
    np.testing.assert_allclose(
        VIEW.to_data(VIEW.corners(), box), [[-100, 1.1], [1100, 1.1], [-100, -0.1], [1100, -0.1]]
    )
    np.testing.assert_allclose(VIEW.to_data(VIEW.to_screen(WIDE, box), box), WIDE, atol=1e-9)


def test_a_column_of_one_value_still_gets_a_range() -> None:
    # x varies from 2 to 4; every y is 300: its extent is taken as |300| (not 0), so the range
    # is 300 ± 0.6 · 300 at a margin of 0.1.
    points = np.array([[2.0, 300.0], [4.0, 300.0]])
    (x0, x1), (y0, y1) = per_axis_box(points, margin=0.1)
    assert (x0, x1) == pytest.approx((1.8, 4.2))
    assert (y0, y1) == pytest.approx((120.0, 480.0))
    # Around 0 the extent is 1.
    (_, _), (y0, y1) = per_axis_box(np.array([[2.0, 0.0], [4.0, 0.0]]), margin=0.1)
    assert (y0, y1) == pytest.approx((-0.6, 0.6))


# --- which scales by default ----------------------------------------------------------------


@pytest.mark.parametrize("dataset", DATASETS)
def test_built_in_data_has_equal_scales_by_default(dataset: str) -> None:
    assert axis_scales_for("auto", dataset) == "equal"


@pytest.mark.parametrize("dataset", ["csv", "external"])
def test_a_files_data_and_your_own_loops_have_per_axis_scales_by_default(dataset: str) -> None:
    assert axis_scales_for("auto", dataset) == "per-axis"


@pytest.mark.parametrize("dataset", ["seed", "csv", "external"])
def test_either_scale_can_be_forced(dataset: str) -> None:
    assert axis_scales_for("equal", dataset) == "equal"
    assert axis_scales_for("per-axis", dataset) == "per-axis"


def test_an_unknown_setting_is_refused_in_one_line() -> None:
    assert AXIS_SCALES == ("auto", "equal", "per-axis")
    for call in (lambda: axis_scales_for("square", "csv"), lambda: check_axis_scales("log")):
        with pytest.raises(ValueError, match=r"^unknown axis scales .*auto, equal, per-axis$"):
            call()


# --- range labels that tell the scale -------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "decimals", "texts"),
    [
        # Extents of 0.5 or more keep the one decimal of every panel so far.
        (-2.3, 2.3, 1, ("-2.3", "2.3")),
        (137.8, 1820.2, 1, ("137.8", "1820.2")),
        (0.5, 1.0, 1, ("0.5", "1.0")),
        # An extent of 0.4 is 4 tenths: one more decimal makes it 40 hundredths.
        (0.4, 0.8, 2, ("0.40", "0.80")),
        # 0.022 needs thousandths: with one decimal both ends would read 0.0.
        (0.012, 0.034, 3, ("0.012", "0.034")),
    ],
)
def test_range_labels_have_the_decimals_their_extent_needs(
    low: float, high: float, decimals: int, texts: tuple[str, str]
) -> None:
    assert range_decimals(low, high) == decimals
    assert tuple(fit_number(v, 6, decimals) for v in (low, high)) == texts


# --- the deformation's cameras ------------------------------------------------------------------


def random_weights(widths: tuple[int, ...], seed: int) -> Weights:
    """Weights with layer widths ``widths`` whose first layer reads columns of the ranges of
    :data:`SPREAD` (entries N(0, 1) divided by each column's spread), as a network trained on
    standardised columns and mapped back to the file's units has."""
    rng = np.random.default_rng(seed)
    arrays: list[np.ndarray] = []
    for k, (fan_in, fan_out) in enumerate(itertools.pairwise(widths)):
        W = rng.normal(size=(fan_out, fan_in))
        if k == 0:
            W = W / SPREAD
        arrays += [W, rng.normal(size=fan_out)]
    return Weights(*arrays)


#: Points of two columns a thousandfold apart in range, far from the origin in the first.
SPREAD = np.array([400.0, 0.3])
POINTS = np.random.default_rng(5).normal(size=(80, 2)) * SPREAD + np.array([900.0, 1.0])


@pytest.mark.parametrize("widths", [(2, 2, 1), (2, 1, 1), (2, 2, 2, 1)])
def test_the_plane_camera_starts_on_the_input_box_and_moves_each_axis_on_its_own(
    widths: tuple[int, ...],
) -> None:
    weights = random_weights(widths, sum(widths))
    ends = stage_end_points(POINTS, weights, "tanh", 2)
    start = per_axis_box(POINTS, 0.12)
    camera = make_camera(ends, dm.space_widths(weights), start)
    assert isinstance(camera, PlaneCamera)
    assert camera.box_at(0.0) == start == camera.input_box()
    square = PlaneCamera.around(ends)  # the camera of equal scales
    last = dm.stage_count(weights)
    for s in np.linspace(0.0, last, 40 * last + 1):
        s = float(s)
        (x0, x1), (y0, y1) = camera.box_at(s)
        moved = embed(dm.deform(POINTS, weights, "tanh", s), 2)  # a 1-unit space: (h, 0)
        assert np.all((moved[:, 0] >= x0 - 1e-9) & (moved[:, 0] <= x1 + 1e-9))
        assert np.all((moved[:, 1] >= y0 - 1e-9) & (moved[:, 1] <= y1 + 1e-9))
        if s >= 1.0:  # the hidden spaces keep their square boxes
            assert camera.box_at(s) == square.box_at(s)
        else:  # each bound moves linearly (no jumps) from the input box to the hidden square
            ((a0, a1), (b0, b1)), ((c0, c1), (d0, d1)) = start, square.box_at(1.0)
            ends_ = zip((a0, a1, b0, b1), (c0, c1, d0, d1), strict=True)
            expected = [(1 - s) * p + s * q for p, q in ends_]
            np.testing.assert_allclose([x0, x1, y0, y1], expected, rtol=1e-12)


@pytest.mark.parametrize("widths", [(2, 3, 1), (2, 3, 2, 1), (2, 2, 3, 1)])
def test_the_orbit_camera_sees_the_input_box_square_then_relaxes_into_3d(
    widths: tuple[int, ...],
) -> None:
    weights = random_weights(widths, sum(widths))
    spaces = dm.space_widths(weights)
    ends = stage_end_points(POINTS, weights, "tanh", 3)
    start = per_axis_box(POINTS, 0.12)
    camera = make_camera(ends, spaces, start)
    assert isinstance(camera, OrbitCamera)
    balls = OrbitCamera.around(ends, spaces)  # the camera of equal scales
    # At s = 0 it looks straight down at the input box, stretched into a square as large as
    # the first hidden space's ball: the stretch of each axis is that radius over its half-range.
    (a0, a1), (b0, b1) = start
    radius = balls.radii[1]
    stretch = np.array([2 * radius / (a1 - a0), 2 * radius / (b1 - b0), 1.0])
    np.testing.assert_allclose(camera.stretch_at(0.0), stretch, rtol=1e-12)
    (x0, x1), (y0, y1) = camera.box_at(0.0)
    assert x1 - x0 == pytest.approx(2 * radius) and y1 - y0 == pytest.approx(2 * radius)
    np.testing.assert_allclose(np.ravel(camera.input_box()), np.ravel(start), rtol=1e-12)
    last = dm.stage_count(weights)
    for step, s in enumerate(np.linspace(0.0, last, 50 * last + 1)):
        s = float(s)
        camera.turn(1 / 50 if step else 0.0)
        balls.seconds = camera.seconds
        # The stretch relaxes geometrically over the first stage: stretch^(1 - s), then 1.
        expected = stretch ** (1 - s) if s < 1 else np.ones(3)
        np.testing.assert_allclose(camera.stretch_at(s), expected, rtol=1e-12)
        # The view, written out here: the stretched points turned by the camera's rotation.
        moved = embed(dm.deform(POINTS, weights, "tanh", s), 3)
        flat = (moved * expected) @ camera.rotation(s)[:2].T
        np.testing.assert_allclose(camera.project(moved, s)[0], flat, rtol=1e-12, atol=1e-9)
        (x0, x1), (y0, y1) = camera.box_at(s)
        assert np.all((flat[:, 0] >= x0 - 1e-9) & (flat[:, 0] <= x1 + 1e-9))
        assert np.all((flat[:, 1] >= y0 - 1e-9) & (flat[:, 1] <= y1 + 1e-9))
        if s >= 1.0:  # the hidden spaces keep their square boxes
            np.testing.assert_allclose(
                np.ravel(camera.box_at(s)), np.ravel(balls.box_at(s)), rtol=1e-12, atol=1e-12
            )
    assert math.isclose(camera.seconds, balls.seconds)


# --- the mesh stays exact far from the origin -----------------------------------------------


@pytest.mark.parametrize("offset", [1e3, 1e6, 1e8])
def test_the_input_mesh_is_exact_for_columns_far_from_zero(offset: float) -> None:
    from nnviz.forward import grid_points, probability_grid

    # A column near `offset` that varies by a few units, beside one near 1: the per-axis box
    # shows a few units of the first, and a network trained on standardised columns has
    # b1 ≈ -W1·mean, which nearly cancels W1·x there.
    rng = np.random.default_rng(2)
    X = rng.normal(size=(100, 2)) * [3.0, 0.3] + [offset, 1.0]
    W1 = rng.normal(size=(2, 2)) / [3.0, 0.3]
    b1 = -W1 @ np.array([offset, 1.0]) + rng.normal(size=2)
    W2, b2 = rng.normal(size=(1, 2)), rng.normal(size=1)
    box = per_axis_box(X, 0.1)
    mesh = probability_grid(Weights(W1, b1, W2, b2), "tanh", box[0], box[1], (60, 60))
    # The network written out here, in float64 (ulp 1.5e-8 at 1e8).
    x = grid_points(box[0], box[1], (60, 60))
    p = 1 / (1 + np.exp(-(np.tanh(x @ W1.T + b1) @ W2[0] + b2[0])))
    # float32 after the first layer: far below one step of the colour map (1/254).
    assert np.abs(mesh.ravel() - p).max() < 1e-5
