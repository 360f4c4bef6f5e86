"""A Cairo camera with a fast path for axis-aligned images.

Manim's :class:`~manim.camera.camera.Camera` draws every image through a perspective transform
and composites a frame-sized RGBA image, which costs tens of milliseconds at 1080p. Images that
are not rotated need neither: :class:`FastImageCamera` resizes them to their on-screen rectangle
and blends only the pixels they cover. Other images take Manim's path unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import Camera
from manim.mobject.types.image_mobject import AbstractImageMobject
from PIL import Image

__all__ = ["FastImageCamera", "axis_aligned_rectangle", "blend_into"]


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


class FastImageCamera(Camera):
    """Manim's Cairo camera, drawing upright images by resize and a clipped blend."""

    def display_image_mobject(self, image_mobject: AbstractImageMobject, pixel_array: Any) -> None:
        corners = self.points_to_subpixel_coords(image_mobject, image_mobject.points)
        rectangle = axis_aligned_rectangle(corners)
        if rectangle is None:
            super().display_image_mobject(image_mobject, pixel_array)
            return
        left, top, right, bottom = (round(v) for v in rectangle)
        if right - left < 1 or bottom - top < 1:
            return
        source = np.ascontiguousarray(image_mobject.get_pixel_array(), dtype=np.uint8)
        image = Image.fromarray(source)
        if image.size != (right - left, bottom - top):
            image = image.resize(
                (right - left, bottom - top), resample=image_mobject.resampling_algorithm
            )
        blend_into(pixel_array, np.asarray(image), left, top)
