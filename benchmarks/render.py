"""Render benchmark: nnviz (Manim) against matplotlib and a numpy + x264 floor.

Run from the repository root::

    python benchmarks/render.py [--quality l|h] [--runs 3] [--seconds 10] [--profile]

The same clip is rendered three ways: the two-panel training evolution of one run (input plane
with probability mesh, 0.5 contour and points; hidden space with points, output line and
shading) while the epoch goes linearly from 0 to 200.

``nnviz``
    A small Manim scene built from the project's panels (:class:`InputPlanePanel`,
    :class:`HiddenSpacePanel`, :class:`FastCamera`), rendered in-process; the time of
    ``scene.render()`` is measured.
``matplotlib``
    A ``FuncAnimation`` with the same content, resolution, fps and frame count, written by
    ``FFMpegWriter`` with the encoder settings Manim passes to PyAV. The mesh is drawn with
    ``imshow`` and with ``pcolormesh``; the faster is reported as ``matplotlib``.
``floor``
    Only the numbers of every frame (trajectory state, forward pass of the points, both
    probability grids, colour map, contour segments, output line) and x264 encoding of
    frame-sized RGB images made of the two mesh images, piped to ``ffmpeg``.

Runs are interleaved (nnviz, matplotlib, floor, nnviz, ...) after an untimed warm-up of each.
The table gives the median seconds per frame (wall-clock time / frames); the last line printed
is ``nnviz/matplotlib: R1  nnviz/floor: R2``. All three variants encode with libx264 at the
crf and preset Manim resolves (crf 23, x264's default preset ``medium``), yuv420p, automatic
slice threads; the table checks frame counts and the x264 options written into every MP4.

``--profile`` first renders the nnviz clip once under cProfile and prints the top 25 entries by
cumulative time (and the top 15 by own time), then runs the benchmark as usual.
``--mpl-mesh`` restricts matplotlib to one mesh drawing. matplotlib runs as a user writes it:
``FuncAnimation.save`` draws every frame twice (``draw_idle``, then ``savefig``);
``--mpl-single-draw`` skips the unused draw, to measure matplotlib at its best.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import logging
import os
import platform
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from manim import ValueTracker, config, linear, tempconfig

from nnviz import forward
from nnviz.cache import cached_run
from nnviz.colormap import DivergingColormap
from nnviz.config import RunConfig
from nnviz.contour import level_segments
from nnviz.mobjects.camera import FastCamera
from nnviz.mobjects.panels import (
    HiddenSpacePanel,
    InputPlanePanel,
    hidden_probability_grid,
    input_box,
)
from nnviz.run import Run
from nnviz.stories.base import NNVizScene
from nnviz.stories.training import TrainingStory
from nnviz.theme import active_theme, hex_to_rgb
from nnviz.trajectory import Trajectory
from nnviz.view import Box, Viewport

#: The repository root (the benchmark runs from there; runs are cached in ``media/runs``).
REPO = Path(__file__).resolve().parents[1]
#: The run shown: the blog's ReLU network at learning rate 0.01, trained for all 200 epochs
#: (on the post's data it would stop at the 0.263 target at epoch 107).
RUN_CONFIG = RunConfig(activation="relu", lr=0.01, target_loss=0.0)
#: Other networks, rendered with the default layout's panels (input plane and a view of every
#: hidden layer) and compared with the 2-2-1's own panels rendered the same way.
ARCHITECTURES: tuple[RunConfig, ...] = (
    RunConfig(dataset="circles", hidden=(3,), activation="tanh", lr=0.03, target_loss=0.0),
    RunConfig(dataset="spiral", hidden=(4, 4, 2), activation="tanh", lr=0.03, target_loss=0.0),
)
#: The clock goes linearly from 0 to this epoch over the clip.
EPOCHS = 200.0
#: ``--quality`` flag -> (Manim quality name, width, height, fps).
QUALITIES: dict[str, tuple[str, int, int, int]] = {
    "l": ("low_quality", 854, 480, 15),
    "h": ("high_quality", 1920, 1080, 60),
}
#: Matplotlib's figure dpi; figsize is chosen so that figsize * dpi is the pixel size exactly.
MPL_DPI = 100
#: Manim's Cairo camera draws a stroke of width ``w`` as ``w * 0.01`` scene units.
CAIRO_LINE_WIDTH_MULTIPLE = 0.01
#: libx264's preset when none is given (Manim passes none).
X264_DEFAULT_PRESET = "medium"
#: Manim's PyAV stream encodes with automatic thread count and slice threads
#: (``CodecContext.thread_count == 0``, ``thread_type == SLICE``); the ffmpeg command line
#: would use frame threads, so the other variants ask for slice threads to match.
FFMPEG_THREAD_ARGS = ["-threads", "0", "-thread_type", "slice"]
#: Mesh drawings of the matplotlib variant.
MPL_MESHES = ("imshow", "pcolormesh")


def panel_views() -> tuple[Viewport, Viewport]:
    """Return the viewports of the input plane and the hidden space in the training video.

    They are class attributes ``INPUT_VIEW`` and ``HIDDEN_VIEW`` of
    :class:`nnviz.mobjects.layout.TrainingLayout` or, in older versions, of
    :class:`TrainingStory`.
    """
    owners: list[Any] = [TrainingStory]
    try:
        from nnviz.mobjects.layout import TrainingLayout
    except ImportError:
        pass
    else:
        owners.insert(0, TrainingLayout)
    for owner in owners:
        views = getattr(owner, "INPUT_VIEW", None), getattr(owner, "HIDDEN_VIEW", None)
        if all(isinstance(view, Viewport) for view in views):
            return views  # type: ignore[return-value]
    raise RuntimeError("no INPUT_VIEW and HIDDEN_VIEW on TrainingLayout or TrainingStory")


@dataclass(frozen=True)
class Settings:
    """Everything that fixes the clip, shared by the three variants.

    Attributes
    ----------
    quality
        ``l`` or ``h``.
    manim_quality
        Manim's name of the quality (``low_quality``, ``high_quality``).
    width, height, fps
        Pixel size and frame rate.
    seconds
        Length of the clip.
    frame_width, frame_height
        Manim's frame in scene units (the panels' viewports are given in them).
    mesh_resolution
        Pixels along each side of the probability meshes.
    crf, preset
        x264 settings, read from the encoder Manim resolves.
    """

    quality: str
    manim_quality: str
    width: int
    height: int
    fps: int
    seconds: float
    frame_width: float
    frame_height: float
    mesh_resolution: int
    crf: str = "23"
    preset: str = X264_DEFAULT_PRESET

    @property
    def times(self) -> np.ndarray:
        """Return the frame times of the clip, computed exactly as Manim's ``play`` does."""
        return np.arange(0, self.seconds, 1 / self.fps)

    @property
    def frames(self) -> int:
        """Return the number of frames of the clip."""
        return len(self.times)

    @property
    def epochs(self) -> np.ndarray:
        """Return the clock (epoch) of every frame: linear from 0 towards :data:`EPOCHS`."""
        return EPOCHS * self.times / self.seconds

    @property
    def pixels_per_unit(self) -> float:
        """Return the pixels per Manim scene unit."""
        return self.height / self.frame_height

    def pixel_rect(self, viewport: Viewport) -> tuple[float, float, float, float]:
        """Return ``(left, top, width, height)`` of ``viewport`` in pixels (top-left origin)."""
        ppu = self.pixels_per_unit
        left = (viewport.centre[0] - viewport.width / 2 + self.frame_width / 2) * ppu
        top = (self.frame_height / 2 - viewport.centre[1] - viewport.height / 2) * ppu
        return left, top, viewport.width * ppu, viewport.height * ppu

    def x264_args(self) -> list[str]:
        """Return the ffmpeg output options equal to Manim's encoder settings."""
        return ["-c:v", "libx264", *self.x264_options()]

    def x264_options(self) -> list[str]:
        """Return the ffmpeg options after ``-c:v libx264``: crf, preset, threads, pix_fmt."""
        return [
            "-crf",
            self.crf,
            "-preset",
            self.preset,
            *FFMPEG_THREAD_ARGS,
            "-pix_fmt",
            "yuv420p",
        ]


