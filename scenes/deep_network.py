"""A deep network's diagram, learning the spiral: ``manim -ql scenes/deep_network.py``."""

from __future__ import annotations

from nnviz.config import RunConfig
from nnviz.stories.network import NetworkPhase, NetworkStory


class DeepNetworkDiagram(NetworkStory):
    """The network of ``scenes/deep.py`` as a diagram: 2-8-8-2-1 (leaky ReLU, leaky ReLU, tanh;
    learning rate 0.01) on the spiral, every hidden neuron a square showing its activation over
    the input plane, a link for each of its 98 weights and a ring for each of its 19 biases."""

    base_config = RunConfig(max_epochs=400, target_loss=0.1)
    hidden = (8, 8, 2)
    activation = ("leaky_relu", "leaky_relu", "tanh")
    dataset = "spiral"
    lr = 0.01
    network = NetworkPhase(seconds_per_epoch=0.1)
