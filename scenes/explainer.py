"""A talk: ``manim -qh scenes/explainer.py``, or as slides with manim-slides:

manim-slides render scenes/explainer.py Explainer
manim-slides Explainer                        # present
manim-slides convert Explainer talk.html      # an HTML presentation (videos in talk_assets/)

With manim-slides installed the talk is a ``manim_slides.Slide`` (one slide per phase);
without it, a plain Manim scene that plays straight through.
"""

from __future__ import annotations

from nnviz.manim_adapter.slides import slides_when_installed
from nnviz.stories.explainer import ExplainerStory


@slides_when_installed
class Explainer(ExplainerStory):
    """Data, network, hidden layer, training at three learning rates and the comparison."""
