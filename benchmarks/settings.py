"""The clip every variant renders: the run, the qualities and Manim's encoder settings."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from manim import config, tempconfig

from nnviz.config import RunConfig
from nnviz.stories.training import TrainingStory
from nnviz.view import Viewport

__all__ = [
    "ARCHITECTURES",
    "CLASS_PAIR",
    "EPOCHS",
    "FFMPEG_THREAD_ARGS",
    "QUALITIES",
    "REPO",
    "RUN_CONFIG",
    "X264_DEFAULT_CRF",
    "X264_DEFAULT_PRESET",
    "Settings",
    "ffmpeg_binary",
    "make_settings",
    "with_manim_encoder",
]

#: The repository root (the benchmark runs from there; runs are cached in ``media/runs``).
REPO = Path(__file__).resolve().parents[1]
#: The run shown: the blog's ReLU network at learning rate 0.01, trained for all 200 epochs
#: (on the post's data it would stop at the 0.263 target at epoch 107).
RUN_CONFIG = RunConfig(activation="relu", lr=0.01, target_loss=0.0)
#: Other networks, rendered with the default layout's panels (input plane and a view of every
#: hidden layer) and compared with the 2-2-1's own panels rendered the same way.
ARCHITECTURES: tuple[RunConfig, ...] = (
    RunConfig(dataset="circles", hidden=(3,), activation="tanh", lr=0.03, target_loss=0.0),
    RunConfig(dataset="spiral", hidden=(4, 4, 2), activation="tanh", lr=0.03, target_loss=0.0),
)
#: Two classes against three (issue 21: a three-class 2-8-2-3 render costs at most 1.3 times
#: the per-frame time of a two-class render of the same architecture): the spiral of two arms
#: learned by a 2-8-2-1 with a sigmoid output and of three arms by a 2-8-2-3 with a softmax,
#: both rendered with the default layout's panels (input plane, the 8-unit layer's projection,
#: the last hidden plane).
CLASS_PAIR: tuple[RunConfig, RunConfig] = (
    RunConfig(dataset="spiral", classes=2, hidden=(8, 2), activation="tanh", lr=0.03,
              target_loss=0.0),
    RunConfig(dataset="spiral", classes=3, hidden=(8, 2), activation="tanh", lr=0.03,
              target_loss=0.0),
)  # fmt: skip
#: The clock goes linearly from 0 to this epoch over the clip.
EPOCHS = 200.0
#: ``--quality`` flag -> (Manim quality name, width, height, fps).
QUALITIES: dict[str, tuple[str, int, int, int]] = {
    "l": ("low_quality", 854, 480, 15),
    "h": ("high_quality", 1920, 1080, 60),
}
#: libx264's crf when none is given (Manim's encoder options normally name it).
X264_DEFAULT_CRF = "23"
#: libx264's preset when none is given (Manim passes none).
X264_DEFAULT_PRESET = "medium"
#: Manim's PyAV stream encodes with automatic thread count and slice threads
#: (``CodecContext.thread_count == 0``, ``thread_type == SLICE``); the ffmpeg command line
#: would use frame threads, so the other variants ask for slice threads to match.
FFMPEG_THREAD_ARGS = ["-threads", "0", "-thread_type", "slice"]


@dataclass(frozen=True)
class Settings:
    """Everything that fixes the clip, shared by the three variants.

    Attributes
    ----------
    quality
        ``l`` or ``h``.
    manim_quality
        Manim's name of the quality (``low_quality``, ``high_quality``).
    width, height, fps
        Pixel size and frame rate.
    seconds
        Length of the clip.
    frame_width, frame_height
        Manim's frame in scene units (the panels' viewports are given in them).
    mesh_resolution
        Pixels along each side of the probability meshes.
    crf, preset
        x264 settings, read from the encoder Manim resolves.
    """

    quality: str
    manim_quality: str
    width: int
    height: int
    fps: int
    seconds: float
    frame_width: float
    frame_height: float
    mesh_resolution: int
    crf: str = X264_DEFAULT_CRF
    preset: str = X264_DEFAULT_PRESET

    @property
    def times(self) -> np.ndarray:
        """Return the frame times of the clip, computed exactly as Manim's ``play`` does."""
        return np.arange(0, self.seconds, 1 / self.fps)

    @property
    def frames(self) -> int:
        """Return the number of frames of the clip."""
        return len(self.times)

    @property
    def epochs(self) -> np.ndarray:
        """Return the clock (epoch) of every frame: linear from 0 towards :data:`EPOCHS`."""
        return EPOCHS * self.times / self.seconds

    @property
    def pixels_per_unit(self) -> float:
        """Return the pixels per Manim scene unit."""
        return self.height / self.frame_height

    def pixel_rect(self, viewport: Viewport) -> tuple[float, float, float, float]:
        """Return ``(left, top, width, height)`` of ``viewport`` in pixels (top-left origin)."""
        ppu = self.pixels_per_unit
        left = (viewport.centre[0] - viewport.width / 2 + self.frame_width / 2) * ppu
        top = (self.frame_height / 2 - viewport.centre[1] - viewport.height / 2) * ppu
        return left, top, viewport.width * ppu, viewport.height * ppu

    def x264_args(self) -> list[str]:
        """Return the ffmpeg output options equal to Manim's encoder settings."""
        return ["-c:v", "libx264", *self.x264_options()]

    def x264_options(self) -> list[str]:
        """Return the ffmpeg options after ``-c:v libx264``: crf, preset, threads, pix_fmt."""
        return [
            "-crf",
            self.crf,
            "-preset",
            self.preset,
            *FFMPEG_THREAD_ARGS,
            "-pix_fmt",
            "yuv420p",
        ]


def ffmpeg_binary() -> str:
    """Return the ffmpeg executable (the one matplotlib uses too)."""
    binary = shutil.which("ffmpeg")
    if binary is None:
        raise SystemExit("render.py: ffmpeg not found on PATH")
    return binary


def make_settings(quality: str, seconds: float) -> Settings:
    """Return the clip settings of ``--quality`` (Manim's frame size read from its config)."""
    name, width, height, fps = QUALITIES[quality]
    with tempconfig({"quality": name}):
        if (config.pixel_width, config.pixel_height, config.frame_rate) != (width, height, fps):
            raise RuntimeError(f"Manim's {name} is not {width}x{height} at {fps} fps")
        frame_width, frame_height = float(config.frame_width), float(config.frame_height)
    return Settings(
        quality=quality,
        manim_quality=name,
        width=width,
        height=height,
        fps=fps,
        seconds=seconds,
        frame_width=frame_width,
        frame_height=frame_height,
        mesh_resolution=TrainingStory.training.mesh_resolution,
    )


def with_manim_encoder(settings: Settings, options: dict[str, str]) -> Settings:
    """Return ``settings`` with the crf and preset of Manim's resolved encoder options."""
    return replace(
        settings,
        crf=options.get("crf", X264_DEFAULT_CRF),
        preset=options.get("preset", X264_DEFAULT_PRESET),
    )
