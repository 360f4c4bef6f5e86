"""ffmpeg run once, for a job that needs it (a GIF, subtitles burned in): found on the PATH,
its errors read as one line."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from nnviz.errors import RenderError

__all__ = ["run_ffmpeg"]


def run_ffmpeg(
    arguments: Sequence[str], *, needed_for: str, failure: str, cwd: Path | None = None
) -> None:
    """Run ``ffmpeg -v error -y ARGUMENTS`` (in ``cwd``) and wait for it.

    Parameters
    ----------
    arguments
        ffmpeg's arguments after ``-v error -y``: inputs, filters, encoder, output.
    needed_for
        What ffmpeg is needed for, said when it is not installed (``to make GIFs``).
    failure
        What failed, said before ffmpeg's own last words when it exits with an error
        (``out.gif: ffmpeg could not convert clip.mp4``).
    cwd
        The folder ffmpeg runs in (relative paths in ``arguments`` are read from there).

    Raises
    ------
    RenderError
        With one line, when ffmpeg is not installed or fails.
    """
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise RenderError(f"ffmpeg is not installed; it is needed {needed_for}")
    done = subprocess.run(
        [ffmpeg, "-v", "error", "-y", *arguments],
        cwd=cwd, stderr=subprocess.PIPE, text=True, errors="replace",
    )  # fmt: skip
    if done.returncode != 0:
        reason = " ".join(done.stderr.split())[-200:] or f"exit status {done.returncode}"
        raise RenderError(f"{failure} ({reason})")
