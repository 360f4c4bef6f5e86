"""Manim building blocks, checked without rendering: what they hold equals the maths."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from manim import ValueTracker

from nnviz.colormap import DivergingColormap
from nnviz.mobjects.context import PanelContext
from nnviz.mobjects.panels import HiddenSpacePanel, InputPlanePanel
from nnviz.mobjects.readout import GlyphText
from nnviz.mobjects.shapes import ClassDots, DotCloud, circle_template
from nnviz.run import Run
from nnviz.theme import THEMES
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

THEME = THEMES["dark"]
VIEW = Viewport((-2.0, 0.5), 4.0, 4.0)


def torch_network(weights, activation: str):  # type: ignore[no-untyped-def]
    """The network as torch layers, the oracle for probabilities and hidden activations."""
    first = torch.nn.Linear(2, 2).double()
    last = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        first.weight.copy_(torch.from_numpy(weights.W1))
        first.bias.copy_(torch.from_numpy(weights.b1))
        last.weight.copy_(torch.from_numpy(weights.W2))
        last.bias.copy_(torch.from_numpy(weights.b2))
    act = {"relu": torch.relu, "tanh": torch.tanh}[activation]

    def hidden(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return act(first(torch.from_numpy(x))).numpy()

    def probability(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return torch.sigmoid(last(act(first(torch.from_numpy(x)))))[:, 0].numpy()

    return hidden, probability


def dot_centres(cloud: DotCloud) -> np.ndarray:
    """Centres of a cloud's dots: the mean of each circle's 16 control points."""
    return cloud.points.reshape(-1, 16, 3).mean(axis=1)


def in_data_order(cloud: ClassDots) -> np.ndarray:
    """The dots' centres in the data's order (they are drawn in ``cloud.draw_order``)."""
    drawn = dot_centres(cloud)
    out = np.empty_like(drawn)
    out[cloud.draw_order] = drawn
    return out


def unmap(view: Viewport, points: np.ndarray, box) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Scene coordinates back to data coordinates, written independently of Viewport."""
    (x0, x1), (y0, y1) = box
    cx, cy = view.centre
    u = (points[:, 0] - (cx - view.width / 2)) / view.width
    v = (points[:, 1] - (cy - view.height / 2)) / view.height
    return np.column_stack([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])


@pytest.mark.parametrize("t", [0.0, 5.5, 12.0])
def test_input_mesh_pixels_are_the_colour_map_of_the_probability(short_run: Run, t: float) -> None:
    trajectory = Trajectory(short_run)
    panel = InputPlanePanel(
        PanelContext(trajectory, ValueTracker(t), THEME, VIEW), mesh_resolution=50
    )
    _, probability = torch_network(trajectory.weights_at(t), "relu")
    (x0, x1), (y0, y1) = panel.box
    cmap = DivergingColormap.from_theme(THEME)
    pixels = panel.mesh.pixel_array
    assert pixels.shape == (50, 50, 4)
    for row, col in [(0, 0), (0, 49), (49, 0), (25, 17), (38, 44)]:
        centre = np.array([[x0 + (col + 0.5) * (x1 - x0) / 50, y1 - (row + 0.5) * (y1 - y0) / 50]])
        np.testing.assert_array_equal(pixels[row, col], cmap(probability(centre))[0])


def test_input_boundary_lies_on_probability_one_half(short_run: Run) -> None:
    trajectory = Trajectory(short_run)
    panel = InputPlanePanel(
        PanelContext(trajectory, ValueTracker(12.0), THEME, VIEW), mesh_resolution=120
    )
    _, probability = torch_network(trajectory.weights_at(12.0), "relu")
    ends = panel.boundary.points.reshape(-1, 4, 3)[:, [0, 3], :].reshape(-1, 3)
    assert len(ends) > 20
    p = probability(unmap(VIEW, ends, panel.box))
    # Linear interpolation inside a pixel: off by at most a pixel's change in probability.
    assert np.abs(p - 0.5).max() < 0.02


