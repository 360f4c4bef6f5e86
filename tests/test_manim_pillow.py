"""Manim 0.22's camera on Pillow 13 (:mod:`nnviz.manim_adapter.pillow`).

Manim draws a turned image on a transparent frame it makes from a float64 array read as RGBA,
which Pillow 13 refuses. With the adapter the turned image is drawn (the colours checked by
hand: a uniform red image over a blue square); on an older Pillow the adapter changes no pixel.
"""

from __future__ import annotations

from pathlib import Path

import manim.camera.camera as manim_camera
import numpy as np
import PIL
import pytest
from manim import Camera, ImageMobject, Scene, Square, tempconfig
from PIL import Image

from nnviz.manim_adapter.pillow import (
    REFUSED,
    fromarray_as_pillow_12,
    read_arrays_in_manims_camera_as_pillow_12,
)

PILLOW_13 = int(PIL.__version__.split(".")[0]) >= 13

RED = [255, 0, 0, 255]
BLUE = [0, 0, 255, 255]
BLACK = [0, 0, 0, 255]

WIDTH, HEIGHT = 320, 180
PIXELS_PER_UNIT = WIDTH / 14.222222222222221  # Manim's frame is 8 units high, 16:9


def pixel(x: float, y: float) -> tuple[int, int]:
    """The (row, column) of the frame pixel at scene point (x, y)."""
    return round(HEIGHT / 2 - y * PIXELS_PER_UNIT), round(WIDTH / 2 + x * PIXELS_PER_UNIT)


def turned_image_frame(
    scene_base: type[Scene], camera: type[Camera] | None, media: Path
) -> np.ndarray:
    """The last frame of a uniform red image (3 × 2 units at the centre, turned by 0.3 rad)
    over a blue 6-unit square on black, as uint8 RGBA."""

    class TurnedImage(scene_base):  # type: ignore[valid-type,misc]
        def construct(self) -> None:
            pixels = np.zeros((20, 30, 4), dtype=np.uint8)
            pixels[...] = RED
            image = ImageMobject(pixels).scale_to_fit_width(3).rotate(0.3)
            self.add(Square(6, fill_color="#0000FF", fill_opacity=1, stroke_width=0), image)

    settings = {"pixel_width": WIDTH, "pixel_height": HEIGHT, "save_last_frame": True,
                "write_to_movie": False, "media_dir": str(media), "verbosity": "ERROR",
                "disable_caching": True, "background_color": "#000000"}  # fmt: skip
    with tempconfig(settings):
        scene = TurnedImage() if camera is None else TurnedImage(camera_class=camera)
        scene.render()
        return np.array(scene.renderer.get_frame())


def without_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give Manim's camera module Pillow's own :mod:`PIL.Image` back (for this test)."""
    monkeypatch.setattr(manim_camera, "Image", Image)


def check_turned_image(frame: np.ndarray) -> None:
    np.testing.assert_array_equal(frame[pixel(0, 0)], RED)  # the image's centre
    # Inside the turned image and outside it unturned, and the other way round.
    np.testing.assert_array_equal(frame[pixel(1.0, 1.1)], RED)
    np.testing.assert_array_equal(frame[pixel(1.4, -0.9)], BLUE)
    np.testing.assert_array_equal(frame[pixel(2.8, 2.8)], BLUE)
    np.testing.assert_array_equal(frame[pixel(5, 0)], BLACK)  # beside the square


@pytest.mark.render
@pytest.mark.parametrize("camera", [Camera, "FastCamera"])
def test_a_turned_image_is_drawn_with_the_adapter(
    camera: type[Camera] | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnviz.manim_adapter.camera import FastCamera  # draws turned images through Manim's path

    without_the_adapter(monkeypatch)
    read_arrays_in_manims_camera_as_pillow_12()
    frame = turned_image_frame(Scene, FastCamera if camera == "FastCamera" else camera, tmp_path)
    check_turned_image(frame)


@pytest.mark.render
def test_an_nnviz_scene_applies_the_adapter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnviz.stories.base import NNVizScene

    without_the_adapter(monkeypatch)
    frame = turned_image_frame(NNVizScene, None, tmp_path)
    assert manim_camera.Image is not Image
    np.testing.assert_array_equal(frame[pixel(0, 0)], RED)
    np.testing.assert_array_equal(frame[pixel(2.8, 2.8)], BLUE)


@pytest.mark.render
@pytest.mark.skipif(PILLOW_13, reason="Pillow 13 refuses Manim's frame without the adapter")
def test_the_adapter_changes_no_pixel_on_an_older_pillow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_the_adapter(monkeypatch)
    with pytest.warns(DeprecationWarning, match="changing data types"):
        before = turned_image_frame(Scene, Camera, tmp_path)
    read_arrays_in_manims_camera_as_pillow_12()
    after = turned_image_frame(Scene, Camera, tmp_path)
    check_turned_image(before)
    np.testing.assert_array_equal(after, before)


@pytest.mark.render
@pytest.mark.skipif(not PILLOW_13, reason="Pillow 12 reads the frame (with a warning)")
def test_manims_camera_needs_the_adapter_on_pillow_13(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # When this fails, Manim makes its frame another way and the adapter can go.
    without_the_adapter(monkeypatch)
    with pytest.raises(ValueError, match=REFUSED):
        turned_image_frame(Scene, Camera, tmp_path)


def test_manims_frame_is_transparent_black() -> None:
    # Manim's call: Image.fromarray(np.zeros((pixel_height, pixel_width)), mode="RGBA").
    image = fromarray_as_pillow_12(np.zeros((3, 5)), mode="RGBA")
    assert (image.mode, image.size) == ("RGBA", (5, 3))
    np.testing.assert_array_equal(np.asarray(image), np.zeros((3, 5, 4), dtype=np.uint8))


def test_a_mode_of_the_arrays_own_type_is_pillows_own() -> None:
    pixels = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    image = fromarray_as_pillow_12(pixels, mode="RGBA")
    assert image.mode == "RGBA"
    np.testing.assert_array_equal(np.asarray(image), pixels)
    gray = fromarray_as_pillow_12(pixels[..., 0])
    assert gray.mode == "L"
    np.testing.assert_array_equal(np.asarray(gray), pixels[..., 0])


def test_what_pillow_cannot_read_without_a_mode_still_fails() -> None:
    with pytest.raises(TypeError, match="Cannot handle this data type"):
        fromarray_as_pillow_12(np.zeros((2, 2, 4)))


def test_only_manims_camera_module_sees_the_adapter(monkeypatch: pytest.MonkeyPatch) -> None:
    without_the_adapter(monkeypatch)
    read_arrays_in_manims_camera_as_pillow_12()
    read_arrays_in_manims_camera_as_pillow_12()  # idempotent
    assert manim_camera.Image.fromarray is fromarray_as_pillow_12
    assert Image.fromarray is not fromarray_as_pillow_12  # Pillow itself is untouched
    assert manim_camera.Image.Transform is Image.Transform
    assert manim_camera.Image.alpha_composite is Image.alpha_composite