@dataclass
class Measurement:
    """The wall-clock times of one variant over the runs, in seconds per clip."""

    name: str
    seconds: list[float] = field(default_factory=list)
    extra: dict[str, list[float]] = field(default_factory=dict)

    def per_frame(self, frames: int) -> list[float]:
        """Return the times per frame."""
        return [s / frames for s in self.seconds]

    def median(self, frames: int) -> float:
        """Return the median time per frame."""
        return statistics.median(self.per_frame(frames))


# --- nnviz -------------------------------------------------------------------------------------


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
        **kwargs: Any,
    ) -> None:
        self.bench_run = run
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
        if self.layer_views:
            from nnviz.mobjects.layout import layer_panels

            panels = list(layer_panels(trajectory, clock, self.theme, resolution).panels)
        else:
            input_view, hidden_view = panel_views()
            panels = [
                InputPlanePanel(
                    trajectory, clock, input_view, self.theme, mesh_resolution=resolution
                ),
                HiddenSpacePanel(
                    trajectory, clock, hidden_view, self.theme, mesh_resolution=resolution
                ),
            ]
        self.add(*panels)
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
    run: Run, settings: Settings, workdir: Path, cache_dir: Path, layer_views: bool = False
) -> NNVizRender:
    """Render the clip with Manim in-process and time ``scene.render()``.

    Returns
    -------
    NNVizRender
        The MP4, the total time and its parts: setup (building the panels), play (drawing and
        encoding the frames) and finish (joining the encoder, writing the final movie).
    """
    with tempconfig(manim_settings(settings, workdir, cache_dir)):
        scene = TwoPanelClip(run, settings.seconds, settings.mesh_resolution, layer_views)
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


