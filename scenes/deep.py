"""A deep network untangles the spiral, layer by layer: ``manim -ql scenes/deep.py``."""

from __future__ import annotations

from nnviz.config import RunConfig
from nnviz.stories.training import SingleRunStory, TrainingPhase


class DeepSpiral(SingleRunStory):
    """The spiral through a 2-8-8-2-1 network (leaky ReLU, leaky ReLU, tanh; learning rate 0.01,
    seed 0): the first two hidden layers as PCA projections, the last as a plane where the
    output's line separates the arms; it reaches 97 % accuracy at epoch 140."""

    base_config = RunConfig(dataset="spiral", hidden=(8, 8, 2), max_epochs=400, target_loss=0.1)
    activation = ("leaky_relu", "leaky_relu", "tanh")
    lr = 0.01
    training = TrainingPhase(seconds_per_epoch=0.1)
    title = "A deep network untangles the spiral"
