"""Render stories through Manim from Python, as ``nnviz render`` does, and make blog GIFs."""

from __future__ import annotations

import errno
import functools
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnviz.atomic_files import check_writable_target, new_file_mode
from nnviz.config import RunConfig
from nnviz.errors import RenderError
from nnviz.manim_adapter.caches import PrivateCaches

if TYPE_CHECKING:
    from manim import Scene

    from nnviz.parallel import SceneSource

__all__ = [
    "DISK_FULL_ERRNOS",
    "DURATION_LIMITS",
    "GIF_COLORS",
    "GIF_FRAME_RATES",
    "GIF_MAX_FPS",
    "GIF_MAX_WIDTH",
    "GIF_SOURCE_ENCODER",
    "LAYOUT_HIDDEN",
    "MAX_VIDEO_SECONDS",
    "OUTPUT_KINDS",
    "QUALITIES",
    "SECONDS_PER_EPOCH_LIMITS",
    "RenderError",
    "SceneClass",
    "SceneFile",
    "check_out",
    "check_render",
    "check_timing",
    "check_video_length",
    "disk_full_message",
    "manim_settings",
    "missing_latex",
    "output_folder",
    "place_file",
    "refuse_softmax_pictures",
    "render_scene",
    "scene_classes_in",
    "still_epoch",
    "to_gif",
]

#: Manim's quality flags: -ql, -qm, -qh, -qk.
QUALITIES: dict[str, str] = {
    "l": "low_quality",
    "m": "medium_quality",
    "h": "high_quality",
    "k": "fourk_quality",
}
#: Partial movie files Manim encodes at once while drawing goes on (``manim.cfg`` says the
#: same): up to about 15 % off a ``-qh`` render on this project's 2-core machine, within the
#: noise for some scenes, nothing at ``-ql`` (the README's Performance section has the runs).
MAX_INFLIGHT_ENCODERS = 4


#: A blog GIF is at most this wide and this smooth.
GIF_MAX_WIDTH = 640
GIF_MAX_FPS = 30
#: A GIF's frame rate at each quality: 10 at ``-ql`` (the default, as the README's GIF; a
#: 20 s GIF then stays under 3 MB), Manim's own up to :data:`GIF_MAX_FPS` above.
GIF_FRAME_RATES: dict[str, int] = {"l": 10, "m": GIF_MAX_FPS, "h": GIF_MAX_FPS, "k": GIF_MAX_FPS}
#: Colours of a GIF's palette (made for each GIF): with ordered dithering no banding shows in
#: the meshes' gradients, and the GIF is about half the size of one of 256 colours.
GIF_COLORS = 112
#: The movie a GIF is made from is encoded without loss (H.264 in RGB, quantiser 0) and thrown
#: away: the lossy codec's noise, which changes every pixel of every frame a little, would
#: cost the GIF a quarter more.
GIF_SOURCE_ENCODER: dict[str, Any] = {
    "video_codec": "libx264rgb",
    "pixel_format": "rgb24",
    "video_encoder_options": {"qp": "0", "preset": "veryfast"},
}
#: ``nnviz render --duration``: the video's length in seconds, from and to.
DURATION_LIMITS: tuple[float, float] = (5.0, 600.0)
#: ``nnviz render --seconds-per-epoch``: from and to.
SECONDS_PER_EPOCH_LIMITS: tuple[float, float] = (0.001, 10.0)
#: The longest training ``--seconds-per-epoch`` may make, in seconds of video.
MAX_VIDEO_SECONDS = 600.0
#: What each output format writes, for messages; its suffix.
OUTPUT_KINDS: dict[str, tuple[str, str]] = {
    "mp4": ("a video", ".mp4"),
    "gif": ("a GIF", ".gif"),
    "png": ("a still", ".png"),
}
#: The hidden widths each training layout can draw: the default layout has a view for every
#: layer within the configuration's limits (``None``: any); the blog's three panels are planes
#: of its one hidden layer of two units.
LAYOUT_HIDDEN: dict[str, tuple[tuple[int, ...], ...] | None] = {
    "default": None,
    "blog": ((2,),),
}


#: The errors of a full disk: no space left on the device, or the user's disk quota reached.
DISK_FULL_ERRNOS: frozenset[int] = frozenset({errno.ENOSPC, errno.EDQUOT})

