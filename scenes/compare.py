"""The blog's whole experiment in one frame: ``manim -qh scenes/compare.py``."""

from __future__ import annotations

from nnviz.stories.compare import CompareStory


class CompareRuns(CompareStory):
    """ReLU and tanh at learning rates 0.1, 0.01 and 0.001 on one epoch clock."""
