"""Whole scene files rendered as a user renders them, timed against x264 alone on their frames.

``manim -q<l|h> scenes/<file>.py`` runs as a subprocess from the repository root (so Manim reads
``./manim.cfg``), writing into a temporary media folder. Before the timed renders, an untimed
``manim -s`` of each scene trains and caches its runs (in ``media/runs``, as in real use) and
fills that media folder's LaTeX and Pango caches; its imports also warm the disk cache. Each
render's wall clock is timed (Python's start-up and imports included, as a user waits for
them), and ffprobe counts the frames of the MP4 and reads its length.

The yardstick is x264 alone on the same frames: ``ffmpeg -i scene.mp4`` re-encoded with
libx264 at Manim's settings (:meth:`settings.Settings.x264_args`: crf, preset, slice threads,
yuv420p), minus the time of decoding alone (``ffmpeg -i scene.mp4 -f null -``).

Another command that renders a scene file can be timed the same way as a :class:`SceneCommand`;
``nnviz manim -q<l|h> --jobs N`` (a parallel render, taking Manim's options) is one, timed only
where ``nnviz manim --help`` offers ``--jobs``.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from report import VideoInfo, differing_options, probe_video, x264_options
from settings import REPO, Settings, ffmpeg_binary

__all__ = [
    "SCENES",
    "X264_GOAL",
    "SceneCommand",
    "SceneFile",
    "SceneRow",
    "X264Alone",
    "cpu_budget",
    "manim_command",
    "measure_scenes",
    "nnviz_manim_commands",
    "print_scenes",
]


@dataclass(frozen=True)
class SceneFile:
    """A scene file of the repository and the Scene class in it.

    Attributes
    ----------
    name
        The name ``--scenes`` uses.
    path
        The file, relative to the repository root.
    scene
        The Scene class to render.
    """

    name: str
    path: str
    scene: str


#: The scene files ``--scenes`` can name: the training video and the general architecture's
#: story (a 2-8-8-2-1 network on the spiral).
SCENES: dict[str, SceneFile] = {
    "relu": SceneFile("relu", "scenes/relu.py", "ReluTraining"),
    "deep": SceneFile("deep", "scenes/deep.py", "DeepSpiral"),
}
#: Issue 12's goal: ``manim -qh scenes/relu.py`` within this factor of x264 alone.
X264_GOAL = 1.1


@dataclass(frozen=True)
class SceneCommand:
    """A command line that renders a scene file, without the media folder and the scene.

    Attributes
    ----------
    label
        How the table names it.
    argv
        The program and its options; :meth:`argv_for` appends ``--media_dir``, the file and
        the Scene class, as Manim takes them.
    """

    label: str
    argv: tuple[str, ...]

    def argv_for(self, scene: SceneFile, media_dir: Path) -> list[str]:
        """Return the full command line rendering ``scene`` into ``media_dir``."""
        return [*self.argv, "--media_dir", str(media_dir), scene.path, scene.scene]


def manim_command(quality: str) -> SceneCommand:
    """Return ``manim -q<quality>``, run by this interpreter (the same environment)."""
    return SceneCommand(f"manim -q{quality}", (sys.executable, "-m", "manim", f"-q{quality}"))


def nnviz_manim_commands(quality: str, jobs: Sequence[int]) -> tuple[list[SceneCommand], str]:
    """Return ``nnviz manim -q<quality> --jobs N`` for every ``N`` in ``jobs``.

    Returns
    -------
    tuple[list[SceneCommand], str]
        The commands, and an empty note; or no commands and a one-line note saying why, when
        ``nnviz manim --help`` does not offer ``--jobs`` here.
    """
    if not jobs:
        return [], ""
    beside = Path(sys.executable).with_name("nnviz")
    binary = str(beside) if beside.exists() else shutil.which("nnviz")
    if binary is not None:
        help_text = subprocess.run(
            [binary, "manim", "--help"], capture_output=True, text=True, cwd=REPO
        )
        if help_text.returncode == 0 and "--jobs" in help_text.stdout:
            return [
                SceneCommand(
                    f"nnviz manim -q{quality} --jobs {n}",
                    (binary, "manim", f"-q{quality}", "--jobs", str(n)),
                )
                for n in jobs
            ], ""
    return [], "note      `nnviz manim --jobs` is not available here: the --jobs rows are skipped"


@dataclass
class SceneRow:
    """The timed renders of one scene file by one command.

    Attributes
    ----------
    scene, command
        What was rendered, and how.
    seconds
        The wall-clock time of every run.
    cpu
        The CPU time (user and system, all threads and child processes) of every run.
    video
        What ffprobe reads of the output (the same for every run, checked).
    """

    scene: SceneFile
    command: SceneCommand
    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    video: VideoInfo | None = None

    @property
    def median(self) -> float:
        """The median wall-clock time of a render."""
        return statistics.median(self.seconds)

    @property
    def median_cpu(self) -> float:
        """The median CPU time of a render."""
        return statistics.median(self.cpu)


@dataclass
class X264Alone:
    """x264 alone on a scene's frames: re-encoding its MP4 and decoding it alone, per run.

    Attributes
    ----------
    encode
        Seconds of ``ffmpeg -i scene.mp4`` with Manim's x264 settings, per run.
    decode
        Seconds of ``ffmpeg -i scene.mp4 -f null -``, per run.
    encode_cpu, decode_cpu
        Their CPU seconds (user and system, all threads), per run.
    differing
        x264 options of the re-encoded file that differ from the scene's (none expected).
    """

    encode: list[float] = field(default_factory=list)
    decode: list[float] = field(default_factory=list)
    encode_cpu: list[float] = field(default_factory=list)
    decode_cpu: list[float] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        """The median encoding time minus the median decoding time."""
        return statistics.median(self.encode) - statistics.median(self.decode)

    @property
    def cpu(self) -> float:
        """The median encoding CPU time minus the median decoding CPU time."""
        return statistics.median(self.encode_cpu) - statistics.median(self.decode_cpu)


def _children_cpu() -> float:
    """Return the CPU seconds (user and system) of this process's finished children."""
    times = os.times()
    return times.children_user + times.children_system


