"""Render one scene in several processes: contiguous ranges of its animations, joined.

Manim renders a scene as one partial movie file per animation (``play`` or ``wait``) and
joins them without re-encoding. A parallel render does the same work in ``jobs`` processes:

1. **plan**: the scene is run once with every animation skipped (Manim's ``-n`` mechanism:
   each animation jumps to its end), which records how many frames each one draws;
2. **split**: the animations are cut into ``jobs`` contiguous ranges of about equal cost
   (:func:`split_ranges`; a frame that is drawn costs more than a frame of a still ``wait``);
3. **render**: each range is rendered by its own process, which skips the animations before
   its range (Manim's ``from_animation_number``/``upto_animation_number``) and writes the
   partial movie files of its range joined into one movie;
4. **join**: the range movies are joined into the scene's movie by copying their packets, as
   Manim joins its partial movie files (:func:`join_movies`): nothing is encoded twice; the
   scene's subtitles, which the plan collected (a range's process knows only those up to its
   range's end), are written beside it as a serial render writes them.

The joined movie has the frames of a serial render, frame for frame, when skipping an
animation leaves the scene in the state drawing it would: true of every nnviz scene (its
updaters follow the epoch clock, and the adapter's scene
(:meth:`nnviz.manim_adapter.scene.AdaptedScene.update_to_time`) advances time-driven ones by
the frames' time in both cases) and of most Manim scenes; a scene whose updaters count the
calls or read ``dt`` without that care may differ (as with Manim's own ``-n``). Long training
plays are cut into chunks (:data:`nnviz.stories.clock.CLOCK_CHUNK_SECONDS`) so that the ranges
can balance.

Each process imports Manim and builds the scene again, so ``jobs`` processes cost a few
seconds of start-up each, and the plan one scene set-up; on 2 cores the gain is small (see the
README's Performance section).
"""

from __future__ import annotations

import multiprocessing
import os
import secrets
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

import numpy as np

from nnviz.atomic_files import new_file_mode, write_atomically
from nnviz.manim_adapter.timing import frames_of_play, frames_of_still_wait

if TYPE_CHECKING:
    from manim import Scene

__all__ = [
    "STILL_FRAME_COST",
    "Play",
    "SceneSource",
    "default_jobs",
    "join_movies",
    "plan_plays",
    "plan_scene",
    "process_pool",
    "render_parallel",
    "render_range",
    "split_ranges",
]

#: The cost of one frame of a still ``wait`` (Manim encodes a frame it drew once) relative to
#: a frame that is drawn, for balancing the ranges.
STILL_FRAME_COST = 0.2


class SceneSource(Protocol):
    """Where a process finds the scene class to render: picklable, so that a new process
    (started by ``spawn``) can load the class again."""

    def load(self) -> type[Scene]:
        """Return the scene class."""
        ...


