"""A Cairo camera with fast paths for what nnviz draws on every frame.

- **Upright images.** Manim's :class:`~manim.camera.camera.Camera` draws every image through a
  perspective transform and composites a frame-sized RGBA image, which costs tens of
  milliseconds at 1080p. Images that are not rotated need neither: they are resized to their
  on-screen rectangle and only the pixels they cover are blended. Other images take Manim's
  path.
- **Opaque images.** Pillow resizes an RGBA image by premultiplying its colours by alpha,
  resizing, and dividing again: two conversions of every pixel, which change nothing in an
  opaque image (the class field of a softmax output,
  :meth:`~nnviz.mobjects.panels.ProbabilityImage.paint_logits`). The upright path resizes
  such an image's bytes as ``RGBX`` instead (:func:`resize_opaque`): the same pixels (the
  tests check it), in about 0.6 of the time at 1080p.
- **Probability meshes.** An opaque :class:`~nnviz.mobjects.panels.ProbabilityImage` keeps the
  colour-map index of its pixels; the camera upscales that one channel and looks the colours
  up, instead of upscaling four (about twice as fast). Bilinear interpolation of the index is
  interpolation of the probability, so the colours in between are the map's own.
- **Dot clouds.** Manim builds a dot's path from four Bézier curves with one Python call each
  and strokes the outline, which Cairo makes expensive. A :class:`~nnviz.mobjects.shapes.DotCloud`
  is drawn dot by dot as two fills (``arc``): a ring of the outline colour between the outer and
  inner edge of the stroke, then the fill colour out to its inner edge; at 1080p this is 2.7
  times faster than Manim's path for 400 dots and looks the same. A
  :class:`~nnviz.mobjects.shapes.ClassDots` gives each dot its own colour (its class's, or the
  network's output). A cloud of few colours (classes) is not even drawn: each dot style is
  drawn that way once per sub-pixel offset (:class:`DotSprites`, 16 × 16 offsets, made when
  first needed) and the dots are painted from these small images at whole pixels, in order
  (about ten times faster again; centres move by at most 1/32 of a pixel).
- **Read-outs.** A :class:`~nnviz.mobjects.readout.GlyphSlot` of a changing text is drawn from
  its glyph's Cairo path, built once per glyph and translated, instead of Manim's per-curve
  path from the points on every frame.
- **Every other path** is built by Manim curve by curve once, and drawn again from the Cairo
  path while the mobject's points stay the same (a visible caption, frames, markers).
- **Straight segments.** A :class:`~nnviz.mobjects.shapes.Segments` is drawn with
  ``move_to``/``line_to``; Cairo strokes lines faster than the equivalent cubic curves.

Everything else takes Manim's path unchanged.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

import cairo
import numpy as np
from manim import Camera, ManimColor, VMobject
from manim.mobject.types.image_mobject import AbstractImageMobject
from PIL import Image
from typing_extensions import Self

from nnviz.manim_adapter.replaces import replaces
from nnviz.mobjects.panels import ProbabilityImage
from nnviz.mobjects.readout import GlyphSlot
from nnviz.mobjects.shapes import ClassDots, DotCloud, Segments

__all__ = [
    "DotSprites",
    "DotStyle",
    "FastCamera",
    "axis_aligned_rectangle",
    "blend_into",
    "is_invisible",
    "resize_opaque",
]


def axis_aligned_rectangle(corners: np.ndarray) -> tuple[float, float, float, float] | None:
    """Return ``(left, top, right, bottom)`` pixel coordinates if the corners form an upright
    rectangle, else ``None``.

    Parameters
    ----------
    corners
        Sub-pixel coordinates of the image's corners in Manim's order UL, UR, DL, DR, shape (4, 2).
    """
    (ulx, uly), (urx, ury), (dlx, dly), (drx, dry) = corners
    tolerance = 1e-6
    upright = (
        abs(uly - ury) < tolerance
        and abs(dly - dry) < tolerance
        and abs(ulx - dlx) < tolerance
        and abs(urx - drx) < tolerance
        and urx > ulx
        and dly > uly
    )
    return (float(ulx), float(uly), float(urx), float(dly)) if upright else None


def blend_into(frame: np.ndarray, image: np.ndarray, left: int, top: int) -> None:
    """Alpha-composite the RGBA ``image`` onto the RGBA ``frame`` with its corner at
    ``(left, top)``, clipping at the frame's edges. Works in place on ``frame``."""
    height, width = frame.shape[:2]
    x0, y0 = max(left, 0), max(top, 0)
    x1, y1 = min(left + image.shape[1], width), min(top + image.shape[0], height)
    if x0 >= x1 or y0 >= y1:
        return
    source = image[y0 - top : y1 - top, x0 - left : x1 - left]
    target = frame[y0:y1, x0:x1]
    alpha = source[..., 3:4]
    if np.all(alpha == 255):
        target[...] = source
        return
    a = alpha.astype(np.float32) / 255.0
    b = target[..., 3:4].astype(np.float32) / 255.0
    out_alpha = a + b * (1 - a)
    safe = np.where(out_alpha > 0, out_alpha, 1.0)
    rgb = (source[..., :3] * a + target[..., :3] * b * (1 - a)) / safe
    target[..., :3] = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    target[..., 3:4] = np.clip(np.rint(out_alpha * 255), 0, 255).astype(np.uint8)