@pytest.mark.parametrize(
    ("fixture", "activation"), [("short_run", "relu"), ("short_tanh_run", "tanh")]
)
def test_hidden_dots_sit_at_the_hidden_activations(
    fixture: str, activation: str, request: pytest.FixtureRequest
) -> None:
    run = request.getfixturevalue(fixture)
    trajectory = Trajectory(run)
    t = 7.25
    panel = HiddenSpacePanel(
        PanelContext(trajectory, ValueTracker(t), THEME, VIEW), mesh_resolution=40
    )
    hidden, _ = torch_network(trajectory.weights_at(t), activation)
    box = trajectory.hidden_view(t)
    # The shading: pixel (row, col) shows sigma(w.h + b) at the pixel's centre in hidden space.
    w = trajectory.weights_at(t)
    (x0, x1), (y0, y1) = box
    cmap = DivergingColormap.from_theme(THEME)
    for row, col in [(0, 0), (39, 39), (10, 31)]:
        h = torch.tensor(
            [x0 + (col + 0.5) * (x1 - x0) / 40, y1 - (row + 0.5) * (y1 - y0) / 40],
            dtype=torch.float64,
        )
        p = torch.sigmoid(h @ torch.from_numpy(w.W2[0]) + float(w.b2[0])).numpy()
        np.testing.assert_array_equal(panel.mesh.pixel_array[row, col], cmap(p[None])[0])
    centres = unmap(VIEW, in_data_order(panel.dots), box)
    np.testing.assert_allclose(centres, hidden(run.X), atol=1e-9)
    # The output line: sigma(w.h + b) = 0.5 at both ends.
    line = panel.boundary.points
    if len(line):
        ends = unmap(VIEW, line[[0, 3]], box)
        w = trajectory.weights_at(t)
        np.testing.assert_allclose(ends @ w.W2[0] + w.b2[0], 0, atol=1e-9)


def test_input_dots_are_the_data(short_run: Run) -> None:
    panel = InputPlanePanel(
        PanelContext(Trajectory(short_run), ValueTracker(0), THEME, VIEW), mesh_resolution=20
    )
    centres = unmap(VIEW, in_data_order(panel.dots), panel.box)
    np.testing.assert_allclose(centres, short_run.X, atol=1e-9)


def test_panels_follow_the_clock(short_run: Run) -> None:
    clock = ValueTracker(0.0)
    panel = HiddenSpacePanel(
        PanelContext(Trajectory(short_run), clock, THEME, VIEW), mesh_resolution=20
    )
    panel.start()
    before = panel.dots.points.copy()
    clock.set_value(10.0)
    panel.update()
    assert not np.allclose(before, panel.dots.points)
    expected = HiddenSpacePanel(
        PanelContext(Trajectory(short_run), ValueTracker(10.0), THEME, VIEW), mesh_resolution=20
    )
    np.testing.assert_array_equal(panel.dots.points, expected.dots.points)


def test_circle_template_is_a_unit_circle() -> None:
    points = circle_template()
    assert points.shape == (16, 3)
    np.testing.assert_allclose(np.hypot(points[::4, 0], points[::4, 1]), 1.0)
    # The cubic's midpoint deviates from the circle by less than 0.03 %.
    a, h1, h2, b = points[:4, :2]
    middle = (a + 3 * h1 + 3 * h2 + b) / 8
    assert abs(np.hypot(*middle) - 1) < 3e-4


def test_glyph_text_keeps_its_slots_and_changes_its_points() -> None:
    text = GlyphText("12.5", font_size=20, max_length=6)
    slots = list(text.submobjects)
    before = [s.points.copy() for s in slots]
    text.set_text("3.75")
    assert text.submobjects == slots  # same objects: Manim's moving-mobject list stays valid
    assert any(not np.array_equal(b, s.points) for b, s in zip(before, slots, strict=True))
    assert len(slots[5].points) == 0
    with pytest.raises(ValueError, match="longer than 6"):
        text.set_text("1234567")
    with pytest.raises(ValueError, match="not in the alphabet"):
        text.set_text("abc")