@dataclass(frozen=True)
class Play:
    """One animation of a scene, as the plan saw it.

    Attributes
    ----------
    seconds
        Its run time.
    frames
        The frames it adds to the movie.
    still
        Whether it is a still ``wait`` (one frame drawn, then repeated).
    """

    seconds: float
    frames: int
    still: bool

    @property
    def cost(self) -> float:
        """Return the work of rendering it, in drawn frames."""
        return self.frames * (STILL_FRAME_COST if self.still else 1.0)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """Return a pool of ``workers`` processes, each a fresh interpreter (``spawn``): nothing of
    this process's Manim, Cairo or encoder threads is forked into them."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def default_jobs() -> int:
    """Return the default number of processes: the cores this process may use when there are
    more than 2, else 1 (on 2 cores a second process competes with Manim's encoder thread)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return cores if cores > 2 else 1


def split_ranges(costs: Sequence[float], parts: int) -> list[tuple[int, int]]:
    """Split items of ``costs`` into at most ``parts`` contiguous ranges ``[first, end)``
    whose largest total cost is as small as possible (no empty range; fewer ranges when there
    are fewer items).

    The smallest possible largest total is found by bisection over the totals a greedy
    split reaches (exact for contiguous ranges: greedy filling fits a bound whenever any split
    does).
    """
    if parts < 1:
        raise ValueError(f"parts must be at least 1, got {parts}")
    values = np.asarray(costs, dtype=np.float64)
    if values.ndim != 1 or np.any(~np.isfinite(values)) or np.any(values < 0):
        raise ValueError("costs must be a sequence of finite numbers of at least 0")
    count = len(values)
    if count == 0:
        return []
    parts = min(parts, count)

    def greedy(bound: float) -> list[int] | None:
        """Return the range starts of greedy filling up to ``bound``, or None if it needs more
        than ``parts`` ranges."""
        starts, total = [0], 0.0
        for index, value in enumerate(values):
            if total + value > bound and index > starts[-1]:
                starts.append(index)
                total = 0.0
            total += value
        return starts if len(starts) <= parts else None

    low, high = float(values.max()), float(values.sum())
    best = greedy(high)
    assert best is not None
    for _ in range(64):  # bisection on the bound; 64 halvings reach float resolution
        if high - low <= 1e-9 * max(high, 1.0):
            break
        middle = (low + high) / 2
        starts = greedy(middle)
        if starts is None:
            low = middle
        else:
            high, best = middle, starts
    # Fill up to `parts` ranges by splitting the largest ones (never raises the maximum).
    bounds = [*best, count]
    ranges = [(bounds[i], bounds[i + 1]) for i in range(len(best))]
    while len(ranges) < parts:
        widest = max(
            (r for r in ranges if r[1] - r[0] > 1),
            key=lambda r: float(values[r[0] : r[1]].sum()),
            default=None,
        )
        if widest is None:
            break
        first, end = widest
        cumulative = np.cumsum(values[first:end])
        cut = first + 1 + int(np.searchsorted(cumulative[:-1], cumulative[-1] / 2))
        cut = min(max(cut, first + 1), end - 1)
        index = ranges.index(widest)
        ranges[index : index + 1] = [(first, cut), (cut, end)]
    return ranges


def plan_plays(scene_class: type[Scene]) -> tuple[list[Play], Path]:
    """Run ``scene_class`` with every animation skipped and return its animations and the path
    of the movie a render writes, under the current Manim configuration.

    Each skipped animation jumps to its end, as Manim's ``-n`` does; nothing is drawn or
    written but the still images of the scene's static parts.
    """
    plays, movie, _ = plan_scene(scene_class)
    return plays, movie


def plan_scene(scene_class: type[Scene]) -> tuple[list[Play], Path, str]:
    """Return :func:`plan_plays`' animations and movie path, and the scene's subtitles (the
    ``.srt`` text a serial render writes beside its movie; empty when it has none): the
    adapter's scene keeps their times to whole frames, skipped or drawn."""
    from manim import config, tempconfig

    from nnviz.manim_adapter.caches import subtitles_text
    from nnviz.manim_adapter.plays import call_after_each_play

    plays: list[Play] = []
    with tempconfig({"from_animation_number": 2**31 - 1, "upto_animation_number": -1}):
        scene = scene_class()
        frame_rate = float(config.frame_rate)

        def record(played: Scene) -> None:
            still = bool(played.is_current_animation_frozen_frame())
            seconds = float(played.duration)
            if still:
                frames = frames_of_still_wait(seconds, frame_rate)
            else:
                frames = frames_of_play(seconds, frame_rate)
            plays.append(Play(seconds, frames, still))

        call_after_each_play(scene, record)
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
        subtitles = subtitles_text(scene.renderer.file_writer)
    return plays, movie, subtitles


def render_range(
    source: SceneSource, settings: dict[str, Any], first: int, end: int, folder: str
) -> str:
    """Render animations ``first`` to ``end - 1`` of ``source``'s scene into a movie in
    ``folder`` and return its path (the entry point of each process of a parallel render).

    ``settings`` is the Manim configuration of the render (as for ``tempconfig``).
    """
    from manim import tempconfig

    range_settings = {
        **settings,
        "from_animation_number": first,
        "upto_animation_number": end - 1,
        "video_dir": folder,
        "output_file": "range",
        "progress_bar": "none",
        "format": "mp4",
    }
    with tempconfig(range_settings):
        scene = source.load()()
        scene.render()
        return str(scene.renderer.file_writer.movie_file_path)


def join_movies(movies: Sequence[Path], output: Path) -> None:
    """Join ``movies`` (the same codec and size) into ``output`` by copying their packets, as
    Manim joins its partial movie files: nothing is decoded or encoded again. ``output`` is
    written to a temporary file beside it and renamed into place."""
    import av

    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.stem}.{os.getpid()}-{secrets.token_hex(4)}.tmp.mp4")
    manifest = output.with_name(f"{temporary.name}.txt")
    try:
        manifest.write_text(
            "".join(f"file 'file:{Path(movie).resolve().as_posix()}'\n" for movie in movies)
        )
        with av.open(str(manifest), format="concat", options={"safe": "0", "an": "1"}) as joined:
            stream = joined.streams.video[0]
            with av.open(str(temporary), mode="w") as target:
                copy = target.add_stream_from_template(template=stream)
                for packet in joined.demux(stream):
                    if packet.dts is None:  # the flushing packet demux ends with
                        continue
                    packet.dts = None  # consecutive files restart their dts; libav recomputes
                    packet.stream = copy
                    target.mux(packet)
        os.chmod(temporary, new_file_mode())
        os.replace(temporary, output)
    finally:
        temporary.unlink(missing_ok=True)
        manifest.unlink(missing_ok=True)


