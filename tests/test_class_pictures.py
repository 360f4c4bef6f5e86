"""The k-class pictures of the training layout against torch: the input plane's field, the last
hidden plane's tie edges, the dots' order and the read-out's numbers of a softmax run."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from manim import ValueTracker

from nnviz.class_colors import ClassColormap, class_palette
from nnviz.config import RunConfig
from nnviz.forward import Space
from nnviz.mobjects.context import PanelContext
from nnviz.mobjects.panels import CLASS_FIELD_STRENGTH, HiddenSpacePanel, InputPlanePanel
from nnviz.run import Run
from nnviz.theme import THEMES
from nnviz.train import train
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

THEME = THEMES["dark"]
VIEW = Viewport((0.0, 0.0), 4.0, 4.0)
TORCH = {"relu": torch.relu, "tanh": torch.tanh}


def torch_layers(run: Run, weights, x: np.ndarray, start: int = 0) -> torch.Tensor:  # type: ignore[no-untyped-def]
    """The logits of ``x``, a point of hidden layer ``start`` (0: the input), with torch."""
    h = torch.from_numpy(np.asarray(x, dtype=np.float64))
    layers = len(weights.W)
    for k in range(start, layers):
        h = h @ torch.from_numpy(weights.W[k]).T + torch.from_numpy(weights.b[k])
        if k < layers - 1:
            h = TORCH[run.config.activations[k]](h)
    return h


@pytest.fixture(scope="module")
def spiral3() -> Run:
    """Three arms through a 2-4-2-3 tanh network, 30 epochs."""
    config = RunConfig(dataset="spiral", classes=3, hidden=(4, 2), activation="tanh",
                       lr=0.03, max_epochs=30, target_loss=0.0, samples=240)  # fmt: skip
    return train(config)


def test_the_input_field_is_the_colour_of_torchs_most_probable_class(spiral3: Run) -> None:
    """Pixels read back from the painted image equal the class colour map of torch's
    softmax of the logged weights at the pixel's centre (to one step of the map's table: the
    picture's forward pass runs in float32)."""
    epoch = 30
    trajectory = Trajectory(spiral3)
    panel = InputPlanePanel(PanelContext(trajectory, ValueTracker(float(epoch)), THEME, VIEW),
                            mesh_resolution=48)  # fmt: skip
    image = np.asarray(panel.mesh.pixel_array)
    rows, cols = image.shape[:2]
    (x0, x1), (y0, y1) = panel.box
    colormap = ClassColormap.from_theme(THEME, 3, CLASS_FIELD_STRENGTH)
    rng = np.random.default_rng(7)
    checked = set()
    for r, c in rng.integers(0, rows, size=(40, 2)):
        x = x0 + (c + 0.5) * (x1 - x0) / cols
        y = y1 - (r + 0.5) * (y1 - y0) / rows
        z = torch_layers(spiral3, spiral3.weights(epoch), np.array([[x, y]]))
        p = torch.softmax(z, -1).numpy()
        top = np.sort(p[0])
        if top[-1] - top[-2] < 1e-3:  # on a tie either colour is right
            continue
        expected = colormap(p)[0]
        assert np.abs(image[r, c].astype(int) - expected.astype(int)).max() <= 2, (r, c)
        checked.add(int(np.argmax(p)))
    assert len(checked) >= 2  # the sample saw more than one class's colour


