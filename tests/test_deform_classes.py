"""The deformation of a softmax run (k classes), checked against torch without rendering: the
regions of the last hidden space hold exactly the carried points the network gives each class,
the ties lie where the top two logits are equal, the boundary pulled back to the input plane
is where the network's top two classes tie, and the panel colours and fills by class."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from manim import Text, ValueTracker

from nnviz import deform as dm
from nnviz.deform_view import (
    last_space_regions,
    last_space_tie_planes,
    last_space_ties,
    predicted_classes,
)
from nnviz.forward import Weights
from nnviz.mobjects.grid import DeformationPanel, polyline_segments
from nnviz.stories.transform import CLASS_NOTES, NOTES, run_notes, weight_tex
from nnviz.theme import THEMES
from nnviz.view import Viewport

ACTS = {"tanh": torch.tanh, "relu": torch.relu}


def random_weights(widths: tuple[int, ...], seed: int, scale: float = 1.5) -> Weights:
    """Weights of a network with layer widths ``widths`` (inputs to outputs), N(0, scale²)."""
    rng = np.random.default_rng(seed)
    arrays: list[np.ndarray] = []
    for fan_in, fan_out in itertools.pairwise(widths):
        arrays += [scale * rng.normal(size=(fan_out, fan_in)), rng.normal(size=fan_out)]
    return Weights(*arrays)


def torch_forward(X: np.ndarray, weights: Weights, activation: str) -> tuple[np.ndarray, ...]:
    """The last hidden layer's activations and the output logits, computed by torch."""
    h = torch.tensor(X, dtype=torch.float64)
    for W, b in zip(weights.W[:-1], weights.b[:-1], strict=True):
        h = ACTS[activation](h @ torch.tensor(W).T + torch.tensor(b))
    z = h @ torch.tensor(weights.W[-1]).T + torch.tensor(weights.b[-1])
    return h.numpy(), z.numpy()


