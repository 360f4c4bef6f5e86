"""Each axis its own scale (issue 20), in the pictures: the input plane, the blog layout, the
network diagram, the deformation and the comparison of a CSV file whose columns differ in range
a thousandfold (``examples/wine.csv``) draw it on their own range per axis, every mesh pixel the
network's probability (by torch, from the logged weights) at the point it stands for; built-in
data keeps one scale; the settings and ``nnviz render --axis-scales`` choose."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from manim import ValueTracker

from nnviz.cli import cli
from nnviz.colormap import DivergingColormap
from nnviz.config import RunConfig
from nnviz.csv_data import read_csv_data
from nnviz.forward import HIDDEN_AFFINE, Weights
from nnviz.mobjects.context import BlockContext, PanelContext
from nnviz.mobjects.diagram.layout import NetworkLayout
from nnviz.mobjects.grid import DeformationPanel
from nnviz.mobjects.layout import TrainingLayout
from nnviz.mobjects.panels import HiddenSpacePanel, InputPlanePanel
from nnviz.mobjects.shapes import ClassDots
from nnviz.run import Run
from nnviz.run_file import save_run
from nnviz.stories.compare import ComparePhase, range_key
from nnviz.stories.network import NetworkPhase
from nnviz.stories.training import SingleRunStory, TrainingPhase
from nnviz.stories.transform import DeformationPhase
from nnviz.theme import THEMES
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport
from tests.story_probe import refusal_before_training

THEME = THEMES["dark"]
VIEW = Viewport((-2.0, 0.5), 4.0, 4.0)
WINE = Path(__file__).resolve().parents[1] / "examples" / "wine.csv"


@pytest.fixture(scope="module")
def wine_run() -> Run:
    """A real 6-epoch ReLU run on ``examples/wine.csv`` (proline 278 to 1680, hue 0.69 to
    1.71), trained with standardised inputs and logged in the file's units."""
    from nnviz.train import train

    data = read_csv_data(WINE)
    config = RunConfig(dataset="csv", data_file=str(WINE), data_hash=data.sha256,
                       samples=data.rows, feature_names=data.feature_names,
                       class_names=data.class_names, standardize=True, lr=0.05,
                       max_epochs=6, target_loss=0.0)  # fmt: skip
    return train(config)


#: The wine file's ranges, read off the file: proline 278 to 1680, hue 0.69 to 1.71. With the
#: input plane's margin of 0.1 each half-range is 0.6 of the extent: 979 ± 841.2, 1.2 ± 0.612.
WINE_BOX = ((137.8, 1820.2), (0.588, 1.812))


def torch_probability(weights: Weights, activation: str, x: np.ndarray) -> np.ndarray:
    """P(class 1) of a 2-2-1 network at ``x``, computed by torch in float64."""
    act = {"relu": torch.relu, "tanh": torch.tanh}[activation]
    with torch.no_grad():
        h = act(torch.from_numpy(x) @ torch.from_numpy(weights.W1).T + torch.from_numpy(weights.b1))
        return torch.sigmoid(h @ torch.from_numpy(weights.W2[0]) + float(weights.b2[0])).numpy()


def pixel_of(view: Viewport, screen: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Row and column of an n×n image filling ``view`` under scene points, from the screen
    alone (row 0 at the top)."""
    cx, cy = view.centre
    col = np.floor((screen[:, 0] - (cx - view.width / 2)) / view.width * n).astype(int)
    row = np.floor(((cy + view.height / 2) - screen[:, 1]) / view.height * n).astype(int)
    return row, col


def centre_of(box, row: np.ndarray, col: np.ndarray, n: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """The data point pixel (row, col) of an n×n image over ``box`` stands for: its centre."""
    (x0, x1), (y0, y1) = box
    return np.column_stack([x0 + (col + 0.5) * (x1 - x0) / n, y1 - (row + 0.5) * (y1 - y0) / n])


def in_data_order(cloud: ClassDots) -> np.ndarray:
    """The dots' centres (mean of each circle's 16 control points) in the data's order."""
    drawn = cloud.points.reshape(-1, 16, 3).mean(axis=1)
    out = np.empty_like(drawn)
    out[cloud.draw_order] = drawn
    return out


