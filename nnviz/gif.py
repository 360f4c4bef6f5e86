"""Blog GIFs: a movie converted by ffmpeg with a palette made for it, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from nnviz.atomic_files import new_file_mode
from nnviz.ffmpeg import run_ffmpeg

__all__ = [
    "GIF_COLORS",
    "GIF_FRAME_RATES",
    "GIF_MAX_FPS",
    "GIF_MAX_WIDTH",
    "GIF_SOURCE_ENCODER",
    "to_gif",
]

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


def to_gif(movie: Path, gif: Path) -> Path:
    """Convert ``movie`` to a looping GIF with a palette of :data:`GIF_COLORS` colours made
    for it (``palettegen`` counting the pixels that change, ``paletteuse`` with ordered
    dithering that redraws only the rectangle that changed; two passes in one filter graph);
    the GIF is written to a temporary file beside ``gif`` and renamed into place."""
    graph = (
        f"split[a][b];[a]palettegen=max_colors={GIF_COLORS}:stats_mode=diff[p];"
        "[b][p]paletteuse=dither=bayer:bayer_scale=4:diff_mode=rectangle"
    )
    gif.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{gif.stem}.", suffix=".gif", dir=gif.parent)
    os.close(fd)
    try:
        run_ffmpeg(["-i", str(movie), "-filter_complex", graph, "-loop", "0", temporary],
                   needed_for="to make GIFs",
                   failure=f"{gif}: ffmpeg could not convert {movie.name}")  # fmt: skip
        os.chmod(temporary, new_file_mode())
        os.replace(temporary, gif)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, error.strerror or str(error), str(gif)) from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return gif