def test_class_dots_interleave_the_classes_the_same_way_on_every_frame(
    short_tanh_run: Run,
) -> None:
    run = short_tanh_run
    clock = ValueTracker(0.0)
    panel = HiddenSpacePanel(PanelContext(Trajectory(run), clock, THEME, VIEW), mesh_resolution=20)
    dots = panel.dots
    drawn = dots.draw_labels
    assert np.array_equal(drawn, run.y[dots.draw_order])
    # Interleaved: many changes of class along the drawing order, not two blocks.
    assert np.count_nonzero(np.diff(drawn)) > len(drawn) / 4

    def misclassified(t: float) -> np.ndarray:
        w = Trajectory(run).weights_at(t)
        z = np.tanh(run.X @ w.W1.T + w.b1) @ w.W2[0] + w.b2[0]
        return (z > 0) != (run.y == 1)

    for t in (0.0, 6.5, 12.0):
        clock.set_value(t)
        panel.refresh()
        wrong = misclassified(t)
        order = dots.draw_order
        assert 0 < wrong.sum() < len(wrong)
        # Misclassified points come last; within each group the one seeded order holds.
        np.testing.assert_array_equal(np.sort(order[-wrong.sum() :]), np.flatnonzero(wrong))
        fixed = dots.order
        for group in (order[: -wrong.sum()], order[-wrong.sum() :]):
            rank = np.argsort(fixed)[group]
            assert np.all(np.diff(rank) > 0)


def test_typeset_once_gives_independent_copies_of_manims_text() -> None:
    from manim import MathTex, Text

    from nnviz.mobjects.typeset import typeset_once

    fresh = Text("hidden layer 2", font_size=22, color="#E0E0E0")
    first = typeset_once(Text, "hidden layer 2", font_size=22, color="#E0E0E0")
    first.shift(np.array([1.0, 2.0, 0.0])).set_color("#FF0000")
    second = typeset_once(Text, "hidden layer 2", font_size=22, color="#E0E0E0")
    assert isinstance(second, Text) and second.text == fresh.text
    assert len(second.submobjects) == len(fresh.submobjects)
    for made, reference in zip(second.submobjects, fresh.submobjects, strict=True):
        np.testing.assert_allclose(made.points, reference.points)  # the first one's moves
        np.testing.assert_allclose(made.get_fill_rgbas(), reference.get_fill_rgbas())
    assert second.chars[0] is second.submobjects[0]  # Text's own references, copied too
    tex = typeset_once(MathTex, "h_1", font_size=28)
    np.testing.assert_allclose(tex.get_all_points(), MathTex("h_1", font_size=28).get_all_points())


def test_updaters_with_stored_signatures_get_dt_as_before() -> None:
    from manim import Mobject

    from nnviz.mobjects.following import updater

    seen: list[tuple[str, float | None]] = []
    mobject = Mobject()
    mobject.add_updater(updater(lambda m, dt: seen.append(("timed", dt))))
    mobject.add_updater(updater(lambda m: seen.append(("plain", None))))
    mobject.update(0.25)
    assert seen == [("timed", 0.25), ("plain", None)]


def test_a_moving_dot_cloud_keeps_one_radius() -> None:
    """The radius read from the points is the one given, wherever the dots are: rounding
    noise of the positions does not make each frame's dots a new style for the camera."""
    rng = np.random.default_rng(5)
    cloud = DotCloud(np.zeros((3, 2)), radius=0.045)
    radii = set()
    for _ in range(200):
        cloud.move_dots(rng.uniform(-7.0, 7.0, (3, 2)))
        radii.add(cloud.centres_and_radius()[1])
    assert radii == {0.045}
    cloud.scale(2.0)  # a Manim transformation is still honoured
    assert cloud.centres_and_radius()[1] == 0.09
