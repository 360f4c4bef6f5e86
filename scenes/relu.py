"""The training video with a ReLU hidden layer: ``manim -qh scenes/relu.py``."""

from __future__ import annotations

from nnviz.stories.training import TrainingStory


class ReluTraining(TrainingStory):
    """How the 2-2-1 network learns the blog's data with ReLU, at lr 0.1, 0.01 and 0.001."""

    activation = "relu"