def render_parallel(
    source: SceneSource,
    settings: dict[str, Any],
    jobs: int,
    report: Callable[[str], None] = lambda message: None,
) -> Path:
    """Render ``source``'s scene with ``jobs`` processes and return the path of its movie,
    the same path a serial render with ``settings`` (a Manim configuration) writes.

    ``report`` receives a line per step: the plan, each range as it is done, the join.
    """
    from manim import config, tempconfig

    from nnviz.errors import RenderError
    from nnviz.manim_adapter.caches import PrivateCaches

    started = time.perf_counter()
    scene_class = source.load()
    with tempconfig({**settings, "progress_bar": "none"}):
        plays, movie, subtitles = plan_scene(scene_class)
        media = Path(config.get_dir("media_dir"))
    if not plays:
        raise RenderError(f"{scene_class.__name__} plays no animation; there is no movie to make")
    ranges = split_ranges([play.cost for play in plays], jobs)
    frames = sum(play.frames for play in plays)
    report(
        f"planned {scene_class.__name__}: {len(plays)} animations, {frames} frames, "
        f"{len(ranges)} ranges, in {time.perf_counter() - started:.1f} s"
    )
    folder = media / PrivateCaches.folder_name("-jobs")
    folder.mkdir(parents=True)
    try:
        with process_pool(len(ranges)) as pool:
            futures = [
                pool.submit(render_range, source, settings, first, end, str(folder / str(i)))
                for i, (first, end) in enumerate(ranges)
            ]
            movies: list[Path] = []
            for index, future in enumerate(futures):
                try:
                    movies.append(Path(future.result()))
                except Exception as error:  # one line, naming the range, not a traceback
                    reason = f"{type(error).__name__}: {error}".strip()
                    raise RenderError(
                        f"range {index + 1} of the render failed ({reason})"
                    ) from error
                first, end = ranges[index]
                count = sum(play.frames for play in plays[first:end])
                report(
                    f"range {index + 1}/{len(ranges)} (animations {first}-{end - 1}, "
                    f"{count} frames) done at {time.perf_counter() - started:.1f} s"
                )
        joining = time.perf_counter()
        join_movies(movies, movie)
        if subtitles:  # beside the movie, as a serial render writes them
            data = subtitles.encode("utf-8")

            def write(handle: BinaryIO) -> None:
                handle.write(data)

            write_atomically(movie.with_suffix(".srt"), write)
        report(f"joined {len(movies)} ranges in {time.perf_counter() - joining:.2f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return movie