def inside_convex(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Whether each point lies in the counter-clockwise convex ``polygon`` (a hand test: on
    the left of every edge, up to rounding)."""
    edges = np.roll(polygon, -1, axis=0) - polygon
    rel = points[:, None, :] - polygon[None, :, :]
    cross = edges[None, :, 0] * rel[..., 1] - edges[None, :, 1] * rel[..., 0]
    return np.all(cross >= -1e-9, axis=1)


def top_two_gap(z: np.ndarray) -> np.ndarray:
    """The largest logit minus the second largest, per point."""
    s = np.sort(z, axis=-1)
    return s[:, -1] - s[:, -2]


POINTS = np.random.default_rng(7).uniform(-3.0, 3.0, size=(3000, 2))


def box_around(h: np.ndarray, margin: float = 0.1) -> tuple[tuple[float, float], ...]:
    low, high = h.min(axis=0) - margin, h.max(axis=0) + margin
    return tuple((float(a), float(b)) for a, b in zip(low, high, strict=True))


# --- the regions hold exactly the points the network gives each class ---------------------------


@pytest.mark.parametrize("classes", [3, 4, 6])
@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_regions_of_a_plane_hold_the_points_of_their_class(classes: int, activation: str) -> None:
    weights = random_weights((2, 3, 2, classes), seed=classes)
    h, z = torch_forward(POINTS, weights, activation)
    box = box_around(h)
    cells = last_space_regions(weights, "softmax", box)
    assert len({cell.label for cell in cells}) == len(cells) >= 1
    oracle = np.argmax(z, axis=1)
    clear = top_two_gap(z) > 1e-7  # a point on a tie may sit on either cell's edge
    found = np.full(len(h), -1)
    for cell in cells:
        inside = inside_convex(h, cell.polygon)
        assert np.all(found[inside & clear] == -1), "cells overlap away from their edges"
        found[inside & clear] = cell.label
    np.testing.assert_array_equal(found[clear], oracle[clear])
    # The cells tile the box: their areas add up to its area.
    (x0, x1), (y0, y1) = box
    areas = []
    for cell in cells:
        p, q = cell.polygon, np.roll(cell.polygon, -1, axis=0)
        areas.append(0.5 * abs(float(np.sum(p[:, 0] * q[:, 1] - p[:, 1] * q[:, 0]))))
    assert sum(areas) == pytest.approx((x1 - x0) * (y1 - y0), rel=1e-9)


def test_strips_of_a_line_hold_the_points_of_their_class() -> None:
    weights = random_weights((2, 2, 1, 4), seed=11, scale=2.5)
    h, z = torch_forward(POINTS, weights, "tanh")
    box = ((float(h.min()) - 0.1, float(h.max()) + 0.1), (-1.0, 1.0))
    cells = last_space_regions(weights, "softmax", box)
    on_line = np.column_stack([h[:, 0], np.zeros(len(h))])  # a 1-unit layer on the first axis
    oracle = np.argmax(z, axis=1)
    clear = top_two_gap(z) > 1e-7
    found = np.full(len(h), -1)
    for cell in cells:
        found[inside_convex(on_line, cell.polygon) & clear] = cell.label
        # Strips: the full height of the box.
        assert cell.polygon[:, 1].min() == -1.0 and cell.polygon[:, 1].max() == 1.0
    np.testing.assert_array_equal(found[clear], oracle[clear])


def test_two_classes_of_one_sigmoid_unit_are_the_sides_of_its_line() -> None:
    weights = random_weights((2, 2, 1), seed=3)
    h, z = torch_forward(POINTS, weights, "tanh")
    cells = last_space_regions(weights, "sigmoid", box_around(h))
    assert [cell.label for cell in cells] == [0, 1]
    positive = z[:, 0] > 1e-9
    negative = z[:, 0] < -1e-9
    assert np.all(inside_convex(h[positive], cells[1].polygon))
    assert np.all(inside_convex(h[negative], cells[0].polygon))
    # The one tie is the output's line w·h + b = 0.
    (tie,) = last_space_ties(weights, "sigmoid", box_around(h))
    np.testing.assert_allclose(tie @ weights.W[-1][0] + weights.b[-1][0], 0.0, atol=1e-12)


@pytest.mark.parametrize("widths", [(2, 3, 2, 4), (2, 2, 1, 3)])
def test_ties_lie_where_the_top_two_scores_are_equal(widths: tuple[int, ...]) -> None:
    weights = random_weights(widths, seed=5, scale=2.0)
    h, _ = torch_forward(POINTS, weights, "tanh")
    width = widths[-2]
    box = box_around(h) if width == 2 else ((float(h.min()), float(h.max())), (-1.0, 1.0))
    ties = last_space_ties(weights, "softmax", box)
    assert ties.shape[1:] == (2, 2) and len(ties) >= 1
    ends = ties.reshape(-1, 2)[:, :width]
    W, b = torch.tensor(weights.W[-1]), torch.tensor(weights.b[-1])
    scores = (torch.tensor(ends) @ W.T + b).numpy()
    np.testing.assert_allclose(top_two_gap(scores), 0.0, atol=1e-9)


def test_tie_planes_of_a_3_unit_layer_lie_where_the_top_two_scores_are_equal() -> None:
    weights = random_weights((2, 3, 4), seed=2, scale=2.0)
    h, _ = torch_forward(POINTS, weights, "tanh")
    cube = box_around(h, 0.0)
    polygons = last_space_tie_planes(weights, "softmax", cube)
    assert len(polygons) >= 2
    W, b = torch.tensor(weights.W[-1]), torch.tensor(weights.b[-1])
    for polygon in polygons:
        assert polygon.shape[1] == 3 and len(polygon) >= 3
        scores = (torch.tensor(polygon) @ W.T + b).numpy()
        np.testing.assert_allclose(top_two_gap(scores), 0.0, atol=1e-9)
        low = np.array([c[0] for c in cube])
        high = np.array([c[1] for c in cube])
        assert np.all((polygon >= low - 1e-9) & (polygon <= high + 1e-9))


def test_predicted_classes_are_torchs_argmax() -> None:
    weights = random_weights((2, 3, 3, 5), seed=9)
    _, z = torch_forward(POINTS, weights, "relu")
    np.testing.assert_array_equal(
        predicted_classes(POINTS, weights, "relu", "softmax"), np.argmax(z, axis=1)
    )
    sigmoid = random_weights((2, 2, 1), seed=9)
    _, z1 = torch_forward(POINTS, sigmoid, "relu")
    np.testing.assert_array_equal(
        predicted_classes(POINTS, sigmoid, "relu", "sigmoid"), (z1[:, 0] > 0).astype(int)
    )


def test_the_pulled_back_boundary_of_k_classes_is_where_the_top_two_tie() -> None:
    weights = random_weights((2, 3, 2, 3), seed=4)
    box = ((-2.0, 2.0), (-2.0, 2.0))
    resolution = 120
    segments = dm.pull_back_boundary(weights, "tanh", box, resolution, output="softmax")
    assert segments.shape[1:] == (2, 2) and len(segments) > 20
    ends = segments.reshape(-1, 2)
    _, z = torch_forward(ends, weights, "tanh")
    # Each logit changes by at most |∇z| · pixel between an end and the samples around it.
    bound = 0.0
    gain = np.linalg.norm(weights.W[0], 2) * np.linalg.norm(weights.W[1], 2)
    for row in weights.W[-1]:
        bound = max(bound, 2 * float(np.linalg.norm(row)) * gain)
    pixel = 4.0 / resolution
    assert np.max(top_two_gap(z)) <= bound * pixel
    assert np.median(top_two_gap(z)) < 0.05 * bound * pixel


# --- the panel draws by class --------------------------------------------------------------------

VIEW = Viewport((-2.0, 0.3), 5.0, 5.0)


def softmax_panel(widths: tuple[int, ...], s: float) -> tuple[DeformationPanel, Weights]:
    weights = random_weights(widths, seed=1)
    X = np.random.default_rng(0).normal(size=(60, 2))
    y = np.argmax(torch_forward(X, weights, "tanh")[1], axis=1)
    panel = DeformationPanel(X, y, weights, "tanh", ValueTracker(s), VIEW, THEMES["dark"],
                             grid_count=7, grid_samples=20, mesh_resolution=30,
                             boundary_resolution=40, output="softmax",
                             feature_names=("petal length", "petal width"))  # fmt: skip
    return panel, weights


def test_the_grid_is_coloured_by_the_class_of_its_pieces() -> None:
    panel, weights = softmax_panel((2, 2, 3), 0.0)
    assert len(panel.class_grids) == 3
    middles = polyline_segments(panel.lines).mean(axis=1)
    oracle = np.argmax(torch_forward(middles, weights, "tanh")[1], axis=1)
    np.testing.assert_array_equal(panel._piece_classes, oracle)
    # Each class that has pieces of grid draws them in its own path, in its colour.
    for c, part in enumerate(panel.class_grids):
        assert (len(part.points) > 0) == bool(np.any(oracle == c))
        np.testing.assert_allclose(part.get_stroke_color().to_rgb(), panel.dots.class_rgb[c])
    assert len(panel.grid.points) == 0  # the grey grid of one sigmoid unit stays empty


def test_the_last_space_is_filled_by_the_classes_regions() -> None:
    panel, weights = softmax_panel((2, 2, 3), 3.0)
    panel.paint_hidden_probability()
    fill, line = panel.hidden_output()
    assert fill is panel.regions and line is panel.output_line
    box = panel.box_at(3.0)
    cells = {cell.label for cell in last_space_regions(weights, "softmax", box)}
    for c, region in enumerate(panel.regions):
        assert (len(region.points) > 0) == (c in cells)
    assert len(panel.output_line.points) > 0
    # The axes are named by the data's columns.
    names = [m for m in panel.axis_names if isinstance(m, Text)]
    assert [m.text.replace(" ", "") for m in names] == ["petallength→h₁", "petalwidth→h₂"]


def test_a_3_unit_last_layer_draws_its_tie_planes_as_they_fade_in() -> None:
    panel, _ = softmax_panel((2, 3, 3), 3.0)
    assert len(panel.tie_planes) == 3
    assert all(len(p.points) == 0 for p in panel.tie_planes)
    panel.plane_fade.set_value(1.0)
    panel.refresh()
    assert any(len(p.points) > 0 for p in panel.tie_planes)
    assert len(panel.output_plane.points) == 0  # no single output plane for k classes


# --- texts -------------------------------------------------------------------------------------


def test_the_story_draws_softmax_runs_and_its_notes_ask_the_head() -> None:
    assert run_notes("sigmoid", 2) == NOTES[2]
    assert run_notes("softmax", 2) == CLASS_NOTES[2]
    assert run_notes("softmax", 3) == CLASS_NOTES[3]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.4537, "1.45"),
        (-2.1, "-2.10"),
        (0.12, "0.12"),
        (0.0, "0.00"),
        (-0.0, "0.00"),
        (0.004, "0.0040"),
        (-0.0412, "-0.041"),
        (0.0996, "0.10"),
        (0.00012, "0.00012"),
        (-3.3e-5, r"-3.3\cdot10^{-5}"),
    ],
)
def test_weights_show_two_decimals_or_two_significant_figures(value: float, text: str) -> None:
    assert weight_tex(value) == text
