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
from nnviz.deform_view import PlaneCamera, stage_end_points
from nnviz.mobjects.grid import DeformationPanel, Polylines, clip_segments
from nnviz.mobjects.shapes import DotCloud
from nnviz.run import Run
from nnviz.stories.transform import DeformationStory
from nnviz.theme import THEMES
from nnviz.view import Viewport
from tests.frame_regression import assert_matches_control, render_last_frame
from tests.story_probe import phases_played, refusal_before_training

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
    camera = PlaneCamera.around(stage_end_points(run.X, weights, run.config.activation, 2))
    previous = None
    for s in np.linspace(0.0, 3.0, 301):
        (x0, x1), (y0, y1) = camera.box_at(s)
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
    from nnviz.stories.transform import DeformationPhase

    class Default(DeformationStory):
        pass

    class Early(DeformationStory):
        deformation = DeformationPhase(epoch=5)

    class Late(DeformationStory):
        deformation = DeformationPhase(epoch=10_000)

    assert Default.deformation.weights_epoch(short_run) == short_run.epochs
    assert Early.deformation.weights_epoch(short_run) == 5
    assert Late.deformation.weights_epoch(short_run) == short_run.epochs
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


def test_the_story_plays_each_run_with_its_phase(short_run: Run) -> None:
    from nnviz.stories.transform import DeformationPhase

    class Slow(DeformationStory):
        activations = ("tanh",)
        deformation = DeformationPhase(stage_seconds=(3.0, 2.0, 3.0), hold_seconds=4.0,
                                       grid_count=11, epoch=7)  # fmt: skip

    assert phases_played(Slow, DeformationPhase, short_run) == [
        DeformationPhase(stage_seconds=(3.0, 2.0, 3.0), hold_seconds=4.0, grid_count=11, epoch=7)
    ]
    with pytest.raises(AttributeError):
        Slow.deformation.epoch = 3  # type: ignore[misc]


def test_a_too_wide_network_is_refused_in_one_line_before_training() -> None:
    from nnviz.stories.transform import refusal

    class Wide(DeformationStory):
        base_config = RunConfig(hidden=(8, 2))

    assert refusal_before_training(Wide) == (
        "nnviz: the deformation shows spaces of up to 3 dimensions; layer 1 has 8 units"
    )
    assert refusal((2, 2)) is None
    assert refusal((2, 3)) is None
    assert refusal((2, 1, 3, 2)) is None
    assert refusal((2, 3, 4)) == (
        "nnviz: the deformation shows spaces of up to 3 dimensions; layer 2 has 4 units"
    )


# --- other networks: several layers, a 1-unit line, a 3-unit space ----------------------------


def general_panel(widths: tuple[int, ...], s: float, seed: int = 0) -> DeformationPanel:
    from tests.test_deform_view import POINTS, random_weights

    weights = random_weights(widths, seed)
    labels = (POINTS[:, 0] > 0).astype(int)
    return DeformationPanel(
        POINTS, labels, weights, "tanh", ValueTracker(s), VIEW, THEME,
        grid_count=7, grid_samples=20, mesh_resolution=20, boundary_resolution=40,
    )  # fmt: skip


def drawn_view(panel: DeformationPanel, s: float) -> np.ndarray:
    """The dots' centres in the camera's view coordinates, in the order of the data."""
    drawn = unmap(VIEW, dot_centres(panel.dots), panel.box_at(s))
    out = np.empty_like(drawn)
    out[panel.dots.draw_order] = drawn
    return out


@pytest.mark.parametrize("widths", [(2, 2, 2, 1), (2, 1, 1), (2, 2, 1, 1)])
def test_every_layer_of_a_plane_network_is_drawn_at_its_stage_end(widths: tuple[int, ...]) -> None:
    from tests.test_deform_view import POINTS, torch_hidden

    panel = general_panel(widths, 0.0)
    hidden = torch_hidden(POINTS, panel.weights, "tanh")
    assert panel.dimensions == 2
    for layer, h in enumerate(hidden, start=1):
        s = 3.0 * layer
        panel.tracker.set_value(s)
        panel.refresh()
        expected = np.hstack([h, np.zeros((len(h), 2 - h.shape[1]))])  # a line lies on h₁
        np.testing.assert_allclose(drawn_view(panel, s), expected, atol=1e-9)