def _run(argv: Sequence[str], log: Path) -> tuple[float, float]:
    """Run ``argv`` from the repository root, its output into ``log``; return the wall-clock
    seconds and the CPU seconds (of all its threads and child processes). Raises
    ``RuntimeError`` with the log's tail when the command fails."""
    with log.open("w") as out:
        start, cpu = time.perf_counter(), _children_cpu()
        code = subprocess.run(argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT).returncode
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    if code != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-20:])
        raise RuntimeError(f"{' '.join(argv)} failed with exit code {code}:\n{tail}")
    return seconds, cpu


def _output(scene: SceneFile, media_dir: Path) -> Path:
    """Return the MP4 a render of ``scene`` wrote into ``media_dir``."""
    stem = Path(scene.path).stem
    found = sorted((media_dir / "videos" / stem).glob(f"*/{scene.scene}.mp4"))
    if len(found) != 1:
        raise RuntimeError(f"expected one {scene.scene}.mp4 under {media_dir}, found {found}")
    return found[0]


def time_x264(
    video: Path, settings: Settings, workdir: Path
) -> tuple[tuple[float, float], tuple[float, float], Path]:
    """Return the seconds and CPU seconds of re-encoding ``video`` with Manim's x264 settings
    and of decoding it alone, and the re-encoded file.

    Parameters
    ----------
    video
        The scene's MP4.
    settings
        Holds Manim's x264 settings (:meth:`settings.Settings.x264_args`).
    workdir
        Where the re-encoded MP4 goes.
    """
    ffmpeg = ffmpeg_binary()
    source = [ffmpeg, "-loglevel", "error", "-y", "-i", str(video), "-an"]
    decode = _run([*source, "-f", "null", "-"], workdir / "decode.log")
    out = workdir / "x264.mp4"
    encode = _run([*source, *settings.x264_args(), str(out)], workdir / "x264.log")
    return encode, decode, out


