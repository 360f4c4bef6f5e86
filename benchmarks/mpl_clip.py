"""The matplotlib variant: a ``FuncAnimation`` of the same two panels, written by ffmpeg.

Every size, text and colour it mirrors is read from where nnviz defines it, never copied: the
panels' viewports (:class:`nnviz.mobjects.layout.TrainingLayout`), their stroke widths, font
sizes, captions, axis names and boundary level (:mod:`nnviz.mobjects.panels`), the dots
(:mod:`nnviz.mobjects.shapes`), the colours and font (:mod:`nnviz.theme`), the range labels'
font and format (:mod:`nnviz.mobjects.readout`, :func:`nnviz.formatting.fit_number`), the mesh
resolution (:class:`nnviz.stories.training.TrainingStory`, through :class:`Settings`); Manim's
conversions of stroke widths and font sizes to scene units are read from Manim.

One difference is left on purpose: the dots are drawn class by class (class 1, then class 0 on
top), not in the panels' seeded interleaving with the misclassified points last; the same dots
are drawn either way.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from manim.constants import SCALE_FACTOR_PER_FONT_POINT
from manim.mobject.text.text_mobject import TEXT2SVG_ADJUSTMENT_FACTOR, TEXT_MOB_SCALE_FACTOR

from nnviz import forward
from nnviz.colormap import DivergingColormap
from nnviz.formatting import fit_number
from nnviz.manim_adapter.camera import FastCamera
from nnviz.mobjects.layout import TrainingLayout
from nnviz.mobjects.panels import (
    AXES_OPACITY,
    AXES_STROKE_WIDTH,
    AXIS_NAME_FONT_SIZE,
    BOUNDARY_LEVEL,
    BOUNDARY_STROKE_WIDTH,
    CAPTION_FONT_SIZE,
    FRAME_STROKE_WIDTH,
    HIDDEN_CAPTION,
    INPUT_AXIS_NAMES,
    INPUT_CAPTION,
    RANGE_LABEL_FONT_SIZE,
    RANGE_LABEL_LENGTH,
    HiddenSpacePanel,
    hidden_probability_grid,
    input_box,
)
from nnviz.mobjects.readout import MONOSPACE_FONT
from nnviz.mobjects.shapes import DOT_RADIUS, ClassDots
from nnviz.run import Run
from nnviz.theme import active_theme
from nnviz.trajectory import Trajectory
from nnviz.view import Box, Viewport

from settings import Settings

__all__ = ["MPL_DPI", "MPL_MESHES", "render_matplotlib"]

#: Matplotlib's figure dpi (its default); figsize is the pixel size / dpi, exactly.
MPL_DPI = 100
#: Matplotlib measures line widths and font sizes in typographic points, 72 to the inch.
POINTS_PER_INCH = 72
#: Mesh drawings of the matplotlib variant.
MPL_MESHES = ("imshow", "pcolormesh")
#: Scene units per unit of stroke width: Manim's Cairo camera draws a stroke of width ``w`` as
#: ``w * cairo_line_width_multiple`` scene units (a default of the camera's constructor).
CAIRO_LINE_WIDTH_MULTIPLE: float = (
    inspect.signature(FastCamera.__init__).parameters["cairo_line_width_multiple"].default
)
#: CSS pixels per point: Manim reads Pango's SVG, sized in points, at 96 pixels to the inch.
SVG_PIXELS_PER_POINT = 96 / POINTS_PER_INCH
#: Scene units of one em of a :class:`manim.Text` per unit of ``font_size`` (1/72): Pango sets
#: the text at ``font_size / TEXT2SVG_ADJUSTMENT_FACTOR`` points, scaled by
#: ``TEXT_MOB_SCALE_FACTOR``.
TEXT_EM = TEXT_MOB_SCALE_FACTOR / TEXT2SVG_ADJUSTMENT_FACTOR * SVG_PIXELS_PER_POINT
#: The em of Manim's LaTeX template (``standalone`` at its default 10 pt), in points.
LATEX_EM_POINTS = 10
#: Scene units of one em of a :class:`manim.MathTex` per unit of ``font_size`` (1/96): the
#: SVG's points scaled by ``SCALE_FACTOR_PER_FONT_POINT``.
TEX_EM = SCALE_FACTOR_PER_FONT_POINT * LATEX_EM_POINTS
#: Matplotlib's mathtext font closest to LaTeX's (Computer Modern), for the axis names.
MATH_FONT = "cm"


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
    from matplotlib.colors import ListedColormap, to_rgba
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
    # Points per scene unit: scene units -> pixels -> points.
    points_per_unit = settings.pixels_per_unit * POINTS_PER_INCH / MPL_DPI

    def line_width(stroke: float) -> float:
        return stroke * CAIRO_LINE_WIDTH_MULTIPLE * points_per_unit

    def text_size(font_size: float) -> float:
        return font_size * TEXT_EM * points_per_unit

    def tex_size(font_size: float) -> float:
        return font_size * TEX_EM * points_per_unit

    fig = Figure(
        figsize=(settings.width / MPL_DPI, settings.height / MPL_DPI),
        dpi=MPL_DPI,
        facecolor=theme.background,
    )
    canvas = FigureCanvasAgg(fig)
    if canvas.get_width_height() != (settings.width, settings.height):
        raise RuntimeError(f"figure is {canvas.get_width_height()}, not the clip's size")

    # Scatter sizes are the squares of the markers' diameters in points.
    dot_size = (2 * DOT_RADIUS * points_per_unit) ** 2
    dot_outline = line_width(ClassDots.OUTLINE_WIDTH)
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
        # Drawing order as in the panels: mesh, axes, boundary, dots, frame.
        for spine in ax.spines.values():
            spine.set_color(theme.muted)
            spine.set_linewidth(line_width(FRAME_STROKE_WIDTH))
            spine.set_zorder(5)
        ax.set_title(
            caption,
            color=theme.foreground,
            fontsize=text_size(CAPTION_FONT_SIZE),
            fontfamily=theme.font,
        )
        name_style: dict[str, Any] = {
            "color": theme.muted,
            "fontsize": tex_size(AXIS_NAME_FONT_SIZE),
            "math_fontfamily": MATH_FONT,
        }
        ax.set_xlabel(f"${names[0]}$", **name_style)
        ax.set_ylabel(f"${names[1]}$", **name_style)
        ax.tick_params(
            length=0,
            labelsize=text_size(RANGE_LABEL_FONT_SIZE),
            labelcolor=theme.muted,
            labelfontfamily=MONOSPACE_FONT,
        )
        if right:
            ax.yaxis.tick_right()
            ax.yaxis.set_label_position("right")
        for place in (ax.axhline, ax.axvline):
            place(
                0.0,
                color=theme.muted,
                linewidth=line_width(AXES_STROKE_WIDTH),
                alpha=AXES_OPACITY,
                zorder=1,
            )
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
        # Class 1 first, class 0 on top; translucent fills, opaque outlines, as the dots.
        return [
            ax.scatter(
                points[labels == k, 0],
                points[labels == k, 1],
                s=dot_size,
                c=[to_rgba(theme.class_colors[k], ClassDots.FILL_OPACITY)],
                edgecolors=theme.dot_outline,
                linewidths=dot_outline,
                zorder=4 - k,
            )
            for k in (1, 0)
        ]

    def set_range(ax: Any, box: Box) -> None:
        ax.set_xlim(box[0])
        ax.set_ylim(box[1])
        ax.set_xticks(box[0], labels=[range_label(v) for v in box[0]])
        ax.set_yticks(box[1], labels=[range_label(v) for v in box[1]])

    hidden_names = HiddenSpacePanel.AXIS_NAMES[forward.HIDDEN.stage]
    ax_in = make_axes(TrainingLayout.INPUT_VIEW, INPUT_CAPTION, INPUT_AXIS_NAMES, right=False)
    ax_hid = make_axes(TrainingLayout.HIDDEN_VIEW, HIDDEN_CAPTION, hidden_names, right=True)
    paint_in, paint_hid = make_mesh(ax_in), make_mesh(ax_hid)
    set_range(ax_in, box_in)
    scatter(ax_in, np.asarray(run.X))
    hidden_dots = scatter(ax_hid, np.zeros((len(labels), 2)))
    (output_line,) = ax_hid.plot(
        [],
        [],
        color=theme.boundary,
        linewidth=line_width(BOUNDARY_STROKE_WIDTH),
        zorder=2,
        solid_capstyle="butt",
    )
    # The mesh pixels' centres (rows from the top down), for the contour.
    centres = forward.grid_points(box_in[0], box_in[1], shape).reshape(*shape, 2)
    xs, ys = centres[0, :, 0], centres[:, 0, 1]
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
                levels=[BOUNDARY_LEVEL],
                colors=[theme.boundary],
                linewidths=line_width(BOUNDARY_STROKE_WIDTH),
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


def range_label(value: float) -> str:
    """Return a range label as the panels print it (see
    :func:`nnviz.mobjects.readout.place_range_labels`)."""
    return fit_number(value, RANGE_LABEL_LENGTH)
