"""End to end: the manim CLI and ``nnviz render`` produce videos of the right size and length."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from manim import tempconfig
from PIL import Image

from nnviz.cli import cli
from nnviz.config import RunConfig
from nnviz.mobjects.context import BlockContext

REPO = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.slow, pytest.mark.render]


def probe(path: Path) -> dict[str, float]:
    """Width, height, frame rate and duration of a video, read by ffprobe."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=width,height,r_frame_rate:format=duration", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    info = json.loads(out)
    stream = info["streams"][0]
    numerator, denominator = stream["r_frame_rate"].split("/")
    return {
        "width": stream["width"],
        "height": stream["height"],
        "fps": int(numerator) / int(denominator),
        "duration": float(info["format"]["duration"]),
    }


def scene_duration() -> float:
    """Length of the shortened scene, from a dry run that renders nothing."""
    from tests.scenes.stills import ShortTraining

    with tempconfig({"dry_run": True, "verbosity": "ERROR", "frame_rate": 15}):
        scene = ShortTraining()
        scene.render()
        return float(scene.renderer.time)


def test_manim_cli_renders_a_shortened_training_video(tmp_path: Path) -> None:
    assert shutil.which("ffprobe"), "ffprobe is part of ffmpeg, which the setup installs"
    scene_file = tmp_path / "short.py"
    # Manim renders only scenes defined in the file itself.
    scene_file.write_text(
        "from tests.scenes.stills import ShortTraining as Base\n\n\n"
        "class ShortTraining(Base):\n    pass\n"
    )
    shutil.copy(REPO / "manim.cfg", tmp_path / "manim.cfg")
    result = subprocess.run(
        [sys.executable, "-m", "manim", "-ql", "--progress_bar", "none", str(scene_file),
         "ShortTraining"],
        cwd=tmp_path, capture_output=True, text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Rendered ShortTraining" in result.stdout + result.stderr
    video = tmp_path / "media" / "videos" / "short" / "480p15" / "ShortTraining.mp4"
    info = probe(video)
    assert (info["width"], info["height"], info["fps"]) == (854, 480, 15)
    assert info["duration"] == pytest.approx(scene_duration(), abs=2 / 15)
    check_subtitles(video, info["duration"])


def check_subtitles(video: Path, duration: float) -> None:
    """The .srt beside ``video`` (ReLU at lr 0.1, at most 12 epochs) parses; its cues are in
    order, inside the video, and name the run; the cue of the run's key moment (the epoch its
    accuracy first reaches 80 %, read from the logged accuracies) stands where the frames show
    the moment's caption: its pixels in the caption's place, in the theme's accent colour,
    are there in the middle of the cue and not just before it."""
    import srt

    from nnviz.cache import cached_run
    from nnviz.theme import active_theme

    cues = list(srt.parse((video.with_suffix(".srt")).read_text(encoding="utf-8")))
    starts = [cue.start.total_seconds() for cue in cues]
    ends = [cue.end.total_seconds() for cue in cues]
    assert starts == sorted(starts) and all(a < b for a, b in zip(starts, ends, strict=True))
    assert all(b <= a for a, b in zip(starts[1:], ends, strict=False))  # one at a time
    assert starts[0] >= 0 and ends[-1] <= duration
    run = cached_run(RunConfig(lr=0.1, max_epochs=12))
    last = len(run.loss) - 1
    assert any(cue.content == f"Training ReLU · learning rate 0.1: epoch 0 to epoch {last}"
               for cue in cues)  # fmt: skip
    separation = int(np.argmax(np.asarray(run.accuracy) >= 0.8))
    moment = [cue for cue in cues if cue.content.startswith(f"epoch {separation}: ")]
    assert len(moment) == 1
    accent = np.array([int(active_theme().accent[i : i + 2], 16) for i in (1, 3, 5)])

    def caption_pixels(seconds: float) -> int:
        frame = tmp_frame(video, seconds)[380:408, 150:600].astype(int)  # the caption's place
        return int(np.sum(np.abs(frame - accent).max(axis=2) < 80))  # anti-aliased glyphs

    start, end = moment[0].start.total_seconds(), moment[0].end.total_seconds()
    assert caption_pixels((start + end) / 2) > 300
    assert caption_pixels(start - 2 / 15) < 20


def tmp_frame(video: Path, seconds: float) -> np.ndarray:
    """The frame of ``video`` shown at ``seconds``, as RGB."""
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(video), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(out, dtype=np.uint8).reshape(480, 854, 3)


def test_nnviz_render_makes_an_mp4_and_a_blog_gif(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["render", "--activation", "tanh", "--lr", "0.1", "--epochs", "5"]
    mp4 = runner.invoke(cli, args)
    assert mp4.exit_code == 0, mp4.stderr
    mp4_path = Path(mp4.stdout.strip())
    # Five epochs instead of the default 200: the name carries the configuration's digest.
    assert mp4_path.suffix == ".mp4" and mp4_path.name.startswith("tanh_lr0.1_")
    assert (probe(mp4_path)["width"], probe(mp4_path)["height"]) == (854, 480)
    gif = runner.invoke(cli, [*args, "--format", "gif"])
    assert gif.exit_code == 0, gif.stderr
    gif_path = Path(gif.stdout.strip())
    info = probe(gif_path)
    assert gif_path.suffix == ".gif" and info["width"] <= 640 and info["fps"] <= 30
    assert info["duration"] == pytest.approx(probe(mp4_path)["duration"], abs=0.2)


def frame_count(path: Path) -> int:
    """The frames of a video or GIF, counted by ffprobe decoding every one."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
         "stream=nb_read_frames", "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return int(out.strip())


def render(*args: str) -> Path:
    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip())


def test_render_duration_gives_a_video_of_that_length_to_the_frame() -> None:
    """--duration 6 at -ql (15 fps): 6 x 15 = 90 frames, whatever the run's epochs."""
    path = render("--activation", "tanh", "--lr", "0.1", "--epochs", "5", "--duration", "6")
    assert path.parent.name == "480p15" and path.suffix == ".mp4"
    assert frame_count(path) == 90
    assert probe(path)["duration"] == pytest.approx(6.0, abs=1 / 15)


def test_render_seconds_per_epoch_paces_the_epochs(tmp_path: Path) -> None:
    """4 epochs at 0.5 s, in a run without key moments: the reveal 0.8 s, training 2 s, the
    hold 1.5 s and the conceal 0.6 s make 4.9 s, 73.5 frames at 15 fps, to a frame. --out
    puts the video where it is asked and nowhere else."""
    from nnviz.cache import cached_run
    from nnviz.moments import key_moments

    args = ["--activation", "tanh", "--lr", "0.001", "--epochs", "4"]
    run = cached_run(RunConfig(activation="tanh", lr=0.001, max_epochs=4))
    assert run.epochs == 4 and key_moments(run) == []  # nothing slowed down
    target = tmp_path / "videos" / "paced.mp4"
    path = render(*args, "--seconds-per-epoch", "0.5", "--out", str(target))
    assert path == target and target.is_file()
    assert abs(frame_count(target) - 4.9 * 15) <= 1
    assert not Path("media", "videos").exists()  # nothing at the default path
    assert not [p for p in Path("media").iterdir() if p.name.startswith(".")]


def test_a_gif_lands_in_a_folder_named_by_its_real_size() -> None:
    """The folder says what ffprobe reads: 640x360 at 10 fps at -ql; --duration 6 makes 60
    frames; the movie it was made from is gone."""
    path = render("--activation", "tanh", "--lr", "0.1", "--epochs", "5", "--duration", "6",
                  "--format", "gif")  # fmt: skip
    info = probe(path)
    size = f"{info['width']}x{info['height']}_{info['fps']:g}fps"
    assert path.parent.name == size == "640x360_10fps"
    assert frame_count(path) == 60
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert not [p for p in Path("media").iterdir() if p.name.startswith(".")]


def test_a_still_shows_the_epoch_it_was_asked_for(tmp_path: Path) -> None:
    """--still 12 and --still final of the blog's ReLU run at lr 0.01 (107 epochs): each PNG
    matches the training layout rendered at its epoch by the frame helper and not the other,
    and the input plane's mesh shows the network's probability at that epoch through the
    colour map."""
    from manim import ValueTracker

    from nnviz.cache import cached_run
    from nnviz.colormap import DivergingColormap
    from nnviz.forward import probabilities
    from nnviz.mobjects.layout import TrainingLayout
    from nnviz.moments import key_moments
    from nnviz.stories.base import NNVizScene
    from nnviz.theme import active_theme
    from nnviz.trajectory import Trajectory
    from tests.frame_regression import (
        MEAN_TOLERANCE,
        SHARE_TOLERANCE,
        frame_difference,
        render_scene_last_frame,
    )

    run = cached_run(RunConfig(activation="relu", lr=0.01))
    assert run.epochs == 107
    early = render("--activation", "relu", "--lr", "0.01", "--still", "12",
                   "--out", str(tmp_path / "early.png"))  # fmt: skip
    final = render("--activation", "relu", "--lr", "0.01", "--still", "final")
    assert final == Path("media/images/854x480/relu_lr0.01_epoch107.png").absolute()
    stills = {12.0: np.asarray(Image.open(early).convert("RGB")),
              107.0: np.asarray(Image.open(final).convert("RGB"))}  # fmt: skip

    def reference(epoch: float) -> np.ndarray:
        class AtEpoch(NNVizScene):
            def construct(self) -> None:
                layout = TrainingLayout(
                    BlockContext(Trajectory(run), ValueTracker(epoch), self.theme),
                    moments=key_moments(run),
                )
                self.add(layout)

        return render_scene_last_frame(AtEpoch, tmp_path / "reference", 854, 480)[1]

    references = {epoch: reference(epoch) for epoch in stills}
    for epoch, still in stills.items():
        assert still.shape == (480, 854, 3)
        for other, frame in references.items():
            mean, share = frame_difference(still, frame)
            same = mean <= MEAN_TOLERANCE and share <= SHARE_TOLERANCE
            assert same == (other == epoch), (epoch, other, mean, share)

    # The mesh: the corner of the input plane where the two epochs' colours differ most.
    theme = active_theme()
    panel = TrainingLayout(BlockContext(Trajectory(run), ValueTracker(0.0), theme)).input_panel
    colours = DivergingColormap.from_theme(theme)
    (x0, x1), (y0, y1) = panel.box
    cx, cy = panel.viewport.centre
    width, height = panel.viewport.width, panel.viewport.height
    scale = 480 / 8.0
    corners = [(fx, fy) for fx in (0.03, 0.97) for fy in (0.03, 0.97)]

    def expected(epoch: float, fx: float, fy: float) -> np.ndarray:
        point = np.array([[x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)]])
        return colours(probabilities(point, run.weights(int(epoch)), "relu"))[0, :3].astype(int)

    fx, fy = max(corners, key=lambda c: np.abs(expected(12, *c) - expected(107, *c)).max())
    assert np.abs(expected(12, fx, fy) - expected(107, fx, fy)).max() > 40
    col = round(854 / 2 + (cx - width / 2 + fx * width) * scale)
    row = round(480 / 2 - (cy - height / 2 + fy * height) * scale)
    for epoch, still in stills.items():
        assert np.abs(still[row, col].astype(int) - expected(epoch, fx, fy)).max() <= 12, epoch
