"""The deformation scene: what its panel draws equals the maths (no rendering), and the
last frame of ``scenes/transform.py`` matches its control image (rendered)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import ValueTracker
from scipy.spatial import cKDTree

from nnviz import deform as dm
from nnviz import forward
from nnviz.config import RunConfig
from nnviz.mobjects.grid import (
    DeformationPanel,
    Polylines,
    clip_segments,
    stage_view_boxes,
    view_box_at,
)
from nnviz.mobjects.shapes import DotCloud
from nnviz.run import Run
from nnviz.stories.transform import DeformationStory
from nnviz.theme import THEMES
from nnviz.view import Viewport
from tests.frame_regression import assert_matches_control, render_last_frame

THEME = THEMES["dark"]
VIEW = Viewport((-2.0, 0.3), 5.0, 5.0)


def dot_centres(cloud: DotCloud) -> np.ndarray:
    """Centres of a cloud's dots: the mean of each circle's 16 control points."""
    return cloud.points.reshape(-1, 16, 3).mean(axis=1)


def anchors(mobject: Polylines) -> np.ndarray:
    """The end points of every straight piece of a path, shape (M, 2, 2), in scene units."""
    return mobject.points.reshape(-1, 4, 3)[:, [0, 3], :2]


def unmap(view: Viewport, points: np.ndarray, box) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Scene coordinates back to data coordinates, written independently of Viewport."""
    (x0, x1), (y0, y1) = box
    cx, cy = view.centre
    u = (points[..., 0] - (cx - view.width / 2)) / view.width
    v = (points[..., 1] - (cy - view.height / 2)) / view.height
    return np.stack([x0 + u * (x1 - x0), y0 + v * (y1 - y0)], axis=-1)


def make_panel(run: Run, s: float) -> DeformationPanel:
    return DeformationPanel(
        run.X,
        run.y,
        run.weights(run.epochs),
        run.config.activation,
        ValueTracker(s),
        VIEW,
        THEME,
        grid_count=9,
        grid_samples=40,
        mesh_resolution=40,
        boundary_resolution=80,
    )


def drawn_data(panel: DeformationPanel, s: float) -> np.ndarray:
    """The dots' centres in data units, in the order of the data."""
    box = panel.box_at(s)
    drawn = unmap(VIEW, dot_centres(panel.dots), box)
    out = np.empty_like(drawn)
    out[panel.dots.draw_order] = drawn  # the dots are drawn in a permuted order
    return out


@pytest.fixture(params=["relu", "tanh"])
def run(request: pytest.FixtureRequest, short_run: Run, short_tanh_run: Run) -> Run:
    return short_run if request.param == "relu" else short_tanh_run


# --- the maths the scene draws -----------------------------------------------------------------


def test_at_zero_the_dots_are_the_data_and_the_grid_is_straight(run: Run) -> None:
    panel = make_panel(run, 0.0)
    np.testing.assert_allclose(drawn_data(panel, 0.0), run.X, atol=1e-9)
    box = panel.box_at(0.0)
    (x0, x1), (y0, y1) = box
    ends = unmap(VIEW, anchors(panel.grid), box)
    levels = np.linspace(*panel.grid_box[0], 9), np.linspace(*panel.grid_box[1], 9)
    horizontal = np.isclose(ends[:, 0, 1], ends[:, 1, 1], atol=1e-9)
    vertical = np.isclose(ends[:, 0, 0], ends[:, 1, 0], atol=1e-9)
    assert np.all(horizontal | vertical)
    # Every piece lies on a grid line and inside the view...
    assert np.all(np.isclose(ends[horizontal, 0, 1, None], levels[1][None], atol=1e-9).any(axis=1))
    assert np.all(np.isclose(ends[vertical, 0, 0, None], levels[0][None], atol=1e-9).any(axis=1))
    assert np.all((ends[..., 0] >= x0 - 1e-9) & (ends[..., 0] <= x1 + 1e-9))
    assert np.all((ends[..., 1] >= y0 - 1e-9) & (ends[..., 1] <= y1 + 1e-9))
    # ... and the grid, larger than the view, fills it: each line inside crosses it edge to edge.
    for level in levels[1][(levels[1] > y0) & (levels[1] < y1)]:
        on_line = ends[horizontal & np.isclose(ends[:, 0, 1], level, atol=1e-9)]
        assert on_line[..., 0].min() == pytest.approx(x0) and on_line[
            ..., 0
        ].max() == pytest.approx(x1)
        lengths = np.abs(on_line[:, 1, 0] - on_line[:, 0, 0])
        assert lengths.sum() == pytest.approx(x1 - x0)


