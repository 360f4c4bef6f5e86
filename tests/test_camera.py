"""The fast path for upright images draws what Manim's own camera draws."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import DOWN, RIGHT, UP, Camera, ImageMobject, Scene, Square, tempconfig

from nnviz.manim_adapter.camera import FastCamera, axis_aligned_rectangle, blend_into
from nnviz.manim_adapter.pillow import read_arrays_in_manims_camera_as_pillow_12

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
    # Manim draws a turned image on a frame Pillow 13 refuses to make, as NNVizScene does.
    read_arrays_in_manims_camera_as_pillow_12()
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
    fast = render_with(FastCamera, rotate, tmp_path)
    diff = np.abs(stock - fast)
    # Same placement and colours; edges may differ by resampling (one pixel column/row).
    assert diff.mean() < 2.0
    assert (diff.max(axis=-1) > 60).mean() < 0.02


def last_frame(scene_class: type[Scene], camera_class: type[Camera], media: Path) -> np.ndarray:
    """Render ``scene_class``'s last frame at 480x270 with ``camera_class``, as int16 RGBA."""
    settings = {"pixel_width": 480, "pixel_height": 270, "save_last_frame": True,
                "media_dir": str(media), "verbosity": "ERROR", "disable_caching": True}  # fmt: skip
    with tempconfig(settings):
        scene = scene_class(camera_class=camera_class)
        scene.render()
        return np.array(scene.renderer.get_frame()).astype(np.int16)


def render_shapes(camera_class: type[Camera], media: Path) -> np.ndarray:
    from nnviz.mobjects.shapes import DotCloud, Segments

    class Shapes(Scene):
        def construct(self) -> None:
            # Dots far enough apart not to overlap: both cameras must draw the same picture.
            grid = np.stack(np.meshgrid(np.linspace(-5, 5, 9), np.linspace(-3, 3, 5)), -1)
            centres = grid.reshape(-1, 2) + 0.05
            dots = DotCloud(centres, radius=0.2, fill_color="#FF9F43",
                            stroke_color="#FFFFFF", stroke_width=3)  # fmt: skip
            ends = np.array([[[-6, -3.5], [6, 3.5]], [[-6, 3.5], [6, -3.5]], [[0, -4], [0, 4]]])
            lines = Segments(ends, stroke_color="#4DABF7", stroke_width=4)
            self.add(lines, dots)

    return last_frame(Shapes, camera_class, media)


def test_fast_dots_and_segments_match_manims_camera(tmp_path: Path) -> None:
    stock = render_shapes(Camera, tmp_path)
    fast = render_shapes(FastCamera, tmp_path)
    assert (stock[..., :3].max(axis=-1) > 100).mean() > 0.05  # there is a picture to compare
    diff = np.abs(stock - fast)
    # Arcs vs Bézier circles and lines vs straight cubics: anti-aliasing differences only.
    assert diff.mean() < 1.0
    assert (diff.max(axis=-1) > 60).mean() < 0.005


def test_mesh_palette_path_matches_the_rgba_path(tmp_path: Path) -> None:
    from nnviz.colormap import DivergingColormap
    from nnviz.mobjects.panels import ProbabilityImage
    from nnviz.theme import THEMES
    from nnviz.view import Viewport

    x, y = np.meshgrid(np.linspace(-3, 3, 60), np.linspace(-3, 3, 60))
    probabilities = 1 / (1 + np.exp(-(x * y + x)))  # a smooth field crossing 0.5 twice

    def render(use_index: bool) -> np.ndarray:
        class Mesh(Scene):
            def construct(self) -> None:
                cmap = DivergingColormap.from_theme(THEMES["dark"])
                mesh = ProbabilityImage(Viewport((0.5, 0.2), 5.0, 5.0), 60, cmap)
                mesh.paint(probabilities)
                if not use_index:
                    mesh.painted = None  # the camera then upscales the RGBA array
                self.add(mesh)

        settings = {"pixel_width": 480, "pixel_height": 270, "save_last_frame": True,
                    "media_dir": str(tmp_path), "verbosity": "ERROR"}  # fmt: skip
        with tempconfig(settings):
            scene = Mesh(camera_class=FastCamera)
            scene.render()
            return np.array(scene.renderer.get_frame()).astype(np.int16)

    index_path, rgba_path = render(True), render(False)
    diff = np.abs(index_path - rgba_path)
    # Interpolating the index (the probability) or the colours differ by rounding only,
    # except where the map bends at p = 0.5.
    assert np.percentile(diff.max(axis=-1), 99) <= 3
    assert diff.mean() < 0.5