#: How much a failed render writes (and removes) to ask its folder whether the disk is full.
DISK_PROBE_BYTES = 2**20


def disk_full_message(
    error: BaseException,
    media_dir: str | os.PathLike[str],
    scratch: str | os.PathLike[str] | None = None,
) -> str | None:
    """Return the one line that says a render failed because the disk is full, or ``None``
    when it did not.

    The disk is full when ``error``, or an error it was raised from or while handling, is an
    ``OSError`` of :data:`DISK_FULL_ERRNOS` (Python's and PyAV's writes say so), or else when
    ``scratch`` (default: ``media_dir``) cannot take :data:`DISK_PROBE_BYTES` now: cairo
    writes a text's SVG, and LaTeX and dvisvgm their files, without passing a write error on,
    so the render fails later on the file they cut short (an XML error, a LaTeX error). The
    line names the file that could not be written when it lies outside ``media_dir`` (a run
    file elsewhere), else ``media_dir``.
    """
    found = _disk_full_error(error) or _probe_disk(Path(scratch or media_dir))
    if found is None:
        return None
    where = Path(media_dir)
    if found.filename:
        written = Path(os.fsdecode(found.filename)).absolute()
        if not written.is_relative_to(where.absolute()):
            where = written
    reason = os.strerror(found.errno or errno.ENOSPC).lower()
    return f"{reason} while rendering ({where}); free some space and render again"


