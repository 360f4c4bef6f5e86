"""The network diagram of a softmax run of k classes: one output node per class in its class
colour, the links into every output node, each output's formula and the classes by name
(checked on the Manim objects, without rendering), a rendered 3-class diagram, and the
side-by-side story of k classes."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
from manim import Mobject, Scene, Text, ValueTracker, tempconfig

from nnviz.config import RunConfig
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.diagram.formula import general_formula
from nnviz.mobjects.diagram.graph import NetworkGraph
from nnviz.mobjects.diagram.layout import NetworkLayout
from nnviz.run import Run
from nnviz.stories.network import NetworkPhase, NetworkStory
from nnviz.stories.networks import SideBySideStory
from nnviz.theme import THEMES, hex_to_rgb
from nnviz.trajectory import Trajectory
from tests.frame_regression import assert_matches_control, render_scene_last_frame
from tests.test_network_scene import (
    FRAME_X,
    FRAME_Y,
    bounds,
    expected_stroke,
    interpolated_layers,
    overlap,
)

THEME = THEMES["dark"]
REPO = Path(__file__).resolve().parents[1]
IRIS = REPO / "examples" / "iris.csv"
#: Okabe–Ito's colours in their order, yellow left out: classes 0 to 5, written out again.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7")

#: Short real runs: a deep network of 3 classes, one hidden pair of 6, one hidden unit of 3.
RUNS: dict[str, RunConfig] = {
    "spiral3": RunConfig(dataset="spiral", classes=3, hidden=(8, 2), activation="tanh",
                         lr=0.03, max_epochs=6, target_loss=0.0),
    "blobs6": RunConfig(dataset="blobs", classes=6, hidden=(2,), activation="tanh", lr=0.05,
                        max_epochs=6, target_loss=0.0),
    "blobs3": RunConfig(dataset="blobs", classes=3, hidden=(1,), activation="relu", lr=0.05,
                        max_epochs=6, target_loss=0.0),
}  # fmt: skip


def csv_config(path: Path, **changes: object) -> RunConfig:
    """A run of a CSV file's data, configured as ``nnviz train --data`` configures it."""
    from nnviz.csv_data import read_csv_data

    data = read_csv_data(path)
    return RunConfig(dataset="csv", data_file=str(path), data_hash=data.sha256,
                     samples=data.rows, feature_names=data.feature_names,
                     class_names=data.class_names, classes=len(data.class_names),
                     standardize=True, max_epochs=6, target_loss=0.0,
                     **changes)  # type: ignore[arg-type]  # fmt: skip


def run_of(name: str) -> Run:
    """The run ``name`` (of :data:`RUNS`, or ``iris``), cached in the session's runs folder."""
    from nnviz.cache import cached_run

    config = csv_config(IRIS, hidden=(2,), lr=0.05) if name == "iris" else RUNS[name]
    return cached_run(config, report=lambda _: None)


def texts_in(mobject: Mobject) -> list[str]:
    """The words of every ``Text`` in a mobject's family."""
    return [m.original_text for m in mobject.get_family() if isinstance(m, Text)]


@pytest.mark.parametrize(("name", "k"), [("spiral3", 3), ("blobs6", 6), ("blobs3", 3)])
def test_one_output_node_per_class_in_its_class_colour(name: str, k: int) -> None:
    run = run_of(name)
    graph = NetworkGraph(
        BlockContext(Trajectory(run), ValueTracker(0.0), THEME), heatmap_resolution=8
    )
    assert graph.softmax and not graph.classic
    assert graph.widths == (2, *run.config.hidden, k) and len(graph.positions[-1]) == k
    assert len(graph.output_nodes) == k and len(graph.layer_rings[-1]) == k
    for node, color in zip(graph.output_nodes, OKABE_ITO[:k], strict=True):
        assert node.get_stroke_color().to_hex().upper() == color
        # The node is tinted: 30 % of the class colour over the background.
        tint = 0.7 * np.array(hex_to_rgb(THEME.background)) + 0.3 * np.array(hex_to_rgb(color))
        fill = np.array(hex_to_rgb(node.get_fill_color().to_hex()))
        assert np.abs(fill - tint).max() <= 1.0
    # Each output node is named p_c, class c's probability, and its class name stands beside
    # it in its colour, top to bottom.
    assert [label.tex_string for label in graph.labels[2:]] == [f"p_{{{c}}}" for c in range(k)]
    assert [label.original_text for label in graph.class_labels] == [f"class {c}" for c in range(k)]
    for label, color, node in zip(graph.class_labels, OKABE_ITO, graph.output_nodes, strict=False):
        assert label.get_fill_color().to_hex().upper() == color
        assert label.get_left()[0] > node.get_right()[0]
        assert abs(label.get_center()[1] - node.get_center()[1]) < 0.05
    ys = [float(p[1]) for p in graph.positions[-1]]
    assert ys == sorted(ys, reverse=True)


