"""End to end: the manim CLI and ``nnviz render`` produce videos of the right size and length."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from manim import tempconfig

from nnviz.cli import cli

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
    assert gif_path.suffix == ".gif" and info["width"] <= 720 and info["fps"] <= 30
    assert info["duration"] == pytest.approx(probe(mp4_path)["duration"], abs=0.2)
