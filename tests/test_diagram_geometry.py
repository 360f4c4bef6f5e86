"""Where the network diagram's parts go (:mod:`nnviz.mobjects.diagram.geometry`): plain numpy,
checked without Manim and without a run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnviz.mobjects.diagram.geometry import (
    DEEP_REGION,
    GRAPH_REGION,
    RING_GAP,
    SHALLOW_REGION,
    SOFTMAX_DEEP_REGION,
    SOFTMAX_LIVE_REGION,
    classic_legend_anchors,
    classic_placement,
    column_placement,
    diagram_region,
    link_ends,
    link_legend_anchor,
)

REPO = Path(__file__).resolve().parents[1]


def test_the_geometry_imports_no_manim() -> None:
    code = "import sys, nnviz.mobjects.diagram.geometry; assert 'manim' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO)


@pytest.mark.parametrize(
    ("widths", "softmax"),
    [((2, 3, 1), False), ((2, 8, 8, 1), False), ((2, 8, 2, 3), True), ((2, 4, 6), True)],
)
def test_columns_fill_their_region_without_overlap(widths: tuple[int, ...], softmax: bool) -> None:
    region = SOFTMAX_LIVE_REGION if softmax else DEEP_REGION
    (x0, x1), (y0, y1) = region
    placed = column_placement(widths, region, softmax)
    assert [len(column) for column in placed.positions] == list(widths)
    assert [len(views) for views in placed.layer_views] == list(widths[1:-1])
    for k, (column, shapes) in enumerate(zip(placed.positions, placed.shapes, strict=True)):
        ring = placed.ring_gap if k > 0 else 0.0  # the inputs have no bias
        ys = [float(p[1]) for p in column]
        assert ys == sorted(ys, reverse=True)  # top to bottom
        for point, (_, size) in zip(column, shapes, strict=True):
            outer = size + ring
            assert x0 <= point[0] - outer and point[0] + outer <= x1 + 1e-9
            assert placed.bottom - 1e-9 <= point[1] - outer
            assert point[1] + outer <= placed.top + 1e-9
        # Neighbours of a column, rings included, do not touch.
        for upper, lower, (_, size) in zip(column, column[1:], shapes, strict=False):
            assert upper[1] - lower[1] > 2 * (size + ring)
    assert placed.top < y1 and placed.bottom > y0  # room for titles and colour bars
    # A hidden neuron's heatmap is its square.
    for views, column in zip(placed.layer_views, placed.positions[1:-1], strict=True):
        for view, point in zip(views, column, strict=True):
            assert view.centre == (float(point[0]), float(point[1]))
            assert view.width == view.height == placed.side


def test_the_classic_picture_puts_each_heatmap_beside_its_neuron() -> None:
    placed = classic_placement((-3.4, 0.45), 2.75, 1.85, 1.0)
    (upper, lower), = placed.layer_views  # fmt: skip
    top, bottom = placed.positions[1]
    assert upper.centre[0] == top[0] and upper.centre[1] - 0.5 > top[1] + placed.radius
    assert lower.centre[0] == bottom[0] and lower.centre[1] + 0.5 < bottom[1] - placed.radius
    assert placed.ring_gap == RING_GAP
    (x, y), (scale_x, scale_y) = classic_legend_anchors(placed.layer_views[0])
    assert x > upper.centre[0] + upper.width / 2 and y > upper.centre[1]
    assert scale_x > lower.centre[0] + lower.width / 2 and scale_y < lower.centre[1]


def test_a_link_runs_from_a_node_s_outline_to_the_next_one_s_ring() -> None:
    start, end = np.array([0.0, 0.0, 0.0]), np.array([3.0, 1.0, 0.0])
    a, b = link_ends(start, end, ("circle", 0.3), ("circle", 0.2), 0.1)
    assert np.linalg.norm(a - start) == pytest.approx(0.3)
    assert np.linalg.norm(b - end) == pytest.approx(0.3)  # radius and ring gap
    a, b = link_ends(start, end, ("square", 0.5), ("square", 0.4), 0.1)
    assert max(abs(a[:2] - start[:2])) == pytest.approx(0.5)  # on the square's edge
    assert max(abs(b[:2] - end[:2])) == pytest.approx(0.5)
    direction = (end - start) / np.linalg.norm(end - start)
    np.testing.assert_allclose(np.cross(a - start, direction), 0.0, atol=1e-12)


def test_the_layout_gives_each_network_its_region() -> None:
    assert diagram_region(True, (2,), softmax=False) == GRAPH_REGION
    assert diagram_region(True, (3,), softmax=False) == SHALLOW_REGION
    assert diagram_region(False, (8, 8), softmax=False) == DEEP_REGION
    assert diagram_region(True, (2,), softmax=True) == SOFTMAX_LIVE_REGION
    assert diagram_region(False, (8, 2), softmax=True) == SOFTMAX_DEEP_REGION


def test_the_link_legend_goes_beside_a_diagram_that_leaves_room() -> None:
    (_, right), (bottom, top) = SHALLOW_REGION
    assert link_legend_anchor(SHALLOW_REGION, softmax=False) == (
        right + 0.35,
        (top + bottom) / 2 + 0.5,
    )
    below = (2.45, -2.55)  # below the input plane, beside the probability legend
    assert link_legend_anchor(DEEP_REGION, softmax=False) == below
    assert link_legend_anchor(SOFTMAX_LIVE_REGION, softmax=True) == below
