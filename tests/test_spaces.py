"""The spaces the data passes through (input, affine output, activation) and the blog's
three panels: positions and colours against torch, the carried grid against a hand-written
inverse map."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from manim import ValueTracker

from nnviz import forward
from nnviz.colormap import DivergingColormap
from nnviz.forward import HIDDEN, HIDDEN_AFFINE, INPUT, Space, Weights
from nnviz.mobjects.context import BlockContext, PanelContext
from nnviz.mobjects.layout import PANEL_BUILDERS, TrainingLayout
from nnviz.mobjects.panels import HiddenSpacePanel, input_box
from nnviz.run import Run
from nnviz.theme import THEMES
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport, soft_coverage

THEME = THEMES["dark"]
VIEW = Viewport((0.0, 0.0), 4.0, 4.0)
TORCH = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid}


def layers(w: Weights) -> tuple[torch.nn.Linear, torch.nn.Linear]:
    first, last = torch.nn.Linear(2, 2).double(), torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        first.weight.copy_(torch.from_numpy(w.W1))
        first.bias.copy_(torch.from_numpy(w.b1))
        last.weight.copy_(torch.from_numpy(w.W2))
        last.bias.copy_(torch.from_numpy(w.b2))
    return first, last


def random_weights(seed: int) -> Weights:
    rng = np.random.default_rng(seed)
    return Weights(rng.normal(0, 2, (2, 2)), rng.normal(0, 1, 2), rng.normal(0, 2, (1, 2)),
                   rng.normal(0, 1, 1))  # fmt: skip


@pytest.mark.parametrize("activation", list(TORCH))
def test_points_and_field_of_every_space_match_torch(activation: str) -> None:
    w = random_weights(3)
    first, last = layers(w)
    act = TORCH[activation]
    X = np.random.default_rng(4).normal(0, 2, (200, 2))
    with torch.no_grad():
        x = torch.from_numpy(X)
        z = first(x)
        h = act(z)
        p = torch.sigmoid(last(h))[:, 0]
    np.testing.assert_array_equal(forward.to_space(X, w, activation, INPUT), X)
    np.testing.assert_allclose(forward.to_space(X, w, activation, HIDDEN_AFFINE), z.numpy())
    np.testing.assert_allclose(forward.to_space(X, w, activation, HIDDEN), h.numpy())
    # The rest of the network from every space gives the network's own probability.
    for space, points in ((INPUT, X), (HIDDEN_AFFINE, z.numpy()), (HIDDEN, h.numpy())):
        np.testing.assert_allclose(
            forward.rest_probability(points, w, activation, space), p.numpy(), rtol=1e-12
        )


def test_spaces_are_checked() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        Space(1, "logit")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="1 hidden layer, not 2"):
        forward.to_space(np.zeros((1, 2)), random_weights(0), "relu", Space(2))


def test_coverage_marks_the_pixels_points_fall_in() -> None:
    box = ((0.0, 4.0), (0.0, 2.0))  # 4 x 2 pixels of one unit each; row 0 is y in [1, 2)
    points = np.array([[0.5, 1.5], [3.9, 0.1], [3.5, 0.5], [-0.1, 1.0], [2.0, 2.5]])
    expected = np.array([[True, False, False, False], [False, False, False, True]])
    np.testing.assert_array_equal(forward.coverage(points, box, (2, 4)), expected)


def test_soft_coverage_keeps_covered_pixels_and_softens_their_edge() -> None:
    covered = np.zeros((5, 5), dtype=bool)
    covered[2, 1:4] = True  # a line three pixels long
    alpha = soft_coverage(covered)
    assert np.all(alpha[covered] == 1.0)
    assert alpha[1, 2] == pytest.approx(3 / 9)  # above the line's middle: three neighbours
    assert alpha[1, 0] == pytest.approx(1 / 9)  # diagonal to its end: one
    assert alpha[0, 0] == 0.0


# Early states: the trained tanh run folds the plane onto almost a line (W1 nearly of rank 1),
# which leaves no pixel well inside the parallelogram to check.
@pytest.mark.parametrize(("fixture", "t"), [("short_run", 6.5), ("short_tanh_run", 0.5)])
def test_affine_panel_shows_the_data_and_the_carried_grid_truthfully(
    fixture: str, t: float, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(fixture)
    trajectory = Trajectory(run)
    w = trajectory.weights_at(t)
    panel = HiddenSpacePanel(
        PanelContext(trajectory, ValueTracker(t), THEME, VIEW),
        space=HIDDEN_AFFINE,
        shading="grid",
        mesh_resolution=60,
    )
    first, last = layers(w)
    act = TORCH[run.config.activation]
    box = trajectory.view_box(HIDDEN_AFFINE, t)
    # The dots sit at W1 x + b1.
    drawn = panel.dots.points.reshape(-1, 16, 3).mean(axis=1)
    in_order = np.empty_like(drawn)
    in_order[panel.dots.draw_order] = drawn
    (x0, x1), (y0, y1) = box
    data = np.column_stack([x0 + (in_order[:, 0] + 2) / 4 * (x1 - x0),
                            y0 + (in_order[:, 1] + 2) / 4 * (y1 - y0)])  # fmt: skip
    with torch.no_grad():
        z = first(torch.from_numpy(run.X)).numpy()
    np.testing.assert_allclose(data, z, atol=1e-9)
    # The input grid's box lands on the parallelogram W1 (box) + b1. A pixel whose centre lies
    # more than a pixel inside it is opaque and coloured by the network's probability at that
    # point of z-space; one whose centre lies more than about two pixels outside it (a covered
    # pixel's centre is within half a diagonal of its grid point, the anti-aliased fringe one
    # pixel beyond) is transparent.
    (a0, a1), (c0, c1) = input_box(trajectory)
    corners = np.array([[a0, c0], [a1, c0], [a1, c1], [a0, c1]]) @ w.W1.T + w.b1
    (ux, uy), (vx, vy) = corners[1] - corners[0], corners[2] - corners[1]
    if ux * vy - uy * vx < 0:  # the 2-D cross product
        corners = corners[::-1]  # counter-clockwise
    size = (x1 - x0) / 60
    cols, rows = np.meshgrid(np.arange(60), np.arange(60))
    centres = np.column_stack([(x0 + (cols + 0.5) * size).ravel(),
                               (y1 - (rows + 0.5) * size).ravel()])  # fmt: skip
    edges = np.roll(corners, -1, axis=0) - corners
    normals = np.column_stack([edges[:, 1], -edges[:, 0]]) / np.linalg.norm(edges, axis=1)[:, None]
    # Signed distance beyond each edge (outward normals), in pixels.
    beyond = (((centres[:, None, :] - corners[None]) * normals[None]).sum(-1) / size).max(axis=1)
    alpha = panel.mesh.pixel_array[..., 3].ravel()
    inside, outside = beyond < -1.0, beyond > 2.2
    assert inside.sum() > 20 and outside.sum() > 20
    assert np.all(alpha[inside] == 255)
    assert np.all(alpha[outside] == 0)
    cmap = DivergingColormap.from_theme(THEME)
    with torch.no_grad():
        p = torch.sigmoid(last(act(torch.from_numpy(centres[inside]))))[:, 0].numpy()
    colours = panel.mesh.pixel_array[..., :3].reshape(-1, 3)[inside]
    np.testing.assert_array_equal(colours, cmap(p)[:, :3])


def test_activation_panel_dots_sit_at_the_activations(short_tanh_run: Run) -> None:
    trajectory = Trajectory(short_tanh_run)
    panel = HiddenSpacePanel(
        PanelContext(trajectory, ValueTracker(4.25), THEME, VIEW),
        space=HIDDEN,
        shading="grid",
        mesh_resolution=40,
    )
    first, _ = layers(trajectory.weights_at(4.25))
    with torch.no_grad():
        h = torch.tanh(first(torch.from_numpy(short_tanh_run.X))).numpy()
    (x0, x1), (y0, y1) = trajectory.view_box(HIDDEN, 4.25)
    drawn = panel.dots.points.reshape(-1, 16, 3).mean(axis=1)
    in_order = np.empty_like(drawn)
    in_order[panel.dots.draw_order] = drawn
    data = np.column_stack([x0 + (in_order[:, 0] + 2) / 4 * (x1 - x0),
                            y0 + (in_order[:, 1] + 2) / 4 * (y1 - y0)])  # fmt: skip
    np.testing.assert_allclose(data, h, atol=1e-9)
    # tanh squashes the plane into the open square (-1, 1)^2: no covered pixel outside it.
    alpha = panel.mesh.pixel_array[..., 3]
    centres_x = x0 + (np.arange(40) + 0.5) * (x1 - x0) / 40
    centres_y = y1 - (np.arange(40) + 0.5) * (y1 - y0) / 40
    gx, gy = np.meshgrid(centres_x, centres_y)
    pixel = (x1 - x0) / 40
    far = (np.abs(gx) > 1 + 2 * pixel) | (np.abs(gy) > 1 + 2 * pixel)
    assert far.any() and not np.any(alpha[far])


def test_blog_layout_has_three_panels_on_one_clock(short_run: Run) -> None:
    clock = ValueTracker(3.0)
    layout = TrainingLayout(BlockContext(Trajectory(short_run), clock, THEME), mesh_resolution=30,
                            layout="blog")  # fmt: skip
    spaces = [getattr(p, "space", INPUT) for p in layout.panels]
    assert spaces == [INPUT, HIDDEN_AFFINE, HIDDEN]
    assert set(PANEL_BUILDERS) == {"default", "blog"}
    layout.start()
    before = [p.dots.points.copy() for p in layout.panels[1:]]
    clock.set_value(9.0)
    layout.update()
    for panel, old in zip(layout.panels[1:], before, strict=True):
        assert not np.allclose(old, panel.dots.points)
    with pytest.raises(ValueError, match="unknown layout 'poster'"):
        TrainingLayout(BlockContext(Trajectory(short_run), clock, THEME), layout="poster")


def test_every_layout_of_the_table_has_its_panels() -> None:
    from nnviz.layouts import LAYOUT_SPECS

    assert list(PANEL_BUILDERS) == list(LAYOUT_SPECS)
