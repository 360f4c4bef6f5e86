"""How many frames Manim writes for a play and for a still wait.

Manim 0.22 draws a play of ``run_time`` seconds at the times
``numpy.arange(0, run_time, 1 / frame_rate)`` (:meth:`manim.scene.scene.Scene.get_time_progression`)
and repeats the one frame of a still wait ``int(duration / (1 / frame_rate))`` times
(:meth:`manim.renderer.cairo_renderer.CairoRenderer.freeze_current_frame`). nnviz counts
frames to cut long plays into chunks of whole frames, to balance a parallel render, and to
fit a story into a length of video; ``tests/test_manim_adapter.py`` checks both rules
against the installed Manim.
"""

from __future__ import annotations

import numpy as np

__all__ = ["frames_of_play", "frames_of_still_wait"]


def frames_of_play(run_time: float, frame_rate: float) -> int:
    """Return how many frames Manim draws for a play of ``run_time`` seconds (its frame times
    are ``numpy.arange(0, run_time, 1 / frame_rate)``)."""
    return len(np.arange(0, run_time, 1 / frame_rate))


def frames_of_still_wait(seconds: float, frame_rate: float) -> int:
    """Return how many frames Manim writes for a still wait of ``seconds`` (one frame drawn
    and repeated, as ``CairoRenderer.freeze_current_frame`` counts them)."""
    return int(seconds / (1 / frame_rate))
