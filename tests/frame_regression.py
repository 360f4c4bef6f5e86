"""A small frame-regression helper: render a scene's last frame, compare it with a control PNG.

Manim's own ``frames_comparison`` skips silently on cairo < 1.18 (Debian 12 ships 1.16), so
these tests use this helper instead, which always runs. Control images were rendered on one
machine; cairo 1.16 and 1.18 anti-alias edges slightly differently, so frames are compared
with a tolerance: the mean absolute difference per channel and the share of pixels that
differ by more than :data:`PIXEL_THRESHOLD` in some channel must both stay small. A moved
panel, a wrong colour map or a missing element exceeds both by far.

Set ``NNVIZ_UPDATE_FRAMES=1`` to (re)write the control images instead of comparing.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from manim import Scene, tempconfig
from PIL import Image

CONTROL_DIR = Path(__file__).parent / "control_frames"
WIDTH, HEIGHT = 480, 270
#: Largest mean absolute difference per channel (0-255).
MEAN_TOLERANCE = 1.0
#: A pixel "differs" when a channel is off by more than this.
PIXEL_THRESHOLD = 64
#: Largest share of differing pixels.
SHARE_TOLERANCE = 0.004


def render_last_frame(scene_class: type[Scene], media_dir: Path) -> np.ndarray:
    """Render only the last frame of ``scene_class`` (animations skipped) as RGB uint8.

    LaTeX output is cached in ``NNVIZ_TEST_TEX_DIR`` when set (the test session sets it).
    """
    settings = {
        "pixel_width": WIDTH,
        "pixel_height": HEIGHT,
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
        return np.array(scene.renderer.get_frame())[..., :3].copy()


def frame_difference(frame: np.ndarray, control: np.ndarray) -> tuple[float, float]:
    """Return (mean absolute difference per channel, share of pixels differing by more than
    :data:`PIXEL_THRESHOLD`)."""
    diff = np.abs(frame.astype(np.int16) - control.astype(np.int16))
    return float(diff.mean()), float((diff.max(axis=-1) > PIXEL_THRESHOLD).mean())


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
    if mean > MEAN_TOLERANCE or share > SHARE_TOLERANCE:
        failed = path.with_name(f"{name}.actual.png")
        Image.fromarray(frame).save(failed)
        raise AssertionError(
            f"{name}: mean difference {mean:.2f} (max {MEAN_TOLERANCE}), "
            f"{share:.2%} of pixels differ (max {SHARE_TOLERANCE:.0%}); actual frame in {failed}"
        )
