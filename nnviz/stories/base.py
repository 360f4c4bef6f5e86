"""What every nnviz scene shares: the fast camera, the theme and the run cache."""

from __future__ import annotations

from typing import Any, ClassVar

from manim import Scene, config

from nnviz.cache import cached_run
from nnviz.config import RunConfig
from nnviz.mobjects.camera import FastImageCamera
from nnviz.run import Run
from nnviz.theme import Theme, active_theme

__all__ = ["ACTIVATION_FORMULAS", "ACTIVATION_NAMES", "NNVizScene"]

ACTIVATION_NAMES: dict[str, str] = {
    "relu": "ReLU",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "linear": "linear",
}
ACTIVATION_FORMULAS: dict[str, str] = {
    "relu": r"a(z) = \max(0,\, z)",
    "tanh": r"a(z) = \tanh z = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
    "sigmoid": r"a(z) = \frac{1}{1 + e^{-z}}",
    "linear": r"a(z) = z",
}


class NNVizScene(Scene):
    """A Scene with nnviz's camera (fast upright images) and theme.

    Subclasses set :attr:`base_config` to change the data set, seed or training settings.
    """

    #: The run configuration that the scene's runs start from.
    base_config: ClassVar[RunConfig] = RunConfig()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("camera_class", FastImageCamera)
        self.theme: Theme = active_theme()
        config.background_color = self.theme.background
        super().__init__(**kwargs)

    def run_for(self, **changes: Any) -> Run:
        """Return the cached run of :attr:`base_config` with ``changes``, training it if needed."""
        return cached_run(self.base_config.replace(**changes))