def _disk_full_error(error: BaseException) -> OSError | None:
    """Return the ``OSError`` of a full disk in ``error``'s chain of causes, or ``None``."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in DISK_FULL_ERRNOS:
            return current
        current = current.__cause__ or current.__context__
    return None


def _probe_disk(folder: Path) -> OSError | None:
    """Write :data:`DISK_PROBE_BYTES` to a new file in ``folder`` (or its nearest existing
    parent), remove it, and return the error of a full disk it met, or ``None``."""
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    probe = folder / f".nnviz-disk-probe-{os.getpid()}-{secrets.token_hex(4)}.tmp"
    found: OSError | None = None
    try:
        descriptor = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        return OSError(error.errno, error.strerror) if error.errno in DISK_FULL_ERRNOS else None
    try:
        block = bytes(min(DISK_PROBE_BYTES, 2**16))
        written = 0
        while written < DISK_PROBE_BYTES:
            written += os.write(descriptor, block)
        os.fsync(descriptor)  # a network file system may say so only now
    except OSError as error:
        found = error
    finally:
        try:
            os.close(descriptor)
        except OSError as error:
            found = found or error
        probe.unlink(missing_ok=True)
    if found is not None and found.errno in DISK_FULL_ERRNOS:
        return OSError(found.errno, os.strerror(found.errno))  # no file to name: the media's
    return None


@functools.cache
def missing_latex() -> str | None:
    """Return why Manim's ``MathTex`` cannot work here (one line), or ``None`` when it can.

    Manim's default template needs ``latex``, ``dvisvgm`` and the ``standalone`` class.
    """
    hint = "install texlive-latex-base texlive-latex-extra texlive-fonts-recommended dvisvgm"
    for tool in ("latex", "dvisvgm"):
        if shutil.which(tool) is None:
            return f"LaTeX is missing (no {tool!r} on PATH); {hint}"
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is not None:
        try:
            found = subprocess.run(
                [kpsewhich, "standalone.cls"], capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            found = "unknown"
        if not found:
            return f"LaTeX lacks standalone.cls, which Manim's template needs; {hint}"
    return None


def check_render(
    config: RunConfig | None = None,
    output_format: str = "mp4",
    media_dir: str | os.PathLike[str] = "media",
    layout: str = "default",
    draw_points: int | None = None,
    points: int | None = None,
) -> None:
    """Check, before any training or drawing, that a render can succeed.

    ``draw_points`` is how many of the run's points the video draws (``None``: all; more than
    :data:`nnviz.data.MAX_DRAWN_POINTS` need it). ``points`` is how many points the run holds
    (a loaded run's arrays); ``None`` takes ``config.samples``, the points training draws.

    Raises
    ------
    RenderError
        When the run's architecture or output cannot be drawn (see
        :func:`refuse_softmax_pictures`), LaTeX is missing, ffmpeg is missing for a GIF, or
        ``media_dir`` cannot be written.
    """
    if layout not in LAYOUT_HIDDEN:
        raise RenderError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUT_HIDDEN)}")
    if config is not None:
        refuse_softmax_pictures(config, layout)
    drawable = LAYOUT_HIDDEN[layout]
    if config is not None and drawable is not None and config.hidden not in drawable:
        widths = " or ".join(",".join(map(str, w)) for w in drawable)
        shown = ",".join(map(str, config.hidden))
        raise RenderError(
            f"the {layout} layout draws --hidden {widths}, not --hidden {shown} "
            "(the default layout draws any network)"
        )
    if points is None and config is not None:
        points = config.samples
    if points is not None:
        _check_points(points, draw_points)
    reason = missing_latex()
    if reason is not None:
        raise RenderError(reason)
    if output_format == "gif" and shutil.which("ffmpeg") is None:
        raise RenderError("ffmpeg is not installed; it is needed to make GIFs (apt install ffmpeg)")
    folder = Path(media_dir)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise RenderError(f"{media_dir}: cannot write videos there ({folder} is not writable)")


def refuse_softmax_pictures(
    config: RunConfig, layout: str = "default", story: str | None = None
) -> None:
    """Refuse to draw a run of a softmax output (or of more than two classes) where its
    pictures do not exist yet (issue 21). The default training layout (``nnviz render``,
    ``SingleRunStory``) draws them; the blog layout is the post's binary figure, and the
    other stories come in a later step.

    Called by :func:`check_render` (``nnviz render``, before any training), by
    ``NNVizScene.run_for`` (every story, before training) and by ``SingleRunStory.story_run``
    (a run file a scene names).

    Parameters
    ----------
    layout
        The training layout (:data:`nnviz.mobjects.layout.LAYOUTS`).
    story
        What a story other than the training layout draws (``"the network diagram"``), or
        ``None`` for the training layout.

    Raises
    ------
    RenderError
        With one line, for such a run.
    """
    if config.output == "sigmoid" and config.classes == 2:
        return
    if story is not None:
        raise RenderError(
            f"{story} of softmax outputs ({config.classes} classes) comes in a later step; "
            "nnviz render draws them in its default layout"
        )
    if layout == "blog":
        raise RenderError(
            "the blog layout is the post's binary figure; nnviz render draws softmax outputs "
            "in its default layout"
        )


def _check_points(points: int, draw_points: int | None) -> None:
    """Refuse to draw more points than a video can, or a sample size it cannot take."""
    from nnviz.data import MAX_DRAWN_POINTS, too_many_to_draw

    if draw_points is not None and not 1 <= draw_points <= MAX_DRAWN_POINTS:
        raise RenderError(f"--draw-points must be 1 to {MAX_DRAWN_POINTS}, got {draw_points}")
    message = too_many_to_draw(points, f"add --draw-points {MAX_DRAWN_POINTS}")
    if draw_points is None and message is not None:
        raise RenderError(message)


def check_timing(duration: float | None, seconds_per_epoch: float | None) -> None:
    """Refuse a video length (``--duration``) or pace (``--seconds-per-epoch``) out of range,
    or both at once.

    Raises
    ------
    RenderError
        With one line naming the flag.
    """
    if duration is not None and seconds_per_epoch is not None:
        raise RenderError(
            "--duration and --seconds-per-epoch exclude each other: give the video's length "
            "or the pace of its epochs"
        )
    for flag, value, (low, high) in (
        ("--duration", duration, DURATION_LIMITS),
        ("--seconds-per-epoch", seconds_per_epoch, SECONDS_PER_EPOCH_LIMITS),
    ):
        if value is not None and not low <= value <= high:  # NaN is refused too
            raise RenderError(f"{flag} must be {low:g} to {high:g} seconds, got {value:g}")


def check_video_length(epochs: int, seconds_per_epoch: float | None) -> None:
    """Refuse a ``--seconds-per-epoch`` that makes the training of a run of ``epochs`` epochs
    longer than :data:`MAX_VIDEO_SECONDS` (call it once the run is trained or loaded).

    Raises
    ------
    RenderError
        With one line that suggests ``--duration``.
    """
    if seconds_per_epoch is not None and epochs * seconds_per_epoch > MAX_VIDEO_SECONDS:
        raise RenderError(
            f"--seconds-per-epoch {seconds_per_epoch:g} makes {epochs} epochs last "
            f"{epochs * seconds_per_epoch:g} s, more than {MAX_VIDEO_SECONDS:g} s; give a "
            "smaller one or --duration"
        )


def check_out(out: Path, output_format: str) -> None:
    """Refuse ``out`` as the file of a render in ``output_format`` (``mp4``, ``gif`` or
    ``png`` for a still) before any work: its suffix must be the format's, and it must be a
    regular file or a new path in a writable folder (never a symbolic link, device, FIFO or
    folder, which are not written through or replaced).

    Raises
    ------
    RenderError
        With one line naming ``out``.
    """
    from nnviz.run import RunFileError

    what, suffix = OUTPUT_KINDS[output_format]
    try:
        check_writable_target(out, what)
    except RunFileError as error:
        raise RenderError(str(error)) from None
    if out.suffix.lower() != suffix:
        flag = "--still" if output_format == "png" else f"--format {output_format}"
        raise RenderError(f"{out}: {what} ({flag}) is written to a {suffix} file")


def still_epoch(value: float | str, epochs: int, flag: str = "--still") -> float:
    """Return the epoch a still shows: ``value``, a number from 0 to ``epochs`` (the run's
    last), or ``epochs`` for ``"final"``.

    Raises
    ------
    ValueError
        With one line (``the run has epochs 0 to 107; --still 200 is not one``).
    """
    if isinstance(value, str):
        if value.strip().lower() == "final":
            return float(epochs)
        try:
            value = float(value)
        except ValueError:
            raise ValueError(f"{flag} takes an epoch or 'final', not {value!r}") from None
    if not 0 <= value <= epochs:
        raise ValueError(f"the run has epochs 0 to {epochs}; {flag} {value:g} is not one")
    return float(value)


def manim_settings(
    quality: str = "l",
    output_format: str = "mp4",
    media_dir: str | os.PathLike[str] = "media",
    output_name: str | None = None,
) -> dict[str, Any]:
    """Return the Manim configuration (for ``tempconfig``) of a render at ``quality``.

    For ``output_format="gif"`` the movie is at most :data:`GIF_MAX_WIDTH` wide, at the frame
    rate of :data:`GIF_FRAME_RATES` and encoded without loss (:data:`GIF_SOURCE_ENCODER`;
    :func:`render_scene` converts it). ``"png"`` writes the scene's last frame as an image.
    """

    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r}; choose one of {', '.join(QUALITIES)}")
    if output_format not in OUTPUT_KINDS:
        choices = ", ".join(OUTPUT_KINDS)
        raise ValueError(f"unknown format {output_format!r}; choose one of {choices}")
    width, height, fps = output_size(quality, output_format)
    settings: dict[str, Any] = {
        "pixel_width": width,
        "pixel_height": height,
        "frame_rate": fps,
        "media_dir": str(media_dir),
        "disable_caching": True,
        "verbosity": "WARNING",
        "format": "png" if output_format == "png" else "mp4",
        # Encode finished animations while the next ones draw (as manim.cfg sets for scenes).
        "max_inflight_encoders": MAX_INFLIGHT_ENCODERS,
    }
    if output_format == "gif":
        settings.update(GIF_SOURCE_ENCODER)
    if output_name:
        settings["output_file"] = output_name
    return settings


def output_size(quality: str, output_format: str) -> tuple[int, int, int]:
    """Return the width and height in pixels and the frame rate of a render at ``quality``
    (a key of :data:`QUALITIES`) in ``output_format``: Manim's, or for a GIF at most
    :data:`GIF_MAX_WIDTH` wide (the height in proportion, even) at
    :data:`GIF_FRAME_RATES`."""
    from manim.constants import QUALITIES as MANIM_QUALITIES

    size = MANIM_QUALITIES[QUALITIES[quality]]
    width, height, fps = size["pixel_width"], size["pixel_height"], size["frame_rate"]
    if output_format == "gif":
        if width > GIF_MAX_WIDTH:
            width, height = GIF_MAX_WIDTH, round(height * GIF_MAX_WIDTH / width / 2) * 2
        fps = min(fps, GIF_FRAME_RATES[quality])
    return int(width), int(height), int(fps)


def output_folder(
    quality: str,
    output_format: str,
    media_dir: str | os.PathLike[str] = "media",
    module_name: str = "",
) -> Path | None:
    """Return the folder a render's file lands in by default, or ``None`` for an MP4, which
    lands in Manim's own (``media/videos/<module>/480p15/``).

    A GIF lands in ``media/videos/<module>/<width>x<height>_<fps>fps/`` (its real size, not
    Manim's name for the height of the quality's movie), a still in
    ``media/images/<module>/<width>x<height>/``.
    """
    width, height, fps = output_size(quality, output_format)
    if output_format == "gif":
        return Path(media_dir, "videos", module_name, f"{width}x{height}_{fps}fps")
    if output_format == "png":
        return Path(media_dir, "images", module_name, f"{width}x{height}")
    return None


@dataclass(frozen=True)
class SceneClass:
    """A scene class that a new process imports by its module and name."""

    module: str
    name: str

    def load(self) -> type[Scene]:
        """Import and return the class."""
        import importlib

        scene_class: type[Scene] = getattr(importlib.import_module(self.module), self.name)
        return scene_class


@dataclass(frozen=True)
class SceneFile:
    """A scene class in a scene file, loaded as Manim loads it (``manim FILE SCENE``)."""

    path: str
    name: str

    def load(self) -> type[Scene]:
        """Import the file and return the class."""
        for scene_class in scene_classes_in(Path(self.path)):
            if scene_class.__name__ == self.name:
                return scene_class
        raise RenderError(f"{self.path}: no scene {self.name!r}")


def scene_classes_in(path: Path) -> list[type[Scene]]:
    """Return the scene classes defined in the scene file ``path`` (imported as Manim does,
    as module ``path``'s stem)."""
    from manim.utils.module_ops import scene_classes_from_file

    return list(scene_classes_from_file(path, require_single_scene=False, full_list=True))


def render_scene(
    scene: type[Scene] | SceneSource,
    quality: str = "l",
    output_format: str = "mp4",
    media_dir: str | os.PathLike[str] = "media",
    output_name: str | None = None,
    report: Callable[[str], None] = lambda message: None,
    jobs: int = 1,
    input_file: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
) -> Path:
    """Render a scene with Manim and return the path of the video, GIF or still.

    ``scene`` is a scene class or a :class:`~nnviz.parallel.SceneSource` (needed for
    ``jobs > 1`` when the class is not importable by its module and name). ``report``
    receives one line per step with its duration. With ``jobs > 1`` the scene is rendered by
    that many processes (:func:`nnviz.parallel.render_parallel`), to the same file.
    ``input_file`` is the scene file, which names the video's folder as with ``manim FILE``.
    ``out`` is the file to write instead of the default path (check it with
    :func:`check_out` first); it is replaced atomically.

    For ``output_format="gif"`` the scene is rendered as a movie without loss, no wider than
    :data:`GIF_MAX_WIDTH` at :data:`GIF_FRAME_RATES`, in a private folder, then converted by
    :func:`to_gif` with a palette made for the clip: faster and far smaller than Manim's own
    GIF writer at full size. ``"png"`` writes the scene's last frame (a still), rendered by
    one process. Both land in :func:`output_folder` unless ``out`` is given.
    """
    from manim import tempconfig

    from nnviz.parallel import render_parallel

    settings = manim_settings(quality, output_format, media_dir, output_name)
    module_name = ""
    if input_file is not None:
        settings["input_file"] = str(input_file)
        module_name = Path(input_file).stem
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    # A GIF's movie, a still, and any file for ``out`` are made in a private folder first.
    private: Path | None = None
    if output_format != "mp4" or out is not None:
        private = Path(media_dir) / PrivateCaches.folder_name("-out")
        settings["video_dir"] = settings["images_dir"] = str(private)
    started = time.perf_counter()
    try:
        if private is not None:
            private.mkdir(parents=True)
        if output_format == "png":
            scene_class = scene if isinstance(scene, type) else scene.load()
            with tempconfig(settings):
                instance = scene_class()
                instance.render()
                image = Path(instance.renderer.file_writer.image_file_path)
            target = Path(out) if out is not None else _default_path(
                quality, output_format, media_dir, module_name, image.stem)  # fmt: skip
            place_file(image, target, OUTPUT_KINDS[output_format][0])
            report(f"rendered {target.name} in {time.perf_counter() - started:.1f} s")
            return target
        if jobs > 1:
            if isinstance(scene, type):
                source: SceneSource = SceneClass(scene.__module__, scene.__qualname__)
            else:
                source = scene
            movie = render_parallel(source, settings, jobs, report)
        else:
            scene_class = scene if isinstance(scene, type) else scene.load()
            with tempconfig(settings):
                instance = scene_class()
                instance.render()
                movie = Path(instance.renderer.file_writer.movie_file_path)
        report(f"rendered {movie.name} in {time.perf_counter() - started:.1f} s")
        if output_format == "mp4":
            if out is None:
                return movie
            place_file(movie, Path(out), OUTPUT_KINDS[output_format][0])
            return Path(out)
        started = time.perf_counter()
        target = Path(out) if out is not None else _default_path(
            quality, output_format, media_dir, module_name, movie.stem)  # fmt: skip
        gif = to_gif(movie, target)
    except Exception as error:  # joining the ranges, the GIF, a scene not of nnviz's
        message = disk_full_message(error, media_dir)
        if message is None:
            raise
        raise RenderError(message) from error
    finally:
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)
    report(f"converted to {gif.name} in {time.perf_counter() - started:.1f} s")
    return gif


