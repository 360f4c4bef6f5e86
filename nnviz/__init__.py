"""nnviz: explainer videos of how a small neural network learns, rendered with Manim."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nnviz.recorder import Recorder

from nnviz.version import __version__

__all__ = ["Recorder", "__version__"]


def __getattr__(name: str) -> Any:
    """Import :class:`~nnviz.recorder.Recorder` (and torch) only when it is asked for, so that
    ``nnviz --help`` and the numpy core stay quick."""
    if name == "Recorder":
        from nnviz.recorder import Recorder

        return Recorder
    raise AttributeError(f"module 'nnviz' has no attribute {name!r}")
