"""Subtitles burned into a movie's picture, for players and platforms that ignore ``.srt``
files: ffmpeg's ``subtitles`` filter (libass) draws each cue on its frames, the movie is
encoded again and replaced atomically.

The same as ::

    ffmpeg -i video.mp4 -vf "subtitles=video.srt:force_style='…'" -c:v libx264 -crf 18 \\
        -pix_fmt yuv420p video_subtitled.mp4
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from nnviz.atomic_files import new_file_mode
from nnviz.ffmpeg import run_ffmpeg

__all__ = [
    "BURN_STYLE",
    "LOSSLESS_ENCODER",
    "MOVIE_ENCODER",
    "burn_in_missing",
    "burn_subtitles",
]

#: How a burned cue looks (libass's ASS style, on its default 384x288 script): the theme's
#: font, white on a dark translucent box, at the bottom.
BURN_STYLE = (
    "FontName=DejaVu Sans,FontSize=11,PrimaryColour=&H00FFFFFF,BorderStyle=3,"
    "Outline=1,Shadow=0,BackColour=&H60000000,OutlineColour=&H60000000,MarginV=6"
)

#: ffmpeg's encoder options for a movie with burned subtitles (as Manim's own H.264 MP4s).
MOVIE_ENCODER: tuple[str, ...] = ("-c:v", "libx264", "-crf", "18", "-preset", "veryfast",
                                  "-pix_fmt", "yuv420p")  # fmt: skip
#: The same for the movie a GIF is made from (without loss, as :mod:`nnviz.gif` makes it).
LOSSLESS_ENCODER: tuple[str, ...] = ("-c:v", "libx264rgb", "-qp", "0", "-preset", "veryfast",
                                     "-pix_fmt", "rgb24")  # fmt: skip


def burn_in_missing() -> str | None:
    """Return why subtitles cannot be burned in here (no ffmpeg, or an ffmpeg without the
    ``subtitles`` filter, built without libass), or ``None`` when they can."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return "ffmpeg is not installed; it is needed to burn subtitles in (apt install ffmpeg)"
    try:
        listed = subprocess.run([ffmpeg, "-hide_banner", "-filters"], capture_output=True,
                                text=True, errors="replace", timeout=30).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError) as error:
        return f"ffmpeg could not list its filters ({error})"
    if not any(line.split()[1:2] == ["subtitles"] for line in listed.splitlines()):
        return "this ffmpeg has no subtitles filter (it was built without libass)"
    return None


def burn_subtitles(movie: Path, subtitles: Path, lossless: bool = False) -> Path:
    """Draw the cues of ``subtitles`` (an ``.srt`` file) into ``movie``'s picture and replace
    ``movie`` with the result (encoded again, :data:`MOVIE_ENCODER`, or
    :data:`LOSSLESS_ENCODER` with ``lossless``), atomically; return ``movie``.

    Raises
    ------
    RenderError
        With one line when ffmpeg fails.
    """
    encoder = LOSSLESS_ENCODER if lossless else MOVIE_ENCODER
    with tempfile.TemporaryDirectory(prefix=".nnviz-burn-", dir=movie.parent) as folder:
        # A name the filter graph reads as it is (a path may hold ':', quotes or commas).
        shutil.copyfile(subtitles, Path(folder, "cues.srt"))
        burned = Path(folder, f"burned{movie.suffix}")
        run_ffmpeg(
            ["-i", str(movie.resolve()), "-vf", f"subtitles=cues.srt:force_style='{BURN_STYLE}'",
             *encoder, burned.name],
            needed_for="to burn subtitles in",
            failure=f"{movie}: ffmpeg could not burn the subtitles in", cwd=Path(folder),
        )  # fmt: skip
        os.chmod(burned, new_file_mode())
        os.replace(burned, movie)
    return movie
