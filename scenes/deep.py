"""A deep network untangles the spiral, layer by layer: ``manim -ql scenes/deep.py``."""

from __future__ import annotations

from nnviz.config import RunConfig
from nnviz.stories.training import SingleRunStory


class DeepSpiral(SingleRunStory):
    """The spiral through a 2-6-6-2-1 ReLU network (learning rate 0.01, seed 0): the first two
    hidden layers as PCA projections, the last as a plane where the output's line separates
    the arms; it reaches 96 % accuracy."""

    base_config = RunConfig(dataset="spiral", hidden=(6, 6, 2), max_epochs=400, target_loss=0.15)
    activation = "relu"
    lr = 0.01
    seconds_per_epoch = 0.05
    title = "A deep network untangles the spiral"
