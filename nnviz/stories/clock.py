"""The epoch clock played on a scene: a steady clock (:func:`linear_clock`) and the play that
drives it (:func:`play_clock`), cut into chunks a parallel render can share out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from manim import Mobject, Scene, UpdateFromAlphaFunc, ValueTracker, config, linear

from nnviz.manim_adapter.timing import frames_of_play

__all__ = ["CLOCK_CHUNK_SECONDS", "clock_chunks", "clock_frame_times", "linear_clock", "play_clock"]

#: The longest animation an epoch clock is played in: a longer play is cut into chunks of
#: whole frames (the same frames at the same times), so that a parallel render (``--jobs``),
#: which splits a scene between its animations, can give each process an even share.
CLOCK_CHUNK_SECONDS = 2.0


def linear_clock(epochs: float, seconds_per_epoch: float) -> tuple[float, Callable[[float], float]]:
    """Return the run time and the clock of a play from epoch 0 to ``epochs`` at a steady
    ``seconds_per_epoch`` (at least half a second), for :func:`play_clock`."""
    run_time = max(epochs * seconds_per_epoch, 0.5)
    return run_time, lambda seconds: epochs * seconds / run_time


def clock_chunks(run_time: float, rate: float) -> list[tuple[float, float]]:
    """Return the animations :func:`play_clock` plays a clock of ``run_time`` seconds in at
    ``rate`` frames a second: ``(start, duration)`` each, whole frames of at most
    :data:`CLOCK_CHUNK_SECONDS`, drawing the frames one play of ``run_time`` would, at the
    same times."""
    step = 1 / rate
    frames = frames_of_play(run_time, rate)
    per_chunk = max(1, round(CLOCK_CHUNK_SECONDS * rate))
    chunks = []
    for first in range(0, frames, per_chunk):
        count = min(per_chunk, frames - first)
        start = first * step
        duration = run_time - start
        if first + count < frames or frames_of_play(duration, rate) != count:
            duration = (count - 0.5) * step  # exactly `count` frames, at start + k * step
        chunks.append((start, duration))
    return chunks


def clock_frame_times(run_time: float, rate: float) -> np.ndarray:
    """Return the video seconds, from the clock's start, whose clock values the frames of
    :func:`play_clock` show (``value_at`` of them), computed as its animations compute them
    (Manim's frame times ``t`` of each chunk, ``start + (t / duration) * duration``)."""
    parts = [
        start + (np.arange(0, duration, 1 / rate) / duration) * duration
        for start, duration in clock_chunks(run_time, rate)
    ]
    return np.concatenate(parts) if parts else np.zeros(0)


def play_clock(
    scene: Scene, clock: ValueTracker, run_time: float, value_at: Callable[[float], float]
) -> None:
    """Play ``clock`` on ``scene`` through ``value_at(seconds)`` for ``run_time`` seconds of
    video.

    The frames are those one play of ``run_time`` would draw, at the same times, but cut into
    animations of at most :data:`CLOCK_CHUNK_SECONDS` (whole frames each,
    :func:`clock_chunks`), so that a parallel render can split a long training play between
    its processes. The clock ends at ``value_at(run_time)``.
    """
    for start, duration in clock_chunks(run_time, config.frame_rate):

        def follow(tracker: Mobject, alpha: float, start: float = start,
                   duration: float = duration) -> None:  # fmt: skip
            tracker.set_value(value_at(start + alpha * duration))

        scene.play(UpdateFromAlphaFunc(clock, follow), run_time=duration, rate_func=linear)
    clock.set_value(value_at(run_time))