@pytest.mark.parametrize("name", ["spiral3", "blobs6"])
@pytest.mark.parametrize("t", [0.0, 3.7])
def test_the_links_into_every_output_node_follow_their_weights(name: str, t: float) -> None:
    run = run_of(name)
    graph = NetworkGraph(
        BlockContext(Trajectory(run), ValueTracker(t), THEME), heatmap_resolution=8
    )
    W, b = interpolated_layers(run, t)
    k = run.config.classes
    assert W[-1].shape == (k, run.config.hidden[-1])
    assert len(graph.layer_links[-1]) == k
    for c, row in enumerate(graph.layer_links[-1]):
        assert len(row) == run.config.hidden[-1]
        for j, line in enumerate(row):
            width, color = expected_stroke(float(W[-1][c, j]))
            assert line.get_stroke_width() == pytest.approx(width, abs=1e-6)
            assert line.get_stroke_color().to_hex().upper() == color.upper()
            # It ends at output node c.
            end = graph.positions[-1][c]
            assert np.linalg.norm(line.get_end() - end) < 0.5
        width, color = expected_stroke(float(b[-1][c]))
        ring = graph.layer_rings[-1][c]
        assert ring.get_stroke_width() == pytest.approx(width, abs=1e-6)
        assert ring.get_stroke_color().to_hex().upper() == color.upper()


@pytest.mark.parametrize("t", [0.0, 2.5, 6.0])
def test_the_live_weights_into_each_output_node_are_read_out_beside_it(t: float) -> None:
    run = run_of("blobs6")
    layout = NetworkLayout(BlockContext(Trajectory(run), ValueTracker(t), THEME), mesh_resolution=8,
                           heatmap_resolution=8)  # fmt: skip
    W, b = interpolated_layers(run, t)
    readout = layout.weights
    assert readout.live and readout.softmax
    assert list(readout.rows) == ["W1", "b1"]  # the bottom line; the rest beside the nodes
    assert len(readout.output_rows) == 6
    for c, row in enumerate(readout.output_rows):
        numbers = [float(v) for v in re.findall(r"-?\d+\.\d+", (row.text or "").replace("−", "-"))]
        np.testing.assert_allclose(numbers, [*W[1][c], b[1][c]], atol=0.0051)
        # On the height of its node, right of the class name.
        node = layout.diagram.output_nodes[c]
        assert abs(row.get_center()[1] - node.get_center()[1]) < 0.1
        assert row.get_left()[0] > layout.diagram.class_labels[c].get_right()[0]
    tex = readout.formula.tex_string
    assert r"p_c = e^{z_c} \big/ {\textstyle\sum_j} e^{z_j}" in tex
    assert r"z_c = w_c \cdot a(W_1 x + b_1) + b_c" in tex and r"\sigma" not in tex
    assert [name.tex_string for name in readout.output_names] == ["w_c", "b_c"]


def test_a_deep_softmax_formula_defines_each_output() -> None:
    formula, names = general_formula(("tanh", "tanh"), "softmax")
    assert formula == (
        r"p_c = e^{z_c} \big/ {\textstyle\sum_j} e^{z_j},\ "
        r"z = W_{3}\, a_{2}(W_{2}\, a_{1}(W_1 x + b_1) + b_{2}) + b_{3},"
    )
    assert names == r"\quad a_{1} = a_{2} = \text{tanh}"
    layout = NetworkLayout(BlockContext(Trajectory(run_of("spiral3")), ValueTracker(1.0), THEME),
                           mesh_resolution=8, heatmap_resolution=8)  # fmt: skip
    assert not layout.weights.live and layout.weights.output_rows == []
    assert layout.weights.formula.tex_string.startswith(formula)


@pytest.mark.parametrize("name", ["spiral3", "blobs6", "blobs3", "iris"])
def test_the_layout_names_the_classes_fits_the_frame_and_nothing_overlaps(name: str) -> None:
    run = run_of(name)
    layout = NetworkLayout(
        BlockContext(Trajectory(run), ValueTracker(0.0), THEME),
        mesh_resolution=8,
        heatmap_resolution=8,
    )
    k = run.config.classes
    names = run.config.class_names or tuple(f"class {c}" for c in range(k))
    # The mesh legend names every class (the CSV file's labels for iris), as do the labels
    # beside the output nodes; the input plane says what its colours are.
    legend = texts_in(layout.mesh_legend)
    assert all(n in legend for n in names) and "pale: unsure" in legend
    assert [label.original_text for label in layout.diagram.class_labels] == list(names)
    assert texts_in(layout.input_panel.caption) == ["the top class over the input plane"]
    parts = {
        "diagram": layout.diagram,
        "input panel": layout.input_panel,
        "heading": layout.heading,
        "stats": layout.stats,
        "formula": layout.weights.formula,
        "legend": layout.legend,
        "mesh legend": layout.mesh_legend,
    }
    if layout.weights.live:
        parts["weights"] = layout.weights  # bottom line and the rows beside the nodes
    for part_name, part in parts.items():
        left, right, bottom, top = bounds(part)
        assert left > -FRAME_X and right < FRAME_X, part_name
        assert bottom > -FRAME_Y and top < FRAME_Y, part_name
    # The diagram (with its class names) and the weights beside it overlap by design; the
    # rest stand apart, and apart from every number.
    keys = list(parts)
    for a in range(len(keys)):
        for c in range(a + 1, len(keys)):
            if {keys[a], keys[c]} in ({"diagram", "weights"}, {"formula", "weights"}):
                continue
            assert not overlap(bounds(parts[keys[a]]), bounds(parts[keys[c]])), (keys[a], keys[c])
    graph = layout.diagram
    pieces = [bounds(r) for r in graph.rings] + [bounds(n) for n in graph.nodes[:2]]
    pieces += [bounds(t) for t in graph.heatmap_labels] + [bounds(bar) for bar in graph.bars]
    pieces += [bounds(label) for label in graph.class_labels]
    if layout.weights.live:
        pieces += [bounds(row) for row in layout.weights.output_rows]
        pieces += [bounds(n) for n in layout.weights.output_names]
        pieces += [bounds(layout.weights.formula)]
    for a in range(len(pieces)):
        for c in range(a + 1, len(pieces)):
            assert not overlap(pieces[a], pieces[c]), (a, c)


