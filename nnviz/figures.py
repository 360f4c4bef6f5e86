"""The figure of one run, as ``nnviz figure`` makes it: its scene class (a
:class:`~nnviz.stories.figure.FigureStory` of the run's settings), the frame sized to its grid,
and the file written as a PNG, or as a PDF that holds that PNG.

This module sits above the stories and the rendering, as :mod:`nnviz.run_videos` does.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from nnviz.atomic_files import write_atomically
from nnviz.config import RunConfig, activation_file_name
from nnviz.figure_grid import FigureGrid, figure_format
from nnviz.manim_adapter.caches import PrivateCaches
from nnviz.rendering import FrameSize, place_file, render_scene
from nnviz.stories.figure import FigurePhase, FigureStory
from nnviz.view import check_axis_scales

__all__ = [
    "PDF_PAGE_INCHES",
    "figure_scene_class",
    "figure_size",
    "render_figure",
    "save_figure",
]

#: A PDF figure's width on the page, in inches (a page's text width): its pixels per inch
#: are the figure's width in pixels over this.
PDF_PAGE_INCHES = 7.0


def figure_size(config: RunConfig, epochs: int, width: int) -> FrameSize:
    """Return the frame of a figure of ``epochs`` rows of a run of ``config`` at ``width``
    pixels: its grid's scene units (:class:`nnviz.figure_grid.FigureGrid`), the height in
    pixels in proportion."""
    grid = FigureGrid(rows=epochs, columns=len(config.hidden) + 1)
    pixel_width, pixel_height = grid.pixel_size(width)
    return FrameSize(pixel_width, pixel_height, grid.frame_width, grid.frame_height)


def figure_scene_class(
    config: RunConfig,
    epochs: Sequence[float | str],
    run_file: str | os.PathLike[str] | None = None,
    axis_scales: str = "auto",
    *,
    theme: str | None = None,
    draw_points: int | None = None,
) -> type[FigureStory]:
    """Return the scene class of the figure of one run: ``config``'s cached run (trained if
    needed) or the run file ``run_file`` (whose configuration is ``config``) at ``epochs``
    (whole numbers or ``"final"``), in ``theme`` (``None``: ``NNVIZ_THEME``'s)."""
    check_axis_scales(axis_scales)
    settings: dict[str, Any] = {
        "activation": config.activation,
        "lr": config.lr,
        "base_config": config,
        "figure": FigurePhase(epochs=tuple(epochs), axis_scales=axis_scales),
        "draw_points": draw_points,
        "run_file": None if run_file is None else str(Path(run_file).absolute()),
        "theme_name": theme,
        "__module__": __name__,
    }
    name = activation_file_name(config.activation).capitalize().replace("-", "").replace(".", "_")
    return type(f"{name}Figure", (FigureStory,), settings)


def save_figure(still: Path, target: Path, kind: str) -> Path:
    """Put the rendered PNG ``still`` at ``target`` as ``kind`` (``"PNG"``: moved there;
    ``"PDF"``: one page holding the image, :data:`PDF_PAGE_INCHES` wide), atomically, and
    return ``target``."""
    if kind == "PNG":
        return place_file(still, target, "a figure")
    from PIL import Image

    with Image.open(still) as image:
        page = image.convert("RGB")
    resolution = page.width / PDF_PAGE_INCHES
    write_atomically(target, lambda handle: page.save(handle, "PDF", resolution=resolution))
    return target


def render_figure(
    config: RunConfig,
    epochs: Sequence[float | str],
    out: str | os.PathLike[str],
    width: int,
    run_file: str | os.PathLike[str] | None = None,
    axis_scales: str = "auto",
    *,
    theme: str | None = None,
    draw_points: int | None = None,
    media_dir: str | os.PathLike[str] = "media",
    report: Callable[[str], None] = lambda message: None,
) -> Path:
    """Render the figure of one run at ``epochs`` (see :func:`figure_scene_class`),
    ``width`` pixels wide, to ``out`` and return it.

    The suffix of ``out`` says the format (:data:`nnviz.figure_grid.FIGURE_FORMATS`): a PNG,
    or a PDF of one page that holds the same image, :data:`PDF_PAGE_INCHES` wide (a raster,
    not vector paths). The file is replaced atomically; check it with
    :func:`nnviz.render_checks.check_figure_out` first.
    """
    target = Path(out)
    kind = figure_format(target)
    scene = figure_scene_class(config, epochs, run_file, axis_scales, theme=theme,
                               draw_points=draw_points)  # fmt: skip
    size = figure_size(config, len(epochs), width)
    private = Path(media_dir) / PrivateCaches.folder_name("-figure")
    try:
        still = render_scene(scene, "l", "png", media_dir, target.stem, report,
                             out=private / "figure.png", size=size)  # fmt: skip
        return save_figure(still, target, kind)
    finally:
        shutil.rmtree(private, ignore_errors=True)