def test_at_three_the_dots_are_the_hidden_activations(run: Run) -> None:
    panel = make_panel(run, 3.0)
    weights = run.weights(run.epochs)
    hidden = forward.hidden(run.X, weights, run.config.activation)
    np.testing.assert_allclose(drawn_data(panel, 3.0), hidden, atol=1e-9)
    # Every drawn grid point that is not cut by the view's edge is the image of a grid sample.
    box = panel.box_at(3.0)
    ends = unmap(VIEW, anchors(panel.grid), box).reshape(-1, 2)
    (x0, x1), (y0, y1) = box
    inner = ends[
        (np.abs(ends[:, 0] - x0) > 1e-6)
        & (np.abs(ends[:, 0] - x1) > 1e-6)
        & (np.abs(ends[:, 1] - y0) > 1e-6)
        & (np.abs(ends[:, 1] - y1) > 1e-6)
    ]
    assert len(inner) > 100
    samples = forward.hidden(panel.lines.reshape(-1, 2), weights, run.config.activation)
    distance, _ = cKDTree(samples).query(inner)
    assert distance.max() < 1e-9


@pytest.mark.parametrize("s", [0.4, 1.0, 1.7, 2.5])
def test_between_the_ends_the_dots_follow_deform(short_tanh_run: Run, s: float) -> None:
    panel = make_panel(short_tanh_run, s)
    expected = dm.deform(short_tanh_run.X, short_tanh_run.weights(12), "tanh", s)
    np.testing.assert_allclose(drawn_data(panel, s), expected, atol=1e-9)


def test_the_view_is_square_continuous_and_holds_every_dot(run: Run) -> None:
    weights = run.weights(run.epochs)
    boxes = stage_view_boxes(run.X, weights, run.config.activation)
    previous = None
    for s in np.linspace(0.0, 3.0, 301):
        (x0, x1), (y0, y1) = view_box_at(boxes, s)
        assert x1 - x0 == pytest.approx(y1 - y0)
        moved = dm.deform(run.X, weights, run.config.activation, s)
        assert np.all((moved[:, 0] >= x0) & (moved[:, 0] <= x1))
        assert np.all((moved[:, 1] >= y0) & (moved[:, 1] <= y1))
        assert x0 <= 0 <= x1 and y0 <= 0 <= y1
        current = np.array([x0, x1, y0, y1])
        if previous is not None:
            # No jumps: a step of 0.01 in s moves the box by a small part of its size.
            assert np.abs(current - previous).max() < 0.05 * (x1 - x0)
        previous = current


def test_the_boundary_lies_on_the_output_line_at_three_and_on_p_half_at_zero(run: Run) -> None:
    weights = run.weights(run.epochs)
    activation = run.config.activation
    panel = make_panel(run, 0.0).show_boundary()
    ends = unmap(VIEW, anchors(panel.boundary), panel.box_at(0.0)).reshape(-1, 2)
    assert len(ends) > 20
    # Marching squares on an 80×80 sampling: off p = 0.5 by at most about one cell's change.
    p = forward.probabilities(ends, weights, activation)
    assert np.abs(p - 0.5).max() < 0.06

    panel.tracker.set_value(3.0)
    panel.refresh()
    box = panel.box_at(3.0)
    ends = unmap(VIEW, anchors(panel.boundary), box).reshape(-1, 2)
    assert len(ends) > 0
    w, b = weights.W2[0], weights.b2[0]
    distance = np.abs(ends @ w + b) / np.linalg.norm(w)
    assert distance.max() < 0.02 * (box[0][1] - box[0][0])


