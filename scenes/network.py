"""The network itself, learning: ``manim -ql scenes/network.py``."""

from __future__ import annotations

from nnviz.stories.network import NetworkStory


class NetworkDiagram(NetworkStory):
    """The 2-2-1 ReLU network at learning rate 0.01: links, biases, neuron heatmaps, formula."""

    activation = "relu"
    lr = 0.01
