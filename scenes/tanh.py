"""The training video with a tanh hidden layer: ``manim -qh scenes/tanh.py``."""

from __future__ import annotations

from nnviz.stories.training import TrainingStory


class TanhTraining(TrainingStory):
    """How the 2-2-1 network learns the blog's data with tanh, at lr 0.1, 0.01 and 0.001."""

    activation = "tanh"
