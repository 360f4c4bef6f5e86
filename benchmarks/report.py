"""What the benchmark reports: timings, the machine and versions, output checks, tables."""

from __future__ import annotations

import json
import os
import platform
import re
import statistics
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np

from mpl_clip import MPL_DPI
from settings import EPOCHS, FFMPEG_THREAD_ARGS, RUN_CONFIG, Settings, ffmpeg_binary

__all__ = [
    "Measurement",
    "VideoInfo",
    "cpu_model",
    "differing_options",
    "ffmpeg_version",
    "print_architectures",
    "print_classes",
    "print_machine",
    "print_table",
    "probe",
    "probe_video",
    "version",
    "x264_options",
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


@dataclass(frozen=True)
class VideoInfo:
    """What ffprobe reads of an MP4's video stream: size, frame rate, frames counted, length.

    Attributes
    ----------
    width, height
        Pixel size.
    rate
        The frame rate as ffprobe writes it (``60/1``).
    frames
        Frames counted by reading the packets (``-count_packets``), not the header's claim.
    duration
        Length of the file in seconds.
    """

    width: int
    height: int
    rate: str
    frames: int
    duration: float

    def __str__(self) -> str:
        return f"{self.width}x{self.height} {self.rate} fps {self.frames} frames"


def probe_video(path: Path) -> VideoInfo:
    """Return the :class:`VideoInfo` of the MP4 at ``path``, read by ffprobe."""
    result = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-count_packets",
            "-show_entries",
            "stream=width,height,r_frame_rate,nb_read_packets:format=duration",
            "-of",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(result.stdout)
    stream = data["streams"][0]
    return VideoInfo(
        width=int(stream["width"]),
        height=int(stream["height"]),
        rate=stream["r_frame_rate"],
        frames=int(stream["nb_read_packets"]),
        duration=float(data["format"]["duration"]),
    )


def probe(path: Path) -> str:
    """Return ``WxH fps frames`` of the MP4's video stream, counted by ffprobe."""
    return str(probe_video(path))


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


def differing_options(reference: dict[str, str], options: dict[str, str]) -> list[str]:
    """Return the x264 options that differ between two files, except the thread counts (which
    x264 derives from the machine and the frame size)."""
    ignored = {"threads", "lookahead_threads"}
    return sorted(
        key
        for key in set(reference) | set(options)
        if reference.get(key) != options.get(key) and key not in ignored
    )


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


def print_architectures(views: list[Measurement], frames: int) -> None:
    """Print the per-frame cost of each network's views against the 2-2-1's (the first)."""
    reference = views[0].median(frames)
    print("networks through the default layout's views (input plane + one view per layer):")
    for measurement in views:
        median = measurement.median(frames)
        print(f"  {measurement.name:<24}{median:>10.4f} s/frame  x{median / reference:.2f} "
              f"of {views[0].name}")  # fmt: skip
    print()


def print_classes(pair: list[Measurement], frames: int, limit: float = 1.3) -> None:
    """Print the per-frame cost of the two-class and the three-class render and their ratio.

    Two measures, each as the median and the fastest run (a machine shared with other work
    slows some runs several times over: the fastest run is the steadier measure): ``frames``,
    the time of drawing and encoding the frames (the ``play`` part of each measurement's
    ``extra``), and ``render``, all of ``scene.render()`` (building the panels before the first
    frame and joining the encoder after the last too), both over the frame count.
    """
    print("two classes against three, the default layout's panels (issue 21: at most "
          f"x{limit:g}), seconds per frame:")  # fmt: skip
    header = ("frames", "render")
    print(f"  {'network':<28}" + "".join(f"{h + ' med':>12}{h + ' min':>12}" for h in header))

    def columns(measurement: Measurement) -> list[list[float]]:
        play = [s / frames for s in measurement.extra["play"]]
        return [play, measurement.per_frame(frames)]

    two, three = (columns(m) for m in pair)
    for measurement, values in zip(pair, (two, three), strict=True):
        cells = "".join(f"{statistics.median(v):>12.4f}{min(v):>12.4f}" for v in values)
        print(f"  {measurement.name:<28}{cells}")
    ratios = [
        r
        for a, b in zip(three, two, strict=True)
        for r in (statistics.median(a) / statistics.median(b), min(a) / min(b))
    ]
    verdict = "within" if max(ratios) <= limit else "above"
    cells = "".join(f"{r:>11.2f}x" for r in ratios)
    print(f"  {'3 classes / 2 classes':<28}{cells}  ({verdict} x{limit:g})")
    print()


def print_machine(settings: Settings, runs: int) -> None:
    """Print the benchmark's title, the machine and the versions of what renders."""
    print()
    print(
        f"nnviz render benchmark: quality {settings.quality} "
        f"({settings.width}x{settings.height} at {settings.fps} fps), "
        f"{runs} interleaved run(s) per variant after an untimed warm-up"
    )
    print(
        f"machine   {os.cpu_count()} cores, {cpu_model()}, {platform.system()} {platform.release()}"
    )
    print(
        f"versions  python {platform.python_version()}, numpy {np.__version__}, "
        f"manim {version('manim')}, matplotlib {version('matplotlib')}, "
        f"PyAV {version('av')}, ffmpeg {ffmpeg_version()}"
    )


def print_table(
    settings: Settings,
    nnviz: Measurement,
    mpl: list[Measurement],
    floor: Measurement,
    checks: dict[str, str],
    encoders: dict[str, tuple[str, dict[str, str]]],
    single_draw: bool,
    points: int,
) -> None:
    """Print the clip's settings, checks and the per-frame table of its three variants."""
    frames = settings.frames
    best_mpl = min(mpl, key=lambda m: m.median(frames))
    print()
    print("the clip: the two training panels of one run rendered three ways")
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
    for name, (_, options) in encoders.items():
        differing = differing_options(reference, options)
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