def test_the_last_hidden_planes_edges_are_where_torchs_class_changes(spiral3: Run) -> None:
    """Along lines across the last hidden layer's view, torch's argmax of the output changes
    exactly where a drawn tie edge (its screen ends mapped back to the layer's units) crosses
    the line, and nowhere else."""
    trajectory = Trajectory(spiral3)
    epoch = 30
    panel = HiddenSpacePanel(PanelContext(trajectory, ValueTracker(float(epoch)), THEME, VIEW),
                             mesh_resolution=32, space=Space(2, "activation"))  # fmt: skip
    box = trajectory.view_box(panel.space, float(epoch))
    bezier = panel.boundary.points.reshape(-1, 4, 3)
    edges = np.stack([VIEW.to_data(bezier[:, 0], box), VIEW.to_data(bezier[:, 3], box)], axis=1)
    assert len(edges) >= 1
    weights = spiral3.weights(epoch)
    rng = np.random.default_rng(3)
    (x0, x1), (y0, y1) = box
    lo, hi = np.array([x0, y0]), np.array([x1, y1])
    seen = 0
    for _ in range(12):
        a, b = lo + (hi - lo) * rng.uniform(size=2), lo + (hi - lo) * rng.uniform(size=2)
        s = np.linspace(0.0, 1.0, 4001)
        line = a + s[:, None] * (b - a)
        classes = torch_layers(spiral3, weights, line, start=2).argmax(-1).numpy()
        changes = s[1:][classes[1:] != classes[:-1]]
        crossings = np.sort(_crossings(a, b, edges))
        assert len(crossings) == len(changes)
        step = s[1] - s[0]
        np.testing.assert_allclose(crossings, changes, atol=1.5 * step)
        seen += len(changes)
    assert seen >= 3  # the lines did cross the regions' edges


