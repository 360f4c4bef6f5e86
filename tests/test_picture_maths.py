"""The picture's maths without rendering: colour map, contour, view mapping."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.colormap import LUT_SIZE, SEQUENTIAL_ANCHORS, DivergingColormap, SequentialColormap
from nnviz.contour import level_segments
from nnviz.formatting import significant
from nnviz.forward import grid_points
from nnviz.theme import THEMES, hex_to_rgb
from nnviz.view import Viewport, square_box_around


def test_colormap_anchors_and_midpoints() -> None:
    cmap = DivergingColormap("#000000", "#808080", "#FF0000")
    np.testing.assert_array_equal(cmap(np.array([0.0, 0.5, 1.0]))[:, :3],
                                  [[0, 0, 0], [128, 128, 128], [255, 0, 0]])  # fmt: skip
    # Entry 64 of 0..254 lies at p = 64/254, between black (p = 0) and grey (p = 1/2):
    # 128 * (64/254) / (1/2) = 64.50..., which rounds to 65. A p nearby takes the same entry.
    assert LUT_SIZE == 255
    assert list(cmap(np.array([64 / 254]))[0, :3]) == [65, 65, 65]
    assert list(cmap(np.array([64.4 / 254]))[0, :3]) == [65, 65, 65]
    assert cmap(np.array([0.3]))[0, 3] == 255
    # Values outside [0, 1] clamp.
    np.testing.assert_array_equal(cmap(np.array([-1.0, 2.0])), cmap(np.array([0.0, 1.0])))


def test_theme_mesh_colours_are_the_map_ends() -> None:
    for theme in THEMES.values():
        cmap = DivergingColormap.from_theme(theme)
        np.testing.assert_array_equal(cmap.table[0, :3], hex_to_rgb(theme.mesh_low))
        np.testing.assert_array_equal(cmap.table[LUT_SIZE - 1, :3], hex_to_rgb(theme.mesh_high))


@pytest.mark.parametrize("name", sorted(SEQUENTIAL_ANCHORS))
def test_sequential_maps_are_matplotlibs_within_a_few_levels(name: str) -> None:
    """The oracle is matplotlib's own 256-entry table (a benchmark dependency: skipped where
    it is not installed); 17 anchors interpolated in RGB stay within 12 of 255 of it
    (cividis's first sixteenth bends most)."""
    colormaps = pytest.importorskip("matplotlib").colormaps
    values = np.linspace(0.0, 1.0, LUT_SIZE)
    theirs = colormaps[name](values)[:, :3] * 255
    mine = SequentialColormap(name)(values)[:, :3].astype(float)
    assert np.abs(mine - theirs).max() <= 12
    # A part of the map: its ends are the full map's colours at start and stop.
    part = SequentialColormap(name, 0.2, 0.9)(np.array([0.0, 1.0]))[:, :3].astype(float)
    np.testing.assert_allclose(part, colormaps[name](np.array([0.2, 0.9]))[:, :3] * 255, atol=11)


@pytest.mark.parametrize("name", sorted(SEQUENTIAL_ANCHORS))
def test_sequential_maps_grow_lighter_and_end_on_their_anchors(name: str) -> None:
    """Perceptually uniform and sequential: the relative luminance (sRGB, Rec. 709 weights) of
    the anchors rises from each to the next, so low and high never share a lightness."""
    rgb = np.array([hex_to_rgb(color) for color in SEQUENTIAL_ANCHORS[name]]) / 255
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    assert np.all(np.diff(luminance) > 0)
    table = SequentialColormap(name).table
    np.testing.assert_array_equal(table[0, :3], hex_to_rgb(SEQUENTIAL_ANCHORS[name][0]))
    np.testing.assert_array_equal(table[-1, :3], hex_to_rgb(SEQUENTIAL_ANCHORS[name][-1]))


def test_sequential_map_refuses_unknown_names_and_parts() -> None:
    with pytest.raises(ValueError, match="not a sequential colour map"):
        SequentialColormap("jet")
    with pytest.raises(ValueError, match="start < stop"):
        SequentialColormap("viridis", 0.5, 0.5)
    for theme in THEMES.values():
        assert isinstance(SequentialColormap.from_theme(theme), SequentialColormap)


def test_contour_traces_a_linear_field_exactly() -> None:
    box = ((-2.0, 2.0), (-1.0, 1.0))
    points = grid_points(*box, shape=(40, 80))
    field = (points[:, 0] - 2 * points[:, 1] - 0.3).reshape(40, 80)
    segments = level_segments(field, *box, level=0.0)
    assert len(segments) > 40
    ends = segments.reshape(-1, 2)
    np.testing.assert_allclose(ends[:, 0] - 2 * ends[:, 1] - 0.3, 0, atol=1e-12)


def test_contour_of_a_circle_has_the_right_radius_and_length() -> None:
    box = ((-1.0, 1.0), (-1.0, 1.0))
    points = grid_points(*box, shape=(200, 200))
    field = np.hypot(points[:, 0], points[:, 1]).reshape(200, 200)
    segments = level_segments(field, *box, level=0.5)
    radii = np.hypot(segments[..., 0], segments[..., 1])
    np.testing.assert_allclose(radii, 0.5, atol=2e-3)
    length = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1).sum()
    assert length == pytest.approx(np.pi, rel=2e-3)


