"""The training video and the comparison grid of softmax runs of three classes, and the data
phase of a CSV file's data: rendered small and read back against torch and hand-written
colours; the blog layout still refuses k classes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
import torch
from manim import Scene, Text, ValueTracker

from nnviz.class_colors import picture_class_colors
from nnviz.config import RunConfig, data_description, data_name
from nnviz.csv_data import read_csv_data
from nnviz.formatting import count_word, rates_words
from nnviz.mobjects.context import PanelContext
from nnviz.mobjects.hud import run_outcome
from nnviz.mobjects.panels import CLASS_FIELD_STRENGTH, InputPlanePanel
from nnviz.run import Run
from nnviz.stories.base import NNVizScene
from nnviz.stories.compare import ComparePhase, CompareStory, RunTile, classes_note
from nnviz.stories.training import (
    TrainingPhase,
    TrainingStory,
    final_states_heading,
    play_data_of,
)
from nnviz.subtitles import landscape_heading
from nnviz.theme import THEMES, hex_to_rgb
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport
from tests.frame_regression import HEIGHT, WIDTH, render_last_frame, render_scene_last_frame
from tests.scenes.stills import ShortExplainer

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: Okabe–Ito's orange, sky blue and bluish green: the colours of classes 0, 1 and 2.
THREE_COLOURS = ("#E69F00", "#56B4E9", "#009E73")
SPIRAL3 = RunConfig(dataset="spiral", classes=3, hidden=(4, 2), activation="tanh", samples=120,
                    batch_size=None, max_epochs=6, target_loss=0.0)  # fmt: skip
TORCH = {"relu": torch.relu, "tanh": torch.tanh}


def csv_config(name: str, **changes: object) -> RunConfig:
    """The configuration of a run on ``examples/<name>``, as ``nnviz train --data`` makes it."""
    data = read_csv_data(EXAMPLES / name)
    return RunConfig(dataset="csv", data_file=str(EXAMPLES / name), data_hash=data.sha256,
                     samples=data.rows, feature_names=data.feature_names,
                     class_names=data.class_names, classes=len(data.class_names),
                     **changes)  # type: ignore[arg-type]  # fmt: skip


# --- without rendering ----------------------------------------------------------------------


def test_a_data_set_is_described_by_its_spec_or_its_files_name_and_columns() -> None:
    assert data_description(RunConfig()) == (
        "class 1 around (0, 0), class 0 around (−1, −1) and (1, 1)"
    )
    assert data_description(SPIRAL3) == "the spiral data set"
    assert data_description(csv_config("iris.csv")) == (
        "the rows of iris.csv, petal width (cm) against petal length (cm)"
    )
    assert data_description(csv_config("wine.csv")) == "the rows of wine.csv, hue against proline"


def test_a_heading_names_the_data_by_its_key_or_its_files_name() -> None:
    """The loss landscape's heading names a CSV file's data by the file, not by ``csv``."""
    assert data_name(RunConfig()) == "seed"
    assert data_name(SPIRAL3) == "spiral"
    assert data_name(csv_config("iris.csv")) == "iris.csv"
    assert landscape_heading("2-4-3 relu", data_name(csv_config("iris.csv")), 3) == (
        "The loss landscape · 2-4-3 relu · iris.csv, 3 classes"
    )


def test_the_pictures_colours_follow_the_output_head() -> None:
    for theme in THEMES.values():
        assert picture_class_colors(theme, 2, "sigmoid") == tuple(theme.class_colors)
        assert picture_class_colors(theme, 3, "softmax") == THREE_COLOURS
    assert count_word(3) == "three" and count_word(12) == "12"
    assert rates_words(1) == "learning rate" and rates_words(2) == "two learning rates"
    assert final_states_heading("tanh", 3) == "tanh: three learning rates, final states"
    assert final_states_heading("tanh", 1) == "tanh: final state"


def torch_logits(run: Run, epoch: int, x: np.ndarray) -> torch.Tensor:
    """The output logits of the inputs ``x`` after ``epoch`` epochs, with torch."""
    weights = run.weights(epoch)
    h = torch.from_numpy(np.asarray(x, dtype=np.float64))
    for k in range(len(weights.W)):
        h = h @ torch.from_numpy(weights.W[k]).T + torch.from_numpy(weights.b[k])
        if k < len(weights.W) - 1:
            h = TORCH[run.config.activations[k]](h)
    return h


@pytest.fixture(scope="module")
def spiral3() -> Run:
    from nnviz.cache import cached_run

    return cached_run(SPIRAL3.replace(lr=0.1), report=lambda _: None)


def test_a_tile_and_a_caption_give_torchs_cross_entropy_and_accuracy(spiral3: Run) -> None:
    """A tile's read-out and the final-state caption of a three-class run: torch's
    cross-entropy of the three classes and the share of points whose largest logit is their
    class, at the last epoch."""
    epoch = spiral3.epochs
    logits = torch_logits(spiral3, epoch, spiral3.X)
    labels = torch.from_numpy(spiral3.y.astype(np.int64))
    loss = float(torch.nn.functional.cross_entropy(logits, labels))
    accuracy = float((logits.argmax(-1) == labels).double().mean())
    tile = RunTile(
        PanelContext(
            Trajectory(spiral3),
            ValueTracker(float(epoch)),
            THEMES["dark"],
            Viewport((0, 0), 2.5, 2.5),
        ),
        mesh_resolution=20,
    )
    assert tile.status.readout.text == f"loss {loss:.4f}  acc {accuracy:.1%}"
    assert run_outcome(spiral3).splitlines()[1:] == [f"loss {loss:.4f}", f"accuracy {accuracy:.1%}"]
    assert classes_note(SPIRAL3) == "3 classes, cross-entropy loss · "
    assert classes_note(RunConfig()) == ""


# --- rendered -------------------------------------------------------------------------------


class ShortSpiral3Training(TrainingStory):
    """The training video of three spiral arms cut short: two learning rates, 6 epochs."""

    base_config = SPIRAL3
    activation = "tanh"
    learning_rates = (0.1, 0.03)
    training = TrainingPhase(seconds_per_epoch=0.05, hold_seconds=0.2, mesh_resolution=60,
                             highlight_moments=False)  # fmt: skip


class ShortSpiral3Compare(CompareStory):
    """The grid of three spiral arms cut short: ReLU and tanh at two learning rates."""

    base_config = SPIRAL3
    comparison = ComparePhase(learning_rates=(0.1, 0.03), seconds_per_epoch=0.05,
                              hold_seconds=0.2, mesh_resolution=60)  # fmt: skip


class LightSpiral3Compare(ShortSpiral3Compare):
    theme_name = "light"


def field_samples(panel: InputPlanePanel, run: Run) -> tuple[np.ndarray, np.ndarray]:
    """Points of the panel's box well inside one class's region (torch's top class the same
    over a few pixels around) and away from every data point; their torch probabilities."""
    (x0, x1), (y0, y1) = panel.box
    gx, gy = np.meshgrid(np.linspace(x0, x1, 23)[2:-2], np.linspace(y0, y1, 23)[2:-2])
    points = np.column_stack([gx.ravel(), gy.ravel()])
    step = np.array([(x1 - x0), (y1 - y0)]) / panel.viewport.width * 0.1  # 0.1 scene units
    around = [points + step * np.array(d) for d in ((1, 0), (-1, 0), (0, 1), (0, -1))]
    top = torch_logits(run, run.epochs, points).argmax(-1).numpy()
    steady = np.all([torch_logits(run, run.epochs, p).argmax(-1).numpy() == top
                     for p in around], axis=0)  # fmt: skip
    screen = panel.viewport.to_screen(points, panel.box)[:, :2]
    dots = panel.viewport.to_screen(run.X, panel.box)[:, :2]
    far = np.min(np.linalg.norm(screen[:, None] - dots[None], axis=-1), axis=1) > 0.12
    keep = steady & far
    probabilities = torch.softmax(torch_logits(run, run.epochs, points[keep]), -1).numpy()
    return screen[keep], probabilities


def expected_field(probabilities: np.ndarray, background: str) -> np.ndarray:
    """The field's colour by hand: the background moved towards the top class's colour by
    the field's strength times the confidence (top − 1/3) / (1 − 1/3)."""
    back = hex_to_rgb(background).astype(float)
    colours = np.array([hex_to_rgb(c) for c in THREE_COLOURS], dtype=float)
    top = probabilities.argmax(-1)
    sure = (probabilities.max(-1) - 1 / 3) / (2 / 3)
    return back + (CLASS_FIELD_STRENGTH * sure)[:, None] * (colours[top] - back)


