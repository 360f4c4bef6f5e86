"""Frame regression of the scenes' last frames and of a mid-training still (see
``frame_regression.py`` for the tolerance and why it is needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import Scene
from PIL import Image

from tests.frame_regression import (
    CONTROL_DIR,
    MEAN_TOLERANCE,
    SHARE_TOLERANCE,
    TILE,
    TILE_TOLERANCE,
    assert_matches_control,
    frame_difference,
    render_last_frame,
    smooth_tiles,
    tile_difference,
)
from tests.scenes.stills import (
    ClassReadoutStill,
    DeepStill,
    LiftStill,
    MidTrainingStill,
    OrbitStill,
    PointLossTrailsStill,
    SpiralStill,
)

pytestmark = pytest.mark.render


def scene_class(path: str, name: str) -> type[Scene]:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"scene_{name}", Path(__file__).parents[1] / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("scenes/relu.py", "ReluTraining"),
        ("scenes/tanh.py", "TanhTraining"),
        ("scenes/compare.py", "CompareRuns"),
        ("scenes/deep_network.py", "DeepNetworkDiagram"),
        ("scenes/landscape.py", "Landscape"),
    ],
)
def test_last_frame_of_each_scene(path: str, name: str, tmp_path: Path) -> None:
    frame = render_last_frame(scene_class(path, name), tmp_path)
    assert_matches_control(frame, name)


def test_mid_training_still(tmp_path: Path) -> None:
    frame = render_last_frame(MidTrainingStill, tmp_path)
    assert_matches_control(frame, "MidTrainingStill")


def test_a_still_with_point_loss_and_trails(tmp_path: Path) -> None:
    """Dots sized by their loss, rings on the misclassified, trails in the hidden space."""
    frame = render_last_frame(PointLossTrailsStill, tmp_path)
    assert_matches_control(frame, "PointLossTrailsStill")


@pytest.mark.parametrize("scene", [OrbitStill, DeepStill, LiftStill], ids=lambda s: s.__name__)
def test_stills_of_other_networks(scene: type[Scene], tmp_path: Path) -> None:
    frame = render_last_frame(scene, tmp_path)
    assert_matches_control(frame, scene.__name__)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_still_of_three_classes(
    theme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A softmax run of three classes: fields by top class faded by confidence, ties, the
    class legend; in both themes."""
    monkeypatch.setenv("NNVIZ_THEME", theme)
    frame = render_last_frame(SpiralStill, tmp_path)
    assert_matches_control(frame, "SpiralStill" if theme == "dark" else "SpiralStillLight")


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_still_of_each_classs_accuracy(
    theme: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The training phase's still of a softmax run with a test set: each class's accuracy,
    a class-majority caption in the classes' colours, held-out points in the class palette."""
    monkeypatch.setenv("NNVIZ_THEME", theme)
    frame = render_last_frame(ClassReadoutStill, tmp_path)
    name = "ClassReadoutStill" if theme == "dark" else "ClassReadoutStillLight"
    assert_matches_control(frame, name)


def test_the_comparison_notices_a_different_epoch(tmp_path: Path) -> None:
    """The tolerance is loose enough for cairo versions, not for a different picture."""

    class LaterStill(MidTrainingStill):
        epoch = 150.0

    class EarlyStill(MidTrainingStill):
        epoch = 3.0

    control = np.asarray(Image.open(CONTROL_DIR / "MidTrainingStill.png").convert("RGB"))
    for still in (LaterStill, EarlyStill):
        # Even the converged state at epoch 150, which differs only in the read-outs, the loss
        # curve and the hidden view's scale, is told apart from epoch 37.5.
        mean, share = frame_difference(render_last_frame(still, tmp_path), control)
        assert share > SHARE_TOLERANCE or mean > MEAN_TOLERANCE, still.__name__


def test_a_played_frame_equals_the_still_of_the_same_epoch(tmp_path: Path) -> None:
    """The static parts go into Manim's background image once; moving parts are redrawn.
    After playing the clock, the frame must equal a still rendered at the final epoch."""
    from manim import ValueTracker, linear, tempconfig

    from nnviz.mobjects.context import BlockContext
    from nnviz.mobjects.layout import TrainingLayout
    from nnviz.stories.base import NNVizScene
    from nnviz.stories.fades import reveal
    from nnviz.trajectory import Trajectory

    class Played(NNVizScene):
        def construct(self) -> None:
            clock = ValueTracker(0.0)
            trajectory = Trajectory(self.run_for(activation="relu", lr=0.01))
            layout = TrainingLayout(BlockContext(trajectory, clock, self.theme))
            reveal(self, layout, run_time=0.2)
            layout.start()
            self.play(clock.animate.set_value(MidTrainingStill.epoch), run_time=0.5,
                      rate_func=linear)  # fmt: skip
            # A play's last frame is drawn one frame before its end: wait to draw the end.
            self.wait(0.2)

    settings = {"pixel_width": 480, "pixel_height": 270, "frame_rate": 15,
                "media_dir": str(tmp_path), "disable_caching": True, "verbosity": "ERROR",
                "progress_bar": "none"}  # fmt: skip
    with tempconfig(settings):
        scene = Played()
        scene.render()
        played = np.array(scene.renderer.get_frame())[..., :3]
    still = render_last_frame(MidTrainingStill, tmp_path)
    mean, share = frame_difference(played, still)
    assert mean < 0.5 and share < 0.002, (mean, share)


def test_static_parts_are_drawn_once_and_the_rest_on_every_frame(tmp_path: Path) -> None:
    """A block's static parts go into the background image, not into the list of mobjects
    drawn on every frame, though the block itself moves; a part of the block that has no
    points when the play starts (an empty read-out) is drawn once it has some."""
    from manim import UP, Group, Mobject, Text, ValueTracker, linear, tempconfig

    from nnviz.mobjects.following import FollowsClock
    from nnviz.mobjects.readout import GlyphText
    from nnviz.stories.base import NNVizScene

    class Block(FollowsClock, Group):
        def __init__(self, clock: ValueTracker) -> None:
            super().__init__()
            self.clock = clock
            self.caption = Text("caption", font_size=30).shift(1.5 * UP)
            self.readout = GlyphText("", font_size=60, max_length=3)
            self.add(self.caption, self.readout)

        def refresh(self) -> Block:
            value = self.clock.get_value()
            self.readout.set_text(f"{value:.0f}" if value > 0.5 else "")
            return self

        def static_parts(self) -> list[Mobject]:
            return [self.caption]

    seen: dict[str, set[int]] = {}

    class Played(NNVizScene):
        def construct(self) -> None:
            clock = ValueTracker(0.0)
            block = Block(clock)
            self.add(block)
            block.start()
            self.play(clock.animate.set_value(88.0), run_time=0.5, rate_func=linear)
            seen["moving"] = {id(m) for m in self.moving_mobjects}
            seen["static"] = {id(m) for m in self.static_mobjects}
            seen["caption"] = {id(m) for m in block.caption.family_members_with_points()}
            seen["readout"] = {id(m) for m in block.readout.submobjects}
            self.wait(0.2)

    def still_at(value: float) -> type[NNVizScene]:
        class Still(NNVizScene):
            def construct(self) -> None:
                self.add(Block(ValueTracker(value)).refresh())

        return Still

    settings = {"pixel_width": 480, "pixel_height": 270, "frame_rate": 15,
                "media_dir": str(tmp_path), "disable_caching": True, "verbosity": "ERROR",
                "progress_bar": "none"}  # fmt: skip
    with tempconfig(settings):
        scene = Played()
        scene.render()
        played = np.array(scene.renderer.get_frame())[..., :3]
    assert seen["caption"] and seen["caption"] <= seen["static"]
    assert not seen["caption"] & seen["moving"]
    assert seen["readout"] <= seen["moving"]
    still = render_last_frame(still_at(88.0), tmp_path)
    assert np.abs(played.astype(int) - still.astype(int)).max() <= 1
    # The read-out is really there: the still without it differs.
    blank = render_last_frame(still_at(0.0), tmp_path)
    assert np.abs(played.astype(int) - blank.astype(int)).max() > 100


def test_the_comparison_tolerates_a_pixel_of_anti_aliasing() -> None:
    """Another cairo or pango moves edges and glyphs by a fraction of a pixel; shifting the
    whole control frame by a pixel is harsher, and still matches."""
    control = np.asarray(Image.open(CONTROL_DIR / "MidTrainingStill.png").convert("RGB"))
    half = ((control.astype(np.float32) + np.roll(control, 1, axis=1)) / 2).astype(np.uint8)
    for moved in (half, np.roll(control, 1, axis=1), np.roll(control, 1, axis=0)):
        mean, share = frame_difference(moved, control)
        assert mean <= MEAN_TOLERANCE and share <= SHARE_TOLERANCE, (mean, share)


def test_the_comparison_tolerates_anti_aliasing_region_by_region() -> None:
    """Every control image, shifted by half a pixel or a whole one, keeps the colour of its
    smooth regions within the tolerance."""
    for path in sorted(CONTROL_DIR.glob("*.png")):
        if path.name.endswith(".actual.png"):
            continue
        control = np.asarray(Image.open(path).convert("RGB"))
        half = ((control.astype(np.float32) + np.roll(control, 1, axis=1)) / 2).astype(np.uint8)
        for moved in (half, np.roll(control, 1, axis=1), np.roll(control, 1, axis=0)):
            assert tile_difference(moved, control) <= TILE_TOLERANCE, path.name


@pytest.mark.parametrize("shift", [(6, 16, 0), (3, 0, 0), (0, -3, 0), (0, 0, 4)])
def test_a_mesh_a_few_units_off_is_caught(shift: tuple[int, int, int]) -> None:
    """The mesh of the mid-training still (where it is smooth and not the background) drawn
    a few units off in one channel: the pixel tolerances let it pass, the regions do not."""
    control = np.asarray(Image.open(CONTROL_DIR / "MidTrainingStill.png").convert("RGB"))
    background = control[2, 2].astype(int)
    smooth = np.repeat(np.repeat(smooth_tiles(control), TILE, axis=0), TILE, axis=1)
    rows, cols = smooth.shape
    mesh = np.zeros(control.shape[:2], dtype=bool)
    mesh[:rows, :cols] = smooth & (np.abs(control[:rows, :cols] - background).max(axis=-1) > 12)
    assert mesh.mean() > 0.05  # the meshes fill a good part of the frame
    shifted = control.astype(int)
    shifted[mesh] += np.array(shift)
    shifted = np.clip(shifted, 0, 255).astype(np.uint8)
    mean, share = frame_difference(shifted, control)
    assert mean <= MEAN_TOLERANCE and share <= SHARE_TOLERANCE  # the old metric misses it
    assert tile_difference(shifted, control) > TILE_TOLERANCE


def test_a_run_file_of_nnviz_0_1_still_renders(tmp_path: Path) -> None:
    """A schema-1 file of the old data (class 0 in the middle) renders in both layouts."""
    from manim import ValueTracker

    from nnviz.colormap import DivergingColormap
    from nnviz.forward import probabilities
    from nnviz.mobjects.context import BlockContext
    from nnviz.mobjects.layout import TrainingLayout
    from nnviz.run_file import load_run
    from nnviz.stories.base import NNVizScene
    from nnviz.trajectory import Trajectory

    run = load_run(Path(__file__).parent / "fixtures" / "schema1_v0.1_tanh.npz")

    for layout_name in ("default", "blog"):

        class OldRun(NNVizScene):
            layout = layout_name

            def construct(self) -> None:
                clock = ValueTracker(float(run.epochs))
                self.add(
                    TrainingLayout(
                        BlockContext(Trajectory(run), clock, self.theme), layout=self.layout
                    )
                )

        frame = render_last_frame(OldRun, tmp_path).astype(int)
        layout = TrainingLayout(
            BlockContext(Trajectory(run), ValueTracker(float(run.epochs)), OldRun().theme),
            layout=layout_name,
        )
        panel = layout.input_panel
        # The input plane's mesh shows the network's probability at the panel's top-left
        # corner (no dot there), through the colour map.
        (x0, x1), (y0, y1) = panel.box
        corner = np.array([[x0 + 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0)]])
        expected = DivergingColormap.from_theme(OldRun().theme)(
            probabilities(corner, run.weights(run.epochs), "tanh")
        )[0, :3]
        cx, cy = panel.viewport.centre
        left, top = cx - panel.viewport.width / 2, cy + panel.viewport.height / 2
        scale = frame.shape[0] / 8.0
        col = round(frame.shape[1] / 2 + (left + 0.02 * panel.viewport.width) * scale)
        row = round(frame.shape[0] / 2 - (top - 0.02 * panel.viewport.height) * scale)
        assert np.abs(frame[row, col] - expected).max() <= 12, (layout_name, frame[row, col])