def test_a_dot_sprite_is_centred_at_its_phase() -> None:
    from nnviz.manim_adapter.camera import DotSprites, DotStyle

    style = DotStyle(0.21, 0.19, 0.2, True, (1.0, 1.0, 1.0, 1.0), (0.2, 0.6, 1.0, 0.85))
    sprites = DotSprites(style, 60.0, -60.0)
    for phase in [(0, 0), (5, 11), (15, 3)]:
        image = sprites.image(*phase)
        alpha = np.ndarray((image.get_height(), image.get_stride() // 4, 4), np.uint8,
                           image.get_data())[:, : image.get_width(), 3].astype(float)  # fmt: skip
        rows, cols = np.indices(alpha.shape) + 0.5  # pixel centres
        centre = (cols * alpha).sum() / alpha.sum(), (rows * alpha).sum() / alpha.sum()
        expected = np.array([sprites.half, sprites.half]) + np.array(phase) / DotSprites.PHASES
        # Cairo samples a disc with a bias of about 1/50 pixel; a phase is 1/16.
        np.testing.assert_allclose(centre, expected, atol=0.03)
        # The whole dot is inside the image, with a margin.
        assert alpha[0].max() == alpha[-1].max() == alpha[:, 0].max() == alpha[:, -1].max() == 0


def render_class_dots(media: Path, by_sprites: bool) -> np.ndarray:
    from nnviz.manim_adapter.camera import DotSprites
    from nnviz.mobjects.shapes import ClassDots

    rng = np.random.default_rng(3)
    # Piles of dots: overlaps everywhere, in a seeded interleaving of the two classes.
    centres = np.concatenate([rng.normal(-1.5, 0.4, (150, 2)), rng.normal(1.0, 0.25, (150, 2))])
    labels = rng.integers(0, 2, len(centres))

    class Dots(Scene):
        def construct(self) -> None:
            dots = ClassDots(labels, ("#FF9F43", "#4DABF7"), radius=0.08,
                             stroke_color="#101010", stroke_width=1.5)  # fmt: skip
            dots.place(centres)
            self.add(dots)

    limit = DotSprites.MAX_STYLES
    DotSprites.MAX_STYLES = limit if by_sprites else 0  # 0: every cloud dot by dot
    try:
        return last_frame(Dots, FastCamera, media)
    finally:
        DotSprites.MAX_STYLES = limit


def test_dot_sprites_paint_what_drawing_dot_by_dot_draws(tmp_path: Path) -> None:
    """Painting the dots' images gives the picture of drawing every dot with Cairo in the
    same order, also where translucent dots overlap; the centres move by at most 1/32 of a
    pixel, which changes anti-aliased edges by a few levels."""
    by_dot = render_class_dots(tmp_path, by_sprites=False)
    by_sprite = render_class_dots(tmp_path, by_sprites=True)
    assert (by_dot[..., :3].max(axis=-1) > 100).mean() > 0.01  # there is a picture to compare
    diff = np.abs(by_dot - by_sprite).max(axis=-1)
    assert diff.mean() < 0.2
    assert (diff > 24).mean() < 0.001


def render_readouts(camera_class: type[Camera], media: Path) -> np.ndarray:
    from nnviz.mobjects.readout import GlyphText

    class Readouts(Scene):
        def construct(self) -> None:
            placed = GlyphText("-12.5e+3", font_size=48).place(np.array([-5.0, 1.0, 0.0]))
            changed = GlyphText("0.25", font_size=36, color="#FF9F43")
            changed.place(np.array([-2.0, -1.5, 0.0])).set_text("97.1%")
            moved = GlyphText("4.0", font_size=40).place(np.array([1.0, 0.0, 0.0]))
            moved.shift(np.array([0.37, 0.21, 0.0]))  # Manim moved it: no longer as written
            self.add(placed, changed, moved)

    return last_frame(Readouts, camera_class, media)


def test_read_outs_drawn_from_glyph_paths_match_manims_camera(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: list[object] = []
    fast_path = FastCamera._draw_glyph
    monkeypatch.setattr(FastCamera, "_draw_glyph",
                        lambda self, *a: drawn.append(a) or fast_path(self, *a))  # fmt: skip
    stock = render_readouts(Camera, tmp_path)
    fast = render_readouts(FastCamera, tmp_path)
    assert len(drawn) == 13  # the placed and changed texts' glyphs, not the moved one's
    assert (stock[..., :3].max(axis=-1) > 100).mean() > 0.003  # there is text to compare
    diff = np.abs(stock - fast).max(axis=-1)
    # Cairo keeps a path in 1/256 of a pixel: edges may differ by a few levels.
    assert diff.max() <= 16
    assert (diff > 4).mean() < 0.001


def render_texts(camera_class: type[Camera], media: Path) -> np.ndarray:
    """A visible text over three hidden ones (fill and stroke transparent), as the training
    videos' key-moment captions are hidden."""
    from manim import Text

    class Texts(Scene):
        def construct(self) -> None:
            shown = Text("epoch 12: separated", font_size=40, color="#FFD43B")
            hidden = [
                Text("a hidden caption", font_size=40).shift(1.5 * k * DOWN).set_opacity(0.0)
                for k in range(1, 4)
            ]
            square = Square(2.0).set_fill("#4DABF7", 0.0).set_stroke("#FFFFFF", 4, 0.5)
            self.add(shown, *hidden, square.shift(3 * UP))

    return last_frame(Texts, camera_class, media)


def test_hidden_vmobjects_are_skipped_without_changing_a_pixel(tmp_path: Path) -> None:
    from manim import Text

    from nnviz.manim_adapter.camera import is_invisible

    stock = render_texts(Camera, tmp_path)
    fast = render_texts(FastCamera, tmp_path)
    assert (stock[..., :3].max(axis=-1) > 100).mean() > 0.002  # there is a picture to compare
    assert np.array_equal(stock, fast)
    text = Text("x")
    assert not any(is_invisible(glyph) for glyph in text.get_family() if glyph.has_points())
    text.set_opacity(0.0)
    assert all(is_invisible(glyph) for glyph in text.get_family())
    text.set_stroke(width=2, opacity=0.3)
    assert not any(is_invisible(glyph) for glyph in text.get_family() if glyph.has_points())


def test_set_shown_hides_and_shows_as_set_opacity_does() -> None:
    from manim import Text

    from nnviz.mobjects.following import set_shown

    text, reference = Text("loss 0.26"), Text("loss 0.26")
    for shown in (False, False, True, True, False):
        set_shown(text, shown)
        reference.set_opacity(1.0 if shown else 0.0)
        for a, b in zip(text.get_family(), reference.get_family(), strict=True):
            assert np.array_equal(a.fill_rgbas, b.fill_rgbas)
            assert np.array_equal(a.stroke_rgbas, b.stroke_rgbas)


def test_paths_drawn_again_from_the_cache_follow_every_change_of_points(tmp_path: Path) -> None:
    """A text, a rectangle and a curve drawn on several frames, moved in place and reshaped
    between them: each frame is Manim's camera's frame, pixel for pixel."""
    from manim import Rectangle, Text, VMobject

    def frames(camera_class: type[Camera]) -> list[np.ndarray]:
        settings = {"pixel_width": 480, "pixel_height": 270, "background_color": "#0E1117"}
        with tempconfig(settings):
            camera = camera_class()
            text = Text("cached paths", font_size=36, color="#E6EDF3")
            box = Rectangle(width=3, height=1, stroke_color="#4DABF7", stroke_width=4)
            curve = VMobject(stroke_color="#FF9F43", stroke_width=3)
            curve.set_points_as_corners(np.array([[-6, -3, 0], [-4, -1, 0], [-2, -2.5, 0]]))
            shown = []
            for step in range(4):
                camera.reset()
                camera.capture_mobjects([text, box, curve])
                shown.append(camera.pixel_array.astype(np.int16))
                text.shift(0.3 * RIGHT)  # in place: the same points array, new values
                if step == 1:
                    box.stretch(1.5, 0)
                if step == 2:  # a new array of another length
                    curve.set_points_as_corners(np.array([[-6, 3, 0], [-3, 1, 0], [0, 2, 0],
                                                          [2, 0, 0]]))  # fmt: skip
            return shown

    stock, fast = frames(Camera), frames(FastCamera)
    assert not np.array_equal(stock[0], stock[1])  # the frames differ: something to follow
    for expected, got in zip(stock, fast, strict=True):
        assert np.array_equal(expected, got)


def test_opaque_images_are_resized_as_pillow_resizes_rgba() -> None:
    """The opaque path's pixels are Pillow's RGBA resize, byte for byte, for every filter,
    growing and shrinking, with colours from 0 to 255."""
    from PIL import Image

    from nnviz.manim_adapter.camera import resize_opaque

    rng = np.random.default_rng(7)
    for rows, cols, size in [(60, 60, (500, 500)), (37, 91, (45, 300)), (151, 151, (90, 120))]:
        pixels = np.empty((rows, cols, 4), dtype=np.uint8)
        pixels[..., :3] = rng.integers(0, 256, (rows, cols, 3))
        pixels[0, :, :3], pixels[1, :, :3] = 0, 255  # the extremes, where rounding shows
        pixels[..., 3] = 255
        for resample in Image.Resampling:
            expected = np.asarray(Image.fromarray(pixels).resize(size, resample=resample))
            np.testing.assert_array_equal(resize_opaque(pixels, size, resample), expected)


def render_class_field(camera_class: type[Camera], media: Path) -> np.ndarray:
    """The last frame of a three-class field (opaque, coloured by its top class and faded by
    its confidence, as the panels paint it) drawn upright over a blue square."""
    from nnviz.class_colors import ClassColormap
    from nnviz.colormap import DivergingColormap
    from nnviz.mobjects.panels import CLASS_FIELD_STRENGTH, ProbabilityImage
    from nnviz.theme import THEMES
    from nnviz.view import Viewport

    x, y = np.meshgrid(np.linspace(-3, 3, 70), np.linspace(3, -3, 70))
    logits = np.stack([x, 0.8 * y, 1.5 - 0.6 * x * y])  # three classes, curved ties

    class Field(Scene):
        def construct(self) -> None:
            cmap = ClassColormap.from_theme(THEMES["dark"], 3, CLASS_FIELD_STRENGTH)
            diverging = DivergingColormap.from_theme(THEMES["dark"])  # the two-class map, unused
            mesh = ProbabilityImage(Viewport((0.5, 0.2), 5.0, 5.0), 70, diverging)
            mesh.paint_logits(logits, cmap, "softmax")
            assert mesh.get_pixel_array()[..., 3].min() == 255  # the opaque path
            self.add(Square(4, fill_opacity=1, color="#3366FF").shift(3 * RIGHT), mesh)

    return last_frame(Field, camera_class, media)


def test_class_field_fast_path_matches_manims_camera(tmp_path: Path) -> None:
    stock = render_class_field(Camera, tmp_path)
    fast = render_class_field(FastCamera, tmp_path)
    assert len(np.unique(stock[..., :3].reshape(-1, 3), axis=0)) > 50  # a field to compare
    diff = np.abs(stock - fast)
    # Same placement and colours; Manim resamples through its own transform, so the two
    # differ by a few levels inside (at most 7 here) and by more at the image's edges only
    # (here a mean of 0.13 levels over the frame; 0.1 % of the pixels, on the edges, by more
    # than 60).
    assert diff.mean() < 0.5
    assert (diff.max(axis=-1) > 60).mean() < 0.005
