"""Three spiral arms carried through the hidden layers: ``manim -ql scenes/deform3.py``.

The deformation of a 2-3-3-2-3 tanh network with a softmax output: two 3-unit layers lift
and bend the plane in 3-D, the last flattens it into a plane that the three classes' scores
cut into three convex regions; carried back, their edges are the network's boundaries.
"""

from __future__ import annotations

from nnviz.config import RunConfig
from nnviz.stories.transform import DeformationStory


class ThreeArmedDeformation(DeformationStory):
    """A three-armed spiral (noise 0.05) through a 2-3-3-2-3 tanh network (Adam, learning
    rate 0.03, full batch, 600 epochs, seed 0; 83.5 % of the points right): the last hidden
    space cut into the classes' regions, and the regions' edges carried back."""

    base_config = RunConfig(dataset="spiral", classes=3, noise=0.05, hidden=(3, 3, 2),
                            batch_size=None, max_epochs=600, target_loss=0.0)  # fmt: skip
    activations = ("tanh",)
    lr = 0.03
