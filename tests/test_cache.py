from __future__ import annotations

from pathlib import Path

import numpy as np

from nnviz.cache import cached_run, run_path
from nnviz.config import RunConfig


def test_first_call_trains_and_later_calls_load(tmp_path: Path) -> None:
    config = RunConfig(max_epochs=3)
    messages: list[str] = []
    first = cached_run(config, tmp_path, report=messages.append)
    assert run_path(config, tmp_path).is_file()
    assert len(messages) == 1 and "training" in messages[0]
    second = cached_run(config, tmp_path, report=messages.append)
    assert len(messages) == 1
    np.testing.assert_array_equal(first.W1, second.W1)


def test_damaged_cache_is_replaced(tmp_path: Path) -> None:
    config = RunConfig(max_epochs=2)
    path = run_path(config, tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"garbage")
    messages: list[str] = []
    run = cached_run(config, tmp_path, report=messages.append)
    assert "unreadable" in messages[0]
    assert run.epochs == 2 and path.stat().st_size > 1000


def test_cached_load_does_not_import_torch(tmp_path: Path) -> None:
    import subprocess
    import sys

    config = RunConfig(max_epochs=2)
    cached_run(config, tmp_path, report=lambda _: None)
    code = (
        "import sys; from nnviz.cache import cached_run; from nnviz.config import RunConfig; "
        f"cached_run(RunConfig(max_epochs=2), {str(tmp_path)!r}); "
        "assert 'torch' not in sys.modules, 'torch imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_rendering_a_scene_from_cached_runs_does_not_import_torch(tmp_path: Path) -> None:
    """Build the training layout of a cached run, as a scene does, in a fresh interpreter."""
    import subprocess
    import sys

    config = RunConfig(max_epochs=3)
    cached_run(config, tmp_path, report=lambda _: None)
    code = (
        "import sys\n"
        "from manim import ValueTracker\n"
        "from nnviz.cache import cached_run\n"
        "from nnviz.config import RunConfig\n"
        "from nnviz.mobjects.context import BlockContext\n"
        "from nnviz.mobjects.layout import TrainingLayout\n"
        "from nnviz.stories.training import TrainingStory\n"
        "from nnviz.theme import active_theme\n"
        "from nnviz.trajectory import Trajectory\n"
        f"run = cached_run(RunConfig(max_epochs=3), {str(tmp_path)!r})\n"
        "TrainingLayout(BlockContext(Trajectory(run), ValueTracker(1.5), active_theme()))\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_stale_temporaries_in_the_cache_are_removed(tmp_path: Path) -> None:
    import os
    import time

    tmp_path.mkdir(exist_ok=True)
    killed = tmp_path / ".seed-relu-h2-lr0.01-s0-0123456789.npz.x1y2z3.tmp"
    writing = tmp_path / ".seed-tanh-h2-lr0.1-s0-0123456789.npz.a1b2c3.tmp"
    killed.write_bytes(b"x" * 4096)
    writing.write_bytes(b"x" * 4096)
    old = time.time() - 3600
    os.utime(killed, (old, old))
    cached_run(RunConfig(max_epochs=2), tmp_path, report=lambda _: None)
    assert not killed.exists() and writing.exists()