def _crossings(a: np.ndarray, b: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Where along ``a → b`` (0 to 1) the segments ``edges`` (M, 2, 2) cross it."""
    out = []
    d = b - a
    for p, q in edges:
        e = q - p
        den = d[0] * e[1] - d[1] * e[0]
        if abs(den) < 1e-15:
            continue
        w = p - a
        s = (w[0] * e[1] - w[1] * e[0]) / den
        u = (w[0] * d[1] - w[1] * d[0]) / den
        if 0.0 <= s <= 1.0 and 0.0 <= u <= 1.0:
            out.append(s)
    return np.array(out)


def test_dots_take_the_class_palette_and_torchs_mistakes_go_on_top(spiral3: Run) -> None:
    epoch = 12
    trajectory = Trajectory(spiral3)
    panel = InputPlanePanel(PanelContext(trajectory, ValueTracker(float(epoch)), THEME, VIEW),
                            mesh_resolution=16)  # fmt: skip
    palette = np.array([[int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)] for c in class_palette(3)])
    np.testing.assert_allclose(panel.dots.class_rgb, palette)
    predicted = torch_layers(spiral3, spiral3.weights(epoch), spiral3.X).argmax(-1).numpy()
    wrong = predicted != spiral3.y
    assert 0 < wrong.sum() < len(wrong)
    order = panel.dots.draw_order
    assert set(order[len(order) - wrong.sum() :]) == set(np.flatnonzero(wrong))


def test_the_read_out_is_torchs_cross_entropy_and_accuracy(spiral3: Run) -> None:
    """At a logged epoch and between two, the state's loss and accuracy are torch's
    cross-entropy and argmax accuracy of the (interpolated) weights; its logits are (N, 3)."""
    trajectory = Trajectory(spiral3, interpolation="linear")
    for t in (0.0, 17.0, 17.25):
        state = trajectory.state(t)
        weights = trajectory.weights_at(t)
        z = torch_layers(spiral3, weights, spiral3.X)
        y = torch.from_numpy(spiral3.y.astype(np.int64))
        assert state.logits.shape == (len(spiral3.y), 3)
        assert state.loss == pytest.approx(float(torch.nn.functional.cross_entropy(z, y)), rel=1e-9)
        assert state.accuracy == pytest.approx(float((z.argmax(-1) == y).double().mean()))


def test_a_sigmoid_runs_read_out_is_unchanged() -> None:
    """A two-class sigmoid run keeps its one column of logits and its binary numbers."""
    run = train(RunConfig(max_epochs=3, target_loss=0.0))
    state = Trajectory(run).state(3.0)
    z = torch_layers(run, run.weights(3), run.X)[:, 0]
    y = torch.from_numpy(run.y.astype(np.float64))
    assert state.logits.shape == (len(run.y),)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    assert state.loss == pytest.approx(float(expected), rel=1e-9)
    assert state.accuracy == pytest.approx(float(((z > 0).double() == y).double().mean()))


def test_the_number_lines_breaks_are_where_torchs_class_changes() -> None:
    """A last hidden layer of one unit: the drawn vertical lines (mapped back to the layer's
    units) are where torch's argmax of the output changes along the line, and only there."""
    from nnviz.mobjects.views import NumberLinePanel

    config = RunConfig(dataset="blobs", classes=4, hidden=(3, 1), activation="tanh",
                       lr=0.05, max_epochs=8, target_loss=0.0, samples=160)  # fmt: skip
    run = train(config)
    epoch = 8
    trajectory = Trajectory(run)
    panel = NumberLinePanel(
        PanelContext(trajectory, ValueTracker(float(epoch)), THEME, VIEW),
        layer=2,
        mesh_resolution=24,
    )
    x_range = trajectory.view_box(panel.space, float(epoch))[0]
    box = (x_range, (0.0, 1.0))
    bezier = panel.boundary.points.reshape(-1, 4, 3)
    drawn = np.sort(VIEW.to_data(bezier[:, 0], box)[:, 0])
    h = np.linspace(*x_range, 20001)
    classes = torch_layers(run, run.weights(epoch), h[:, None], start=2).argmax(-1).numpy()
    changes = h[1:][classes[1:] != classes[:-1]]
    assert len(changes) >= 1
    np.testing.assert_allclose(drawn, changes, atol=2 * (h[1] - h[0]))
    # The dots of each class sit in their own band of the panel's height.
    heights = VIEW.to_data(drawn_centres(panel), box)[:, 1]
    assert np.all(np.floor(heights * 4) == run.y)


def drawn_centres(panel) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The dots' centres in scene units, in the data's order."""
    centres = panel.dots.points.reshape(-1, 16, 3).mean(axis=1)[:, :2]
    out = np.empty_like(centres)
    out[panel.dots.draw_order] = centres
    return out


def test_an_earlier_plane_is_coloured_by_the_rest_of_the_network() -> None:
    """A first hidden layer of two units before another hidden layer: each pixel of its view
    is the class colour map of torch's softmax of the rest of the network at the pixel's
    centre, and its tie lines are drawn."""
    config = RunConfig(dataset="blobs", classes=3, hidden=(2, 3), activation="tanh",
                       lr=0.05, max_epochs=10, target_loss=0.0, samples=150)  # fmt: skip
    run = train(config)
    epoch = 10
    trajectory = Trajectory(run)
    panel = HiddenSpacePanel(PanelContext(trajectory, ValueTracker(float(epoch)), THEME, VIEW),
                             mesh_resolution=40, space=Space(1, "activation"))  # fmt: skip
    (x0, x1), (y0, y1) = trajectory.view_box(panel.space, float(epoch))
    image = np.asarray(panel.mesh.pixel_array)
    rows, cols = image.shape[:2]
    colormap = ClassColormap.from_theme(THEME, 3, CLASS_FIELD_STRENGTH)
    grid_r, grid_c = np.meshgrid(np.arange(0, rows, 3), np.arange(0, cols, 3), indexing="ij")
    r, c = grid_r.ravel(), grid_c.ravel()
    h = np.column_stack([x0 + (c + 0.5) * (x1 - x0) / cols, y1 - (r + 0.5) * (y1 - y0) / rows])
    p = torch.softmax(torch_layers(run, run.weights(epoch), h, start=1), -1).numpy()
    top = np.sort(p, axis=-1)
    clear = top[:, -1] - top[:, -2] > 1e-3
    difference = np.abs(image[r, c].astype(int) - colormap(p).astype(int)).max(axis=-1)
    assert np.all(difference[clear] <= 2)
    classes = set(np.argmax(p, axis=-1).tolist())
    assert len(panel.boundary.points) > 0 or len(classes) == 1
