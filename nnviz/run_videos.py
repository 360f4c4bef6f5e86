"""The video of one run, as ``nnviz render`` makes it: the scene class of a run (a
:class:`~nnviz.stories.training.SingleRunStory` with the run's settings), its file's name, and
rendering one run or several through :mod:`nnviz.rendering`.

This module sits above the stories and the rendering: :mod:`nnviz.rendering` renders any scene
it is given and knows no story.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnviz.config import RunConfig, activation_file_name
from nnviz.data import DATASETS
from nnviz.rendering import render_scene
from nnviz.view import axis_scales_for, check_axis_scales

if TYPE_CHECKING:
    from manim import Scene

    from nnviz.stories.training import SingleRunStory

__all__ = [
    "RunScene",
    "VideoSettings",
    "render_run",
    "render_runs",
    "run_output_name",
    "run_scene_class",
    "run_video_name",
]


@dataclasses.dataclass(frozen=True)
class VideoSettings:
    """How ``nnviz render`` draws and renders a run's video: its flags, written once and
    passed down to every run it renders (:func:`render_run`, :func:`render_runs`).

    Parameters
    ----------
    quality
        Manim's quality letter (``"l"``, ``"m"``, ``"h"``, ``"p"``, ``"k"``).
    output_format
        ``"mp4"`` or ``"gif"`` (a still is a PNG whatever this says).
    media_dir
        The folder the files land under.
    layout
        The panels (:data:`nnviz.layouts.LAYOUT_SPECS`): ``"default"`` or ``"blog"``.
    draw_points
        Draw a seeded sample of that many points (``None``: all; see
        :func:`nnviz.render_checks.check_render`).
    axis_scales
        How the input plane scales its axes (:func:`nnviz.view.axis_scales_for`).
    theme
        A name in :data:`nnviz.theme.THEMES`; ``None``: ``NNVIZ_THEME``'s.
    duration
        The video's length in seconds (:attr:`TrainingPhase.phase_seconds
        <nnviz.stories.training.TrainingPhase.phase_seconds>`); ``None``: the default.
    seconds_per_epoch
        The video's pace instead, without the default limit of its length; ``None``: the
        default.
    jobs
        Processes that render one video (:func:`nnviz.rendering.render_scene`), or, for
        several runs, runs rendered at once (:func:`render_runs`).
    """

    quality: str = "l"
    output_format: str = "mp4"
    media_dir: str | os.PathLike[str] = "media"
    layout: str = "default"
    draw_points: int | None = None
    axis_scales: str = "auto"
    theme: str | None = None
    duration: float | None = None
    seconds_per_epoch: float | None = None
    jobs: int = 1


@dataclasses.dataclass(frozen=True)
class RunScene:
    """The scene of one run that ``nnviz render`` renders (:func:`run_scene_class`)."""

    config: RunConfig
    settings: VideoSettings = VideoSettings()
    run_file: str | None = None
    still: float | None = None

    def load(self) -> type[Scene]:
        """Return the scene class."""
        return run_scene_class(self.config, self.settings, self.run_file, self.still)


def run_video_name(config: RunConfig) -> str:
    """Return the video file's name (without suffix) of one run: ``relu_lr0.01`` for the post's
    settings, with the data set, the widths and the optimizer when they differ, and a short
    digest of the configuration when anything else does, so that two different runs never
    share a file."""
    name = f"{activation_file_name(config.activation)}_lr{config.lr:g}"
    if config.hidden != (2,):
        name = f"{name}_h{'-'.join(map(str, config.hidden))}"
    if config.dataset != "seed":
        name = f"{config.dataset}_{name}"
    if config.optimizer != "adam":
        name = f"{name}_{config.optimizer}"
    if config.dataset in DATASETS:
        shown = ("dataset", "activation", "hidden", "lr", "optimizer")
        plain = config == RunConfig(**{key: getattr(config, key) for key in shown})
    else:  # a file's data: the digest tells two files apart
        plain = False
    if not plain:
        name = f"{name}_{config.key().rsplit('-', 1)[-1][:6]}"
    return name


def run_output_name(
    config: RunConfig,
    settings: VideoSettings = VideoSettings(),
    run_file: str | os.PathLike[str] | None = None,
    still: float | None = None,
) -> str:
    """Return the file name (without suffix) of a render of one run: :func:`run_video_name`
    (or the run file's name), then ``_<layout>`` for a layout other than the default,
    ``_<N>pts`` for a sample of N points, ``_equal`` or ``_per-axis`` for axis scales other
    than those ``"auto"`` gives its data, ``_<theme>`` for a theme other than the default
    (``settings.theme`` ``None``: ``NNVIZ_THEME``'s), and ``_epoch<E>`` for a still of epoch
    E."""
    from nnviz.theme import DEFAULT_THEME, active_theme

    name = run_video_name(config) if run_file is None else Path(run_file).stem
    if settings.layout != "default":
        name = f"{name}_{settings.layout}"
    if settings.draw_points is not None:
        name = f"{name}_{settings.draw_points}pts"
    scales = axis_scales_for(settings.axis_scales, config.dataset)
    if scales != axis_scales_for("auto", config.dataset):
        name = f"{name}_{scales}"
    theme_name = active_theme(settings.theme).name
    if theme_name != DEFAULT_THEME:
        name = f"{name}_{theme_name}"
    if still is not None:
        name = f"{name}_epoch{still:g}"
    return name


def run_scene_class(
    config: RunConfig,
    settings: VideoSettings = VideoSettings(),
    run_file: str | os.PathLike[str] | None = None,
    still: float | str | None = None,
) -> type[SingleRunStory]:
    """Return the scene class of one run: a :class:`~nnviz.stories.training.SingleRunStory`
    of ``config``'s cached run (trained if needed) or of the run file ``run_file`` (whose
    configuration is ``config``), drawn as ``settings`` say (the points, the theme; the
    training phase's panels, axis scales, length or pace,
    :class:`~nnviz.stories.training.TrainingPhase`). ``still`` makes the scene a still of
    that epoch (a number or ``"final"``).
    """
    check_axis_scales(settings.axis_scales)
    from nnviz.stories.training import SingleRunStory, TrainingPhase

    names = activation_file_name(config.activation)
    pace: dict[str, Any] = {}
    if settings.duration is not None:
        pace["phase_seconds"] = settings.duration
    if settings.seconds_per_epoch is not None:  # a pace asked for is kept, however long the run
        pace.update(seconds_per_epoch=settings.seconds_per_epoch, max_phase_seconds=None)
    attributes: dict[str, Any] = {
        "activation": config.activation,
        "lr": config.lr,
        "base_config": config,
        "training": TrainingPhase(layout=settings.layout, axis_scales=settings.axis_scales, **pace),
        "draw_points": settings.draw_points,
        "run_file": None if run_file is None else str(Path(run_file).absolute()),
        "theme_name": settings.theme,
        "still": still,
        "__module__": __name__,
    }
    class_name = f"{names.capitalize().replace('-', '').replace('.', '_')}Run"
    return type(class_name, (SingleRunStory,), attributes)


def render_run(
    config: RunConfig,
    settings: VideoSettings = VideoSettings(),
    report: Callable[[str], None] = lambda message: None,
    *,
    run_file: str | os.PathLike[str] | None = None,
    still: float | None = None,
    out: str | os.PathLike[str] | None = None,
) -> Path:
    """Render the evolution of one run (its panels, read-out, loss curve) as ``settings`` say
    and return its path.

    With ``run_file`` the scene shows that run file (whose configuration is ``config``; load
    it with :func:`nnviz.run_file.load_run` first) and is named after it (``my_run.mp4``);
    otherwise the cached run of ``config``, trained if needed. The file's name is
    :func:`run_output_name`'s. ``still`` renders the run at that epoch (a number from 0 to its
    last) as a PNG instead of a video (whatever ``settings.output_format`` says). ``out`` is
    the file to write instead (:func:`nnviz.render_checks.check_out`). ``settings.jobs``
    processes render it (:func:`nnviz.rendering.render_scene`).
    """
    name = run_output_name(config, settings, run_file, still)
    file = None if run_file is None else str(Path(run_file).absolute())
    source = RunScene(config, settings, file, still)
    output_format = "png" if still is not None else settings.output_format
    return render_scene(source, settings.quality, output_format, settings.media_dir, name,
                        report, settings.jobs, out=out)  # fmt: skip


def render_runs(
    configs: list[RunConfig],
    settings: VideoSettings = VideoSettings(),
    report: Callable[[str], None] = lambda message: None,
) -> list[Path]:
    """Render several runs as ``settings`` say (as :func:`render_run`, each in one process),
    ``settings.jobs`` at a time, and return their paths in the order of ``configs``;
    ``report`` hears of each as it ends.

    Train the runs first (:func:`nnviz.cache.cached_run`): processes that train the same
    cache at once would each train it.
    """
    from concurrent.futures import as_completed

    from nnviz.parallel import process_pool

    jobs = settings.jobs
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    one_each = dataclasses.replace(settings, jobs=1)  # each run in one process
    started = time.perf_counter()
    paths: dict[int, Path] = {}
    with process_pool(min(jobs, len(configs))) as pool:
        futures = {
            pool.submit(render_run, config, one_each): index for index, config in enumerate(configs)
        }
        for future in as_completed(futures):
            path = future.result()
            paths[futures[future]] = path
            report(f"rendered {path.name} at {time.perf_counter() - started:.1f} s")
    return [paths[index] for index in range(len(configs))]
