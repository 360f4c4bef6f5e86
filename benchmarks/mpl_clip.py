"""The matplotlib variant: a ``FuncAnimation`` of the same two panels, written by ffmpeg."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from nnviz import forward
from nnviz.colormap import DivergingColormap
from nnviz.mobjects.panels import hidden_probability_grid, input_box
from nnviz.run import Run
from nnviz.theme import active_theme
from nnviz.trajectory import Trajectory
from nnviz.view import Box, Viewport

from settings import Settings, panel_views

__all__ = ["MPL_DPI", "MPL_MESHES", "render_matplotlib"]

#: Matplotlib's figure dpi; figsize is chosen so that figsize * dpi is the pixel size exactly.
MPL_DPI = 100
#: Manim's Cairo camera draws a stroke of width ``w`` as ``w * 0.01`` scene units.
CAIRO_LINE_WIDTH_MULTIPLE = 0.01
#: Mesh drawings of the matplotlib variant.
MPL_MESHES = ("imshow", "pcolormesh")


def render_matplotlib(
    run: Run, settings: Settings, out: Path, mesh: str = "imshow", single_draw: bool = True
) -> Path:
    """Render the clip with a matplotlib ``FuncAnimation`` and ``FFMpegWriter`` (Agg).

    Parameters
    ----------
    run
        The run shown.
    settings
        The clip.
    out
        The MP4 to write.
    mesh
        ``imshow`` (the colour-mapped RGBA image, bilinear like Manim's resize) or
        ``pcolormesh`` (one quad per mesh pixel, colour map from the same table).
    single_draw
        ``FuncAnimation.save`` draws the figure after every frame (``draw_idle``) and
        ``savefig`` draws it again to grab the pixels. With ``True`` the first, unused draw is
        skipped, so matplotlib is measured at its best; ``False`` keeps the stock behaviour.
    """
    from matplotlib.animation import FFMpegWriter, FuncAnimation
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.colors import ListedColormap
    from matplotlib.figure import Figure

    if mesh not in MPL_MESHES:
        raise ValueError(f"unknown mesh drawing {mesh!r}; use one of {', '.join(MPL_MESHES)}")
    theme = active_theme()
    trajectory = Trajectory(run)
    activation = trajectory.activation
    labels = np.asarray(run.y)
    resolution = settings.mesh_resolution
    shape = (resolution, resolution)
    colormap = DivergingColormap.from_theme(theme)
    ppu = settings.pixels_per_unit
    point = 72 / MPL_DPI  # points per pixel

    def line_width(stroke: float) -> float:
        return stroke * CAIRO_LINE_WIDTH_MULTIPLE * ppu * point

    def font_size(size: float) -> float:
        # Manim's DejaVu Sans at font_size F has an em of F / 72 scene units.
        return size / 72 * ppu * point

    fig = Figure(
        figsize=(settings.width / MPL_DPI, settings.height / MPL_DPI),
        dpi=MPL_DPI,
        facecolor=theme.background,
    )
    canvas = FigureCanvasAgg(fig)
    if canvas.get_width_height() != (settings.width, settings.height):
        raise RuntimeError(f"figure is {canvas.get_width_height()}, not the clip's size")

    dot_size = (2 * 0.045 * ppu * point) ** 2  # scatter sizes are areas in points²
    box_in = input_box(trajectory)

    def make_axes(viewport: Viewport, caption: str, names: tuple[str, str], right: bool) -> Any:
        left, top, width, height = settings.pixel_rect(viewport)
        ax = fig.add_axes(
            (
                left / settings.width,
                1 - (top + height) / settings.height,
                width / settings.width,
                height / settings.height,
            )
        )
        ax.set_facecolor(theme.background)
        ax.set_autoscale_on(False)
        for spine in ax.spines.values():
            spine.set_color(theme.muted)
            spine.set_linewidth(line_width(1.5))
            spine.set_zorder(5)
        ax.set_title(caption, color=theme.foreground, fontsize=font_size(22))
        ax.set_xlabel(f"${names[0]}$", color=theme.muted, fontsize=font_size(20))
        ax.set_ylabel(f"${names[1]}$", color=theme.muted, fontsize=font_size(20))
        ax.tick_params(length=0, labelsize=font_size(16), labelcolor=theme.muted)
        if right:
            ax.yaxis.tick_right()
            ax.yaxis.set_label_position("right")
        for place in (ax.axhline, ax.axvline):
            place(0.0, color=theme.muted, linewidth=line_width(1.2), alpha=0.6, zorder=1)
        return ax

    def make_mesh(ax: Any) -> Callable[[np.ndarray, Box], None]:
        if mesh == "imshow":
            image = ax.imshow(
                np.zeros((resolution, resolution, 4), dtype=np.uint8),
                origin="upper",
                interpolation="bilinear",
                aspect="auto",
                zorder=0,
            )

            def paint_image(probabilities: np.ndarray, box: Box) -> None:
                image.set_data(colormap(probabilities))
                image.set_extent((*box[0], *box[1]))

            return paint_image
        edges = np.linspace(0.0, 1.0, resolution + 1)
        quads = ax.pcolormesh(
            edges,
            edges,
            np.zeros(shape),
            cmap=ListedColormap(colormap.table[:, :3] / 255.0),
            vmin=0.0,
            vmax=1.0,
            shading="flat",
            transform=ax.transAxes,
            zorder=0,
        )

        def paint_quads(probabilities: np.ndarray, box: Box) -> None:
            quads.set_array(probabilities[::-1].ravel())  # row 0 of the grid is the top

        return paint_quads

    def scatter(ax: Any, points: np.ndarray) -> list[Any]:
        # Class 1 first, class 0 on top, as in the panels.
        return [
            ax.scatter(
                points[labels == k, 0],
                points[labels == k, 1],
                s=dot_size,
                c=theme.class_colors[k],
                edgecolors=theme.dot_outline,
                linewidths=line_width(0.8),
                zorder=4 - k,
            )
            for k in (1, 0)
        ]

    def set_range(ax: Any, box: Box) -> None:
        ax.set_xlim(box[0])
        ax.set_ylim(box[1])
        ax.set_xticks(box[0], labels=[range_label(v) for v in box[0]])
        ax.set_yticks(box[1], labels=[range_label(v) for v in box[1]])

    input_view, hidden_view = panel_views()
    ax_in = make_axes(input_view, "input space", ("x_1", "x_2"), right=False)
    ax_hid = make_axes(hidden_view, "hidden space", ("h_1", "h_2"), right=True)
    paint_in, paint_hid = make_mesh(ax_in), make_mesh(ax_hid)
    set_range(ax_in, box_in)
    scatter(ax_in, np.asarray(run.X))
    hidden_dots = scatter(ax_hid, np.zeros((len(labels), 2)))
    (output_line,) = ax_hid.plot(
        [], [], color=theme.boundary, linewidth=line_width(3.0), zorder=2, solid_capstyle="butt"
    )
    xs, ys = pixel_centres(box_in, resolution)
    contour: list[Any] = []

    def update(t: float) -> list[Any]:
        state = trajectory.state(t)
        probabilities = forward.probability_grid(
            state.weights, activation, box_in[0], box_in[1], shape
        )
        paint_in(probabilities, box_in)
        if contour:
            contour.pop().remove()
        contour.append(
            ax_in.contour(
                xs,
                ys[::-1],
                probabilities[::-1],
                levels=[0.5],
                colors=[theme.boundary],
                linewidths=line_width(3.0),
                zorder=2,
            )
        )
        box = state.hidden_range
        paint_hid(hidden_probability_grid(state.weights, box, shape), box)
        set_range(ax_hid, box)
        line = forward.output_line(state.weights, box[0], box[1])
        if line is None:
            output_line.set_data([], [])
        else:
            output_line.set_data(line[:, 0], line[:, 1])
        for k, dots in zip((1, 0), hidden_dots, strict=True):
            dots.set_offsets(state.hidden[labels == k, :2])
        return []

    animation = FuncAnimation(
        fig, update, frames=settings.epochs, blit=False, repeat=False, cache_frame_data=False
    )
    if single_draw:
        canvas.draw_idle = lambda *args, **kwargs: None  # type: ignore[method-assign]
    writer = FFMpegWriter(fps=settings.fps, codec="libx264", extra_args=settings.x264_options())
    animation.save(str(out), writer=writer, dpi=MPL_DPI)
    return out


def pixel_centres(box: Box, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y of the mesh pixel centres (y from the top row down), as in
    :func:`nnviz.forward.grid_points`."""
    (x0, x1), (y0, y1) = box
    dx, dy = (x1 - x0) / resolution, (y1 - y0) / resolution
    offsets = np.arange(resolution) + 0.5
    return x0 + dx * offsets, y1 - dy * offsets


def range_label(value: float) -> str:
    """Return a range label as the panels print it."""
    return f"{value:.1f}".replace("-0.0", "0.0")
