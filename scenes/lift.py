"""Three tanh units lift the inner circle out of the plane: ``manim -ql scenes/lift.py``.

The deformation of a 2-3-1 network trained on the circles data: the linear map lifts the plane
into 3-D, the shift and tanh bend it, the output's plane cuts the bent sheet, and the cut,
carried back, is the closed decision boundary around the inner disc.
"""

from __future__ import annotations

from nnviz.config import RunConfig
from nnviz.stories.transform import DeformationStory


class CirclesLifted(DeformationStory):
    """The circles data through a 2-3-1 tanh network (learning rate 0.03, the run of
    ``scenes/circles.py``), as a deformation in 3-D."""

    base_config = RunConfig(dataset="circles", hidden=(3,), max_epochs=150, target_loss=0.05)
    activations = ("tanh",)
    lr = 0.03
