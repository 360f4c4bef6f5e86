"""Two renders at once in one folder, of the same scene and of different scenes, both succeed;
an interrupted render leaves no partial movie files."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow

TINY_SCENE = """
from nnviz.config import RunConfig
from nnviz.stories.training import SingleRunStory, TrainingPhase


class TinyRun(SingleRunStory):
    base_config = RunConfig(max_epochs=3, target_loss=0.0)
    training = TrainingPhase(seconds_per_epoch=0.2, hold_seconds=0.2)
"""


def _env(folder: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NNVIZ_RUNS_DIR": str(folder / "media" / "runs")}
    env.pop("NNVIZ_TEST_TEX_DIR", None)
    return env


def _run_together(commands: list[list[str]], folder: Path) -> list[subprocess.CompletedProcess]:
    processes = [
        subprocess.Popen(
            command,
            cwd=folder,
            env=_env(folder),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    results = []
    for process, command in zip(processes, commands, strict=True):
        out, err = process.communicate(timeout=600)
        results.append(subprocess.CompletedProcess(command, process.returncode, out, err))
    return results


def _frames(movie: Path) -> int:
    import av

    with av.open(str(movie)) as container:
        return sum(1 for _ in container.decode(video=0))


def _no_leftovers(folder: Path) -> None:
    media = folder / "media"
    assert not list(media.glob(".nnviz-render-*")), "a private render folder was left behind"
    assert not list(media.rglob("partial_movie_files")), "partial movie files were left behind"
    assert not [p for p in media.rglob("*") if ".tmp" in p.name], "temporary files left behind"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    shutil.copy(REPO / "manim.cfg", tmp_path / "manim.cfg")
    (tmp_path / "tiny.py").write_text(TINY_SCENE)
    return tmp_path


def test_two_renders_of_the_same_scene_at_once(folder: Path) -> None:
    command = [sys.executable, "-m", "manim", "-ql", "-v", "WARNING", "tiny.py", "TinyRun"]
    results = _run_together([command, command], folder)
    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
    movie = folder / "media" / "videos" / "tiny" / "480p15" / "TinyRun.mp4"
    assert _frames(movie) > 15
    _no_leftovers(folder)


def test_two_renders_of_different_scenes_at_once(folder: Path) -> None:
    nnviz = [sys.executable, "-c", "from nnviz.cli import main; main()", "render"]
    options = ["--epochs", "3", "--target-loss", "0"]
    results = _run_together(
        [[*nnviz, "--activation", "relu", *options], [*nnviz, "--activation", "tanh", *options]],
        folder,
    )
    movies = []
    for result in results:
        assert result.returncode == 0, result.stderr[-2000:]
        movies.append(folder / result.stdout.strip().splitlines()[-1])
    assert sorted(m.name.split("_")[0] for m in movies) == ["relu", "tanh"]
    counts = [_frames(m) for m in movies]
    assert counts[0] == counts[1] > 15
    _no_leftovers(folder)


def test_ctrl_c_leaves_no_partial_movie_files(folder: Path) -> None:
    scene = TINY_SCENE.replace("max_epochs=3", "max_epochs=40").replace("0.2\n", "0.3\n", 1)
    (folder / "long.py").write_text(scene)
    process = subprocess.Popen(
        [sys.executable, "-m", "manim", "-ql", "-v", "WARNING", "long.py", "TinyRun"],
        cwd=folder,
        env=_env(folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        # A background child may inherit an ignored SIGINT; a user's Ctrl-C is not ignored.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 300
    while not [p for p in (folder / "media").rglob("*.mp4") if "partial_movie_files" in str(p)]:
        assert process.poll() is None and time.monotonic() < deadline, "no partial movie yet"
        time.sleep(0.2)
    for _ in range(20):  # as a user would, press Ctrl-C again if the first one was swallowed
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=3)
            break
        except subprocess.TimeoutExpired:
            continue
    else:
        process.kill()
        raise AssertionError("the render did not stop on Ctrl-C")
    assert process.returncode != 0, err[-2000:]
    assert not list((folder / "media").rglob("*.mp4")), "a partial movie file was left behind"
    _no_leftovers(folder)