# --- matplotlib --------------------------------------------------------------------------------


def render_matplotlib(
    run: Run, settings: Settings, out: Path, mesh: str = "imshow", single_draw: bool = True
) -> Path:
    """Render the clip with a matplotlib ``FuncAnimation`` and ``FFMpegWriter`` (Agg).

    Parameters
    ----------
    run
        The run shown.
    settings
        The clip.
    out
        The MP4 to write.
    mesh
        ``imshow`` (the colour-mapped RGBA image, bilinear like Manim's resize) or
        ``pcolormesh`` (one quad per mesh pixel, colour map from the same table).
    single_draw
        ``FuncAnimation.save`` draws the figure after every frame (``draw_idle``) and
        ``savefig`` draws it again to grab the pixels. With ``True`` the first, unused draw is
        skipped, so matplotlib is measured at its best; ``False`` keeps the stock behaviour.
    """
    from matplotlib.animation import FFMpegWriter, FuncAnimation
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    if mesh not in MPL_MESHES:
        raise ValueError(f"unknown mesh drawing {mesh!r}; use one of {', '.join(MPL_MESHES)}")
    theme = active_theme()
    trajectory = Trajectory(run)
    activation = trajectory.activation
    labels = np.asarray(run.y)
    resolution = settings.mesh_resolution
    shape = (resolution, resolution)
    colormap = DivergingColormap.from_theme(theme)
    ppu = settings.pixels_per_unit
    point = 72 / MPL_DPI  # points per pixel

    def line_width(stroke: float) -> float:
        return stroke * CAIRO_LINE_WIDTH_MULTIPLE * ppu * point

    def font_size(size: float) -> float:
        # Manim's DejaVu Sans at font_size F has an em of F / 72 scene units.
        return size / 72 * ppu * point

    fig = Figure(
        figsize=(settings.width / MPL_DPI, settings.height / MPL_DPI),
        dpi=MPL_DPI,
        facecolor=theme.background,
    )
    canvas = FigureCanvasAgg(fig)
    if canvas.get_width_height() != (settings.width, settings.height):
        raise RuntimeError(f"figure is {canvas.get_width_height()}, not the clip's size")

    dot_size = (2 * 0.045 * ppu * point) ** 2  # scatter sizes are areas in points²
    box_in = input_box(trajectory)

    def make_axes(viewport: Viewport, caption: str, names: tuple[str, str], right: bool) -> Any:
        left, top, width, height = settings.pixel_rect(viewport)
        ax = fig.add_axes(
            (
                left / settings.width,
                1 - (top + height) / settings.height,
                width / settings.width,
                height / settings.height,
            )
        )
        ax.set_facecolor(theme.background)
        ax.set_autoscale_on(False)
        for spine in ax.spines.values():
            spine.set_color(theme.muted)
            spine.set_linewidth(line_width(1.5))
            spine.set_zorder(5)
        ax.set_title(caption, color=theme.foreground, fontsize=font_size(22))
        ax.set_xlabel(f"${names[0]}$", color=theme.muted, fontsize=font_size(20))
        ax.set_ylabel(f"${names[1]}$", color=theme.muted, fontsize=font_size(20))
        ax.tick_params(length=0, labelsize=font_size(16), labelcolor=theme.muted)
        if right:
            ax.yaxis.tick_right()
            ax.yaxis.set_label_position("right")
        for place in (ax.axhline, ax.axvline):
            place(0.0, color=theme.muted, linewidth=line_width(1.2), alpha=0.6, zorder=1)
        return ax

    def make_mesh(ax: Any) -> Callable[[np.ndarray, Box], None]:
        if mesh == "imshow":
            image = ax.imshow(
                np.zeros((resolution, resolution, 4), dtype=np.uint8),
                origin="upper",
                interpolation="bilinear",
                aspect="auto",
                zorder=0,
            )

            def paint_image(probabilities: np.ndarray, box: Box) -> None:
                image.set_data(colormap(probabilities))
                image.set_extent((*box[0], *box[1]))

            return paint_image
        edges = np.linspace(0.0, 1.0, resolution + 1)
        quads = ax.pcolormesh(
            edges,
            edges,
            np.zeros(shape),
            cmap=ListedColormap(colormap.table[:, :3] / 255.0),
            vmin=0.0,
            vmax=1.0,
            shading="flat",
            transform=ax.transAxes,
            zorder=0,
        )

        def paint_quads(probabilities: np.ndarray, box: Box) -> None:
            quads.set_array(probabilities[::-1].ravel())  # row 0 of the grid is the top

        return paint_quads

    def scatter(ax: Any, points: np.ndarray) -> list[Any]:
        # Class 1 first, class 0 on top, as in the panels.
        return [
            ax.scatter(
                points[labels == k, 0],
                points[labels == k, 1],
                s=dot_size,
                c=theme.class_colors[k],
                edgecolors=theme.dot_outline,
                linewidths=line_width(0.8),
                zorder=4 - k,
            )
            for k in (1, 0)
        ]

    def set_range(ax: Any, box: Box) -> None:
        ax.set_xlim(box[0])
        ax.set_ylim(box[1])
        ax.set_xticks(box[0], labels=[range_label(v) for v in box[0]])
        ax.set_yticks(box[1], labels=[range_label(v) for v in box[1]])

    input_view, hidden_view = panel_views()
    ax_in = make_axes(input_view, "input space", ("x_1", "x_2"), right=False)
    ax_hid = make_axes(hidden_view, "hidden space", ("h_1", "h_2"), right=True)
    paint_in, paint_hid = make_mesh(ax_in), make_mesh(ax_hid)
    set_range(ax_in, box_in)
    scatter(ax_in, np.asarray(run.X))
    hidden_dots = scatter(ax_hid, np.zeros((len(labels), 2)))
    (output_line,) = ax_hid.plot(
        [], [], color=theme.boundary, linewidth=line_width(3.0), zorder=2, solid_capstyle="butt"
    )
    xs, ys = pixel_centres(box_in, resolution)
    contour: list[Any] = []

    def update(t: float) -> list[Any]:
        state = trajectory.state(t)
        probabilities = forward.probability_grid(
            state.weights, activation, box_in[0], box_in[1], shape
        )
        paint_in(probabilities, box_in)
        if contour:
            contour.pop().remove()
        contour.append(
            ax_in.contour(
                xs,
                ys[::-1],
                probabilities[::-1],
                levels=[0.5],
                colors=[theme.boundary],
                linewidths=line_width(3.0),
                zorder=2,
            )
        )
        box = state.hidden_range
        paint_hid(hidden_probability_grid(state.weights, box, shape), box)
        set_range(ax_hid, box)
        line = forward.output_line(state.weights, box[0], box[1])
        if line is None:
            output_line.set_data([], [])
        else:
            output_line.set_data(line[:, 0], line[:, 1])
        for k, dots in zip((1, 0), hidden_dots, strict=True):
            dots.set_offsets(state.hidden[labels == k, :2])
        return []

    animation = FuncAnimation(
        fig, update, frames=settings.epochs, blit=False, repeat=False, cache_frame_data=False
    )
    if single_draw:
        canvas.draw_idle = lambda *args, **kwargs: None  # type: ignore[method-assign]
    writer = FFMpegWriter(fps=settings.fps, codec="libx264", extra_args=settings.x264_options())
    animation.save(str(out), writer=writer, dpi=MPL_DPI)
    return out