def _default_path(
    quality: str, output_format: str, media_dir: str | os.PathLike[str], module: str, stem: str
) -> Path:
    """Return the default path of a render's GIF or still named ``stem``."""
    folder = output_folder(quality, output_format, media_dir, module)
    assert folder is not None
    return (folder / f"{stem}{OUTPUT_KINDS[output_format][1]}").absolute()  # as Manim's movies


def place_file(source: Path, target: Path, what: str = "a file") -> Path:
    """Move ``source`` to ``target`` atomically (renamed into place; copied to a temporary
    file beside ``target`` first when they lie on different file systems), with the
    permissions of the umask, and return ``target``.

    ``target`` is checked again just before (a symbolic link, device, FIFO or folder that
    appeared there since is refused, not replaced); its folder is made if needed.

    Raises
    ------
    RenderError
        When ``target`` is no longer a place to write ``what``.
    """
    from nnviz.run import RunFileError

    try:
        check_writable_target(target, what)
    except RunFileError as error:
        raise RenderError(str(error)) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(source, new_file_mode())
    try:
        os.replace(source, target)
        return target
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise OSError(error.errno, error.strerror or str(error), str(target)) from error
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, temporary)
        os.chmod(temporary, new_file_mode())
        os.replace(temporary, target)
    except OSError as error:
        raise OSError(error.errno, error.strerror or str(error), str(target)) from error
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target


