"""What is checked before a render, so that a render that cannot succeed ends in one line
before any training or drawing: the layout and the network it draws, the points, the tools
(LaTeX, ffmpeg), the output folder and file, the video's timing, and what a full disk says.
"""

from __future__ import annotations

import errno
import functools
import os
import secrets
import shutil
import subprocess
from pathlib import Path

from nnviz.atomic_files import check_writable_target
from nnviz.config import RunConfig
from nnviz.errors import RenderError, RunFileError
from nnviz.layouts import LAYOUT_SPECS

__all__ = [
    "DISK_FULL_ERRNOS",
    "DURATION_LIMITS",
    "MAX_VIDEO_SECONDS",
    "OUTPUT_KINDS",
    "SECONDS_PER_EPOCH_LIMITS",
    "check_figure_out",
    "check_out",
    "check_render",
    "check_timing",
    "check_video_length",
    "disk_full_message",
    "missing_latex",
    "refuse_softmax_pictures",
    "still_epoch",
]

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
    if layout not in LAYOUT_SPECS:
        raise RenderError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUT_SPECS)}")
    if config is not None:
        refuse_softmax_pictures(config, layout)
    drawable = LAYOUT_SPECS[layout].hidden
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


def refuse_softmax_pictures(config: RunConfig, layout: str = "default") -> None:
    """Refuse to draw a run of a softmax output (or of more than two classes) in the blog
    layout, the post's binary figure; every other layout and story draws k classes.

    Called by :func:`check_render` (``nnviz render``, before any training), by
    ``NNVizScene.run_for`` (every story, before training) and by ``SingleRunStory.story_run``
    (a run file a scene names).

    Parameters
    ----------
    layout
        The training layout (:data:`nnviz.layouts.LAYOUT_SPECS`).

    Raises
    ------
    RenderError
        With one line, for such a run.
    """
    if config.output == "sigmoid" and config.classes == 2:
        return
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

    what, suffix = OUTPUT_KINDS[output_format]
    try:
        check_writable_target(out, what)
    except RunFileError as error:
        raise RenderError(str(error)) from None
    if out.suffix.lower() != suffix:
        flag = "--still" if output_format == "png" else f"--format {output_format}"
        raise RenderError(f"{out}: {what} ({flag}) is written to a {suffix} file")


def check_figure_out(out: Path) -> None:
    """Refuse ``out`` as a figure's file before any work: its suffix must be one of
    :data:`nnviz.figure_grid.FIGURE_FORMATS` (it says the format), and it must be a regular
    file or a new path in a writable folder, as for :func:`check_out`.

    Raises
    ------
    RenderError
        With one line naming ``out``.
    """
    from nnviz.figure_grid import figure_format

    try:
        figure_format(out)
    except ValueError as error:
        raise RenderError(str(error)) from None
    try:
        check_writable_target(out, "a figure")
    except RunFileError as error:
        raise RenderError(str(error)) from None


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
