"""A small frame-regression helper: render a scene's last frame, compare it with a control PNG.

Manim's own ``frames_comparison`` skips silently on cairo < 1.18 (Debian 12 ships 1.16), so
these tests use this helper instead, which always runs.

Control images were rendered on one machine; other cairo and pango versions anti-alias edges
and place glyphs differently by a fraction of a pixel. So both frames are blurred (Gaussian,
:data:`BLUR_RADIUS` pixels) before they are compared, and a frame matches when the mean
absolute difference per channel and the share of pixels that differ by more than
:data:`PIXEL_THRESHOLD` in some channel both stay small. Measured on the mid-training still
(480x270): the whole frame shifted by half a pixel gives 0.64 and 0.0 %, by a whole pixel
up to 1.63 and 0.014 % (harsher than a change of cairo, which moves no image and no dot);
the same layout at epoch 150 instead of 37.5 (other read-outs, a longer loss curve, another
hidden-space scale) gives 0.89 and 0.79 %, caught by the share; a wrong colour map or a moved
panel far more.

Anti-aliasing tolerances let a small colour shift of a whole region pass (a mesh drawn
(6, 16, 0) off). So the frames are also compared region by region where the control is
smooth: the blurred control is cut into :data:`TILE` x :data:`TILE` tiles, a tile is smooth
when no pixel of it differs from its neighbours by :data:`SMOOTH_GRADIENT` or more (meshes,
backgrounds, panel interiors: no edge or glyph), and the mean colour of every smooth tile
must agree within :data:`TILE_TOLERANCE`. Edges moved by a fraction of a pixel conserve a
tile's ink, and a smooth tile holds none: measured on the control images, half a pixel of
shift moves a smooth tile's mean by at most 1.1, a whole pixel by at most 1.9, while a mesh
one unit per channel off moves it by 1 (caught from 3).

Set ``NNVIZ_UPDATE_FRAMES=1`` to (re)write the control images instead of comparing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from manim import Scene, tempconfig
from PIL import Image, ImageFilter

CONTROL_DIR = Path(__file__).parent / "control_frames"
WIDTH, HEIGHT = 480, 270
#: Both frames are blurred by a Gaussian of this radius (pixels) before they are compared.
BLUR_RADIUS = 1.5
#: Largest mean absolute difference per channel (0-255) of the blurred frames.
MEAN_TOLERANCE = 2.0
#: A pixel "differs" when a channel of the blurred frames is off by more than this.
PIXEL_THRESHOLD = 32
#: Largest share of differing pixels.
SHARE_TOLERANCE = 0.002
#: Side of the tiles compared region by region, and the largest step between neighbouring
#: pixels (any channel, blurred) of a smooth tile.
TILE = 12
SMOOTH_GRADIENT = 3.0
#: Largest difference of a smooth tile's mean colour (any channel).
TILE_TOLERANCE = 2.5


def render_last_frame(scene_class: type[Scene], media_dir: Path) -> np.ndarray:
    """Render only the last frame of ``scene_class`` (animations skipped) as RGB uint8.

    LaTeX output is cached in ``NNVIZ_TEST_TEX_DIR`` when set (the test session sets it).
    """
    return render_scene_last_frame(scene_class, media_dir)[1]


def render_scene_last_frame(
    scene_class: type[Scene], media_dir: Path, width: int = WIDTH, height: int = HEIGHT
) -> tuple[Scene, np.ndarray]:
    """Render the last frame as :func:`render_last_frame` does (at ``width`` x ``height``
    pixels); return the scene too (its mobjects as they were drawn) and the frame."""
    settings = {
        "pixel_width": width,
        "pixel_height": height,
        "frame_rate": 15,
        "save_last_frame": True,
        "write_to_movie": False,
        "media_dir": str(media_dir),
        "disable_caching": True,
        "verbosity": "ERROR",
        "progress_bar": "none",
    }
    if os.environ.get("NNVIZ_TEST_TEX_DIR"):
        settings["tex_dir"] = os.environ["NNVIZ_TEST_TEX_DIR"]
    with tempconfig(settings):
        scene = scene_class()
        scene.render()
        return scene, np.array(scene.renderer.get_frame())[..., :3].copy()


def blurred(frame: np.ndarray) -> np.ndarray:
    """Return an RGB uint8 frame blurred by :data:`BLUR_RADIUS`, as int16."""
    image = Image.fromarray(np.ascontiguousarray(frame, dtype=np.uint8))
    return np.asarray(image.filter(ImageFilter.GaussianBlur(BLUR_RADIUS))).astype(np.int16)


def frame_difference(frame: np.ndarray, control: np.ndarray) -> tuple[float, float]:
    """Return (mean absolute difference per channel, share of pixels differing by more than
    :data:`PIXEL_THRESHOLD`), both of the blurred frames."""
    diff = np.abs(blurred(frame) - blurred(control))
    return float(diff.mean()), float((diff.max(axis=-1) > PIXEL_THRESHOLD).mean())


def _tiles(values: np.ndarray) -> np.ndarray:
    """Cut an image (H, W, ...) into whole tiles: shape (rows, TILE, cols, TILE, ...)."""
    rows, cols = values.shape[0] // TILE, values.shape[1] // TILE
    cut = values[: rows * TILE, : cols * TILE]
    return cut.reshape(rows, TILE, cols, TILE, *values.shape[2:])


def smooth_tiles(control: np.ndarray) -> np.ndarray:
    """Return which tiles of ``control`` are smooth (see the module's docstring)."""
    picture = blurred(control).astype(np.float64)
    down = np.abs(np.diff(picture, axis=0, append=picture[-1:])).max(axis=-1)
    across = np.abs(np.diff(picture, axis=1, append=picture[:, -1:])).max(axis=-1)
    return _tiles(np.maximum(down, across)).max(axis=(1, 3)) < SMOOTH_GRADIENT


def tile_difference(frame: np.ndarray, control: np.ndarray) -> float:
    """Return the largest difference (any channel) of the mean colours of ``frame`` and
    ``control`` over the control's smooth tiles."""
    smooth = smooth_tiles(control)
    if not smooth.any():
        return 0.0
    means = [_tiles(blurred(f).astype(np.float64)).mean(axis=(1, 3)) for f in (frame, control)]
    return float(np.abs(means[0] - means[1])[smooth].max())


def assert_matches_control(frame: np.ndarray, name: str) -> None:
    """Compare ``frame`` with ``control_frames/<name>.png`` within the tolerances above."""
    path = CONTROL_DIR / f"{name}.png"
    if os.environ.get("NNVIZ_UPDATE_FRAMES") == "1":
        CONTROL_DIR.mkdir(exist_ok=True)
        Image.fromarray(frame).save(path, optimize=True)
        return
    assert path.is_file(), f"no control image {path}; render it with NNVIZ_UPDATE_FRAMES=1"
    control = np.asarray(Image.open(path).convert("RGB"))
    assert frame.shape == control.shape, f"frame {frame.shape} vs control {control.shape}"
    mean, share = frame_difference(frame, control)
    tile = tile_difference(frame, control)
    if mean > MEAN_TOLERANCE or share > SHARE_TOLERANCE or tile > TILE_TOLERANCE:
        failed = path.with_name(f"{name}.actual.png")
        Image.fromarray(frame).save(failed)
        raise AssertionError(
            f"{name}: mean difference {mean:.2f} (max {MEAN_TOLERANCE}), "
            f"{share:.2%} of pixels differ (max {SHARE_TOLERANCE:.1%}), a smooth region's "
            f"colour by {tile:.2f} (max {TILE_TOLERANCE}); actual frame in {failed}"
        )
