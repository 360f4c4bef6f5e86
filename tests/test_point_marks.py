"""Each point's loss as its dot's size, rings on the misclassified, trails and a discretised
mesh (issue 23 items 3 and 4): torch and hand-made clocks are the oracles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from manim import ImageMobject, Mobject, ValueTracker

from nnviz import forward
from nnviz.class_colors import ClassColormap
from nnviz.colormap import DivergingColormap
from nnviz.config import RunConfig
from nnviz.mobjects.context import BlockContext, PanelContext, PanelMarks
from nnviz.mobjects.hud import ClassFieldLegend, ProbabilityLegend
from nnviz.mobjects.layout import TrainingLayout
from nnviz.mobjects.panels import CLASS_FIELD_STRENGTH, HiddenSpacePanel, InputPlanePanel
from nnviz.mobjects.point_legend import PointLossLegend
from nnviz.mobjects.views import layer_view
from nnviz.point_loss import LOSS_EDGES, RADIUS_FACTORS, legend_scale, radius_factors
from nnviz.run import Run
from nnviz.stories.base import NNVizScene
from nnviz.theme import THEMES
from nnviz.trails import TrailClock, trail_positions
from nnviz.train import train
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport
from tests.frame_regression import render_scene_last_frame

THEME = THEMES["dark"]
VIEW = Viewport((0.0, 0.0), 4.0, 4.0)
TORCH = {"relu": torch.relu, "tanh": torch.tanh}


def torch_logits(run: Run, epoch: int) -> torch.Tensor:
    """The logits of the run's points at a logged epoch, with torch."""
    weights = run.weights(epoch)
    h = torch.from_numpy(run.X)
    layers = len(weights.W)
    for k in range(layers):
        h = h @ torch.from_numpy(weights.W[k]).T + torch.from_numpy(weights.b[k])
        if k < layers - 1:
            h = TORCH[run.config.activations[k]](h)
    return h


def oracle_factors(losses: np.ndarray) -> np.ndarray:
    """The radius factor of each loss, read off the table by hand: the first level whose
    upper edge lies above the loss."""
    out = []
    for loss in losses:
        level = next((k for k, edge in enumerate(LOSS_EDGES) if loss < edge), len(LOSS_EDGES))
        out.append(RADIUS_FACTORS[level])
    return np.array(out)


@pytest.fixture(scope="module")
def blobs3() -> Run:
    """Three blobs through a 2-2-3 tanh network, 6 epochs (some points still wrong)."""
    return train(RunConfig(dataset="blobs", classes=3, activation="tanh", lr=0.02, max_epochs=6,
                           target_loss=0.0, samples=150))  # fmt: skip


def test_a_sigmoid_runs_dots_are_sized_by_torchs_binary_cross_entropy(short_run: Run) -> None:
    epoch = 3
    logits = torch_logits(short_run, epoch)[:, 0]
    y = torch.from_numpy(short_run.y.astype(np.float64))
    bce = torch.nn.functional.binary_cross_entropy(torch.sigmoid(logits), y, reduction="none")
    wrong = (logits > 0).numpy() != (short_run.y == 1)
    context = PanelContext(Trajectory(short_run), ValueTracker(float(epoch)), THEME, VIEW,
                           PanelMarks(point_loss=True))  # fmt: skip
    for panel in (InputPlanePanel(context), HiddenSpacePanel(context)):
        assert panel.dots.point_scale is not None and panel.dots.point_ringed is not None
        np.testing.assert_array_equal(panel.dots.point_scale, oracle_factors(bce.numpy()))
        np.testing.assert_array_equal(panel.dots.point_ringed, wrong)
    assert wrong.any() and not wrong.all()  # the run has both at epoch 3
    assert len(np.unique(oracle_factors(bce.numpy()))) >= 3  # and several sizes


def test_a_softmax_runs_dots_are_sized_by_torchs_cross_entropy(blobs3: Run) -> None:
    epoch = 2
    logits = torch_logits(blobs3, epoch)
    target = torch.from_numpy(blobs3.y.astype(np.int64))
    ce = torch.nn.functional.cross_entropy(logits, target, reduction="none").numpy()
    wrong = logits.argmax(dim=1).numpy() != blobs3.y
    context = PanelContext(Trajectory(blobs3), ValueTracker(float(epoch)), THEME, VIEW,
                           PanelMarks(point_loss=True))  # fmt: skip
    panel = layer_view(context, 1)
    assert panel.dots.point_scale is not None
    np.testing.assert_array_equal(panel.dots.point_scale, oracle_factors(ce))
    np.testing.assert_array_equal(panel.dots.point_ringed, wrong)


