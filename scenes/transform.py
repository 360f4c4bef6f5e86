"""The hidden layer as a deformation of the plane, ReLU then tanh.

``manim -ql scenes/transform.py`` renders it without a prompt (one scene in the file).
"""

from __future__ import annotations

from nnviz.stories.transform import DeformationStory


class HiddenLayerDeformation(DeformationStory):
    """The trained hidden layers of ReLU and tanh (lr 0.01) carry the plane there and back."""

    activations = ("relu", "tanh")
