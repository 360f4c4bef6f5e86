"""The floor: only the numbers of every frame, and x264 encoding frame-sized images of them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

from nnviz import forward
from nnviz.colormap import DivergingColormap
from nnviz.contour import level_segments
from nnviz.mobjects.layout import TrainingLayout
from nnviz.mobjects.panels import BOUNDARY_LEVEL, hidden_probability_grid, input_box
from nnviz.run import Run
from nnviz.theme import active_theme, hex_to_rgb
from nnviz.trajectory import Trajectory

from settings import Settings, ffmpeg_binary

__all__ = ["render_floor"]


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
    for viewport in (TrainingLayout.INPUT_VIEW, TrainingLayout.HIDDEN_VIEW):
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
            level_segments(grid_in, *box_in, BOUNDARY_LEVEL)
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
