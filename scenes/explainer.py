"""A talk: ``manim -qh scenes/explainer.py``, or as slides with manim-slides:

manim-slides render scenes/explainer.py Explainer
manim-slides Explainer                        # present
manim-slides convert Explainer talk.html      # an HTML presentation (videos in talk_assets/)
"""

from __future__ import annotations

from nnviz.stories.explainer import ExplainerStory


class Explainer(ExplainerStory):
    """Data, network, hidden layer, training at three learning rates and the comparison."""