def resize_opaque(source: np.ndarray, size: tuple[int, int], resample: int) -> np.ndarray:
    """Return the opaque RGBA image ``source`` resized to ``size`` (width, height): the pixels
    of Pillow's ``Image.fromarray(source).resize(size, resample)``, read-only.

    Pillow resizes RGBA through premultiplied alpha (two conversions of every pixel), which is
    the identity where alpha is 255 everywhere. Read as ``RGBX``, the bytes are resized as
    they are; the fourth byte, resampled from 255s only (weights that sum to one), stays 255.

    Parameters
    ----------
    source
        C-contiguous uint8 RGBA pixels, shape (rows, cols, 4), every alpha 255.
    size
        The width and height to resize to.
    resample
        Pillow's resampling filter.
    """
    rows, cols = source.shape[:2]
    image = Image.frombuffer("RGBX", (cols, rows), source, "raw", "RGBX", 0, 1)
    return np.asarray(image.resize(size, resample=resample))


@dataclass(frozen=True)
class DotStyle:
    """How one dot looks, in scene units: the outline's outer and inner radius, the dot's
    radius, whether it has an outline, the outline's and fill's colour (BGRA in [0, 1]), and
    the hole of a hollow dot, which the outline rings too."""

    outer: float
    inner: float
    radius: float
    ring: bool
    stroke: tuple[float, ...]
    fill: tuple[float, ...]
    #: Radius of a hollow dot's hole (a test point), 0 for a filled dot.
    hole: float = 0.0
    #: A ring around the dot (a misclassified point): the radius of its middle (0: none),
    #: its width and its colour (BGRA in [0, 1]).
    mark: float = 0.0
    mark_width: float = 0.0
    mark_rgba: tuple[float, ...] = ()

    @property
    def extent(self) -> float:
        """The largest distance from the centre that the dot paints, in scene units."""
        body = self.outer if self.ring else self.radius
        return max(body, self.mark + self.mark_width / 2 if self.mark > 0 else 0.0, 0.0)


