"""The video of one run, as ``nnviz render`` makes it: the scene class of a run (a
:class:`~nnviz.stories.training.SingleRunStory` with the run's settings), its file's name, and
rendering one run or several through :mod:`nnviz.rendering`.

This module sits above the stories and the rendering: :mod:`nnviz.rendering` renders any scene
it is given and knows no story.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnviz.config import RunConfig, activation_file_name
from nnviz.data import DATASETS
from nnviz.rendering import render_scene
from nnviz.view import axis_scales_for, check_axis_scales

if TYPE_CHECKING:
    from manim import Scene

    from nnviz.stories.landscape import LandscapeStory
    from nnviz.stories.training import SingleRunStory

__all__ = [
    "MARKS",
    "LandscapeScene",
    "RunScene",
    "landscape_output_name",
    "landscape_scene_class",
    "render_landscape",
    "render_run",
    "render_runs",
    "run_output_name",
    "run_scene_class",
    "run_video_name",
]


#: The marks a render can add to its pictures: each a setting of the training phase
#: (:class:`~nnviz.stories.training.TrainingPhase`), turned on by ``nnviz render``'s flag of
#: the same name (``--point-loss``), and what the file's name says of it.
MARKS: dict[str, str] = {
    "point_loss": "pointloss",
    "trails": "trails",
    "discretize": "discrete",
}


@dataclass(frozen=True)
class RunScene:
    """The scene of one run that ``nnviz render`` renders (:func:`run_scene_class`)."""

    config: RunConfig
    layout: str = "default"
    draw_points: int | None = None
    run_file: str | None = None
    axis_scales: str = "auto"
    theme: str | None = None
    duration: float | None = None
    seconds_per_epoch: float | None = None
    still: float | None = None
    marks: tuple[str, ...] = ()

    def load(self) -> type[Scene]:
        """Return the scene class."""
        return run_scene_class(self.config, self.layout, self.draw_points, self.run_file,
                               self.axis_scales, theme=self.theme, duration=self.duration,
                               seconds_per_epoch=self.seconds_per_epoch,
                               still=self.still, marks=self.marks)  # fmt: skip


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
    layout: str = "default",
    draw_points: int | None = None,
    run_file: str | os.PathLike[str] | None = None,
    theme: str | None = None,
    still: float | None = None,
    axis_scales: str = "auto",
    marks: tuple[str, ...] = (),
) -> str:
    """Return the file name (without suffix) of a render of one run: :func:`run_video_name`
    (or the run file's name), then ``_<layout>`` for a layout other than the default,
    ``_<N>pts`` for a sample of N points, ``_equal`` or ``_per-axis`` for axis scales other
    than those ``"auto"`` gives its data, ``_<theme>`` for a theme other than the default
    (``theme`` ``None``: ``NNVIZ_THEME``'s), ``_pointloss``, ``_trails`` and ``_discrete``
    for the ``marks`` asked for (:data:`MARKS`), and ``_epoch<E>`` for a still of epoch E."""
    from nnviz.theme import DEFAULT_THEME, active_theme

    name = run_video_name(config) if run_file is None else Path(run_file).stem
    if layout != "default":
        name = f"{name}_{layout}"
    if draw_points is not None:
        name = f"{name}_{draw_points}pts"
    scales = axis_scales_for(axis_scales, config.dataset)
    if scales != axis_scales_for("auto", config.dataset):
        name = f"{name}_{scales}"
    theme_name = active_theme(theme).name
    if theme_name != DEFAULT_THEME:
        name = f"{name}_{theme_name}"
    for mark, word in MARKS.items():
        if mark in marks:
            name = f"{name}_{word}"
    if still is not None:
        name = f"{name}_epoch{still:g}"
    return name


def run_scene_class(
    config: RunConfig,
    layout: str = "default",
    draw_points: int | None = None,
    run_file: str | os.PathLike[str] | None = None,
    axis_scales: str = "auto",
    *,
    theme: str | None = None,
    duration: float | None = None,
    seconds_per_epoch: float | None = None,
    still: float | str | None = None,
    marks: tuple[str, ...] = (),
) -> type[SingleRunStory]:
    """Return the scene class of one run: a :class:`~nnviz.stories.training.SingleRunStory`
    of ``config``'s cached run (trained if needed) or of the run file ``run_file`` (whose
    configuration is ``config``), drawing ``draw_points`` points (``None``: all), in ``theme``
    (``None``: ``NNVIZ_THEME``'s), whose training phase
    (:class:`~nnviz.stories.training.TrainingPhase`) has the panels of ``layout`` and the
    input plane's axes scaled as ``axis_scales`` says.

    ``duration`` is the video's length in seconds (:attr:`TrainingPhase.phase_seconds
    <nnviz.stories.training.TrainingPhase.phase_seconds>`); ``seconds_per_epoch`` its pace
    instead, without the default limit of the length; ``None`` for both keeps the defaults.
    ``still`` makes the scene a still of that epoch (a number or ``"final"``). ``marks``
    names the training phase's marks to turn on (keys of :data:`MARKS`).
    """
    check_axis_scales(axis_scales)
    unknown = sorted(set(marks) - set(MARKS))
    if unknown:
        raise ValueError(f"unknown marks {', '.join(unknown)}; choose from {', '.join(MARKS)}")
    from nnviz.stories.training import SingleRunStory, TrainingPhase

    names = activation_file_name(config.activation)
    pace: dict[str, Any] = {}
    if duration is not None:
        pace["phase_seconds"] = duration
    if seconds_per_epoch is not None:  # a pace asked for is kept, however long the run
        pace.update(seconds_per_epoch=seconds_per_epoch, max_phase_seconds=None)
    settings: dict[str, Any] = {
        "activation": config.activation,
        "lr": config.lr,
        "base_config": config,
        "training": TrainingPhase(
            layout=layout, axis_scales=axis_scales, **pace, **dict.fromkeys(marks, True)
        ),
        "draw_points": draw_points,
        "run_file": None if run_file is None else str(Path(run_file).absolute()),
        "theme_name": theme,
        "still": still,
        "__module__": __name__,
    }
    class_name = f"{names.capitalize().replace('-', '').replace('.', '_')}Run"
    return type(class_name, (SingleRunStory,), settings)


def render_run(
    config: RunConfig,
    quality: str = "l",
    output_format: str = "mp4",
    media_dir: str | os.PathLike[str] = "media",
    report: Callable[[str], None] = lambda message: None,
    layout: str = "default",
    draw_points: int | None = None,
    run_file: str | os.PathLike[str] | None = None,
    jobs: int = 1,
    axis_scales: str = "auto",
    *,
    theme: str | None = None,
    duration: float | None = None,
    seconds_per_epoch: float | None = None,
    still: float | None = None,
    out: str | os.PathLike[str] | None = None,
    marks: tuple[str, ...] = (),
    burn_subtitles: bool = False,
) -> Path:
    """Render the evolution of one run (its panels, read-out, loss curve) and return its path.

    ``layout`` names the panels (:data:`nnviz.layouts.LAYOUT_SPECS`): ``"default"`` or
    ``"blog"``. ``draw_points`` draws a seeded sample of that many points (see
    :func:`check_render`). ``axis_scales`` scales the input plane's axes
    (:func:`nnviz.view.axis_scales_for`). With ``run_file`` the scene shows that run file
    (whose configuration is ``config``; load it with :func:`nnviz.run_file.load_run` first) and is
    named after it (``my_run.mp4``); otherwise the cached run of ``config``, trained if
    needed. The file's name is :func:`run_output_name`'s. ``theme``, ``duration`` and
    ``seconds_per_epoch`` are those of :func:`run_scene_class`. ``still`` renders the run at
    that epoch (a number from 0 to its last) as a PNG instead of a video (``output_format``
    is then ``"png"``). ``out`` is the file to write instead (:func:`check_out`). ``jobs``
    processes render it (:func:`render_scene`). ``marks`` turns on the training phase's
    marks (:data:`MARKS`). The video's subtitles land beside it as an
    ``.srt``, or with ``burn_subtitles`` in its picture.
    """
    name = run_output_name(config, layout, draw_points, run_file, theme, still, axis_scales,
                           marks)  # fmt: skip
    file = None if run_file is None else str(Path(run_file).absolute())
    source = RunScene(config, layout, draw_points, file, axis_scales, theme, duration,
                      seconds_per_epoch, still, marks)  # fmt: skip
    if still is not None:
        output_format = "png"
    return render_scene(source, quality, output_format, media_dir, name, report, jobs, out=out,
                        burn_subtitles=burn_subtitles)  # fmt: skip


def render_runs(
    configs: list[RunConfig],
    quality: str = "l",
    output_format: str = "mp4",
    media_dir: str | os.PathLike[str] = "media",
    report: Callable[[str], None] = lambda message: None,
    layout: str = "default",
    draw_points: int | None = None,
    jobs: int = 1,
    axis_scales: str = "auto",
    *,
    theme: str | None = None,
    duration: float | None = None,
    seconds_per_epoch: float | None = None,
    marks: tuple[str, ...] = (),
    burn_subtitles: bool = False,
) -> list[Path]:
    """Render several runs (as :func:`render_run`, each in one process), ``jobs`` at a time,
    and return their paths in the order of ``configs``; ``report`` hears of each as it ends.

    Train the runs first (:func:`nnviz.cache.cached_run`): processes that train the same
    cache at once would each train it.
    """
    from concurrent.futures import as_completed

    from nnviz.parallel import process_pool

    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    started = time.perf_counter()
    paths: dict[int, Path] = {}
    with process_pool(min(jobs, len(configs))) as pool:
        futures = {
            pool.submit(
                render_run, config, quality, output_format, media_dir,
                layout=layout, draw_points=draw_points, axis_scales=axis_scales, theme=theme,
                duration=duration, seconds_per_epoch=seconds_per_epoch, marks=marks,
                burn_subtitles=burn_subtitles,
            ): index
            for index, config in enumerate(configs)
        }  # fmt: skip
        for future in as_completed(futures):
            path = future.result()
            paths[futures[future]] = path
            report(f"rendered {path.name} at {time.perf_counter() - started:.1f} s")
    return [paths[index] for index in range(len(configs))]


@dataclass(frozen=True)
class LandscapeScene:
    """The scene of ``nnviz render --landscape`` (:func:`landscape_scene_class`)."""

    config: RunConfig
    learning_rates: tuple[float, ...]
    run_files: tuple[str, ...] = ()
    theme: str | None = None
    seconds_per_epoch: float | None = None

    def load(self) -> type[Scene]:
        """Return the scene class."""
        return landscape_scene_class(self.config, self.learning_rates, self.run_files,
                                     theme=self.theme,
                                     seconds_per_epoch=self.seconds_per_epoch)  # fmt: skip


def landscape_scene_class(
    config: RunConfig,
    learning_rates: tuple[float, ...],
    run_files: tuple[str, ...] = (),
    *,
    theme: str | None = None,
    seconds_per_epoch: float | None = None,
) -> type[LandscapeStory]:
    """Return the scene class of a loss landscape: a
    :class:`~nnviz.stories.landscape.LandscapeStory` of ``config`` at each of
    ``learning_rates`` (cached runs, trained if needed), or of the run files ``run_files``."""
    from nnviz.stories.landscape import LandscapePhase, LandscapeStory

    pace: dict[str, Any] = (
        {} if seconds_per_epoch is None else {"seconds_per_epoch": seconds_per_epoch}
    )
    settings: dict[str, Any] = {
        "activation": config.activation,
        "base_config": config,
        "landscape": LandscapePhase(learning_rates=learning_rates, **pace),
        "run_files": tuple(str(Path(path).absolute()) for path in run_files),
        "theme_name": theme,
        "__module__": __name__,
    }
    return type("LandscapeRuns", (LandscapeStory,), settings)


def landscape_output_name(
    config: RunConfig, run_files: tuple[str, ...] = (), theme: str | None = None
) -> str:
    """``landscape_tanh`` (with the runs' other settings as :func:`run_video_name` names
    them), or ``landscape_a_b`` after the run files ``a.npz`` and ``b.npz``; a theme other
    than dark is named too."""
    if run_files:
        name = "landscape_" + "_".join(Path(path).stem for path in run_files)
    else:
        name = "landscape_" + run_video_name(config).replace(f"_lr{config.lr:g}", "", 1)
    return name if theme in (None, "dark") else f"{name}_{theme}"


def render_landscape(
    config: RunConfig,
    learning_rates: tuple[float, ...],
    quality: str = "l",
    output_format: str = "mp4",
    media_dir: str | os.PathLike[str] = "media",
    report: Callable[[str], None] = lambda message: None,
    run_files: tuple[str, ...] = (),
    jobs: int = 1,
    *,
    theme: str | None = None,
    seconds_per_epoch: float | None = None,
    out: str | os.PathLike[str] | None = None,
) -> Path:
    """Render the loss landscape of ``config`` at ``learning_rates`` (or of ``run_files``)
    and return the file's path (:func:`landscape_output_name`, or ``out``)."""
    name = landscape_output_name(config, run_files, theme)
    files = tuple(str(Path(path).absolute()) for path in run_files)
    source = LandscapeScene(config, learning_rates, files, theme, seconds_per_epoch)
    return render_scene(source, quality, output_format, media_dir, name, report, jobs, out=out)