def measure_scenes(
    scenes: Sequence[SceneFile],
    commands: Sequence[SceneCommand],
    settings: Settings,
    runs: int,
    root: Path,
) -> tuple[list[SceneRow], dict[str, X264Alone]]:
    """Render every scene with every command ``runs`` times, interleaved, after an untimed
    ``manim -s`` of each scene; then time x264 alone on each scene's frames ``runs`` times.

    Parameters
    ----------
    scenes
        The scene files.
    commands
        The commands that render them; the first is ``manim`` itself.
    settings
        The quality (``settings.quality``) and Manim's x264 settings.
    runs
        Timed runs per scene and command (medians are reported).
    root
        A temporary folder: one media folder per scene, shared by its commands.

    Returns
    -------
    tuple[list[SceneRow], dict[str, X264Alone]]
        One row per scene and command, and x264 alone by scene name.
    """
    rows = [SceneRow(scene, command) for scene in scenes for command in commands]
    media = {scene.name: root / f"media-{scene.name}" for scene in scenes}
    for scene in scenes:  # untimed: trains the runs if needed, fills the Tex and text caches
        warm = [*manim_command(settings.quality).argv, "-s"]
        _run([*warm, "--media_dir", str(media[scene.name]), scene.path, scene.scene],
             root / f"warm-{scene.name}.log")  # fmt: skip
    videos: dict[str, Path] = {}
    for index in range(runs):
        for row in rows:
            media_dir = media[row.scene.name]
            shutil.rmtree(media_dir / "videos", ignore_errors=True)
            log = root / f"{row.scene.name}-{len(row.seconds)}.log"
            seconds, cpu = _run(row.command.argv_for(row.scene, media_dir), log)
            row.seconds.append(seconds)
            row.cpu.append(cpu)
            output = _output(row.scene, media_dir)
            video = probe_video(output)
            if row.video is not None and video.frames != row.video.frames:
                raise RuntimeError(f"{row.command.label} {row.scene.path}: {video.frames} "
                                   f"frames, {row.video.frames} before")  # fmt: skip
            row.video = video
            if row.command == commands[0]:  # manim's own output, for x264 alone
                videos[row.scene.name] = output.replace(root / f"{row.scene.name}.mp4")
            print(f"{row.command.label} {row.scene.path}: run {index + 1}/{runs} "
                  f"{row.seconds[-1]:.1f} s", file=sys.stderr, flush=True)  # fmt: skip
    x264: dict[str, X264Alone] = {}
    for scene in scenes:
        alone = x264[scene.name] = X264Alone()
        workdir = root / f"x264-{scene.name}"
        workdir.mkdir()
        for _ in range(runs):
            (encode, encode_cpu), (decode, decode_cpu), out = time_x264(
                videos[scene.name], settings, workdir
            )
            alone.encode.append(encode)
            alone.decode.append(decode)
            alone.encode_cpu.append(encode_cpu)
            alone.decode_cpu.append(decode_cpu)
        alone.differing = differing_options(
            x264_options(videos[scene.name])[1], x264_options(out)[1]
        )
    return rows, x264