# --- the input plane --------------------------------------------------------------------------


def test_a_csv_files_input_plane_spans_each_columns_range(wine_run: Run) -> None:
    panel = InputPlanePanel(PanelContext(Trajectory(wine_run), ValueTracker(3.0), THEME, VIEW),
                            mesh_resolution=30)  # fmt: skip
    np.testing.assert_allclose(np.ravel(panel.box), np.ravel(WINE_BOX), rtol=1e-12)
    # The range labels give each axis its own range: x min, x max, y min, y max.
    assert [label.text for label in panel.range_labels] == ["137.8", "1820.2", "0.6", "1.8"]
    # The dots are the data, spread over the square; the frame stays square.
    (x0, x1), (y0, y1) = WINE_BOX
    cx, cy = VIEW.centre
    screen = in_data_order(panel.dots)
    u = (screen[:, 0] - (cx - 2.0)) / 4.0
    v = (screen[:, 1] - (cy - 2.0)) / 4.0
    drawn = np.column_stack([x0 + u * (x1 - x0), y0 + v * (y1 - y0)])
    np.testing.assert_allclose(drawn, wine_run.X, rtol=1e-9)
    assert np.ptp(u) == pytest.approx(1 / 1.2) and np.ptp(v) == pytest.approx(1 / 1.2)
    assert panel.frame_box.width == pytest.approx(panel.frame_box.height)


@pytest.mark.parametrize("t", [0.0, 2.5, 6.0])
def test_the_mesh_pixel_at_a_data_point_shows_its_probability(wine_run: Run, t: float) -> None:
    n = 60
    trajectory = Trajectory(wine_run)
    panel = InputPlanePanel(
        PanelContext(trajectory, ValueTracker(t), THEME, VIEW), mesh_resolution=n
    )
    weights = trajectory.weights_at(t)
    cmap = DivergingColormap.from_theme(THEME)
    pixels = panel.mesh.pixel_array
    # The pixel under each point's dot, found from the screen alone, stands for a point of
    # the per-axis box half a pixel from the data point at most; its colour is the colour map
    # of the probability torch gives there, from the logged (interpolated) weights.
    row, col = pixel_of(VIEW, in_data_order(panel.dots), n)
    centres = centre_of(WINE_BOX, row, col, n)
    (x0, x1), (y0, y1) = WINE_BOX
    half_pixel = np.array([(x1 - x0) / n / 2, (y1 - y0) / n / 2])
    assert np.all(np.abs(centres - wine_run.X) <= half_pixel * (1 + 1e-9))
    expected = cmap(torch_probability(weights, "relu", centres))
    np.testing.assert_array_equal(pixels[row, col], expected)
    # And the boundary lies where torch's probability is one half.
    ends = panel.boundary.points.reshape(-1, 4, 3)[:, [0, 3], :].reshape(-1, 3)
    if len(ends):
        p = torch_probability(weights, "relu", VIEW.to_data(ends, WINE_BOX))
        assert np.abs(p - 0.5).max() < 0.05