def to_gif(movie: Path, gif: Path) -> Path:
    """Convert ``movie`` to a looping GIF with a palette of :data:`GIF_COLORS` colours made
    for it (``palettegen`` counting the pixels that change, ``paletteuse`` with ordered
    dithering that redraws only the rectangle that changed; two passes in one filter graph);
    the GIF is written to a temporary file beside ``gif`` and renamed into place."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RenderError("ffmpeg is not installed; it is needed to make GIFs")
    graph = (
        f"split[a][b];[a]palettegen=max_colors={GIF_COLORS}:stats_mode=diff[p];"
        "[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle"
    )
    gif.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{gif.stem}.", suffix=".gif", dir=gif.parent)
    os.close(fd)
    try:
        done = subprocess.run(
            [ffmpeg, "-v", "error", "-y", "-i", str(movie), "-filter_complex", graph,
             "-loop", "0", temporary],
            stderr=subprocess.PIPE, text=True, errors="replace",
        )  # fmt: skip
        if done.returncode != 0:
            reason = " ".join(done.stderr.split())[-200:] or f"exit status {done.returncode}"
            raise RenderError(f"{gif}: ffmpeg could not convert {movie.name} ({reason})")
        os.chmod(temporary, new_file_mode())
        os.replace(temporary, gif)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror or str(error), str(gif)) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return gif