def test_clip_segments_cuts_at_the_box_edges() -> None:
    box = ((0.0, 1.0), (0.0, 1.0))
    segments = np.array(
        [
            [[0.2, 0.2], [0.8, 0.6]],  # inside: unchanged
            [[-1.0, 0.5], [2.0, 0.5]],  # through: cut at both sides
            [[0.5, 0.5], [0.5, 3.0]],  # leaving at the top
            [[2.0, 2.0], [3.0, 3.0]],  # outside: dropped
            [[-0.5, 2.0], [2.0, 2.0]],  # parallel to the top, above it: dropped
            [[-1.0, 0.0], [0.0, 1.0]],  # touching the corner (0, 1) only
        ]
    )
    clipped = clip_segments(segments, box)
    np.testing.assert_allclose(clipped[0], segments[0])
    np.testing.assert_allclose(clipped[1], [[0.0, 0.5], [1.0, 0.5]])
    np.testing.assert_allclose(clipped[2], [[0.5, 0.5], [0.5, 1.0]])
    assert len(clipped) == 4
    np.testing.assert_allclose(clipped[3], [[0.0, 1.0], [0.0, 1.0]])


def test_the_epoch_setting_picks_the_weights(short_run: Run) -> None:
    class Default(DeformationStory):
        pass

    class Early(DeformationStory):
        epoch = 5

    class Late(DeformationStory):
        epoch = 10_000

    assert Default.weights_epoch(Default.__new__(Default), short_run) == short_run.epochs
    assert Early.weights_epoch(Early.__new__(Early), short_run) == 5
    assert Late.weights_epoch(Late.__new__(Late), short_run) == short_run.epochs
    assert DeformationStory.base_config == RunConfig()


# --- the rendered scene ------------------------------------------------------------------------


@pytest.mark.render
def test_last_frame_of_the_deformation_video(tmp_path: Path) -> None:
    import importlib.util

    path = Path(__file__).parents[1] / "scenes" / "transform.py"
    spec = importlib.util.spec_from_file_location("scene_transform", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    frame = render_last_frame(module.HiddenLayerDeformation, tmp_path)
    assert_matches_control(frame, "HiddenLayerDeformation")


# --- the phase and the refusal -----------------------------------------------------------------


def test_the_story_builds_its_phase_from_its_class_attributes() -> None:
    from nnviz.stories.transform import DeformationPhase

    class Slow(DeformationStory):
        stage_seconds = (3.0, 2.0, 3.0)
        hold_seconds = 4.0
        grid_count = 11
        epoch = 7

    phase = Slow.phase(Slow.__new__(Slow))
    assert phase == DeformationPhase(
        stage_seconds=(3.0, 2.0, 3.0), hold_seconds=4.0, grid_count=11, epoch=7
    )
    with pytest.raises(AttributeError):
        phase.epoch = 3  # type: ignore[misc]


def test_a_too_wide_network_is_refused_in_one_line_before_training() -> None:
    from nnviz.stories.transform import refusal

    class Wide(DeformationStory):
        base_config = RunConfig(hidden=(8, 2))

    scene = Wide.__new__(Wide)
    scene.run_for = lambda **_: pytest.fail("trained before refusing")  # type: ignore[method-assign]
    with pytest.raises(SystemExit) as refused:
        Wide.construct(scene)
    assert str(refused.value) == (
        "nnviz: the deformation shows spaces of up to 3 dimensions; layer 1 has 8 units"
    )
    assert refusal((2, 2)) is None
    assert refusal((2, 3)) == (
        "nnviz: the deformation scene draws one hidden layer of 2 units so far "
        "(a 2-2-1 network); this one is 2-3-1"
    )