def test_built_in_data_keeps_one_scale_and_either_can_be_forced(
    short_run: Run, wine_run: Run
) -> None:
    built_in = InputPlanePanel(PanelContext(Trajectory(short_run), ValueTracker(0.0), THEME, VIEW),
                               mesh_resolution=16)  # fmt: skip
    (a, b), (c, d) = built_in.box
    assert b - a == pytest.approx(d - c)
    forced = InputPlanePanel(PanelContext(Trajectory(short_run), ValueTracker(0.0), THEME, VIEW),
                             mesh_resolution=16, axis_scales="per-axis")  # fmt: skip
    (a, b), (c, d) = forced.box
    low, high = short_run.X.min(axis=0), short_run.X.max(axis=0)
    np.testing.assert_allclose([a, b, c, d], [low[0] - 0.1 * (high[0] - low[0]),
                                              high[0] + 0.1 * (high[0] - low[0]),
                                              low[1] - 0.1 * (high[1] - low[1]),
                                              high[1] + 0.1 * (high[1] - low[1])])  # fmt: skip
    equal = TrainingLayout(
        BlockContext(Trajectory(wine_run), ValueTracker(0.0), THEME),
        mesh_resolution=16,
        axis_scales="equal",
    )
    (a, b), (c, d) = equal.input_panel.box
    assert b - a == pytest.approx(d - c) == pytest.approx(1.2 * (1680 - 278))


def test_the_blog_layout_carries_the_per_axis_grid(wine_run: Run) -> None:
    trajectory = Trajectory(wine_run)
    layout = TrainingLayout(BlockContext(trajectory, ValueTracker(6.0), THEME), mesh_resolution=16,
                            layout="blog")  # fmt: skip
    input_panel, affine = layout.panels[0], layout.panels[1]
    np.testing.assert_allclose(np.ravel(input_panel.box), np.ravel(WINE_BOX), rtol=1e-12)
    assert isinstance(affine, HiddenSpacePanel) and affine.space == HIDDEN_AFFINE
    # The grid carried into z = W1 x + b1 is the input plane's: its pixel centres over the
    # per-axis box (200 samples a side here would do; the panel's default is 300).
    grid = affine.input_grid
    assert grid is not None
    (x0, x1), (y0, y1) = WINE_BOX
    m = affine.grid_samples
    np.testing.assert_allclose(grid.min(axis=0), [x0 + (x1 - x0) / m / 2, y0 + (y1 - y0) / m / 2])
    np.testing.assert_allclose(grid.max(axis=0), [x1 - (x1 - x0) / m / 2, y1 - (y1 - y0) / m / 2])


def test_the_network_diagrams_heatmaps_share_the_input_planes_box(wine_run: Run) -> None:
    n = 24
    trajectory = Trajectory(wine_run)
    layout = NetworkLayout(BlockContext(trajectory, ValueTracker(4.0), THEME), mesh_resolution=n,
                           heatmap_resolution=n)  # fmt: skip
    assert layout.diagram.box == layout.input_panel.box
    np.testing.assert_allclose(np.ravel(layout.input_panel.box), np.ravel(WINE_BOX), rtol=1e-12)
    forced = NetworkLayout(BlockContext(trajectory, ValueTracker(4.0), THEME), mesh_resolution=n,
                           heatmap_resolution=n, axis_scales="equal")  # fmt: skip
    (a, b), (c, d) = forced.diagram.box
    assert b - a == pytest.approx(d - c)


# --- the deformation -----------------------------------------------------------------------


def test_the_deformations_input_stage_is_per_axis_and_its_shading_exact(wine_run: Run) -> None:
    n = 40
    weights = wine_run.weights(wine_run.epochs)
    phase = DeformationPhase(view=VIEW, mesh_resolution=n, grid_count=7, grid_samples=20)
    panel = phase.make_panel(wine_run, ValueTracker(0.0), THEME)
    assert panel.axis_scales == "per-axis"
    # At s = 0: the data's own ranges with the camera's margin of 0.12 (half-ranges 0.62 of
    # each extent: 979 ± 869.24, 1.2 ± 0.6324), the dots at the data.
    box = ((979 - 869.24, 979 + 869.24), (1.2 - 0.6324, 1.2 + 0.6324))
    np.testing.assert_allclose(np.ravel(panel.box_at(0.0)), np.ravel(box), rtol=1e-12)
    drawn = VIEW.to_data(in_data_order(panel.dots), box)
    np.testing.assert_allclose(drawn, wine_run.X, rtol=1e-9)
    assert [label.text for label in panel.range_labels] == ["109.8", "1848.2", "0.6", "1.8"]
    # The shading at the end: every pixel torch's probability at its centre.
    panel.paint_input_probability()
    rows, cols = np.divmod(np.arange(n * n), n)
    expected = DivergingColormap.from_theme(THEME)(
        torch_probability(weights, "relu", centre_of(box, rows, cols, n))
    )
    np.testing.assert_array_equal(panel.shading.pixel_array.reshape(-1, 4), expected)
    # Built-in data keeps the square around the data and the origin.
    plain = DeformationPanel(wine_run.X, wine_run.y, weights, "relu", ValueTracker(0.0), VIEW,
                             THEME, grid_count=7, grid_samples=20, mesh_resolution=8)  # fmt: skip
    (a, b), (c, d) = plain.box_at(0.0)
    assert b - a == pytest.approx(d - c)


