"""The fast path for upright images draws what Manim's own camera draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import Camera, ImageMobject, Scene, Square, tempconfig

from nnviz.mobjects.camera import FastImageCamera, axis_aligned_rectangle, blend_into

pytestmark = pytest.mark.render


def test_blend_into_composites_by_hand() -> None:
    frame = np.zeros((4, 4, 4), dtype=np.uint8)
    frame[..., :] = [0, 0, 200, 255]
    image = np.zeros((2, 2, 4), dtype=np.uint8)
    image[..., :] = [255, 0, 0, 128]
    blend_into(frame, image, left=3, top=-1)  # only pixel (0, 3) is covered
    a = 128 / 255
    expected = [round(255 * a), 0, round(200 * (1 - a)), 255]
    np.testing.assert_array_equal(frame[0, 3], expected)
    np.testing.assert_array_equal(frame[1, 3], [0, 0, 200, 255])
    opaque = np.full((2, 2, 4), 255, dtype=np.uint8)
    blend_into(frame, opaque, 0, 0)
    np.testing.assert_array_equal(frame[:2, :2], 255)


def test_axis_aligned_rectangle() -> None:
    upright = np.array([[10, 5], [50, 5], [10, 30], [50, 30]], dtype=float)
    assert axis_aligned_rectangle(upright) == (10, 5, 50, 30)
    rotated = np.array([[10, 5], [50, 8], [8, 30], [48, 33]], dtype=float)
    assert axis_aligned_rectangle(rotated) is None


def render_with(camera_class: type[Camera], rotate: bool, media: Path) -> np.ndarray:
    rng = np.random.default_rng(0)
    pixels = np.zeros((20, 30, 4), dtype=np.uint8)
    pixels[..., :3] = rng.integers(0, 255, (20, 30, 3))
    pixels[..., 3] = 255
    pixels[:5, :, 3] = 100  # a translucent band

    class ImageScene(Scene):
        def construct(self) -> None:
            image = ImageMobject(pixels).scale_to_fit_width(6).shift([1.0, 0.5, 0])
            if rotate:
                image.rotate(0.3)
            self.add(Square(4, fill_opacity=1, color="#3366FF"), image)

    settings = {"pixel_width": 320, "pixel_height": 180, "save_last_frame": True,
                "write_to_movie": False, "media_dir": str(media), "verbosity": "ERROR",
                "disable_caching": True}  # fmt: skip
    with tempconfig(settings):
        scene = ImageScene(camera_class=camera_class)
        scene.render()
        return np.array(scene.renderer.get_frame()).astype(np.int16)


@pytest.mark.parametrize("rotate", [False, True])
def test_fast_camera_matches_manims_camera(rotate: bool, tmp_path: Path) -> None:
    stock = render_with(Camera, rotate, tmp_path)
    fast = render_with(FastImageCamera, rotate, tmp_path)
    diff = np.abs(stock - fast)
    # Same placement and colours; edges may differ by resampling (one pixel column/row).
    assert diff.mean() < 2.0
    assert (diff.max(axis=-1) > 60).mean() < 0.02
