"""The loss landscape of the blog's three learning rates: ``manim -ql scenes/landscape.py``."""

from __future__ import annotations

from nnviz.stories.landscape import LandscapeStory


class Landscape(LandscapeStory):
    """tanh at learning rates 0.1, 0.01 and 0.001, same data and initial weights: their paths
    on a 2-D slice of the 9-parameter weight space, beside the input plane of each."""