def test_a_3d_deformation_starts_on_the_input_box_too() -> None:
    rng = np.random.default_rng(11)
    X = rng.normal(size=(50, 2)) * [300.0, 0.2] + [800.0, 1.0]
    y = (X[:, 0] > 800).astype(np.int64)
    arrays: list[np.ndarray] = []
    for k, (fan_in, fan_out) in enumerate(itertools.pairwise((2, 3, 1))):
        W = rng.normal(size=(fan_out, fan_in))
        arrays += [W / [300.0, 0.2] if k == 0 else W, rng.normal(size=fan_out)]
    weights = Weights(*arrays)
    n = 30
    panel = DeformationPanel(X, y, weights, "tanh", ValueTracker(0.0), VIEW, THEME,
                             grid_count=7, grid_samples=20, mesh_resolution=n,
                             axis_scales="per-axis")  # fmt: skip
    assert panel.dimensions == 3
    low, high = X.min(axis=0), X.max(axis=0)
    box = tuple(
        (lo - 0.12 * (hi - lo), hi + 0.12 * (hi - lo)) for lo, hi in zip(low, high, strict=True)
    )
    np.testing.assert_allclose(np.ravel(panel.camera.input_box()), np.ravel(box), rtol=1e-12)
    drawn = VIEW.to_data(in_data_order(panel.dots), box)
    np.testing.assert_allclose(drawn, X, rtol=1e-9)
    panel.paint_input_probability()
    rows, cols = np.divmod(np.arange(n * n), n)
    centres = centre_of(box, rows, cols, n)
    with torch.no_grad():
        h = torch.tanh(torch.from_numpy(centres) @ torch.from_numpy(weights.W[0]).T
                       + torch.from_numpy(weights.b[0]))  # fmt: skip
        p = torch.sigmoid(h @ torch.from_numpy(weights.W[1][0]) + float(weights.b[1][0]))
    expected = DivergingColormap.from_theme(THEME)(p.numpy())
    np.testing.assert_array_equal(panel.shading.pixel_array.reshape(-1, 4), expected)


# --- the comparison ----------------------------------------------------------------------------


def test_the_comparison_gives_each_axis_range_once() -> None:
    assert range_key(WINE_BOX, ("proline", "hue")) == (
        "each axis its own scale",
        "across: proline",
        "137.8 to 1820.2",
        "up: hue",
        "0.6 to 1.8",
    )
    narrow = ((-0.5, 0.5), (0.012, 0.034))
    assert range_key(narrow, None)[1:] == ("across: x₁", "-0.5 to 0.5", "up: x₂", "0.012 to 0.034")


# --- the settings -------------------------------------------------------------------------------


@pytest.mark.parametrize("phase", [TrainingPhase, NetworkPhase, DeformationPhase, ComparePhase])
def test_every_phase_takes_the_setting_and_refuses_an_unknown_one(phase: Any) -> None:
    assert phase().axis_scales == "auto"
    assert phase(axis_scales="per-axis").axis_scales == "per-axis"
    with pytest.raises(ValueError, match="unknown axis scales 'square'"):
        phase(axis_scales="square").check()