class DotSprites:
    """Images of one dot style, drawn by Cairo as the camera drew each dot (a ring of the
    outline's colour with a hole, then the disc), at :attr:`PHASES` × :attr:`PHASES` sub-pixel
    offsets of the centre, rendered when first needed.

    Painting a dot's image onto the frame at a whole-pixel position composites the same
    pixels as drawing the dot there (compositing is associative, up to one level of 8-bit
    rounding), at about a tenth of the cost; the centre moves by at most 1/(2 PHASES) of a
    pixel.

    Parameters
    ----------
    style
        The dot.
    x_scale, y_scale
        Pixels per scene unit along x and y (y negative: the frame's y axis points down).
    """

    #: Sub-pixel offsets of the centre along each axis.
    PHASES = 16
    #: Clouds with more colours than this are drawn dot by dot.
    MAX_STYLES = 8
    #: Styles kept by a camera before its cache is emptied (a cloud of dots sized by their
    #: loss and ringed has up to classes × sizes × 2 of them, :mod:`nnviz.point_loss`).
    CACHED_STYLES = 96

    def __init__(self, style: DotStyle, x_scale: float, y_scale: float) -> None:
        self.style = style
        self.x_scale, self.y_scale = x_scale, y_scale
        extent = style.extent * max(abs(x_scale), abs(y_scale))
        #: Pixels from a sprite's corner to the centre of a dot at phase 0.
        self.half = math.ceil(extent) + 2
        self.size = 2 * self.half + 2
        self._images: dict[tuple[int, int], cairo.ImageSurface] = {}

    def image(self, phase_x: int, phase_y: int) -> cairo.ImageSurface:
        """Return the dot with its centre ``phase / PHASES`` of a pixel right of and below
        pixel ``(half, half)``'s corner."""
        key = (phase_x, phase_y)
        image = self._images.get(key)
        if image is None:
            image = self._images[key] = self._render(phase_x, phase_y)
        return image

    def _render(self, phase_x: int, phase_y: int) -> cairo.ImageSurface:
        style = self.style
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, self.size, self.size)
        ctx = cairo.Context(surface)
        ctx.set_matrix(
            cairo.Matrix(
                self.x_scale,
                0,
                0,
                self.y_scale,
                self.half + phase_x / self.PHASES,
                self.half + phase_y / self.PHASES,
            )
        )
        _dot_path(ctx, 0.0, 0.0, style)
        surface.flush()
        return surface


def _dot_path(ctx: cairo.Context, x: float, y: float, style: DotStyle) -> None:
    """Draw one dot of ``style`` centred at ``(x, y)``: the outline's ring (with a hole, so a
    translucent fill shows what lies below), then the fill; a hollow dot's fill is a ring too,
    and the outline rings its hole."""
    tau = 2 * math.pi
    half_outline = style.outer - style.radius if style.ring else 0.0
    hole_outer, hole_inner = style.hole + half_outline, max(style.hole - half_outline, 0.0)
    ctx.new_path()
    if style.ring:
        ctx.arc(x, y, style.outer, 0.0, tau)
        ctx.new_sub_path()
        ctx.arc_negative(x, y, style.inner, tau, 0.0)
        if style.hole > 0:
            ctx.new_sub_path()
            ctx.arc(x, y, hole_outer, 0.0, tau)
            ctx.new_sub_path()
            ctx.arc_negative(x, y, hole_inner, tau, 0.0)
        ctx.set_source_rgba(*style.stroke)
        ctx.fill()
    ctx.arc(x, y, style.inner if style.ring else style.radius, 0.0, tau)
    if style.hole > 0:
        ctx.new_sub_path()
        ctx.arc_negative(x, y, hole_outer, tau, 0.0)
    ctx.set_source_rgba(*style.fill)
    ctx.fill()
    if style.mark > 0:
        ctx.arc(x, y, style.mark + style.mark_width / 2, 0.0, tau)
        ctx.new_sub_path()
        ctx.arc_negative(x, y, max(style.mark - style.mark_width / 2, 0.0), tau, 0.0)
        ctx.set_source_rgba(*style.mark_rgba)
        ctx.fill()


def _paint_sprites(
    ctx: cairo.Context, centres: np.ndarray, sprites: list[DotSprites], which: np.ndarray
) -> None:
    """Paint dot ``i`` as ``sprites[which[i]]`` at ``centres[i]`` (scene units), in order."""
    m = ctx.get_matrix()
    phases = DotSprites.PHASES
    x = (m.xx * centres[:, 0] + m.xy * centres[:, 1] + m.x0) * phases
    y = (m.yx * centres[:, 0] + m.yy * centres[:, 1] + m.y0) * phases
    # Nearest sub-pixel position; drop dots far outside the frame (Cairo clips the rest).
    finite = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < 1e9) & (np.abs(y) < 1e9)
    column, phase_x = np.divmod(np.rint(x[finite]).astype(np.int64), phases)
    row, phase_y = np.divmod(np.rint(y[finite]).astype(np.int64), phases)
    which = np.asarray(which)[finite]
    # One index per (style, phase): look each image up once, then paint from a list.
    per_style = phases * phases
    keys = which * per_style + phase_x * phases + phase_y
    table: list[Any] = [None] * (len(sprites) * per_style)
    for key in np.unique(keys).tolist():
        style, phase = divmod(key, per_style)
        table[key] = sprites[style].image(*divmod(phase, phases))
    half = np.array([s.half for s in sprites], dtype=np.int64)[which]
    ctx.save()
    ctx.identity_matrix()
    set_source, paint = ctx.set_source_surface, ctx.paint
    for key, c, r in zip(
        keys.tolist(), (column - half).tolist(), (row - half).tolist(), strict=True
    ):
        set_source(table[key], c, r)
        paint()
    ctx.restore()


