"""Manim 0.22's camera on Pillow 13: the transparent frame behind a turned image.

:meth:`manim.camera.camera.Camera.display_image_mobject` draws an image that is not upright
(turned or sheared: every image with Manim's own camera; with
:class:`~nnviz.manim_adapter.camera.FastCamera`, which draws upright images itself, only those)
through a perspective transform and pastes the result into a transparent frame-sized image,
which it makes with ``Image.fromarray(np.zeros((pixel_height, pixel_width)), mode="RGBA")``:
a float64 array whose bytes are read as RGBA pixels. Pillow deprecated a ``mode`` that changes
the array's data type in 11.3 (a ``DeprecationWarning`` on every such image in Pillow 12) and
Pillow 13 refuses it: ``ValueError: Invalid mode for data type`` from the first turned image.

:func:`read_arrays_in_manims_camera_as_pillow_12` gives Manim's camera module, in place of
:mod:`PIL.Image`, a view of it whose ``fromarray`` is :func:`fromarray_as_pillow_12`: Pillow's
own ``fromarray``, and where Pillow 13 refuses a mode of another data type, what Pillow 12 did
(read the array's bytes in that mode). The frame is then transparent black, as before; on
Pillow 12 nothing changes. :class:`~nnviz.manim_adapter.scene.AdaptedScene` calls it when a scene
is made. When a Manim release makes that frame some other way, this module can go.
"""

from __future__ import annotations

import types
from typing import Any

import manim.camera.camera as manim_camera
import numpy as np
from PIL import Image

__all__ = ["REFUSED", "fromarray_as_pillow_12", "read_arrays_in_manims_camera_as_pillow_12"]

#: Pillow 13's message where Pillow 12 read the array's bytes in the asked mode.
REFUSED = "Invalid mode for data type"


def fromarray_as_pillow_12(obj: Any, mode: str | None = None) -> Image.Image:
    """Return ``Image.fromarray(obj, mode)``; where Pillow refuses ``mode`` because it changes
    the array's data type (Pillow 13), read the array's bytes in ``mode`` as Pillow 12 did.

    Parameters
    ----------
    obj
        An array (anything with the array interface), shape (height, width[, channels]).
    mode
        The image mode; ``None`` takes the one of the array's shape and data type.
    """
    try:
        return Image.fromarray(obj, mode)
    except ValueError as error:
        if mode is None or str(error) != REFUSED:
            raise
    array = np.ascontiguousarray(obj)
    size = (1 if array.ndim == 1 else array.shape[1], array.shape[0])
    return Image.frombuffer(mode, size, array.tobytes(), "raw", mode, 0, 1)


class _PillowImageAsPillow12(types.ModuleType):
    """:mod:`PIL.Image` with :func:`fromarray_as_pillow_12` as its ``fromarray``."""

    def __init__(self) -> None:
        super().__init__(Image.__name__, Image.__doc__)
        self.fromarray = fromarray_as_pillow_12

    def __getattr__(self, name: str) -> Any:
        return getattr(Image, name)


def read_arrays_in_manims_camera_as_pillow_12() -> None:
    """Let Manim's camera module (:mod:`manim.camera.camera`, whose
    ``Camera.display_image_mobject`` draws turned images) read arrays as Pillow 12 did: its
    ``Image`` becomes :mod:`PIL.Image` with :func:`fromarray_as_pillow_12`. Idempotent."""
    if not isinstance(manim_camera.Image, _PillowImageAsPillow12):
        manim_camera.Image = _PillowImageAsPillow12()