def test_a_story_s_phase_setting_is_refused_in_one_line_when_it_starts() -> None:
    class Equal(SingleRunStory):
        training = TrainingPhase(axis_scales="equal")

    class Square(SingleRunStory):
        training = TrainingPhase(axis_scales="square")

    assert Equal.training.axis_scales == "equal"
    assert SingleRunStory.training.axis_scales == "auto"
    assert refusal_before_training(Square) == (
        "nnviz: Square.training: unknown axis scales 'square'; choose one of auto, equal, per-axis"
    )


def test_render_help_says_what_auto_does() -> None:
    result = CliRunner().invoke(cli, ["render", "--help"], terminal_width=100)
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    assert "--axis-scales [auto|equal|per-axis]" in text
    assert "auto: one scale for both for a built-in data set" in text
    assert "each axis its own range for --data FILE.csv" in text


def test_render_refuses_an_unknown_setting_in_one_line() -> None:
    result = CliRunner().invoke(cli, ["render", "--axis-scales", "square"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--axis-scales" in result.stderr


@pytest.fixture
def rendered(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Record what ``nnviz render`` would render instead of rendering it: the scene class's
    settings and the video's name."""
    from nnviz import run_videos

    calls: list[dict[str, Any]] = []

    def render_scene(scene: Any, quality: str, output_format: str, media_dir: Any,
                     output_name: str, *args: Any, **kwargs: Any) -> Path:  # fmt: skip
        story = scene.load()
        calls.append({"name": output_name, "axis_scales": story.training.axis_scales})
        return Path(f"{output_name}.mp4")

    monkeypatch.setattr(run_videos, "render_scene", render_scene)
    return calls


@pytest.mark.parametrize(
    ("data", "setting", "suffix"),
    [
        ("csv", "auto", ""),
        ("csv", "per-axis", ""),
        ("csv", "equal", "_equal"),
        ("seed", "auto", ""),
        ("seed", "equal", ""),
        ("seed", "per-axis", "_per-axis"),
    ],
)
def test_render_passes_the_setting_and_names_a_video_that_is_not_the_default(
    rendered: list[dict[str, Any]], data: str, setting: str, suffix: str
) -> None:
    args = ["render", "--epochs", "2", "--axis-scales", setting]
    if data == "csv":
        args += ["--data", str(WINE)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    (call,) = rendered
    assert call["axis_scales"] == setting
    # The default's name is the run's; a video of the other scales says which.
    default = rendered_name(data)
    assert call["name"] == default + suffix


def rendered_name(data: str) -> str:
    """The video name of the run these tests render with the default scales."""
    from nnviz.run_videos import run_video_name

    if data == "csv":
        csv = read_csv_data(WINE)
        config = RunConfig(dataset="csv", data_file=str(WINE), data_hash=csv.sha256,
                           samples=csv.rows, feature_names=csv.feature_names,
                           class_names=csv.class_names, standardize=True, max_epochs=2)  # fmt: skip
        return run_video_name(config)
    return run_video_name(RunConfig(max_epochs=2))


def test_render_run_takes_the_setting(
    rendered: list[dict[str, Any]], wine_run: Run, tmp_path: Path
) -> None:
    path = tmp_path / "wine.npz"
    save_run(wine_run, path)
    result = CliRunner().invoke(cli, ["render", "--run", str(path), "--axis-scales", "equal"])
    assert result.exit_code == 0, result.stderr
    assert rendered == [{"name": "wine_equal", "axis_scales": "equal"}]


def test_a_phase_s_setting_written_on_the_story_is_refused_in_one_line() -> None:
    """The old way (a class attribute of the phase's setting) would be ignored: refused."""

    class Old(SingleRunStory):
        axis_scales = "equal"

    assert refusal_before_training(Old) == (
        "nnviz: Old.axis_scales: a setting of the training phase; "
        "write training = TrainingPhase(axis_scales=...)"
    )