def test_a_two_class_csv_diagram_names_its_classes(tmp_path: Path) -> None:
    """A sigmoid run of a CSV file's two labels: the mesh legend says their names (and
    P(<second name>)) instead of class 0 and class 1."""
    rng = np.random.default_rng(3)
    path = tmp_path / "pets.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["weight", "height", "animal"])
        for k, animal in enumerate(("cat", "dog")):
            for x, y in rng.normal(k, 0.4, size=(20, 2)):
                writer.writerow([f"{x:.3f}", f"{y:.3f}", animal])
    from nnviz.cache import cached_run

    run = cached_run(csv_config(path, hidden=(2,), lr=0.05), report=lambda _: None)
    assert run.config.output_head.link == "sigmoid"
    layout = NetworkLayout(
        BlockContext(Trajectory(run), ValueTracker(0.0), THEME),
        mesh_resolution=8,
        heatmap_resolution=8,
    )
    legend = texts_in(layout.mesh_legend)
    assert {"cat", "dog", "P(dog)"} <= set(legend) and "class 0" not in legend
    assert len(layout.diagram.output_nodes) == 1 and len(layout.diagram.class_labels) == 0


class ThreeClassDiagram(NetworkStory):
    """A short 2-8-2-3 tanh softmax run on the three-armed spiral, as the diagram story."""

    base_config = RunConfig(dataset="spiral", classes=3, max_epochs=12, target_loss=0.0)
    hidden = (8, 2)
    activation = "tanh"
    dataset = "spiral"
    lr = 0.03
    network = NetworkPhase(seconds_per_epoch=0.05, lead_seconds=0.2, hold_seconds=0.2,
                           mesh_resolution=80, heatmap_resolution=40)  # fmt: skip


def screen_pixel(point: np.ndarray, width: int, height: int) -> tuple[int, int]:
    """The (row, column) of the pixel that shows scene point ``point`` (frame 14.22 × 8)."""
    column = (point[0] + FRAME_X) / (2 * FRAME_X) * width
    row = (FRAME_Y - point[1]) / (2 * FRAME_Y) * height
    return int(row), int(column)


@pytest.mark.render
def test_a_three_class_diagram_renders(tmp_path: Path) -> None:
    """The story renders a softmax run (no refusal); on the frame each output node shows its
    class's tint, and the frame matches its control image."""
    scene, frame = render_scene_last_frame(ThreeClassDiagram, tmp_path)
    height, width = frame.shape[:2]
    layout = next(m for m in scene.mobjects if isinstance(m, NetworkLayout))
    graph = layout.diagram
    for c, point in enumerate(graph.positions[-1]):
        # Left of the node's centre, clear of its label p_c, inside its circle.
        radius = graph.shapes[-1][c][1]
        row, column = screen_pixel(point - np.array([0.7 * radius, 0.0, 0.0]), width, height)
        tint = 0.7 * np.array(hex_to_rgb(THEME.background)) + 0.3 * np.array(
            hex_to_rgb(OKABE_ITO[c])
        )
        assert np.abs(frame[row, column].astype(float) - tint).max() <= 6, c
    assert_matches_control(frame, "ThreeClassDiagram")


class ThreeClassesSideBySide(SideBySideStory):
    """Two short softmax runs of three classes side by side."""

    heading = "three classes"
    runs = (
        ("one layer", RUNS["blobs3"]),
        ("two layers", RUNS["spiral3"].replace(dataset="blobs")),
    )
    seconds_per_epoch = 0.2
    hold_seconds = 0.5
    mesh_resolution = 20


def test_the_side_by_side_story_plays_softmax_runs_with_a_class_legend() -> None:
    with tempconfig({"dry_run": True, "verbosity": "ERROR", "frame_rate": 2}):
        scene: Scene = ThreeClassesSideBySide()
        scene.render()
        assert scene.renderer.time > 1.0
        words = [w for m in scene.mobjects for w in texts_in(m)]
        assert {"class 0", "class 1", "class 2", "pale: unsure"} <= set(words)
        assert not any(w.startswith("P(") for w in words)
