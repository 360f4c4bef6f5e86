"""Trails of the points' recent positions in a hidden space, so that motion reads in a still.

A trail is where each point was on the frames before the current one: the video's clock maps
video time to an epoch (:meth:`nnviz.stories.training.TrainingPhase.clock`), so the epoch
``t`` on screen is at video time ``s`` and the frames ``k · m`` frames earlier showed the
epochs ``clock(s − k · m / rate)``, ``k = 1 … steps`` (:class:`TrailClock`). The positions are
the layer's activations of the weights at those epochs (:func:`trail_positions`), computed
like every other position on screen, from the logged weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz import forward
from nnviz.trajectory import Trajectory

__all__ = ["TRAIL_SECONDS", "TRAIL_STEPS", "TrailClock", "trail_positions"]

#: How far back a trail reaches, in seconds of video, and in how many steps.
TRAIL_SECONDS = 0.4
TRAIL_STEPS = 5


@dataclass(frozen=True, eq=False)
class TrailClock:
    """The epochs a trail shows, from the clock of a video.

    Attributes
    ----------
    times, epochs
        The clock: video seconds and the epoch shown then, both increasing (``np.interp``
        between them), as :meth:`nnviz.stories.training.TrainingPhase.clock` returns them.
    frame_rate
        Frames per second of the video.
    steps
        Earlier frames a trail goes through.
    seconds
        Video seconds the trail reaches back (rounded to whole frames between steps).
    """

    times: np.ndarray
    epochs: np.ndarray
    frame_rate: float
    steps: int = TRAIL_STEPS
    seconds: float = TRAIL_SECONDS

    @classmethod
    def uniform(cls, epochs: float, seconds: float, frame_rate: float) -> TrailClock:
        """Return the trail clock of a clock that plays ``epochs`` epochs evenly in
        ``seconds`` of video."""
        return cls(np.array([0.0, seconds]), np.array([0.0, float(epochs)]), frame_rate)

    @property
    def frames_between(self) -> int:
        """Frames from one step of a trail to the next (at least one)."""
        return max(1, round(self.seconds / self.steps * self.frame_rate))

    def epochs_before(self, t: float) -> np.ndarray:
        """Return the epochs of the trail of epoch ``t``, newest first, shape
        ``(steps + 1,)``: ``t`` itself, then the epochs the clock showed ``k ·``
        :attr:`frames_between` frames before it reached ``t`` (epoch 0 before the video's
        first frame)."""
        now = float(np.interp(t, self.epochs, self.times))
        back = now - np.arange(self.steps + 1) * self.frames_between / self.frame_rate
        before = np.interp(np.maximum(back, self.times[0]), self.times, self.epochs)
        before[0] = t
        return before


def trail_positions(trajectory: Trajectory, space: forward.Space, epochs: np.ndarray) -> np.ndarray:
    """Return the drawn points' positions in ``space`` at each of ``epochs``, shape
    ``(len(epochs), N, width)``: the space's values of the interpolated weights at each
    epoch (:meth:`nnviz.trajectory.Trajectory.weights_at_many`), as
    :meth:`~nnviz.trajectory.Trajectory.state` computes them for one."""
    arrays = trajectory.weights_at_many(np.asarray(epochs, dtype=np.float64))
    return forward.to_space_stacked(
        trajectory.X, arrays[0::2], arrays[1::2], trajectory.activation, space
    )
