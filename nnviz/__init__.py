"""nnviz: explainer videos of how a small neural network learns, rendered with Manim."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.2.0"
