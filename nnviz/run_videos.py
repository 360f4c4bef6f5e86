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

    from nnviz.stories.landscape import LandscapeStory
    from nnviz.stories.training import SingleRunStory

__all__ = [
    "MARKS",
    "LandscapeScene",
    "RunScene",
    "VideoSettings",
    "landscape_output_name",
    "landscape_scene_class",
    "render_landscape",
    "render_run",
    "render_runs",
    "run_output_name",
    "run_scene_class",
    "run_video_name",
    "theme_suffix",
]


#: The marks a render can add to its pictures: each a setting of the training phase
#: (:class:`~nnviz.stories.training.TrainingPhase`), turned on by ``nnviz render``'s flag of
#: the same name (``--point-loss``), and what the file's name says of it.
MARKS: dict[str, str] = {
    "point_loss": "pointloss",
    "trails": "trails",
    "discretize": "discrete",
}


@dataclasses.dataclass(frozen=True)
class VideoSettings:
    """How ``nnviz render`` draws and renders a run's video: its flags, written once and
    passed down to every run it renders (:func:`render_run`, :func:`render_runs`) or to the
    loss landscape (:func:`render_landscape`, which draws no panels: it takes the quality,
    format, folder, theme, pace and jobs).

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
    marks
        The training phase's marks to turn on (keys of :data:`MARKS`).
    burn_subtitles
        Draw a video's subtitles into its picture instead of an ``.srt`` beside it
        (:func:`nnviz.burn_in.burn_subtitles`).
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
    marks: tuple[str, ...] = ()
    burn_subtitles: bool = False


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


def theme_suffix(settings: VideoSettings) -> str:
    """Return ``_<theme>`` for a theme other than the default (``settings.theme``, or with
    ``None`` ``NNVIZ_THEME``'s), else ``""``: a file name's mark of its theme, so that the
    light video never replaces the dark one."""
    from nnviz.theme import DEFAULT_THEME, active_theme

    theme_name = active_theme(settings.theme).name
    return "" if theme_name == DEFAULT_THEME else f"_{theme_name}"


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
    (``settings.theme`` ``None``: ``NNVIZ_THEME``'s), ``_pointloss``, ``_trails`` and
    ``_discrete`` for the ``settings.marks`` asked for (:data:`MARKS`), and ``_epoch<E>`` for
    a still of epoch E."""
    name = run_video_name(config) if run_file is None else Path(run_file).stem
    if settings.layout != "default":
        name = f"{name}_{settings.layout}"
    if settings.draw_points is not None:
        name = f"{name}_{settings.draw_points}pts"
    scales = axis_scales_for(settings.axis_scales, config.dataset)
    if scales != axis_scales_for("auto", config.dataset):
        name = f"{name}_{scales}"
    name += theme_suffix(settings)
    for mark, word in MARKS.items():
        if mark in settings.marks:
            name = f"{name}_{word}"
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
    training phase's panels, axis scales, length or pace and marks,
    :class:`~nnviz.stories.training.TrainingPhase`). ``still`` makes the scene a still of
    that epoch (a number or ``"final"``).
    """
    check_axis_scales(settings.axis_scales)
    unknown = sorted(set(settings.marks) - set(MARKS))
    if unknown:
        raise ValueError(f"unknown marks {', '.join(unknown)}; choose from {', '.join(MARKS)}")
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
        "training": TrainingPhase(
            layout=settings.layout,
            axis_scales=settings.axis_scales,
            **pace,
            **dict.fromkeys(settings.marks, True),
        ),
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
    processes render it (:func:`nnviz.rendering.render_scene`). The training phase has the
    ``settings.marks`` (:data:`MARKS`). The video's subtitles land beside it as an ``.srt``,
    or with ``settings.burn_subtitles`` in its picture.
    """
    name = run_output_name(config, settings, run_file, still)
    file = None if run_file is None else str(Path(run_file).absolute())
    source = RunScene(config, settings, file, still)
    output_format = "png" if still is not None else settings.output_format
    return render_scene(source, settings.quality, output_format, settings.media_dir, name,
                        report, settings.jobs, out=out,
                        burn_subtitles=settings.burn_subtitles)  # fmt: skip


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


@dataclasses.dataclass(frozen=True)
class LandscapeScene:
    """The scene of ``nnviz render --landscape`` (:func:`landscape_scene_class`)."""

    config: RunConfig
    learning_rates: tuple[float, ...]
    settings: VideoSettings = VideoSettings()
    run_files: tuple[str, ...] = ()

    def load(self) -> type[Scene]:
        """Return the scene class."""
        return landscape_scene_class(self.config, self.learning_rates, self.settings,
                                     self.run_files)  # fmt: skip


def landscape_scene_class(
    config: RunConfig,
    learning_rates: tuple[float, ...],
    settings: VideoSettings = VideoSettings(),
    run_files: tuple[str, ...] = (),
) -> type[LandscapeStory]:
    """Return the scene class of a loss landscape: a
    :class:`~nnviz.stories.landscape.LandscapeStory` of ``config`` at each of
    ``learning_rates`` (cached runs, trained if needed), or of the run files ``run_files``, in
    ``settings.theme`` at ``settings.seconds_per_epoch`` (``None``: the phase's pace)."""
    from nnviz.stories.landscape import LandscapePhase, LandscapeStory

    pace: dict[str, Any] = (
        {}
        if settings.seconds_per_epoch is None
        else {"seconds_per_epoch": settings.seconds_per_epoch}
    )
    attributes: dict[str, Any] = {
        "activation": config.activation,
        "base_config": config,
        "landscape": LandscapePhase(learning_rates=learning_rates, **pace),
        "run_files": tuple(str(Path(path).absolute()) for path in run_files),
        "theme_name": settings.theme,
        "__module__": __name__,
    }
    return type("LandscapeRuns", (LandscapeStory,), attributes)


def landscape_output_name(
    config: RunConfig,
    settings: VideoSettings = VideoSettings(),
    run_files: tuple[str, ...] = (),
) -> str:
    """``landscape_tanh`` (with the runs' other settings as :func:`run_video_name` names
    them), or ``landscape_a_b`` after the run files ``a.npz`` and ``b.npz``; a theme other
    than the default is named too (:func:`theme_suffix`)."""
    if run_files:
        name = "landscape_" + "_".join(Path(path).stem for path in run_files)
    else:
        name = "landscape_" + run_video_name(config).replace(f"_lr{config.lr:g}", "", 1)
    return name + theme_suffix(settings)


def render_landscape(
    config: RunConfig,
    learning_rates: tuple[float, ...],
    settings: VideoSettings = VideoSettings(),
    report: Callable[[str], None] = lambda message: None,
    *,
    run_files: tuple[str, ...] = (),
    out: str | os.PathLike[str] | None = None,
) -> Path:
    """Render the loss landscape of ``config`` at ``learning_rates`` (or of ``run_files``)
    as ``settings`` say (its quality, format, folder, theme, pace and jobs; a landscape has
    no panels, marks or subtitles to burn) and return the file's path
    (:func:`landscape_output_name`, or ``out``)."""
    name = landscape_output_name(config, settings, run_files)
    files = tuple(str(Path(path).absolute()) for path in run_files)
    source = LandscapeScene(config, learning_rates, settings, files)
    return render_scene(source, settings.quality, settings.output_format, settings.media_dir,
                        name, report, settings.jobs, out=out)  # fmt: skip
