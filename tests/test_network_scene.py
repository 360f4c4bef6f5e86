"""The network scene: links, bias rings, neuron heatmaps and numbers equal the maths (checked
without rendering), and its last frame matches a control image (see ``frame_regression.py``)."""

from __future__ import annotations

import importlib.util
import inspect
import itertools
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from manim import Scene, ValueTracker, tempconfig
from scipy.interpolate import PchipInterpolator

from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.diagram.formula import matrix_rows
from nnviz.mobjects.diagram.geometry import LINK_WIDTH_PER_UNIT, LINK_WIDTH_RANGE, link_width
from nnviz.mobjects.diagram.graph import NetworkGraph
from nnviz.mobjects.diagram.layout import NetworkLayout
from nnviz.mobjects.diagram.weight_readout import WeightReadout
from nnviz.run import Run
from nnviz.theme import THEMES, hex_to_rgb
from nnviz.trajectory import Trajectory
from tests.frame_regression import assert_matches_control, render_last_frame
from tests.story_probe import phases_played

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
    graph = NetworkGraph(
        BlockContext(Trajectory(short_run), ValueTracker(t), THEME), heatmap_resolution=20
    )
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
    graph = NetworkGraph(
        BlockContext(Trajectory(run), ValueTracker(t), THEME), heatmap_resolution=n
    )
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
    readout = WeightReadout(BlockContext(Trajectory(short_run), ValueTracker(t), THEME))
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
    layout = NetworkLayout(
        BlockContext(trajectory, clock, THEME), mesh_resolution=30, heatmap_resolution=20
    )
    layout.start()
    slots = [list(row.submobjects) for rows in layout.weights.rows.values() for row in rows]
    clock.set_value(8.4)
    layout.update()
    fresh = NetworkLayout(
        BlockContext(trajectory, ValueTracker(8.4), THEME),
        mesh_resolution=30,
        heatmap_resolution=20,
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
        phase = scene_class.network
        expected = (0.8 + phase.lead_seconds + run.epochs * phase.seconds_per_epoch
                    + phase.hold_seconds)  # fmt: skip
        assert scene.renderer.time == pytest.approx(expected, abs=2 / 15)


@pytest.mark.render
def test_last_frame(tmp_path: Path) -> None:
    frame = render_last_frame(network_scene(), tmp_path)
    assert_matches_control(frame, "NetworkDiagram")


# -- any network ---------------------------------------------------------------------------

FRAME_X, FRAME_Y = 14.222 / 2, 8.0 / 2
NETWORKS: dict[tuple[int, ...], str | tuple[str, ...]] = {
    (1,): "tanh",
    (3,): "relu",
    (8,): "sigmoid",
    (4, 4, 2): ("relu", "tanh", "leaky_relu"),
    (8, 8, 8): ("leaky_relu", "linear", "relu"),
}


def network_run(hidden: tuple[int, ...]) -> Run:
    """A real 6-epoch run of the network, cached in the session's runs folder."""
    from nnviz.cache import cached_run
    from nnviz.config import RunConfig

    config = RunConfig(
        dataset="spiral",
        hidden=hidden,
        activation=NETWORKS[hidden],
        lr=0.05,
        max_epochs=6,
        target_loss=0.0,
    )
    return cached_run(config, report=lambda _: None)


def interpolated_layers(run: Run, t: float) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every layer's W and b at epoch ``t``: PCHIP through the run's logged arrays."""
    knots = np.arange(run.epochs + 1, dtype=np.float64)
    W = [PchipInterpolator(knots, a, axis=0)(t) for a in run.W]
    b = [PchipInterpolator(knots, a, axis=0)(t) for a in run.b]
    return W, b


def numpy_activation(name: str, z: np.ndarray) -> np.ndarray:
    """The activations written out again, independently of the registry."""
    return {
        "relu": lambda v: np.maximum(v, 0.0),
        "tanh": np.tanh,
        "sigmoid": lambda v: 1.0 / (1.0 + np.exp(-v)),
        "linear": lambda v: v,
        "leaky_relu": lambda v: np.where(v >= 0, v, 0.1 * v),  # the registry's slope 0.1
    }[name](z)


def by_hand(x: np.ndarray, W: list[np.ndarray], b: list[np.ndarray], names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """Every hidden layer's activations of ``x``, one matrix product at a time."""
    out, h = [], x
    for k, name in enumerate(names):
        h = numpy_activation(name, h @ W[k].T + b[k])
        out.append(h)
    return out


def bounds(mobject) -> tuple[float, float, float, float]:  # type: ignore[no-untyped-def]
    """``(left, right, bottom, top)`` of a mobject's bounding box."""
    return (mobject.get_left()[0], mobject.get_right()[0], mobject.get_bottom()[1],
            mobject.get_top()[1])  # fmt: skip


def overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


@pytest.mark.parametrize("hidden", list(NETWORKS), ids=str)
def test_one_node_per_unit_and_one_link_per_weight(hidden: tuple[int, ...]) -> None:
    run = network_run(hidden)
    graph = NetworkGraph(
        BlockContext(Trajectory(run), ValueTracker(0.0), THEME), heatmap_resolution=8
    )
    widths = (2, *hidden, 1)
    assert [len(column) for column in graph.positions] == list(widths)
    assert [len(images) for images in graph.layer_heatmaps] == list(hidden)
    weights = sum(a * b for a, b in itertools.pairwise(widths))
    assert len(graph.links) == weights
    assert len(graph.rings) == sum(widths[1:])
    # Link (k, i, j) runs from unit j of layer k to unit i of layer k + 1.
    for k, rows in enumerate(graph.layer_links):
        for i, row in enumerate(rows):
            for j, line in enumerate(row):
                # On the segment between the two centres, in order, from edge to edge.
                a, c = graph.positions[k][j], graph.positions[k + 1][i]
                span = np.linalg.norm(c - a)
                for point in (line.get_start(), line.get_end()):
                    along = np.dot(point - a, c - a) / span**2
                    assert 0.0 < along < 1.0
                    np.testing.assert_allclose(point, a + along * (c - a), atol=1e-9)
                assert np.dot(line.get_end() - line.get_start(), c - a) > 0


@pytest.mark.parametrize("hidden", [(3,), (4, 4, 2), (8, 8, 8)], ids=str)
@pytest.mark.parametrize("t", [0.0, 2.6, 5.5])
def test_every_link_and_ring_follows_its_weight(hidden: tuple[int, ...], t: float) -> None:
    run = network_run(hidden)
    graph = NetworkGraph(
        BlockContext(Trajectory(run), ValueTracker(t), THEME), heatmap_resolution=8
    )
    W, b = interpolated_layers(run, t)
    for k, rows in enumerate(graph.layer_links):
        for i, row in enumerate(rows):
            for j, line in enumerate(row):
                width, color = expected_stroke(float(W[k][i, j]))
                assert line.get_stroke_width() == pytest.approx(width, abs=1e-6)
                assert line.get_stroke_color().to_hex().upper() == color.upper()
        for i, ring in enumerate(graph.layer_rings[k]):
            width, color = expected_stroke(float(b[k][i]))
            assert ring.get_stroke_width() == pytest.approx(width, abs=1e-6)
            assert ring.get_stroke_color().to_hex().upper() == color.upper()


@pytest.mark.parametrize("hidden", [(8,), (4, 4, 2), (8, 8, 8)], ids=str)
def test_every_neurons_heatmap_is_its_activation(hidden: tuple[int, ...]) -> None:
    run = network_run(hidden)
    t, n = 3.3, 24
    graph = NetworkGraph(
        BlockContext(Trajectory(run), ValueTracker(t), THEME), heatmap_resolution=n
    )
    names = run.config.activations
    W, b = interpolated_layers(run, t)
    layers = by_hand(pixel_centres(graph.box, n), W, b, names)
    for layer, (name, images, values) in enumerate(
        zip(names, graph.layer_heatmaps, layers, strict=True)
    ):
        if name in ("relu", "sigmoid"):
            # Non-negative: background at 0, accent at the top (1, or the largest activation of
            # any data point at any logged epoch).
            top = 1.0 if name == "sigmoid" else max(
                float(np.max(by_hand(run.X, [a[e] for a in run.W], [a[e] for a in run.b],
                                     names)[layer]))
                for e in range(run.epochs + 1)
            )  # fmt: skip
            colors, positions = [THEME.background, THEME.accent], [0.0, top]
        else:
            top = 1.0 if name == "tanh" else max(
                float(np.max(np.abs(by_hand(run.X, [a[e] for a in run.W],
                                            [a[e] for a in run.b], names)[layer])))
                for e in range(run.epochs + 1)
            )  # fmt: skip
            colors = [THEME.negative, THEME.background, THEME.positive]
            positions = [-top, 0.0, top]
        assert len(images) == values.shape[1]
        for i, image in enumerate(images):
            expected = blend(colors, positions, values[:, i]).reshape(n, n, 3)
            pixels = image.pixel_array[..., :3].astype(int)
            assert np.abs(pixels - expected).max() <= 1, (layer, i)
            assert np.mean(pixels == expected) > 0.99


@pytest.mark.parametrize("hidden", list(NETWORKS), ids=str)
def test_layout_fits_the_frame_and_nothing_overlaps(hidden: tuple[int, ...]) -> None:
    run = network_run(hidden)
    layout = NetworkLayout(
        BlockContext(Trajectory(run), ValueTracker(0.0), THEME),
        mesh_resolution=8,
        heatmap_resolution=8,
    )
    parts = {
        "diagram": layout.diagram,
        "input panel": layout.input_panel,
        "heading": layout.heading,
        "stats": layout.stats,
        "formula": layout.weights,
        "legend": layout.legend,
        "mesh legend": layout.mesh_legend,
    }
    for name, part in parts.items():
        left, right, bottom, top = bounds(part)
        assert abs(left) < FRAME_X and abs(right) < FRAME_X, name
        assert abs(bottom) < FRAME_Y and abs(top) < FRAME_Y, name
    names = list(parts)
    for a in range(len(names)):
        for c in range(a + 1, len(names)):
            assert not overlap(bounds(parts[names[a]]), bounds(parts[names[c]])), (
                names[a],
                names[c],
            )
    # Inside the diagram: nodes with their rings, column titles and colour bars are apart.
    graph = layout.diagram
    pieces = [bounds(r) for r in graph.rings] + [bounds(n) for n in graph.nodes[:2]]
    pieces += [bounds(t) for t in graph.heatmap_labels] + [bounds(bar) for bar in graph.bars]
    for a in range(len(pieces)):
        for c in range(a + 1, len(pieces)):
            assert not overlap(pieces[a], pieces[c]), (a, c)
    # The live weights only for one small hidden layer; otherwise the general formula.
    assert layout.weights.live == (len(hidden) == 1 and hidden[0] <= 2)


def test_general_formula_names_every_layer() -> None:
    from nnviz.mobjects.diagram.formula import general_formula

    formula, names = general_formula(("leaky_relu", "leaky_relu", "tanh"))
    assert formula.startswith(r"\hat{y} = \sigma\big(W_{4}\, a_{3}(W_{3}\, a_{2}(W_{2}\, a_{1}(")
    assert "W_1 x + b_1) + b_{2}) + b_{3}) + b_{4}" in formula
    assert names == r"\quad a_{1} = a_{2} = \text{leaky ReLU},\ a_{3} = \text{tanh}"


def test_the_deep_scene_is_its_own_file_and_reads_its_architecture() -> None:
    spec = importlib.util.spec_from_file_location(
        "scene_deep_net", REPO / "scenes" / "deep_network.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    scene = module.DeepNetworkDiagram
    assert (scene.hidden, scene.dataset, scene.lr) == ((8, 8, 2), "spiral", 0.01)
    assert scene.activation == ("leaky_relu", "leaky_relu", "tanh")


def test_the_story_plays_its_phase_with_the_phase_s_settings(short_run: Run) -> None:
    import dataclasses

    from nnviz.stories.network import NetworkPhase, NetworkStory

    class Slow(NetworkStory):
        network = NetworkPhase(seconds_per_epoch=0.3, hold_seconds=0.25, heatmap_resolution=40)

    assert phases_played(Slow, NetworkPhase, short_run) == [
        NetworkPhase(seconds_per_epoch=0.3, lead_seconds=1.5, hold_seconds=0.25,
                     mesh_resolution=160, heatmap_resolution=40)
    ]  # fmt: skip
    assert NetworkStory.network == NetworkPhase()
    with pytest.raises(dataclasses.FrozenInstanceError):
        Slow.network.hold_seconds = 1.0  # type: ignore[misc]