def print_scenes(
    rows: Sequence[SceneRow],
    x264: dict[str, X264Alone],
    settings: Settings,
    runs: int,
    notes: Sequence[str] = (),
) -> None:
    """Print the full-scene rows: wall and CPU seconds, frames, video seconds, seconds per
    frame, render time / video length, x264 alone and render time / x264 alone; at ``-qh``, the
    goal for ``scenes/relu.py`` and the CPU time it leaves for drawing on this machine's
    cores."""
    print()
    print(
        f"full scenes at -q{settings.quality} ({settings.width}x{settings.height} at "
        f"{settings.fps} fps), rendered as a user does from the repository root: median of "
        f"{runs} run(s) after an untimed `manim -s` (runs cached, Tex and text caches warm)"
    )
    header = (
        f"{'scene':<16}{'command':<30}{'wall s':>8}{'CPU s':>8}{'frames':>8}{'video s':>9}"
        f"{'s/frame':>9}{'render/video':>14}{'x264 s':>8}{'render/x264':>13}"
    )
    print(header)
    print("-" * len(header))
    checks = []
    for row in rows:
        video = row.video
        if video is None:
            raise RuntimeError(f"{row.command.label} {row.scene.path} was not rendered")
        alone = x264[row.scene.name]
        to_x264 = f"{row.median / alone.seconds:>13.2f}" if alone.seconds > 0 else f"{'-':>13}"
        print(
            f"{row.scene.path:<16}{row.command.label:<30}{row.median:>8.1f}"
            f"{row.median_cpu:>8.1f}{video.frames:>8}"
            f"{video.duration:>9.1f}{row.median / video.frames:>9.4f}"
            f"{row.median / video.duration:>14.2f}{alone.seconds:>8.1f}{to_x264}"
        )
        if row.command == rows[0].command:
            same = "same x264 options" if not alone.differing else f"differs: {alone.differing}"
            checks.append(
                f"check     {row.scene.path}: {video}, {video.duration:.1f} s; x264 alone: "
                f"encoding {statistics.median(alone.encode):.1f} s "
                f"({statistics.median(alone.encode_cpu):.1f} CPU s) - decoding "
                f"{statistics.median(alone.decode):.1f} s "
                f"({statistics.median(alone.decode_cpu):.1f} CPU s), {same} as the scene"
            )
    for check in checks:
        print(check)
    print(
        f"notes     x264 alone = ffmpeg -i scene.mp4 -an {' '.join(settings.x264_args())} "
        "minus ffmpeg -i scene.mp4 -an -f null - (decoding alone); wall s includes Python's "
        "start-up and imports; CPU s counts every thread and child process"
    )
    for note in notes:
        print(note)
    relu = [r for r in rows if r.scene.name == "relu" and r.command == rows[0].command]
    if settings.quality == "h" and relu:
        ratio = relu[0].median / x264["relu"].seconds
        verdict = "met" if ratio <= X264_GOAL else "not met"
        print(f"goal      manim -qh scenes/relu.py within {X264_GOAL}x of x264 alone: "
              f"{ratio:.2f}x, {verdict}")  # fmt: skip
        print(cpu_budget(relu[0], x264["relu"]))


def cpu_budget(row: SceneRow, alone: X264Alone, cores: int | None = None) -> str:
    """Return a line on the CPU time the goal leaves for everything but x264 on ``cores``
    (this machine's by default): within :data:`X264_GOAL` of x264 alone's wall time, the cores
    give at most ``cores`` times that many CPU seconds; x264 alone takes its share of them."""
    cores = cores or os.cpu_count() or 1
    budget = cores * X264_GOAL * alone.seconds
    frames = row.video.frames if row.video is not None else 0
    left, used = budget - alone.cpu, row.median_cpu - alone.cpu
    per_frame = (lambda cpu: f"{1000 * cpu / frames:.1f} ms a frame") if frames else str
    return (
        f"budget    within {X264_GOAL}x on {cores} cores: at most {budget:.1f} CPU s; x264 alone "
        f"takes {alone.cpu:.1f} ({alone.cpu / alone.seconds:.1f} cores busy), leaving "
        f"{left:.1f} ({per_frame(left)}) for the rest, which took {used:.1f} "
        f"({per_frame(used)}: drawing, updaters, RGBA-to-YUV conversion, start-up)"
    )