def assert_fields_are_class_colours(scene: Scene, frame: np.ndarray, panels: int) -> None:
    """Every input plane of ``scene`` shows, at points well inside a region, the colour of
    torch's most probable class faded by its confidence (to the bilinear resampling of a
    60-pixel mesh), and the sample saw at least two classes."""
    assert isinstance(scene, NNVizScene)
    found = [m for m in scene.get_mobject_family_members() if isinstance(m, InputPlanePanel)]
    assert len(found) == panels
    per_unit = WIDTH / (8.0 * WIDTH / HEIGHT)
    seen: set[int] = set()
    for panel in found:
        run = panel.trajectory.run
        screen, probabilities = field_samples(panel, run)
        assert len(screen) >= 30
        cols = np.rint(screen[:, 0] * per_unit + WIDTH / 2 - 0.5).astype(int)
        rows = np.rint(HEIGHT / 2 - screen[:, 1] * per_unit - 0.5).astype(int)
        read = frame[rows, cols].astype(float)
        expected = expected_field(probabilities, scene.theme.background)
        assert np.abs(read - expected).max(axis=-1).mean() < 6.0
        assert np.quantile(np.abs(read - expected).max(axis=-1), 0.9) < 14.0
        seen.update(probabilities.argmax(-1).tolist())
    assert len(seen) >= 2


