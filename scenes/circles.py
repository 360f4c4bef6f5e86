"""Two hidden units cannot separate the circles, three can: ``manim -ql scenes/circles.py``."""

from __future__ import annotations

from nnviz.config import RunConfig
from nnviz.stories.networks import SideBySideStory

CIRCLES = RunConfig(dataset="circles", activation="tanh", lr=0.03, max_epochs=150,
                    target_loss=0.05)  # fmt: skip


class CirclesInThreeD(SideBySideStory):
    """The circles data, 2-2-1 next to 2-3-1 (tanh, learning rate 0.03, same data): in the
    plane no line separates the inner disc from the ring; with a third unit the inner disc is
    lifted out of the plane in 3-D, a plane separates it, and the boundary pulled back to the
    input plane is a closed curve."""

    heading = "Why a third hidden unit separates the circles"
    runs = (
        ("2-2-1: two hidden units, no line separates them", CIRCLES.replace(hidden=(2,))),
        ("2-3-1: three hidden units, a plane does in 3-D", CIRCLES.replace(hidden=(3,))),
    )
