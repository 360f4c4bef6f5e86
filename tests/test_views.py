"""A view for every hidden layer: the projection maths by hand, the drawn points against torch."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from manim import ValueTracker

from nnviz.config import RunConfig
from nnviz.mobjects.context import PanelContext
from nnviz.mobjects.panels import HiddenSpacePanel
from nnviz.mobjects.views import (
    VIEWS,
    NumberLinePanel,
    OrbitPanel,
    ProjectionPanel,
    layer_view,
    view_name,
)
from nnviz.projection import PCAProjection, orbit_rotation, plane_in_cube, project_orbit
from nnviz.run import Run
from nnviz.theme import THEMES
from nnviz.train import train
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

THEME = THEMES["dark"]
VIEW = Viewport((0.0, 0.0), 4.0, 4.0)
TORCH = {"relu": torch.relu, "tanh": torch.tanh}


def torch_hidden(run: Run, weights, layer: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Hidden layer ``layer``'s activations of the data, written with torch."""
    h = torch.from_numpy(run.X)
    for k in range(layer):
        h = h @ torch.from_numpy(weights.W[k]).T + torch.from_numpy(weights.b[k])
        h = TORCH[run.config.activations[k]](h)
    return h.numpy()


def drawn(panel) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The dots' centres in scene units, in the data's order."""
    centres = panel.dots.points.reshape(-1, 16, 3).mean(axis=1)[:, :2]
    out = np.empty_like(centres)
    out[panel.dots.draw_order] = centres
    return out


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    base = RunConfig(max_epochs=6, target_loss=0.0, lr=0.05)
    return {
        "one": train(base.replace(hidden=(1,), activation="tanh")),
        "three": train(base.replace(dataset="circles", hidden=(3,), activation="tanh")),
        "wide": train(base.replace(hidden=(6,), activation="relu")),
        "deep": train(base.replace(dataset="spiral", hidden=(4, 2), activation=("relu", "tanh"))),
        "three_then_two": train(base.replace(dataset="circles", hidden=(3, 2), activation="tanh")),
    }


def test_pca_finds_the_axes_a_covariance_oracle_gives() -> None:
    rng = np.random.default_rng(0)
    # Variance 9 along (1, 1, 0)/√2, 1 along (1, -1, 0)/√2, 0.01 along z.
    axes = np.array([[1, 1, 0], [1, -1, 0], [0, 0, 1]]) / np.array([[2**0.5], [2**0.5], [1]])
    points = (rng.normal(size=(20000, 3)) * [3.0, 1.0, 0.1]) @ axes + [5.0, -2.0, 1.0]
    pca = PCAProjection.fit(points)
    values, vectors = np.linalg.eigh(np.cov(points.T))
    order = np.argsort(values)[::-1]
    for k in range(2):
        assert abs(abs(pca.basis[:, k] @ vectors[:, order[k]]) - 1) < 1e-9
    np.testing.assert_allclose(pca.explained, values[order[:2]] / values.sum(), rtol=1e-9)
    np.testing.assert_allclose(pca.mean, points.mean(axis=0))
    # Signs are fixed: each axis's largest coordinate is positive.
    for k in range(2):
        assert pca.basis[np.argmax(np.abs(pca.basis[:, k])), k] > 0


def test_orbit_rotation_is_a_rotation_and_looks_from_where_it_says() -> None:
    R = orbit_rotation(math.radians(30), math.radians(20))
    np.testing.assert_allclose(R @ R.T, np.eye(3), atol=1e-12)
    assert np.linalg.det(R) == pytest.approx(1.0)
    # Azimuth 0, elevation 0: the camera looks along +y; x is right, z is up.
    R0 = orbit_rotation(0.0, 0.0)
    np.testing.assert_allclose(R0, [[1, 0, 0], [0, 0, 1], [0, -1, 0]], atol=1e-12)
    cube = ((0.0, 2.0), (0.0, 2.0), (-1.0, 1.0))
    screen, depth = project_orbit(np.array([[2.0, 1.0, 0.5]]), cube, R0)
    # Scaled to [-1, 1]^3 about the centre (1, 1, 0): (1, 0, 0.5) -> right 1, up 0.5, depth 0.
    np.testing.assert_allclose(screen, [[1.0, 0.5]])
    np.testing.assert_allclose(depth, [0.0])


def test_a_plane_cuts_a_cube_in_the_polygon_it_should() -> None:
    cube = ((-1.0, 1.0), (-1.0, 1.0), (-1.0, 1.0))
    square = plane_in_cube(np.array([0.0, 0.0, 1.0]), 0.0, cube)
    assert len(square) == 4
    np.testing.assert_allclose(np.sort(np.abs(square[:, :2]).ravel()), 1.0)
    triangle = plane_in_cube(np.array([1.0, 1.0, 1.0]), -2.5, cube)
    assert len(triangle) == 3
    hexagon = plane_in_cube(np.array([1.0, 1.0, 1.0]), 0.0, cube)
    assert len(hexagon) == 6
    for polygon, (normal, offset) in ((triangle, ([1, 1, 1], -2.5)), (hexagon, ([1, 1, 1], 0))):
        np.testing.assert_allclose(polygon @ np.array(normal, float) + offset, 0.0, atol=1e-12)
        assert np.all(np.isclose(np.abs(polygon), 1.0).any(axis=1))  # on the cube's surface
        # In order around the polygon: consecutive edges turn the same way.
        edges = np.roll(polygon, -1, axis=0) - polygon
        turns = np.cross(edges, np.roll(edges, -1, axis=0)) @ np.array(normal, float)
        assert np.all(turns > 0) or np.all(turns < 0)
    assert len(plane_in_cube(np.array([0.0, 0.0, 1.0]), 5.0, cube)) == 0
    assert len(plane_in_cube(np.zeros(3), 1.0, cube)) == 0


def test_views_are_chosen_by_width() -> None:
    covered = [w for low, high, _, _ in VIEWS for w in range(low, high + 1)]
    assert covered == list(range(1, 9))
    assert [view_name(w) for w in (1, 2, 3, 4, 8)] == [
        "number line", "plane", "3-D orbit", "PCA projection", "PCA projection"
    ]  # fmt: skip
    with pytest.raises(ValueError, match="9 units"):
        view_name(9)


def test_number_line_dots_sit_at_the_unit_and_classes_apart(runs: dict[str, Run]) -> None:
    run = runs["one"]
    trajectory = Trajectory(run)
    panel = layer_view(
        PanelContext(trajectory, ValueTracker(3.5), THEME, VIEW), 1, mesh_resolution=40
    )
    assert isinstance(panel, NumberLinePanel)
    h = torch_hidden(run, trajectory.weights_at(3.5), 1)[:, 0]
    (x0, x1), _ = trajectory.view_box(panel.space, 3.5)
    centres = drawn(panel)
    np.testing.assert_allclose(x0 + (centres[:, 0] + 2) / 4 * (x1 - x0), h, atol=1e-9)
    # Class 1 above the middle, class 0 below: same values never hide the other class.
    assert np.all(centres[run.y == 1, 1] > 0) and np.all(centres[run.y == 0, 1] < 0)
    # The 0.5 lines: the network's output at those values of h is 0.5.
    w = trajectory.weights_at(3.5)
    ends = panel.boundary.points.reshape(-1, 4, 3)[:, [0, 3], 0].ravel()
    values = x0 + (ends + 2) / 4 * (x1 - x0)
    p = 1 / (1 + np.exp(-(values * w.W[-1][0, 0] + w.b[-1][0])))
    if len(values):
        assert np.abs(p - 0.5).max() < 0.02


def test_projection_view_draws_the_fixed_projection_of_the_activations(
    runs: dict[str, Run],
) -> None:
    run = runs["wide"]
    trajectory = Trajectory(run)
    clock = ValueTracker(0.0)
    panel = layer_view(PanelContext(trajectory, clock, THEME, VIEW), 1, mesh_resolution=20)
    assert isinstance(panel, ProjectionPanel)
    basis = panel.projection.basis.copy()
    # The basis: principal axes of every logged epoch's activations, refitted here by hand.
    samples = np.concatenate([torch_hidden(run, run.weights(e), 1) for e in range(run.epochs + 1)])
    _, _, vt = np.linalg.svd(samples - samples.mean(axis=0), full_matrices=False)
    for k in range(2):
        assert abs(abs(vt[k] @ basis[:, k]) - 1) < 1e-9
    for t in (0.0, 2.5, 6.0):
        clock.set_value(t)
        panel.refresh()
        np.testing.assert_array_equal(panel.projection.basis, basis)  # never refitted
        expected = (torch_hidden(run, trajectory.weights_at(t), 1) - panel.projection.mean) @ basis
        cube = trajectory.view_cube(panel.space, t, dims=2, projection=panel.projection,
                                    key=("pca", 1))  # fmt: skip
        (x0, x1), (y0, y1) = cube
        centres = drawn(panel)
        data = np.column_stack([x0 + (centres[:, 0] + 2) / 4 * (x1 - x0),
                                y0 + (centres[:, 1] + 2) / 4 * (y1 - y0)])  # fmt: skip
        np.testing.assert_allclose(data, expected, atol=1e-9)
    assert len(panel.boundary.points) == 0  # no boundary claimed


def test_orbit_view_is_an_orthographic_projection_of_the_activations(
    runs: dict[str, Run],
) -> None:
    run = runs["three"]
    trajectory = Trajectory(run)
    clock = ValueTracker(2.0)
    panel = layer_view(PanelContext(trajectory, clock, THEME, VIEW), 1, mesh_resolution=20)
    assert isinstance(panel, OrbitPanel)
    h = torch_hidden(run, trajectory.weights_at(2.0), 1)
    centres = drawn(panel)
    # Screen = A h + c for a 2x3 A whose rows are orthogonal and equally long.
    design = np.column_stack([h, np.ones(len(h))])
    solution, *_ = np.linalg.lstsq(design, centres, rcond=None)
    assert np.abs(design @ solution - centres).max() < 1e-9
    A = solution[:3].T
    assert abs(A[0] @ A[1]) < 1e-9 * np.abs(A).max() ** 2
    assert np.linalg.norm(A[0]) == pytest.approx(np.linalg.norm(A[1]), rel=1e-9)
    # The last hidden layer: the output's plane is drawn.
    assert len(panel.plane.points)
    # The view turns with the video's time, not with the data: same epoch, new projection.
    panel.start()
    panel.update(0.5)
    solution_later, *_ = np.linalg.lstsq(design, drawn(panel), rcond=None)
    assert not np.allclose(solution_later[:3], solution[:3])
    assert np.abs(design @ solution_later - drawn(panel)).max() < 1e-9


def test_a_plane_view_of_a_deep_network_shows_its_own_layer(runs: dict[str, Run]) -> None:
    run = runs["deep"]
    trajectory = Trajectory(run)
    panel = layer_view(
        PanelContext(trajectory, ValueTracker(4.0), THEME, VIEW), 2, mesh_resolution=30
    )
    assert isinstance(panel, HiddenSpacePanel) and panel.last_layer
    h = torch_hidden(run, trajectory.weights_at(4.0), 2)
    (x0, x1), (y0, y1) = trajectory.view_box(panel.space, 4.0)
    centres = drawn(panel)
    data = np.column_stack([x0 + (centres[:, 0] + 2) / 4 * (x1 - x0),
                            y0 + (centres[:, 1] + 2) / 4 * (y1 - y0)])  # fmt: skip
    np.testing.assert_allclose(data, h, atol=1e-9)
    first = layer_view(
        PanelContext(trajectory, ValueTracker(4.0), THEME, VIEW), 1, mesh_resolution=20
    )
    assert isinstance(first, ProjectionPanel)


def test_an_earlier_three_unit_layer_is_coloured_by_the_output(runs: dict[str, Run]) -> None:
    """No plane can be drawn for an earlier layer: its points take the output's colour, the
    classes' colours mixed by P(class 1), computed here with torch."""
    run = runs["three_then_two"]
    trajectory = Trajectory(run)
    panel = layer_view(
        PanelContext(trajectory, ValueTracker(3.5), THEME, VIEW), 1, mesh_resolution=20
    )
    assert isinstance(panel, OrbitPanel) and not panel.last_layer
    assert len(panel.plane.points) == 0
    weights = trajectory.weights_at(3.5)
    h = torch.from_numpy(torch_hidden(run, weights, 2))
    logits = h @ torch.from_numpy(weights.W[-1][0]) + float(weights.b[-1][0])
    p = torch.sigmoid(logits).numpy()
    class0, class1 = (
        np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) / 255 for c in THEME.class_colors
    )
    expected = np.outer(1 - p, class0) + np.outer(p, class1)
    np.testing.assert_allclose(panel.dots.draw_rgb, expected[panel.dots.draw_order], atol=1e-6)
    assert np.ptp(p) > 0.01, "the points should not all have one probability"
    # The last hidden layer keeps the class colours.
    last = layer_view(PanelContext(Trajectory(runs["three"]), ValueTracker(2.0), THEME, VIEW), 1,
                      mesh_resolution=20)  # fmt: skip
    labels = runs["three"].y.astype(int)[last.dots.draw_order]
    np.testing.assert_allclose(last.dots.draw_rgb, last.dots.class_rgb[labels])


def test_narrow_panels_keep_the_meshes_pixels_per_unit() -> None:
    from nnviz.mobjects.layout import TrainingLayout, scaled_mesh_resolution

    assert scaled_mesh_resolution(180, TrainingLayout.PANEL) == 180
    assert scaled_mesh_resolution(180, 2 * TrainingLayout.PANEL) == 180  # never more
    assert scaled_mesh_resolution(180, TrainingLayout.PANEL / 2) == 90
    assert scaled_mesh_resolution(180, 3.7) == 151  # 180 * 3.7 / 4.4 = 151.4
    assert scaled_mesh_resolution(20, 0.5) == 16
