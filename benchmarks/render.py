"""Render benchmark: whole scenes, and one clip by nnviz, matplotlib and a numpy + x264 floor.

Run from the repository root::

    python benchmarks/render.py [--quality l|h] [--runs 3] [--seconds 10] [--scenes relu,deep]
                                [--jobs 1,2] [--profile] [--mpl-mesh M] [--mpl-single-draw]
                                [--classes-only]

First the full-scene rows (``full_scenes``): ``manim -q<l|h>`` renders ``scenes/relu.py``
(ReluTraining) and ``scenes/deep.py`` (DeepSpiral, the general architecture's story) as
subprocesses from the repository root, after an untimed ``manim -s`` of each (runs cached,
LaTeX and text caches warm); each row gives the wall seconds, the frames ffprobe counts, the
video's length, seconds per frame, render time / video length, and render time / x264 alone
(re-encoding the scene's MP4 with Manim's x264 settings, minus decoding it alone).
``--scenes`` picks the scenes (``none`` skips them); ``--jobs 1,2`` adds rows of
``nnviz manim -q<l|h> --jobs N`` where that command exists (otherwise a note says so).

Then the same clip is rendered three ways: the two-panel training evolution of one run (input
plane with probability mesh, 0.5 contour and points; hidden space with points, output line and
shading) while the epoch goes linearly from 0 to 200.

``nnviz``
    A small Manim scene built from the project's panels (:class:`InputPlanePanel`,
    :class:`HiddenSpacePanel`, :class:`FastCamera`), rendered in-process; the time of
    ``scene.render()`` is measured.
``matplotlib``
    A ``FuncAnimation`` with the same content, sizes (read from nnviz), resolution, fps and frame
    count, written by ``FFMpegWriter`` with the encoder settings Manim passes to PyAV. The mesh
    is drawn with ``imshow`` and with ``pcolormesh``; the faster is reported as ``matplotlib``.
``floor``
    Only the numbers of every frame (trajectory state, forward pass of the points, both
    probability grids, colour map, contour segments, output line) and x264 encoding of
    frame-sized RGB images made of the two mesh images, piped to ``ffmpeg``.

Runs are interleaved (nnviz, matplotlib, floor, nnviz, ...) after an untimed warm-up of each.
The table gives the median seconds per frame (wall-clock time / frames); the last line printed
is ``nnviz/matplotlib: R1  nnviz/floor: R2``. All three variants encode with libx264 at the
crf and preset Manim resolves (crf 23, x264's default preset ``medium``), yuv420p, automatic
slice threads; the table checks frame counts and the x264 options written into every MP4.

The parts, one job each, sit beside this script and import each other as siblings (running
``benchmarks/render.py`` puts this folder first on ``sys.path``): ``settings`` (the clip, the
qualities, Manim's encoder settings), ``nnviz_clip``, ``mpl_clip`` and ``floor_clip`` (the three
variants of the clip), ``full_scenes`` (the scene files), ``report`` (machine, versions, output
checks, tables); this file parses the options and interleaves the runs.

Last, two classes against three (``CLASS_PAIR``, issue 21): the default layout's panels (as
``nnviz render`` and ``SingleRunStory`` draw them: the input plane, the 8-unit layer's
projection, the last hidden plane) of a two-arm spiral learned by a 2-8-2-1 with a sigmoid
output and of a three-arm spiral learned by a 2-8-2-3 with a softmax, over the same clip,
``--runs`` runs each in alternating order after an untimed warm-up of both. The table gives
each one's median and fastest seconds per frame, of drawing and encoding the frames and of
the whole ``scene.render()`` (with building the panels before the first frame and joining
the encoder after the last), and the ratios three/two of all four. ``--classes-only``
measures only these two.

``--profile`` first renders the nnviz clip once under cProfile and prints the top 25 entries by
cumulative time (and the top 15 by own time), then runs the benchmark as usual.
``--mpl-mesh`` restricts matplotlib to one mesh drawing. matplotlib runs as a user writes it:
``FuncAnimation.save`` draws every frame twice (``draw_idle``, then ``savefig``);
``--mpl-single-draw`` skips the unused draw, to measure matplotlib at its best.
"""

from __future__ import annotations

import argparse
import gc
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from nnviz.cache import cached_run
from nnviz.run import Run

