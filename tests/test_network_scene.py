"""The network scene: links, bias rings, neuron heatmaps and numbers equal the maths (checked
without rendering), and its last frame matches a control image (see ``frame_regression.py``)."""

from __future__ import annotations

import importlib.util
import inspect
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from manim import Scene, ValueTracker, tempconfig
from scipy.interpolate import PchipInterpolator

from nnviz.mobjects.diagram import (
    LINK_WIDTH_PER_UNIT,
    LINK_WIDTH_RANGE,
    NetworkGraph,
    NetworkLayout,
    WeightReadout,
    link_width,
    matrix_rows,
)
from nnviz.run import Run
from nnviz.theme import THEMES, hex_to_rgb
from nnviz.trajectory import Trajectory
from tests.frame_regression import assert_matches_control, render_last_frame

THEME = THEMES["dark"]
REPO = Path(__file__).resolve().parents[1]


def interpolated(run: Run, t: float) -> dict[str, np.ndarray]:
    """The weights at epoch ``t``: PCHIP through the logged arrays, independently of
    :class:`~nnviz.trajectory.Trajectory`."""
    knots = np.arange(run.epochs + 1, dtype=np.float64)
    return {
        name: PchipInterpolator(knots, getattr(run, name), axis=0)(t)
        for name in ("W1", "b1", "W2", "b2")
    }


def expected_stroke(w: float) -> tuple[float, str]:
    """The rule: width ∝ |w| clipped to the range, colour by sign (w ≥ 0 is positive)."""
    low, high = LINK_WIDTH_RANGE
    width = min(max(LINK_WIDTH_PER_UNIT * abs(w), low), high)
    return width, (THEME.positive if w >= 0 else THEME.negative)