def pixel_centres(box: Box, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y of the mesh pixel centres (y from the top row down), as in
    :func:`nnviz.forward.grid_points`."""
    (x0, x1), (y0, y1) = box
    dx, dy = (x1 - x0) / resolution, (y1 - y0) / resolution
    offsets = np.arange(resolution) + 0.5
    return x0 + dx * offsets, y1 - dy * offsets


def range_label(value: float) -> str:
    """Return a range label as the panels print it."""
    return f"{value:.1f}".replace("-0.0", "0.0")


# --- floor -------------------------------------------------------------------------------------


def render_floor(run: Run, settings: Settings, out: Path) -> Path:
    """Compute the numbers of every frame and encode frame-sized images of the two meshes.

    Per frame: the trajectory state (interpolated weights, forward pass of the points, hidden
    view box), both probability grids, the colour map, the 0.5 contour segments and the output
    line; the frame is the background with the two mesh images upscaled by ``np.repeat`` in
    the panels' places, piped as raw RGB to ``ffmpeg`` with Manim's x264 settings.
    """
    theme = active_theme()
    trajectory = Trajectory(run)
    activation = trajectory.activation
    resolution = settings.mesh_resolution
    shape = (resolution, resolution)
    colormap = DivergingColormap.from_theme(theme)
    box_in = input_box(trajectory)

    frame = np.empty((settings.height, settings.width, 3), dtype=np.uint8)
    frame[...] = hex_to_rgb(theme.background)
    places = []
    for viewport in panel_views():
        left, top, width, height = settings.pixel_rect(viewport)
        scale = max(1, round(min(width, height) / resolution))
        size = resolution * scale
        x = round(left + (width - size) / 2)
        y = round(top + (height - size) / 2)
        places.append((x, y, size, scale))

    command = [
        ffmpeg_binary(),
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{settings.width}x{settings.height}",
        "-r",
        str(settings.fps),
        "-i",
        "-",
        *settings.x264_args(),
        str(out),
    ]
    process = subprocess.Popen(command, stdin=subprocess.PIPE)
    assert process.stdin is not None
    try:
        for t in settings.epochs:
            state = trajectory.state(t)
            grid_in = forward.probability_grid(state.weights, activation, *box_in, shape)
            level_segments(grid_in, *box_in, 0.5)
            box_hid = state.hidden_range
            grid_hid = hidden_probability_grid(state.weights, box_hid, shape)
            forward.output_line(state.weights, *box_hid)
            for grid, (x, y, size, scale) in zip((grid_in, grid_hid), places, strict=True):
                image = colormap(grid)[..., :3]
                frame[y : y + size, x : x + size] = np.repeat(
                    np.repeat(image, scale, axis=0), scale, axis=1
                )
            process.stdin.write(frame.data)
    finally:
        process.stdin.close()
        code = process.wait()
    if code != 0:
        raise RuntimeError(f"ffmpeg failed with exit code {code}")
    return out


# --- checks and environment ----------------------------------------------------------------


def ffmpeg_binary() -> str:
    """Return the ffmpeg executable (the one matplotlib uses too)."""
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise SystemExit("render.py: ffmpeg not found on PATH")
    return binary


def probe(path: Path) -> str:
    """Return ``WxH fps frames`` of the MP4's video stream, counted by ffprobe."""
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-count_packets",
            "-show_entries",
            "stream=width,height,r_frame_rate,nb_read_packets",
            "-of",
            "csv=p=0",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    width, height, rate, frames = result.stdout.strip().split(",")
    return f"{width}x{height} {rate} fps {frames} frames"


def x264_options(path: Path) -> tuple[str, dict[str, str]]:
    """Return the x264 core version and options that libx264 wrote into the MP4's SEI."""
    data = path.read_bytes()
    match = re.search(rb"x264 - core (\d+).*?options: ([^\x00]*)", data, flags=re.DOTALL)
    if match is None:
        return "?", {}
    options = dict(
        item.split("=", 1)
        for item in match.group(2).decode(errors="replace").split()
        if "=" in item
    )
    return match.group(1).decode(), options


def cpu_model() -> str:
    """Return the CPU model from /proc/cpuinfo (or the platform's guess)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(package: str) -> str:
    """Return the installed version of ``package``."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def ffmpeg_version() -> str:
    """Return ffmpeg's version string."""
    first = subprocess.run(
        [ffmpeg_binary(), "-version"], capture_output=True, text=True, check=True
    ).stdout.split("\n", 1)[0]
    parts = first.split()
    return parts[2] if len(parts) > 2 else first


# --- driver ------------------------------------------------------------------------------------


def make_settings(quality: str, seconds: float) -> Settings:
    """Return the clip settings of ``--quality`` (Manim's frame size read from its config)."""
    name, width, height, fps = QUALITIES[quality]
    with tempconfig({"quality": name}):
        if (config.pixel_width, config.pixel_height, config.frame_rate) != (width, height, fps):
            raise RuntimeError(f"Manim's {name} is not {width}x{height} at {fps} fps")
        frame_width, frame_height = float(config.frame_width), float(config.frame_height)
    return Settings(
        quality=quality,
        manim_quality=name,
        width=width,
        height=height,
        fps=fps,
        seconds=seconds,
        frame_width=frame_width,
        frame_height=frame_height,
        mesh_resolution=TrainingStory.mesh_resolution,
    )


def with_manim_encoder(settings: Settings, options: dict[str, str]) -> Settings:
    """Return ``settings`` with the crf and preset of Manim's resolved encoder options."""
    return replace(
        settings,
        crf=options.get("crf", "23"),
        preset=options.get("preset", X264_DEFAULT_PRESET),
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


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quality", choices=sorted(QUALITIES), default="l")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per variant (>= 1)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the clip")
    parser.add_argument(
        "--profile", action="store_true", help="first profile the nnviz variant once (cProfile)"
    )
    parser.add_argument(
        "--mpl-mesh",
        choices=(*MPL_MESHES, "both"),
        default="both",
        help="matplotlib mesh drawing(s) to measure; the faster is reported",
    )
    parser.add_argument(
        "--mpl-single-draw",
        action="store_true",
        help="skip FuncAnimation.save's unused extra draw per frame (default: stock behaviour)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; the last line holds the two ratios."""
    try:
        import matplotlib
    except ImportError:
        print("render.py: matplotlib is missing; install it with pip install -e '.[bench]'",
              file=sys.stderr)  # fmt: skip
        return 2

    matplotlib.use("Agg")
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    args = parse_args(argv)
    os.chdir(REPO)
    run = cached_run(RUN_CONFIG, runs_dir=REPO / "media" / "runs")
    settings = make_settings(args.quality, args.seconds)
    meshes = MPL_MESHES if args.mpl_mesh == "both" else (args.mpl_mesh,)
    single_draw = args.mpl_single_draw

    with tempfile.TemporaryDirectory(prefix="nnviz-bench-") as root_name:
        root = Path(root_name)
        cache_dir = root / "cache"

        # Warm-up (untimed): compiles the LaTeX labels, fills font caches, imports lazily.
        warm = replace(settings, seconds=min(settings.seconds, 4 / settings.fps))
        warm_result = render_nnviz(run, warm, root / "warm-nnviz", cache_dir)
        settings = with_manim_encoder(settings, warm_result.encoder_options)
        warm = with_manim_encoder(warm, warm_result.encoder_options)
        for mesh in meshes:
            render_matplotlib(run, warm, root / f"warm-{mesh}.mp4", mesh, single_draw)
        render_floor(run, warm, root / "warm-floor.mp4")

        if args.profile:
            profile_nnviz(run, settings, cache_dir)

        nnviz = Measurement("nnviz", extra={"setup": [], "play": [], "finish": []})
        mpl = {mesh: Measurement(f"matplotlib ({mesh})") for mesh in meshes}
        floor = Measurement("floor (numpy + x264)")
        checks: dict[str, str] = {}
        encoders: dict[str, tuple[str, dict[str, str]]] = {}

        def timed(measurement: Measurement, render: Callable[[Path], Path], index: int) -> None:
            workdir = root / f"{measurement.name.split()[0]}-{index}-{len(measurement.seconds)}"
            workdir.mkdir()
            gc.collect()
            start = time.perf_counter()
            path = render(workdir)
            measurement.seconds.append(time.perf_counter() - start)
            if measurement.name not in checks:
                checks[measurement.name] = probe(path)
                encoders[measurement.name] = x264_options(path)
            shutil.rmtree(workdir)

        # Other networks through the default layout's views, against the 2-2-1 the same way.
        networks = [(RUN_CONFIG, run)] + [
            (c, cached_run(c, runs_dir=REPO / "media" / "runs")) for c in ARCHITECTURES
        ]
        for _, network_run in networks:  # untimed warm-up of each view's glyphs
            render_nnviz(network_run, warm, root / "warm-views", cache_dir, layer_views=True)
        views = {c: Measurement(f"views {'-'.join(map(str, c.widths))}") for c, _ in networks}

        for index in range(args.runs):
            for network_config, network_run in networks:
                workdir = root / f"views-{index}-{network_config.key()}"
                gc.collect()
                result = render_nnviz(network_run, settings, workdir, cache_dir, layer_views=True)
                views[network_config].seconds.append(result.seconds)
                shutil.rmtree(workdir)
            # nnviz times scene.render() itself, not the directory set-up around it.
            workdir = root / f"nnviz-{index}"
            gc.collect()
            result = render_nnviz(run, settings, workdir, cache_dir)
            nnviz.seconds.append(result.seconds)
            nnviz.extra["setup"].append(result.setup)
            nnviz.extra["play"].append(result.play)
            nnviz.extra["finish"].append(result.finish)
            if nnviz.name not in checks:
                checks[nnviz.name] = probe(result.path)
                encoders[nnviz.name] = x264_options(result.path)
            shutil.rmtree(workdir)
            for mesh in meshes:
                timed(
                    mpl[mesh],
                    lambda d, mesh=mesh: render_matplotlib(
                        run, settings, d / "out.mp4", mesh, single_draw
                    ),
                    index,
                )
            timed(floor, lambda d: render_floor(run, settings, d / "out.mp4"), index)
            print(f"run {index + 1}/{args.runs} done", file=sys.stderr, flush=True)

    print_table(
        args, settings, nnviz, list(mpl.values()), floor, checks, encoders, single_draw, len(run.X)
    )
    print_architectures(list(views.values()), settings.frames)
    best_mpl = min(mpl.values(), key=lambda m: m.median(settings.frames))
    frames = settings.frames
    ratio_mpl = nnviz.median(frames) / best_mpl.median(frames)
    ratio_floor = nnviz.median(frames) / floor.median(frames)
    print(f"nnviz/matplotlib: {ratio_mpl:.2f}  nnviz/floor: {ratio_floor:.2f}")
    return 0


def print_architectures(views: list[Measurement], frames: int) -> None:
    """Print the per-frame cost of each network's views against the 2-2-1's (the first)."""
    reference = views[0].median(frames)
    print("networks through the default layout's views (input plane + one view per layer):")
    for measurement in views:
        median = measurement.median(frames)
        print(f"  {measurement.name:<24}{median:>10.4f} s/frame  x{median / reference:.2f} "
              f"of {views[0].name}")  # fmt: skip
    print()


def print_table(
    args: argparse.Namespace,
    settings: Settings,
    nnviz: Measurement,
    mpl: list[Measurement],
    floor: Measurement,
    checks: dict[str, str],
    encoders: dict[str, tuple[str, dict[str, str]]],
    single_draw: bool,
    points: int,
) -> None:
    """Print the machine, versions, settings, checks and the per-frame table."""
    frames = settings.frames
    best_mpl = min(mpl, key=lambda m: m.median(frames))
    print()
    print(
        f"nnviz render benchmark: quality {settings.quality} "
        f"({settings.width}x{settings.height} at {settings.fps} fps), "
        f"{args.runs} interleaved run(s) per variant after an untimed warm-up"
    )
    print(
        f"machine   {os.cpu_count()} cores, {cpu_model()}, {platform.system()} {platform.release()}"
    )
    print(
        f"versions  python {platform.python_version()}, numpy {np.__version__}, "
        f"manim {version('manim')}, matplotlib {version('matplotlib')}, "
        f"PyAV {version('av')}, ffmpeg {ffmpeg_version()}"
    )
    cores = {name: core for name, (core, _) in encoders.items()}
    print(
        f"settings  {settings.width}x{settings.height}, {settings.fps} fps, "
        f"{settings.seconds:g} s = {frames} frames, epochs 0 -> {EPOCHS:g} linear, "
        f"mesh {settings.mesh_resolution}x{settings.mesh_resolution} per panel, "
        f"{points} points, run {RUN_CONFIG.label()}"
    )
    print(
        f"encoder   libx264 crf {settings.crf} preset {settings.preset} yuv420p, "
        f"threads auto, slice threads (Manim via PyAV; others via ffmpeg "
        f"{' '.join(FFMPEG_THREAD_ARGS)}); x264 core "
        + ", ".join(f"{name} {core}" for name, core in cores.items())
    )
    reference = encoders.get(nnviz.name, ("?", {}))[1]
    ignored = {"threads", "lookahead_threads"}
    for name, (_, options) in encoders.items():
        differing = sorted(
            key
            for key in set(reference) | set(options)
            if reference.get(key) != options.get(key) and key not in ignored
        )
        same = "same x264 options as nnviz" if not differing else f"differs: {differing}"
        print(f"check     {name}: {checks.get(name, '?')}; {same}")
    print(
        "notes     s/frame = wall-clock time of the whole render / frames (set-up, "
        "encoding and muxing included);"
    )
    draw = "one draw per frame (the extra draw_idle of FuncAnimation.save skipped)"
    if not single_draw:
        draw = "FuncAnimation.save stock (two draws per frame)"
    print(f"          matplotlib: Agg, dpi {MPL_DPI}, {draw}; faster mesh drawing reported")
    setup = statistics.median(nnviz.extra["setup"])
    play = statistics.median(nnviz.extra["play"])
    finish = statistics.median(nnviz.extra["finish"])
    print(
        f"          nnviz medians: set-up {setup:.2f} s, play {play:.2f} s "
        f"({play / frames * 1000:.1f} ms/frame), finish {finish:.2f} s"
    )
    print()
    header = f"{'variant':<26}{'median s/frame':>15}{'min':>9}{'max':>9}{'frames/s':>10}"
    print(header + f"{'nnviz/x':>9}   runs (s/frame)")
    print("-" * (len(header) + 27))
    reference_median = nnviz.median(frames)
    for measurement in (nnviz, *mpl, floor):
        per_frame = measurement.per_frame(frames)
        median = measurement.median(frames)
        name = measurement.name + (" *" if measurement is best_mpl and len(mpl) > 1 else "")
        runs = " ".join(f"{v:.4f}" for v in per_frame)
        print(
            f"{name:<26}{median:>15.4f}{min(per_frame):>9.4f}{max(per_frame):>9.4f}"
            f"{1 / median:>10.1f}{reference_median / median:>9.2f}   {runs}"
        )
    if len(mpl) > 1:
        print("* the faster matplotlib variant, reported as matplotlib")
    print()


if __name__ == "__main__":
    sys.exit(main())
