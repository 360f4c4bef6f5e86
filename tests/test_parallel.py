"""Parallel rendering: the ranges, the chunked clock, and a joined video equal to a serial one."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from nnviz.cli import cli
from nnviz.parallel import Play, default_jobs, split_ranges


def best_largest_total(costs: list[float], parts: int) -> float:
    """The oracle: the smallest largest total over every split into contiguous ranges."""
    best = float("inf")
    count = len(costs)
    for ranges in range(1, min(parts, count) + 1):
        for cuts in itertools.combinations(range(1, count), ranges - 1):
            bounds = [0, *cuts, count]
            largest = max(sum(costs[a:b]) for a, b in itertools.pairwise(bounds))
            best = min(best, largest)
    return best


@pytest.mark.parametrize("seed", range(30))
def test_split_ranges_is_as_even_as_any_contiguous_split(seed: int) -> None:
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 10))
    costs = [float(c) for c in rng.integers(0, 50, count) * rng.choice([0.2, 1.0], count)]
    parts = int(rng.integers(1, 5))
    ranges = split_ranges(costs, parts)
    assert len(ranges) == min(parts, count)
    assert ranges[0][0] == 0 and ranges[-1][1] == count
    assert all(first < end for first, end in ranges)  # none empty
    assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))  # contiguous
    largest = max(sum(costs[first:end]) for first, end in ranges)
    assert largest == pytest.approx(best_largest_total(costs, parts), rel=1e-6, abs=1e-9)


def test_split_ranges_refuses_nonsense() -> None:
    assert split_ranges([], 3) == []
    with pytest.raises(ValueError):
        split_ranges([1.0], 0)
    with pytest.raises(ValueError):
        split_ranges([1.0, float("nan")], 2)
    with pytest.raises(ValueError):
        split_ranges([1.0, -1.0], 2)


def test_a_still_frame_costs_less_than_a_drawn_one() -> None:
    assert Play(1.0, 15, still=True).cost < Play(1.0, 15, still=False).cost == 15


def test_default_jobs_uses_every_core_above_two(monkeypatch: pytest.MonkeyPatch) -> None:
    for cores, jobs in ((1, 1), (2, 1), (3, 3), (8, 8)):
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid, n=cores: set(range(n)))
        assert default_jobs() == jobs


def frames_of(movie: Path) -> list[np.ndarray]:
    """Every frame of ``movie``, decoded to RGB."""
    import av

    with av.open(str(movie)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_the_clock_plays_in_chunks_of_whole_frames() -> None:
    """A training play of T seconds is cut into animations of at most CLOCK_CHUNK_SECONDS
    whose frames add up to those of one play of T seconds."""
    from manim import tempconfig

    from nnviz.manim_adapter.timing import frames_of_play
    from nnviz.parallel import plan_plays
    from nnviz.stories.clock import CLOCK_CHUNK_SECONDS
    from tests.scenes.stills import ShortRun

    with tempconfig({"frame_rate": 15, "media_dir": "media", "progress_bar": "none"}):
        plays, _ = plan_plays(ShortRun)
    chunks = [play for play in plays if not play.still and play.seconds < CLOCK_CHUNK_SECONDS]
    epochs = ShortRun.base_config.max_epochs
    training = frames_of_play(epochs * ShortRun.training.seconds_per_epoch, 15)
    # the reveal (0.8 s) and conceal (0.6 s) plays are the only other short animations
    clock_frames = sum(p.frames for p in chunks) - frames_of_play(0.8, 15) - frames_of_play(0.6, 15)
    assert clock_frames == training
    assert max(p.seconds for p in plays if not p.still) <= CLOCK_CHUNK_SECONDS


@pytest.mark.parametrize("scene_name", ["ShortRun", "ShortOrbitRun"])
def test_parallel_render_equals_the_serial_one_frame_for_frame(
    tmp_path: Path, scene_name: str
) -> None:
    """Two processes render the animations of a short scene in two ranges; the joined movie
    has the serial render's frames, bit for bit (the 3-D view turns with the video's time,
    so the skipped animations before the second range must turn it by their frames' time)."""
    from nnviz.rendering import SceneClass, render_scene

    source = SceneClass("tests.scenes.stills", scene_name)
    reports: list[str] = []
    serial = render_scene(source, "l", media_dir=tmp_path / "serial", output_name="serial")
    joined = render_scene(
        source, "l", media_dir=tmp_path / "joined", output_name="joined", jobs=2,
        report=reports.append,
    )  # fmt: skip
    assert any(line.startswith("planned") for line in reports)
    assert sum(line.startswith("range ") for line in reports) == 2
    serial_frames, joined_frames = frames_of(serial), frames_of(joined)
    assert len(serial_frames) == len(joined_frames) > 30
    differing = [
        index
        for index, (a, b) in enumerate(zip(serial_frames, joined_frames, strict=True))
        if not np.array_equal(a, b)
    ]
    assert differing == []
    # the frames move: a test of two still videos would prove nothing
    assert not np.array_equal(serial_frames[len(serial_frames) // 2], serial_frames[-1])
    # the subtitles beside the joined movie are the serial render's, to the millisecond
    subtitles = serial.with_suffix(".srt").read_text(encoding="utf-8")
    assert "Training" in subtitles and "Result: " in subtitles
    assert joined.with_suffix(".srt").read_text(encoding="utf-8") == subtitles
    leftovers = [p.name for p in (tmp_path / "joined").iterdir() if p.name.startswith(".")]
    assert leftovers == []


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stderr


def test_nnviz_manim_refuses_bad_scene_files_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "two.py").write_text(
        "from manim import Scene\n\nclass A(Scene):\n    pass\n\nclass B(Scene):\n    pass\n"
    )
    (tmp_path / "broken.py").write_text("import no_such_module_here\n")
    (tmp_path / "notes.txt").write_text("hello\n")
    cases = {
        ("missing.py",): "missing.py: no such scene file",
        ("notes.txt",): "notes.txt: not a Python scene file",
        ("two.py",): "two.py: name the scene to render (scenes: A, B)",
        ("two.py", "C"): "two.py: no scene 'C' (scenes: A, B)",
        ("broken.py",): "broken.py: cannot import it (ModuleNotFoundError",
    }
    for args, expected in cases.items():
        code, err = invoke("manim", "-ql", *args)
        assert code == 1, (args, err)
        assert err.count("\n") == 1 and err.startswith("nnviz: ") and expected in err, err
    code, err = invoke("manim", "-ql", "--jobs", "0", "two.py", "A")
    assert code == 2 and "--jobs" in err