def is_invisible(vmobject: VMobject) -> bool:
    """Return whether drawing ``vmobject`` paints nothing: its fill, stroke and background
    stroke are all fully transparent (or of no width), as a hidden caption is.

    Manim builds such a path curve by curve and fills and strokes it with alpha 0; skipping it
    leaves every pixel as it is.
    """
    # Opacities are never negative: any non-zero one paints (ndarray.any is the cheap test).
    if vmobject.fill_rgbas[:, 3].any():
        return False
    for width, rgbas in (
        (vmobject.stroke_width, vmobject.stroke_rgbas),
        (vmobject.background_stroke_width, vmobject.background_stroke_rgbas),
    ):
        if width and rgbas[:, 3].any():
            return False
    return True


class FastCamera(Camera):
    """Manim's Cairo camera with the fast paths described in the module docstring."""

    @replaces(
        Camera.display_vectorized,
        because="nnviz's dot clouds, straight segments and read-out glyphs are drawn by fast "
        "paths, and every other path is set from the Cairo path built while its points stay "
        "the same; the rest of the body is Manim's (background stroke, fill, stroke)",
        copied_digest="581ba5b6f50f1db5",
    )
    def display_vectorized(self, vmobject: VMobject, ctx: cairo.Context) -> Self:
        if is_invisible(vmobject):  # fill and strokes all transparent: nothing to draw
            return self
        if isinstance(vmobject, DotCloud) and len(vmobject.points):
            self._draw_dots(vmobject, ctx)
            return self
        if isinstance(vmobject, Segments):
            self._draw_segments(vmobject, ctx)
            return self
        if (
            isinstance(vmobject, GlyphSlot)
            and vmobject.glyph is not None
            and vmobject.points is vmobject.written
        ):
            self._draw_glyph(vmobject, vmobject.glyph, ctx)
            return self
        self._set_path_once(ctx, vmobject)
        self.apply_stroke(ctx, vmobject, background=True)  # as Manim's display_vectorized
        self.apply_fill(ctx, vmobject)
        self.apply_stroke(ctx, vmobject)
        return self

    def _set_path_once(self, ctx: cairo.Context, vmobject: VMobject) -> None:
        """Set ``vmobject``'s path as Manim's ``set_cairo_context_path`` does, from the Cairo
        path built the last time its points were the same.

        Manim builds the path curve by curve in Python on every frame: for a visible caption
        of 30 glyphs at 1080p, about 4 ms a frame. Comparing the points with a copy is cheap.
        """
        paths: weakref.WeakKeyDictionary[VMobject, tuple[np.ndarray, cairo.Path]] = (
            self.__dict__.setdefault("_paths", weakref.WeakKeyDictionary())
        )
        points = vmobject.points
        if not len(points):  # Manim leaves the context's path as it is: so do we
            self.set_cairo_context_path(ctx, vmobject)
            return
        entry = paths.get(vmobject)
        if (
            entry is not None
            and entry[0].shape == points.shape
            and np.array_equal(entry[0], points)
        ):
            ctx.new_path()
            ctx.append_path(entry[1])
            return
        self.set_cairo_context_path(ctx, vmobject)
        paths[vmobject] = (points.copy(), ctx.copy_path())

    def _draw_glyph(self, slot: GlyphSlot, glyph: np.ndarray, ctx: cairo.Context) -> None:
        """Draw a glyph slot as Manim would, from the glyph's path built once, translated."""
        paths: dict[int, tuple[np.ndarray, cairo.Path]] = self.__dict__.setdefault(
            "_glyph_paths", {}
        )
        entry = paths.get(id(glyph))
        if entry is None or entry[0] is not glyph:
            template = VMobject()
            template.points = glyph
            self.set_cairo_context_path(ctx, template)
            entry = paths[id(glyph)] = (glyph, ctx.copy_path())
        dx, dy = (slot.points[0] - glyph[0])[:2].tolist()
        ctx.new_path()
        ctx.save()
        ctx.translate(dx, dy)
        ctx.append_path(entry[1])
        ctx.restore()  # the path stays; only the translation goes
        self.apply_stroke(ctx, slot, background=True)
        self.apply_fill(ctx, slot)
        self.apply_stroke(ctx, slot)

    def _draw_dots(self, cloud: DotCloud, ctx: cairo.Context) -> None:
        centres, radius = cloud.centres_and_radius()
        outline = cloud.get_stroke_width() * self.cairo_line_width_multiple
        # The surface stores BGR(A): swap the channels as Manim's colour setter does.
        stroke = tuple(self.get_stroke_rgbas(cloud)[0][[2, 1, 0, 3]].tolist())
        fill = self.get_fill_rgbas(cloud)[0][[2, 1, 0, 3]]
        ring = outline > 0 and stroke[3] > 0
        outer, inner = radius + outline / 2, max(radius - outline / 2, 0.0)
        if isinstance(cloud, ClassDots) and cloud.point_rgb is None:
            # Each dot in its class's colour, at the cloud's (possibly fading) opacity.
            palette = np.column_stack(
                [cloud.class_rgb[:, [2, 1, 0]], np.full(len(cloud.class_rgb), fill[3])]
            )
            which = cloud.draw_labels
        else:
            if isinstance(cloud, ClassDots):  # a colour of its own for every dot
                fills = np.empty((len(centres), 4))
                fills[:, :3] = cloud.draw_rgb[:, [2, 1, 0]]
                fills[:, 3] = fill[3]
            else:
                fills = np.broadcast_to(fill, (len(centres), 4))
            palette, which = np.unique(fills, axis=0, return_inverse=True)
        which = np.asarray(which).ravel()
        hollow = cloud.draw_hollow if isinstance(cloud, ClassDots) else None
        hole = radius * ClassDots.HOLE
        if isinstance(cloud, ClassDots) and (
            cloud.point_scale is not None or cloud.point_ringed is not None
        ):
            base = DotStyle(outer, inner, radius, ring, stroke, (), hole)
            self._draw_marked_dots(ctx, cloud, centres, base, palette, which, hollow)
            return
        # A style per colour, and per colour of a hollow dot (a test point) when there are any.
        colours = [tuple(f) for f in palette.tolist()]
        styles = [DotStyle(outer, inner, radius, ring, stroke, f) for f in colours]
        if hollow is not None:
            styles += [DotStyle(outer, inner, radius, ring, stroke, f, hole) for f in colours]
            which = which + len(colours) * hollow.astype(np.int64)
        if len(styles) <= DotSprites.MAX_STYLES:
            sprites = [self._dot_sprites(ctx, style) for style in styles]
            _paint_sprites(ctx, centres, sprites, which)
            return
        # Many colours (a colour per dot): dot by dot, in drawing order, so every dot keeps its
        # outline where dots overlap.
        for (x, y), index in zip(centres[:, :2].tolist(), which.tolist(), strict=True):
            _dot_path(ctx, x, y, styles[index])

    def _draw_marked_dots(
        self,
        ctx: cairo.Context,
        cloud: ClassDots,
        centres: np.ndarray,
        base: DotStyle,
        palette: np.ndarray,
        which: np.ndarray,
        hollow: np.ndarray | None,
    ) -> None:
        """Draw dots of their own sizes and rings (:meth:`ClassDots.mark_points`): a style per
        colour, hollowness, size and ring that occurs, as sprites while the colours are few
        (the sizes are a few levels, :mod:`nnviz.point_loss`), else dot by dot."""
        count = len(centres)
        scale = cloud.draw_scale
        ringed = cloud.draw_ringed
        holes = np.zeros(count, dtype=bool) if hollow is None else np.asarray(hollow, dtype=bool)
        factors = np.ones(count) if scale is None else np.asarray(scale, dtype=np.float64)
        rings = np.zeros(count, dtype=bool) if ringed is None else np.asarray(ringed, dtype=bool)
        sizes, size_index = np.unique(factors, return_inverse=True)
        keys = np.column_stack([which, holes, size_index.ravel(), rings]).astype(np.int64)
        kinds, index = np.unique(keys, axis=0, return_inverse=True)
        half_outline = base.outer - base.radius
        gap = base.radius * ClassDots.RING_GAP
        width = ClassDots.RING_WIDTH * self.cairo_line_width_multiple
        ring_rgb = ManimColor(cloud.ring_color).to_rgb()[::-1]
        ring_rgba = (*ring_rgb, float(base.stroke[3]))  # as opaque as the outline (fades)
        styles = []
        for colour, is_hollow, size, is_ringed in kinds.tolist():
            radius = base.radius * float(sizes[size])
            styles.append(DotStyle(
                radius + half_outline, max(radius - half_outline, 0.0), radius, base.ring,
                base.stroke, tuple(palette[colour].tolist()),
                radius * ClassDots.HOLE if is_hollow else 0.0,
                radius + gap if is_ringed else 0.0, width if is_ringed else 0.0,
                ring_rgba if is_ringed else (),
            ))  # fmt: skip
        index = np.asarray(index).ravel()
        colours = len(palette) * (2 if hollow is not None else 1)
        if colours <= DotSprites.MAX_STYLES:
            sprites = [self._dot_sprites(ctx, style) for style in styles]
            _paint_sprites(ctx, centres, sprites, index)
            return
        for (x, y), k in zip(centres[:, :2].tolist(), index.tolist(), strict=True):
            _dot_path(ctx, x, y, styles[k])

    def _dot_sprites(self, ctx: cairo.Context, style: DotStyle) -> DotSprites:
        """Return the sprites of one dot style at the context's scale (kept for reuse)."""
        m = ctx.get_matrix()
        key = (style, m.xx, m.yy)
        cache: dict[tuple[DotStyle, float, float], DotSprites] = self.__dict__.setdefault(
            "_sprite_cache", {}
        )
        if key not in cache:
            if len(cache) >= DotSprites.CACHED_STYLES:  # a fade makes a style per frame
                cache.clear()
            cache[key] = DotSprites(style, m.xx, m.yy)
        return cache[key]

    def _draw_segments(self, segments: Segments, ctx: cairo.Context) -> None:
        ends = segments.points.reshape(-1, 4, 3)[:, [0, 3], :2].reshape(-1, 4)
        ctx.new_path()
        move_to, line_to = ctx.move_to, ctx.line_to
        for x0, y0, x1, y1 in ends.tolist():
            move_to(x0, y0)
            line_to(x1, y1)
        self.apply_stroke(ctx, segments)

    @replaces(
        Camera.display_image_mobject,
        because="an upright image is resized to its on-screen rectangle and blended where it "
        "lies (probability meshes through their colour index, opaque ones as RGBX) instead of "
        "a perspective transform of a frame-sized image; any other image takes Manim's method",
    )
    def display_image_mobject(self, image_mobject: AbstractImageMobject, pixel_array: Any) -> None:
        corners = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
        rectangle = axis_aligned_rectangle(corners)
        if rectangle is None:
            super().display_image_mobject(image_mobject, pixel_array)
            return
        left, top, right, bottom = (round(v) for v in rectangle)
        if right - left < 1 or bottom - top < 1:
            return
        size = (right - left, bottom - top)
        if (
            isinstance(image_mobject, ProbabilityImage)
            and image_mobject.levels is not None
            and image_mobject.painted is image_mobject.get_pixel_array()
            and np.all(image_mobject.painted[..., 3] == 255)
        ):
            # An opaque colour-mapped mesh: upscale its one-channel colour-map index, then look
            # the colours up (PIL palette), half the work of upscaling four channels.
            image = Image.fromarray(image_mobject.levels).resize(
                size, resample=image_mobject.resampling_algorithm
            )
            image.putpalette(image_mobject.colormap.palette)
            blend_into(pixel_array, np.asarray(image.convert("RGBA")), left, top)
            return
        source = np.ascontiguousarray(image_mobject.get_pixel_array(), dtype=np.uint8)
        resample = image_mobject.resampling_algorithm
        if source.shape[-1] == 4 and source.shape[1::-1] != size and source[..., 3].min() == 255:
            # An opaque image (a class field): resized without the alpha conversions.
            blend_into(pixel_array, resize_opaque(source, size, resample), left, top)
            return
        image = Image.fromarray(source)
        if image.size != size:
            image = image.resize(size, resample=resample)
        blend_into(pixel_array, np.asarray(image), left, top)