def test_contour_of_a_field_without_the_level_is_empty() -> None:
    assert level_segments(np.ones((5, 5)), (0, 1), (0, 1), 0.5).shape == (0, 2, 2)


def test_viewport_maps_box_corners_to_its_corners() -> None:
    view = Viewport((1.0, -2.0), 4.0, 2.0)
    box = ((-3.0, 3.0), (0.0, 10.0))
    mapped = view.to_screen(np.array([[-3.0, 10.0], [3.0, 10.0], [-3.0, 0.0], [3.0, 0.0]]), box)
    np.testing.assert_allclose(mapped, view.corners())
    np.testing.assert_allclose(view.to_screen(np.array([[0.0, 5.0]]), box), [[1.0, -2.0, 0.0]])


def test_square_box_holds_the_points() -> None:
    points = np.array([[0.0, 0.0], [4.0, 1.0]])
    (x0, x1), (y0, y1) = square_box_around(points, margin=0.1)
    assert x1 - x0 == pytest.approx(y1 - y0) == pytest.approx(4.8)
    assert x0 < 0 and x1 > 4 and y0 < 0 and y1 > 1


def test_axis_segments_are_the_axes_inside_the_box() -> None:
    from nnviz.view import axis_segments

    both = axis_segments(((-1.0, 2.0), (-3.0, 4.0)))
    np.testing.assert_array_equal(both, [[[0, -3], [0, 4]], [[-1, 0], [2, 0]]])
    # A box right of the y axis holds only the x axis.
    np.testing.assert_array_equal(axis_segments(((1.0, 2.0), (-1.0, 1.0))), [[[1, 0], [2, 0]]])
    assert axis_segments(((1.0, 2.0), (1.0, 2.0))).shape == (0, 2, 2)


def test_contour_of_a_circle_is_a_closed_curve_of_its_length() -> None:
    box = ((-2.0, 2.0), (-2.0, 2.0))
    points = grid_points(*box, shape=(120, 120))
    field = np.hypot(points[:, 0], points[:, 1]).reshape(120, 120)
    segments = level_segments(field, *box, level=1.3)
    ends = segments.reshape(-1, 2)
    # Every crossing lies on the circle, to the accuracy of linear interpolation in a cell.
    assert np.abs(np.hypot(ends[:, 0], ends[:, 1]) - 1.3).max() < 2e-3
    length = np.linalg.norm(segments[:, 1] - segments[:, 0], axis=1).sum()
    assert length == pytest.approx(2 * np.pi * 1.3, rel=2e-3)
    # Closed: every end point is shared by exactly two segments.
    _, counts = np.unique(np.round(ends, 9), axis=0, return_counts=True)
    assert np.all(counts == 2)


def test_contour_leaves_out_cells_with_missing_samples() -> None:
    box = ((0.0, 1.0), (0.0, 1.0))
    points = grid_points(*box, shape=(40, 40))
    field = points[:, 0].reshape(40, 40).copy()  # the line x = 0.5, top to bottom
    field[20:, :] = np.nan  # the bottom half of the image (rows 20 on) is missing
    segments = level_segments(field, *box, level=0.5)
    assert len(segments) > 5
    np.testing.assert_allclose(segments[..., 0], 0.5, atol=1e-12)
    assert segments[..., 1].min() >= 0.5 - 1 / 40


def test_significant_keeps_three_digits_of_small_and_large_numbers() -> None:
    values = (2.1614, 12.0, 0.014537, 0.001, 0.000192, 3.3712e-8, 99999.0, 123456.0, 0.0, -0.5)
    assert [significant(v) for v in values] == [
        "2.16", "12.0", "0.0145", "0.00100", "1.92e-4", "3.37e-8", "99999", "1.23e5", "0", "-0.500",
    ]  # fmt: skip