def test_the_radii_grow_with_the_loss_in_the_legends_steps() -> None:
    losses = np.linspace(0.0, 5.0, 2001)
    factors = radius_factors(losses)
    assert np.all(np.diff(factors) >= 0)  # monotone
    scale = legend_scale()
    # Each step of the legend: the sizes grow, and a loss inside the step's words gets its size.
    sizes = [factor for _, factor in scale]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes)
    inside = [0.05, 0.2, 0.5, 1.0, 3.0]  # one loss inside each range of the words
    words = ["< 0.1", "0.1–0.3", "0.3–0.7", "0.7–1.5", "≥ 1.5"]
    assert [word for word, _ in scale] == words
    np.testing.assert_array_equal(radius_factors(np.array(inside)), sizes)
    # A misclassified point (P(y) <= 1/2) is never drawn smaller than a loss of log 2 gives.
    assert radius_factors(np.array([np.log(2.0)]))[0] == sizes[2]


def test_the_legend_draws_its_sizes_as_the_panels_do() -> None:
    legend = PointLossLegend(THEME, radius=0.045)
    assert legend.dots.point_scale is not None and legend.dots.point_ringed is not None
    np.testing.assert_array_equal(legend.dots.point_scale[:-1], [f for _, f in legend_scale()])
    assert legend.dots.point_ringed.tolist() == [False] * 5 + [True]


def test_a_trail_clock_gives_the_epochs_of_the_frames_before() -> None:
    """A clock that slows down threefold in its middle: frame i shows epoch clock(i / rate);
    its trail goes through the epochs of frames i − k·m."""
    times = np.array([0.0, 1.0, 4.0, 5.0])
    epochs = np.array([0.0, 10.0, 20.0, 30.0])
    rate = 15.0
    trail = TrailClock(times, epochs, rate, steps=4, seconds=0.4)
    m = trail.frames_between
    assert m == round(0.4 / 4 * rate)
    for frame in (0, 3, 14, 15, 40, 60, 74):
        t = float(np.interp(frame / rate, times, epochs))
        expected = [float(np.interp(max(frame - k * m, 0) / rate, times, epochs))
                    for k in range(5)]  # fmt: skip
        np.testing.assert_allclose(trail.epochs_before(t), expected, atol=1e-12)


def test_trails_are_the_positions_of_the_previous_frames(short_tanh_run: Run) -> None:
    trajectory = Trajectory(short_tanh_run)
    trail = TrailClock.uniform(short_tanh_run.epochs, 2.0, 15.0)
    t = 4.3
    epochs = trail.epochs_before(t)
    positions = trail_positions(trajectory, forward.HIDDEN, epochs)
    for k, epoch in enumerate(epochs):
        np.testing.assert_allclose(positions[k], trajectory.state(float(epoch)).hidden,
                                   rtol=1e-12, atol=1e-12)  # fmt: skip
    # The panel draws them: segment k of point i runs from its position at epochs[k] to
    # epochs[k + 1], mapped to the screen by the panel's view box of epoch t.
    context = PanelContext(trajectory, ValueTracker(t), THEME, VIEW, PanelMarks(trails=True))
    panel = HiddenSpacePanel(context).set_trail_clock(trail)
    assert panel.trails is not None
    box = trajectory.view_box(forward.HIDDEN, t)
    labels = short_tanh_run.y
    for k, per_class in enumerate(zip(*panel.trails.parts, strict=True)):
        for c, part in enumerate(per_class):
            ends = part.points.reshape(-1, 4, 3)[:, [0, 3], :2]
            members = labels == c
            (x0, x1), (y0, y1) = box
            for j, end in enumerate((k, k + 1)):
                h = trajectory.state(float(epochs[end])).hidden[members]
                h = np.column_stack([np.clip(h[:, 0], x0, x1), np.clip(h[:, 1], y0, y1)])
                np.testing.assert_allclose(ends[:, j], VIEW.to_screen(h, box)[:, :2],
                                           atol=1e-9)  # fmt: skip