from floor_clip import render_floor
from full_scenes import (
    SCENES,
    SceneFile,
    SceneRow,
    X264Alone,
    manim_command,
    measure_scenes,
    nnviz_manim_commands,
    print_scenes,
)
from mpl_clip import MPL_MESHES, render_matplotlib
from nnviz_clip import profile_nnviz, render_nnviz
from report import (
    Measurement,
    print_architectures,
    print_classes,
    print_machine,
    print_table,
    probe,
    x264_options,
)
from settings import (
    ARCHITECTURES,
    CLASS_PAIR,
    QUALITIES,
    REPO,
    RUN_CONFIG,
    Settings,
    make_settings,
    with_manim_encoder,
)

#: Where the benchmark's runs are cached (as in real use).
RUNS_DIR = REPO / "media" / "runs"


def scene_list(text: str) -> list[SceneFile]:
    """Return the scene files named by ``--scenes`` (``relu,deep``; ``none`` for none)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if names == ["none"]:
        return []
    unknown = [name for name in names if name not in SCENES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown scene(s) {', '.join(unknown) or text!r}; use {','.join(SCENES)} or none"
        )
    return [SCENES[name] for name in dict.fromkeys(names)]


def jobs_list(text: str) -> list[int]:
    """Return the job counts of ``--jobs`` (``1,2``)."""
    try:
        jobs = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs takes counts like 1,2, not {text!r}") from None
    if any(n < 1 for n in jobs):
        raise argparse.ArgumentTypeError("--jobs counts must be at least 1")
    return list(dict.fromkeys(jobs))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quality", choices=sorted(QUALITIES), default="l")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per variant (>= 1)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the clip")
    parser.add_argument(
        "--scenes",
        type=scene_list,
        default=list(SCENES.values()),
        help=f"scene files to render whole with manim ({','.join(SCENES)} or none) "
        f"[default: {','.join(SCENES)}]",
    )
    parser.add_argument(
        "--jobs",
        type=jobs_list,
        default=[],
        help="also time `nnviz manim --jobs N` on the scenes for each N (e.g. 1,2), "
        "where that command exists",
    )
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
    parser.add_argument(
        "--classes-only",
        action="store_true",
        help="measure only two classes against three (no scenes, no clip variants)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.seconds <= 0:
        parser.error("--seconds must be positive")
    return args


@dataclass
class ClipResults:
    """The clip's timings: the three variants, the other networks' views, the output checks."""

    nnviz: Measurement
    mpl: dict[str, Measurement]
    floor: Measurement
    views: list[Measurement]
    checks: dict[str, str] = field(default_factory=dict)
    encoders: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)


def warm_up(
    run: Run, settings: Settings, meshes: Sequence[str], single_draw: bool, root: Path
) -> tuple[Settings, Settings]:
    """Render a few frames of every variant, untimed: compiles the LaTeX labels, fills font
    caches, imports lazily.

    Returns
    -------
    tuple[Settings, Settings]
        The clip's settings with the crf and preset of the encoder Manim resolved, and the same
        for the short warm-up clip.
    """
    cache_dir = root / "cache"
    warm = replace(settings, seconds=min(settings.seconds, 4 / settings.fps))
    warm_result = render_nnviz(run, warm, root / "warm-nnviz", cache_dir)
    settings = with_manim_encoder(settings, warm_result.encoder_options)
    warm = with_manim_encoder(warm, warm_result.encoder_options)
    for mesh in meshes:
        render_matplotlib(run, warm, root / f"warm-{mesh}.mp4", mesh, single_draw)
    render_floor(run, warm, root / "warm-floor.mp4")
    return settings, warm


def measure_clip(
    run: Run,
    settings: Settings,
    warm: Settings,
    meshes: Sequence[str],
    single_draw: bool,
    runs: int,
    root: Path,
) -> ClipResults:
    """Time the clip's variants and the other networks' views, ``runs`` interleaved runs each."""
    cache_dir = root / "cache"
    results = ClipResults(
        nnviz=Measurement("nnviz", extra={"setup": [], "play": [], "finish": []}),
        mpl={mesh: Measurement(f"matplotlib ({mesh})") for mesh in meshes},
        floor=Measurement("floor (numpy + x264)"),
        views=[],
    )
    checks, encoders = results.checks, results.encoders

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
    networks = [(RUN_CONFIG, run)] + [(c, cached_run(c, runs_dir=RUNS_DIR)) for c in ARCHITECTURES]
    for _, network_run in networks:  # untimed warm-up of each view's glyphs
        render_nnviz(network_run, warm, root / "warm-views", cache_dir, layer_views=True)
    views = {c: Measurement(f"views {'-'.join(map(str, c.widths))}") for c, _ in networks}
    results.views = list(views.values())
    nnviz = results.nnviz

    def mpl_render(workdir: Path, mesh: str) -> Path:
        return render_matplotlib(run, settings, workdir / "out.mp4", mesh, single_draw)

    for index in range(runs):
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
            timed(results.mpl[mesh], partial(mpl_render, mesh=mesh), index)
        timed(results.floor, lambda d: render_floor(run, settings, d / "out.mp4"), index)
        print(f"clip run {index + 1}/{runs} done", file=sys.stderr, flush=True)
    return results


def measure_classes(settings: Settings, warm: Settings, runs: int, root: Path) -> list[Measurement]:
    """Time the two-class and the three-class render of :data:`CLASS_PAIR` through the
    default layout's panels, ``runs`` runs each, the order alternating from run to run (after
    an untimed warm-up of each), so that a change of the machine's speed falls on both."""
    cache_dir = root / "cache"
    pair = [(config, cached_run(config, runs_dir=RUNS_DIR)) for config in CLASS_PAIR]
    for _, class_run in pair:
        render_nnviz(class_run, warm, root / "warm-classes", cache_dir, layer_views=True)
    names = [f"{c.dataset} {'-'.join(map(str, c.widths))} {c.output_head.name}" for c in CLASS_PAIR]
    measurements = [Measurement(name, extra={"play": []}) for name in names]
    for index in range(runs):
        order = [0, 1] if index % 2 == 0 else [1, 0]
        for which in order:
            workdir = root / f"classes-{index}-{which}"
            gc.collect()
            result = render_nnviz(pair[which][1], settings, workdir, cache_dir, layer_views=True)
            measurements[which].seconds.append(result.seconds)
            measurements[which].extra["play"].append(result.play)
            shutil.rmtree(workdir)
        print(f"classes run {index + 1}/{runs} done", file=sys.stderr, flush=True)
    return measurements


