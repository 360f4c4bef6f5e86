"""A call after each animation a scene plays: how a parallel render plans its ranges.

Manim 0.22 hands every animation of a scene (each ``Scene.play`` and ``Scene.wait``, drawn or
skipped) to its renderer's ``play(scene, *args, **kwargs)`` (through the scene's
:class:`manim.manager.Manager`); when it returns, the scene's ``duration`` is the animation's
run time and ``is_current_animation_frozen_frame()`` says whether it was a still wait.
Manim has no hook there, so :func:`call_after_each_play` replaces ``play`` on the scene's
renderer instance; ``tests/test_manim_adapter.py`` checks that every animation still passes
through it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from manim.renderer.cairo_renderer import CairoRenderer

from nnviz.manim_adapter.replaces import replaces

if TYPE_CHECKING:
    from manim import Scene

__all__ = ["call_after_each_play"]


def call_after_each_play(scene: Scene, call: Callable[[Scene], None]) -> None:
    """Make ``scene``'s renderer call ``call(scene)`` after each animation it plays (a play or
    a wait, drawn or skipped); ``scene.duration`` is then that animation's run time."""
    renderer = scene.renderer
    original_play = renderer.play

    @replaces(
        CairoRenderer.play,
        because="Manim has no hook after an animation; a parallel render records each one",
    )
    def play(scene: Scene, *args: Any, **kwargs: Any) -> None:
        original_play(scene, *args, **kwargs)
        call(scene)

    renderer.play = play  # type: ignore[method-assign]
