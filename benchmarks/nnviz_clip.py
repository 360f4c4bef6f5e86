"""The nnviz variant: the two training panels as a small Manim scene, rendered in-process."""

from __future__ import annotations

import cProfile
import io
import pstats
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from manim import ValueTracker, config, linear, tempconfig

from nnviz.manim_adapter.camera import FastCamera
from nnviz.mobjects.context import NO_MARKS, BlockContext, PanelMarks
from nnviz.mobjects.layout import TrainingLayout, layer_panels
from nnviz.mobjects.panels import HiddenSpacePanel, InputPlanePanel
from nnviz.run import Run
from nnviz.stories.base import NNVizScene
from nnviz.trails import TrailClock
from nnviz.trajectory import Trajectory

from settings import EPOCHS, Settings

__all__ = ["NNVizRender", "TwoPanelClip", "manim_settings", "profile_nnviz", "render_nnviz"]


class TwoPanelClip(NNVizScene):
    """The two panels of :meth:`TrainingStory.show_training`, following one epoch clock.

    Parameters
    ----------
    run
        The run shown.
    seconds
        Length of the clip; the clock goes linearly from 0 to :data:`EPOCHS` over it.
    mesh_resolution
        Pixels along each side of the probability meshes.
    """

    def __init__(
        self,
        run: Run,
        seconds: float,
        mesh_resolution: int,
        layer_views: bool = False,
        marks: PanelMarks = NO_MARKS,
        **kwargs: Any,
    ) -> None:
        self.bench_run = run
        #: The panels' marks (dots sized by their loss, trails, a discretised mesh).
        self.marks = marks
        #: Draw the default layout's panels (a view of every hidden layer) instead of the two
        #: panels of the 2-2-1 training video.
        self.layer_views = layer_views
        self.clip_seconds = seconds
        self.mesh_resolution = mesh_resolution
        #: perf_counter() when the panels are built and the first frame is about to be drawn.
        self.play_started = 0.0
        #: perf_counter() when the last frame has been handed to the encoder.
        self.play_ended = 0.0
        kwargs.setdefault("camera_class", FastCamera)
        super().__init__(**kwargs)

    def construct(self) -> None:
        """Add the two panels, start them and play the clock from 0 to 200 epochs."""
        trajectory = Trajectory(self.bench_run)
        clock = ValueTracker(0.0)
        resolution = self.mesh_resolution
        context = BlockContext(trajectory, clock, self.theme)
        if self.layer_views:
            panels = list(layer_panels(context, resolution, "auto", self.marks).panels)
        else:
            input_view, hidden_view = TrainingLayout.INPUT_VIEW, TrainingLayout.HIDDEN_VIEW
            panels = [
                InputPlanePanel(
                    context.at(input_view, self.marks),
                    mesh_resolution=resolution,
                ),
                HiddenSpacePanel(
                    context.at(hidden_view, self.marks),
                    mesh_resolution=resolution,
                ),
            ]
        self.add(*panels)
        if self.marks.trails:  # through the frames of the clip's linear clock
            trail = TrailClock.uniform(EPOCHS, self.clip_seconds, config.frame_rate)
            for panel in panels:
                panel.set_trail_clock(trail)
        for panel in panels:
            panel.start()
        self.play_started = time.perf_counter()
        self.play(clock.animate.set_value(EPOCHS), run_time=self.clip_seconds, rate_func=linear)
        self.play_ended = time.perf_counter()


def manim_settings(settings: Settings, media_dir: Path, cache_dir: Path) -> dict[str, Any]:
    """Return the temporary Manim configuration of one render.

    Parameters
    ----------
    settings
        The clip.
    media_dir
        Where the render writes (a fresh temporary directory per run).
    cache_dir
        Where LaTeX and Pango keep their compiled glyphs, shared by all runs (warmed up once,
        as ``media/Tex`` and ``media/texts`` are in real use).
    """
    return {
        "quality": settings.manim_quality,
        "media_dir": str(media_dir),
        "tex_dir": str(cache_dir / "Tex"),
        "text_dir": str(cache_dir / "texts"),
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        "format": "mp4",
        "preview": False,
        "output_file": "nnviz",
    }


@dataclass
class NNVizRender:
    """What one nnviz render reports besides its wall-clock time."""

    path: Path
    seconds: float
    setup: float
    play: float
    finish: float
    encoder_options: dict[str, str]


def render_nnviz(
    run: Run,
    settings: Settings,
    workdir: Path,
    cache_dir: Path,
    layer_views: bool = False,
    marks: PanelMarks = NO_MARKS,
) -> NNVizRender:
    """Render the clip with Manim in-process and time ``scene.render()``.

    Returns
    -------
    NNVizRender
        The MP4, the total time and its parts: setup (building the panels), play (drawing and
        encoding the frames) and finish (joining the encoder, writing the final movie).
    """
    with tempconfig(manim_settings(settings, workdir, cache_dir)):
        scene = TwoPanelClip(run, settings.seconds, settings.mesh_resolution, layer_views, marks)
        start = time.perf_counter()
        scene.render()
        end = time.perf_counter()
        writer = scene.renderer.file_writer
        spec = writer.video_encoder
        options = dict(spec.options) if spec is not None else {}
        path = Path(writer.movie_file_path)
    return NNVizRender(
        path=path,
        seconds=end - start,
        setup=scene.play_started - start,
        play=scene.play_ended - scene.play_started,
        finish=end - scene.play_ended,
        encoder_options=options,
    )


def profile_nnviz(run: Run, settings: Settings, cache_dir: Path, top: int = 25) -> None:
    """Render the nnviz variant once under cProfile and print the top entries."""
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="nnviz-profile-") as tmp:
        profiler.enable()
        result = render_nnviz(run, settings, Path(tmp), cache_dir)
        profiler.disable()
    frames = settings.frames
    print(
        f"cProfile of the nnviz variant at {settings.width}x{settings.height} {settings.fps} fps, "
        f"{frames} frames: {result.seconds:.1f} s under the profiler "
        f"({result.seconds / frames * 1000:.1f} ms/frame; the encoder thread is not profiled)"
    )
    for sort, count in (("cumulative", top), ("tottime", 15)):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.strip_dirs().sort_stats(sort).print_stats(count)
        text = stream.getvalue()
        start = text.find("   ncalls")
        print(f"top {count} by {sort}:")
        print(text[start:].rstrip() if start >= 0 else text.rstrip())
        print()