def pixel_centres(box, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Centres of an n×n image over ``box``, row 0 at the top."""
    (x0, x1), (y0, y1) = box
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y1 - (np.arange(n) + 0.5) * (y1 - y0) / n
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()])


def blend(colors: list[str], positions: list[float], values: np.ndarray) -> np.ndarray:
    """RGB colours interpolated linearly between anchors, clipped at the ends, as uint8."""
    anchors = np.array([hex_to_rgb(c) for c in colors], dtype=np.float64)
    v = np.clip(values, positions[0], positions[-1])
    out = np.empty((len(v), 3))
    for k in range(len(positions) - 1):
        inside = (v >= positions[k]) & (v <= positions[k + 1])
        s = (v[inside] - positions[k]) / (positions[k + 1] - positions[k])
        out[inside] = anchors[k] + s[:, None] * (anchors[k + 1] - anchors[k])
    return np.rint(out).astype(np.uint8)


def parse_numbers(rows: list[str]) -> np.ndarray:
    """The numbers of read-out rows, with the true minus sign read back."""
    text = " ".join(rows).replace("−", "-")
    return np.array([float(v) for v in re.findall(r"-?\d+\.\d+", text)])


@pytest.mark.parametrize("t", [3.37, 7.5, 11.0])
def test_links_and_rings_follow_the_weights(short_run: Run, t: float) -> None:
    graph = NetworkGraph(Trajectory(short_run), ValueTracker(t), THEME, heatmap_resolution=20)
    w = interpolated(short_run, t)
    pairs = [(graph.first_links[i][j], w["W1"][i, j]) for i in range(2) for j in range(2)]
    pairs += [(graph.second_links[i], w["W2"][0, i]) for i in range(2)]
    pairs += [(graph.rings[i], w["b1"][i]) for i in range(2)] + [(graph.rings[2], w["b2"][0])]
    for stroke, value in pairs:
        assert abs(value) > 1e-6, "a weight this close to 0 makes the sign test meaningless"
        width, color = expected_stroke(float(value))
        assert stroke.get_stroke_width() == pytest.approx(width, abs=1e-9)
        assert stroke.get_stroke_color().to_hex().upper() == color.upper()


def test_link_width_is_proportional_and_clipped() -> None:
    np.testing.assert_allclose(link_width(np.array([0.0, -1.0, 2.0, -50.0])), [0.6, 3, 6, 11])


@pytest.mark.parametrize(
    ("fixture", "activation", "t"),
    [("short_run", "relu", 0.0), ("short_run", "relu", 6.6), ("short_tanh_run", "tanh", 9.25)],
)
def test_heatmaps_are_the_colour_map_of_each_neurons_activation(
    fixture: str, activation: str, t: float, request: pytest.FixtureRequest
) -> None:
    run = request.getfixturevalue(fixture)
    n = 40
    graph = NetworkGraph(Trajectory(run), ValueTracker(t), THEME, heatmap_resolution=n)
    w = interpolated(run, t)
    act = {"relu": torch.relu, "tanh": torch.tanh}[activation]
    x = torch.from_numpy(pixel_centres(graph.box, n))
    if activation == "relu":
        # The scale: the largest hidden activation of any data point at any logged epoch.
        with torch.no_grad():
            logged = torch.relu(
                torch.from_numpy(run.X) @ torch.from_numpy(run.W1).transpose(1, 2)
                + torch.from_numpy(run.b1)[:, None, :]
            )
        vmax = float(logged.max())
        colors, positions = [THEME.background, THEME.accent], [0.0, vmax]
    else:
        colors, positions = [THEME.negative, THEME.background, THEME.positive], [-1.0, 0.0, 1.0]
    for i, image in enumerate(graph.heatmaps):
        with torch.no_grad():
            a = act(x @ torch.from_numpy(w["W1"][i]) + float(w["b1"][i])).numpy()
        pixels = image.pixel_array
        assert pixels.shape == (n, n, 4)
        assert np.all(pixels[..., 3] == 255)
        expected = blend(colors, positions, a).reshape(n, n, 3)
        # At most one level apart: rounding of an exact .5 may fall either way.
        assert np.abs(pixels[..., :3].astype(int) - expected).max() <= 1
        assert np.mean(pixels[..., :3] == expected) > 0.99


@pytest.mark.parametrize("t", [0.0, 4.5, 12.0])
def test_numbers_are_the_formatted_weights(short_run: Run, t: float) -> None:
    readout = WeightReadout(Trajectory(short_run), ValueTracker(t), THEME)
    w = interpolated(short_run, t)
    shown = {key: [row.text or "" for row in rows] for key, rows in readout.rows.items()}
    assert len(shown["W1"]) == 2 and len(shown["b1"]) == 2
    for key, values in (("W1", w["W1"]), ("b1", w["b1"]), ("W2", w["W2"]), ("b2", w["b2"])):
        numbers = parse_numbers(shown[key])
        assert numbers.shape == (values.size,)
        # Row by row, as the matrix reads; two decimals, rounded.
        assert np.abs(numbers - values.ravel()).max() <= 0.005 + 1e-12
    # Every row of the matrix starts with its bracket and has fixed-width fields.
    assert shown["W1"][0][0] == "⎡" and shown["W1"][1][0] == "⎣"


def test_matrix_rows_format() -> None:
    assert matrix_rows(np.array([[0.534, -1.2], [-0.001, 12.0]])) == [
        "⎡ 0.53 −1.20 ⎤",
        "⎣ 0.00 12.00 ⎦",
    ]
    assert matrix_rows(np.array([1.0, -2.0])) == ["[ 1.00 −2.00 ]"]


def test_layout_follows_one_clock(short_run: Run) -> None:
    trajectory = Trajectory(short_run)
    clock = ValueTracker(0.0)
    layout = NetworkLayout(trajectory, clock, THEME, mesh_resolution=30, heatmap_resolution=20)
    layout.start()
    slots = [list(row.submobjects) for rows in layout.weights.rows.values() for row in rows]
    clock.set_value(8.4)
    layout.update()
    fresh = NetworkLayout(
        trajectory, ValueTracker(8.4), THEME, mesh_resolution=30, heatmap_resolution=20
    )
    for line, other in zip(layout.diagram.links, fresh.diagram.links, strict=True):
        assert line.get_stroke_width() == other.get_stroke_width()
        assert line.get_stroke_color() == other.get_stroke_color()
    for image, other in zip(layout.diagram.heatmaps, fresh.diagram.heatmaps, strict=True):
        np.testing.assert_array_equal(image.pixel_array, other.pixel_array)
    np.testing.assert_array_equal(
        layout.input_panel.mesh.pixel_array, fresh.input_panel.mesh.pixel_array
    )
    assert layout.weights.texts() == fresh.weights.texts()
    assert "8.4" in (layout.stats.numbers.text or "")
    # No mobject was replaced: the glyph slots are the same objects.
    assert slots == [list(row.submobjects) for rows in layout.weights.rows.values() for row in rows]


def network_scene() -> type[Scene]:
    spec = importlib.util.spec_from_file_location("scene_network", REPO / "scenes" / "network.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scenes = [
        value
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, Scene)
        and value.__module__ == module.__name__
    ]
    assert len(scenes) == 1, "Manim would ask which scene to render"
    return scenes[0]


def test_scene_defaults() -> None:
    scene = network_scene()
    assert scene.__name__ == "NetworkDiagram"
    assert (scene.activation, scene.lr) == ("relu", 0.01)


@pytest.mark.render
def test_scene_lasts_its_reveal_lead_training_and_hold() -> None:
    with tempconfig({"dry_run": True, "verbosity": "ERROR", "frame_rate": 15}):
        scene_class = network_scene()
        scene = scene_class()
        scene.render()
        run = scene.run_for(activation=scene_class.activation, lr=scene_class.lr)
        # The reveal (0.8 s), the lead, one clock tick per epoch, the hold.
        expected = (0.8 + scene_class.lead_seconds + run.epochs * scene_class.seconds_per_epoch
                    + scene_class.hold_seconds)  # fmt: skip
        assert scene.renderer.time == pytest.approx(expected, abs=2 / 15)


@pytest.mark.render
def test_last_frame(tmp_path: Path) -> None:
    frame = render_last_frame(network_scene(), tmp_path)
    assert_matches_control(frame, "NetworkDiagram")