@pytest.mark.render
def test_the_training_videos_final_states_of_three_classes(tmp_path: Path) -> None:
    """The last frame (the final states side by side): class fields, the class legend."""
    scene, frame = render_scene_last_frame(ShortSpiral3Training, tmp_path)
    assert_fields_are_class_colours(scene, frame, panels=2)
    texts = [m.text for m in scene.get_mobject_family_members() if isinstance(m, Text)]
    assert {"class0", "class1", "class2", "pale:unsure"} <= set(texts)
    assert "tanh:twolearningrates,finalstates" in texts


@pytest.mark.render
@pytest.mark.parametrize("story", [ShortSpiral3Compare, LightSpiral3Compare])
def test_the_grid_of_three_classes(story: type[NNVizScene], tmp_path: Path) -> None:
    scene, frame = render_scene_last_frame(story, tmp_path)
    assert_fields_are_class_colours(scene, frame, panels=4)
    texts = [m.text for m in scene.get_mobject_family_members() if isinstance(m, Text)]
    assert {"class0", "class1", "class2", "pale:unsure"} <= set(texts)


class IrisData(NNVizScene):
    """The data phase of examples/iris.csv, left on screen."""

    base_config = csv_config("iris.csv", standardize=True)

    def construct(self) -> None:
        from nnviz.train import load_points

        X, y = load_points(self.base_config)
        play_data_of(self, self.base_config, X, y, scales="per-axis", clear=False)


@pytest.mark.render
def test_the_data_phase_of_a_csv_file_colours_its_three_classes(tmp_path: Path) -> None:
    """Each iris sits in its species' colour (a dot's fill at 0.85 over the background),
    the legend names the species and the caption the file."""
    scene, frame = render_scene_last_frame(IrisData, tmp_path)
    assert isinstance(scene, NNVizScene)
    texts = [m.text for m in scene.get_mobject_family_members() if isinstance(m, Text)]
    assert {"setosa", "versicolor", "virginica"} <= set(texts)
    assert ("150pointsinthreeclasses:therowsofiris.csv,petalwidth(cm)againstpetallength(cm)"
            in texts)  # fmt: skip
    from nnviz.mobjects.shapes import ClassDots

    (dots,) = [m for m in scene.get_mobject_family_members() if isinstance(m, ClassDots)]
    centres = dots.centres_in_data_order()[:, :2]
    per_unit = WIDTH / (8.0 * WIDTH / HEIGHT)
    labels = dots.labels
    back = hex_to_rgb(scene.theme.background).astype(float)
    colours = np.array([hex_to_rgb(c) for c in THREE_COLOURS], dtype=float)
    gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1)
    same_place = gaps < 1e-6  # equal rows of the file: dots stacked exactly
    # No other dot's disc or outline reaches the centre, other than stacked ones.
    alone = ~((gaps < 0.12) & ~same_place).any(axis=1)
    stacked = same_place.sum(axis=1)[alone]
    cols = np.rint(centres[alone, 0] * per_unit + WIDTH / 2 - 0.5).astype(int)
    rows = np.rint(HEIGHT / 2 - centres[alone, 1] * per_unit - 0.5).astype(int)
    cover = 1.0 - 0.15**stacked  # n fills of opacity 0.85 over each other
    expected = back + cover[:, None] * (colours[labels[alone]] - back)
    error = np.abs(frame[rows, cols].astype(float) - expected).max(axis=-1)
    assert len(error) >= 20 and set(labels[alone].tolist()) == {0, 1, 2}
    assert np.quantile(error, 0.9) < 8.0


class BlogSpiral3(ShortSpiral3Training):
    training = dataclasses.replace(ShortSpiral3Training.training, layout="blog")


class TalkSpiral3(ShortExplainer):
    """The talk cut short, of three spiral arms through a 2-3-2-3 tanh network (the
    deformation draws spaces of up to three units)."""

    base_config = SPIRAL3.replace(hidden=(3, 2))
    activation = "tanh"


@pytest.mark.render
def test_the_blog_layout_still_refuses_three_classes(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="blog layout is the post's binary figure"):
        render_last_frame(BlogSpiral3, tmp_path)


@pytest.mark.render
def test_the_talk_of_three_classes_ends_on_the_grid_of_class_fields(tmp_path: Path) -> None:
    """Every phase plays a softmax run; the last slide is the grid (ReLU and tanh at the three
    learning rates), each plane the colour of torch's most probable class."""
    scene, frame = render_scene_last_frame(TalkSpiral3, tmp_path)
    assert_fields_are_class_colours(scene, frame, panels=6)
    texts = [m.text for m in scene.get_mobject_family_members() if isinstance(m, Text)]
    assert {"class0", "class1", "class2", "pale:unsure"} <= set(texts)