def test_a_discretised_class_field_has_only_the_classes_full_colours(blobs3: Run) -> None:
    context = PanelContext(Trajectory(blobs3), ValueTracker(3.0), THEME, VIEW,
                           PanelMarks(discretize=True))  # fmt: skip
    panel = InputPlanePanel(context, mesh_resolution=60)
    colours = np.unique(panel.mesh.pixel_array.reshape(-1, 4), axis=0)
    full = ClassColormap.from_theme(THEME, 3, CLASS_FIELD_STRENGTH).table[:, -1]
    assert {tuple(c) for c in colours} <= {tuple(c) for c in full}
    assert len(colours) == 3


class DiscreteStill(NNVizScene):
    """The post's ReLU run at epoch 37.5 as a still, with or without a discretised mesh."""

    discretize = True

    def construct(self) -> None:
        trajectory = Trajectory(self.run_for(activation="relu", lr=0.01))
        marks = PanelMarks(discretize=self.discretize)
        context = BlockContext(trajectory, ValueTracker(37.5), self.theme)
        self.add(TrainingLayout(context, marks=marks))


def class_colour_share(frame: np.ndarray, theme_name: str) -> float:
    """The share of the input panel's pixels (inside its frame) that are within 3 of either
    end of the theme's mesh colour map, the two classes' colours."""
    theme = THEMES[theme_name]
    table = DivergingColormap.from_theme(theme).table
    ends = table[[0, -1], :3].astype(np.int16)
    height, width = frame.shape[:2]
    view = TrainingLayout.INPUT_VIEW
    # Scene units to pixels: the frame is 14.22 units wide, 8 high, centred at the origin.
    scale = width / (8.0 * width / height)
    cx, cy = width / 2 + view.centre[0] * scale, height / 2 - view.centre[1] * scale
    half = view.width / 2 * scale - 3  # inside the frame's stroke
    inner = frame[round(cy - half) : round(cy + half), round(cx - half) : round(cx + half)]
    pixels = inner.reshape(-1, 3).astype(np.int16)
    near = np.abs(pixels[:, None, :] - ends[None]).max(axis=-1).min(axis=1) <= 3
    return float(near.mean())


@pytest.mark.render
@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_discretised_still_shows_only_the_class_colours(
    theme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read back from the still: where no dot or line lies, the input plane's pixels are the
    two classes' colours; shaded, most are not (so the check can fail)."""
    monkeypatch.setenv("NNVIZ_THEME", theme)
    _, frame = render_scene_last_frame(DiscreteStill, tmp_path / "discrete")
    assert class_colour_share(frame, theme) > 0.75

    class ShadedStill(DiscreteStill):
        discretize = False

    _, shaded = render_scene_last_frame(ShadedStill, tmp_path / "shaded")
    assert class_colour_share(shaded, theme) < 0.3


@pytest.mark.parametrize("discrete", [True, False])
def test_the_legend_of_a_discretised_mesh_shows_its_two_flat_colours(discrete: bool) -> None:
    """The colour bar shows what the mesh paints: with --discretize only the colour map's two
    ends (class 0's up to 0.5, class 1's above), shaded every level between."""
    legend = ProbabilityLegend(THEME, discrete=discrete)
    (bar,) = [part for part in legend.submobjects if isinstance(part, ImageMobject)]
    row = bar.pixel_array[0, :, :3]
    table = DivergingColormap.from_theme(THEME).table[:, :3]
    colours = {tuple(c) for c in row}
    if discrete:
        assert colours == {tuple(table[0]), tuple(table[-1])}
        # The step lies at the bar's middle, where P = 0.5.
        changes = np.flatnonzero(np.any(row[1:] != row[:-1], axis=1))
        assert changes.tolist() == [len(row) // 2 - 1]
    else:
        assert len(colours) > 100


def test_a_discretised_class_legend_says_nothing_of_fading() -> None:
    """A discretised class field has no pale, unsure pixels, so its legend has no strip."""

    def words(legend: Mobject) -> str:
        return " ".join(m.text for m in legend.get_family() if hasattr(m, "text"))

    assert "unsure" in words(ClassFieldLegend(THEME, 3))
    assert "unsure" not in words(ClassFieldLegend(THEME, 3, discrete=True))
    assert "class2" in words(ClassFieldLegend(THEME, 3, discrete=True))  # Text drops spaces