def main_classes(args: argparse.Namespace) -> int:
    """``--classes-only``: measure and print only two classes against three."""
    settings = make_settings(args.quality, args.seconds)
    with tempfile.TemporaryDirectory(prefix="nnviz-bench-") as root_name:
        root = Path(root_name)
        warm = replace(settings, seconds=min(settings.seconds, 4 / settings.fps))
        classes = measure_classes(settings, warm, args.runs, root)
    print_machine(settings, args.runs)
    print_classes(classes, settings.frames)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables; the last line holds the clip's two ratios."""
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
    if args.classes_only:
        return main_classes(args)
    run = cached_run(RUN_CONFIG, runs_dir=RUNS_DIR)
    settings = make_settings(args.quality, args.seconds)
    meshes = MPL_MESHES if args.mpl_mesh == "both" else (args.mpl_mesh,)
    single_draw = args.mpl_single_draw
    commands, jobs_note = nnviz_manim_commands(args.quality, args.jobs)
    commands.insert(0, manim_command(args.quality))

    rows: list[SceneRow] = []
    x264: dict[str, X264Alone] = {}
    with tempfile.TemporaryDirectory(prefix="nnviz-bench-") as root_name:
        root = Path(root_name)
        settings, warm = warm_up(run, settings, meshes, single_draw, root)
        if args.profile:
            profile_nnviz(run, settings, root / "cache")
        if args.scenes:
            scene_root = root / "scenes"
            scene_root.mkdir()
            rows, x264 = measure_scenes(args.scenes, commands, settings, args.runs, scene_root)
        clip = measure_clip(run, settings, warm, meshes, single_draw, args.runs, root)
        classes = measure_classes(settings, warm, args.runs, root)

    print_machine(settings, args.runs)
    if args.scenes:
        print_scenes(rows, x264, settings, args.runs, [jobs_note] if jobs_note else [])
    elif jobs_note:
        print(jobs_note)
    print_table(settings, clip.nnviz, list(clip.mpl.values()), clip.floor, clip.checks,
                clip.encoders, single_draw, len(run.X))  # fmt: skip
    print_architectures(clip.views, settings.frames)
    print_classes(classes, settings.frames)
    frames = settings.frames
    best_mpl = min(clip.mpl.values(), key=lambda m: m.median(frames))
    ratio_mpl = clip.nnviz.median(frames) / best_mpl.median(frames)
    ratio_floor = clip.nnviz.median(frames) / clip.floor.median(frames)
    print(f"nnviz/matplotlib: {ratio_mpl:.2f}  nnviz/floor: {ratio_floor:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