def test_a_three_unit_layer_is_drawn_in_3d_back_to_front() -> None:
    from tests.test_deform_view import POINTS, torch_hidden

    panel = general_panel((2, 3, 2, 1), 3.0, seed=4)
    assert panel.dimensions == 3
    panel.advance(1.3)  # the camera has rocked a little
    h = torch_hidden(POINTS, panel.weights, "tanh")
    rotation = panel.camera.rotation(3.0)
    np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
    np.testing.assert_allclose(drawn_view(panel, 3.0), h[0] @ rotation[:2].T, atol=1e-9)
    depth_in_drawing_order = (h[0] @ rotation[2])[panel.dots.draw_order]
    assert np.all(np.diff(depth_in_drawing_order) >= 0)  # far ones first
    # Flattened onto the last 2-unit layer, the camera looks straight down again.
    panel.tracker.set_value(6.0)
    panel.refresh()
    np.testing.assert_allclose(drawn_view(panel, 6.0), h[1], atol=1e-9)


def test_the_output_plane_lies_in_the_view_and_on_w_h_plus_b() -> None:
    panel = general_panel((2, 3, 1), 3.0, seed=2)
    assert len(panel.output_plane.points) == 0  # not yet faded in
    panel.plane_fade.set_value(1.0)
    panel.refresh()
    corners = np.asarray(panel.output_plane.get_anchors())[:, :2]
    assert len(corners) >= 3
    (cx, cy), half = VIEW.centre, VIEW.width / 2
    assert np.all(np.abs(corners - [cx, cy]) <= half + 1e-9)
    # Corners strictly inside the view are the camera's view of points on the plane: lift each
    # back along the viewing direction onto w·h + b = 0 and check it is inside the points' box.
    rotation = panel.camera.rotation(3.0)
    w, b = panel.weights.W[-1][0], float(panel.weights.b[-1][0])
    view = unmap(VIEW, corners, panel.box_at(3.0))
    inner = view[np.all(np.abs(corners - [cx, cy]) < half - 1e-6, axis=1)]
    assert len(inner) >= 3
    data = dm.deform(panel.X, panel.weights, "tanh", 3.0)
    towards = rotation[2]
    for u, v in inner:
        on_screen = u * rotation[0] + v * rotation[1]  # depth 0 along the viewing direction
        depth = -(w @ on_screen + b) / (w @ towards)
        point = on_screen + depth * towards
        assert w @ point + b == pytest.approx(0.0, abs=1e-9)
        assert np.all(point >= data.min(axis=0) - 1e-6) and np.all(point <= data.max(axis=0) + 1e-6)


def test_the_range_of_a_bounded_layer_is_its_cube() -> None:
    panel = general_panel((2, 3, 1), 3.0, seed=2).show_range(1)
    ends = panel.range_square.points.reshape(-1, 4, 3)[:, [0, 3], :2]
    assert len(ends) >= 9  # most of the cube's 12 edges are in the view
    panel.show_range(None)
    assert len(panel.range_square.points) == 0


def test_stage_formulas_say_how_a_change_of_width_embeds() -> None:
    from nnviz.deform import STAGE_FORMULAS, stage_formulas

    assert STAGE_FORMULAS == (
        r"x \;\mapsto\; (1-t)\,x + t\,W_{1} x",
        r"W_{1} x \;\mapsto\; W_{1} x + t\,b_{1}",
        r"z \;\mapsto\; (1-t)\,z + t\,a(z)",
    )
    formulas = stage_formulas((2, 3, 2))
    assert len(formulas) == 6
    assert formulas[0] == r"(x, 0) \;\mapsto\; (1-t)\,(x, 0) + t\,W_{1} x"
    assert formulas[3] == r"h_{1} \;\mapsto\; (1-t)\,h_{1} + t\,(W_{2} h_{1}, 0)"
    assert formulas[5] == r"z \;\mapsto\; (1-t)\,z + t\,a_{2}(z)"
