"""A story as a manim-slides presentation, made where the scene file asks for it.

The library never chooses a story's base classes when it is imported: a scene file makes the
presentation explicitly, ::

    @slides_when_installed
    class Explainer(ExplainerStory):
        ...

which is the story combined with :class:`manim_slides.Slide` when manim-slides is installed
(``pip install 'nnviz[slides]'``), and the plain story otherwise. Making it applies
:func:`nnviz.stories.slides_compat.patch_manim_config`, which manim-slides 5.7 needs under
manim 0.22. A story asks :func:`is_slide` at run time whether it is playing as slides.
"""

from __future__ import annotations

import sys
from typing import TypeVar, cast

from manim import Scene

__all__ = ["as_slides", "is_slide", "slides_installed", "slides_when_installed"]

SceneT = TypeVar("SceneT", bound=type[Scene])


def slides_installed() -> bool:
    """Return whether manim-slides can be imported."""
    try:
        import manim_slides  # noqa: F401
    except ImportError:
        return False
    return True


def as_slides(story: SceneT) -> SceneT:
    """Return ``story`` as a presentation: a subclass of ``story`` and
    :class:`manim_slides.Slide` of the same name, module and docstring (so that Manim finds it
    in the scene file under the story's name and ``manim-slides render file.py Name`` writes
    ``Name.json``), after adapting Manim's configuration to manim-slides
    (:func:`~nnviz.stories.slides_compat.patch_manim_config`).

    Raises
    ------
    ImportError
        When manim-slides is not installed.
    """
    from manim_slides.slide import Slide

    from nnviz.stories.slides_compat import patch_manim_config

    patch_manim_config()
    attributes = {"__module__": story.__module__, "__qualname__": story.__qualname__,
                  "__doc__": story.__doc__}  # fmt: skip
    return cast(SceneT, type(story.__name__, (story, Slide), attributes))


def slides_when_installed(story: SceneT) -> SceneT:
    """Return ``story`` as a presentation (:func:`as_slides`) when manim-slides is installed,
    else ``story`` itself, which then plays straight through as a plain Manim scene."""
    return as_slides(story) if slides_installed() else story


def is_slide(scene: Scene) -> bool:
    """Return whether ``scene`` is a :class:`manim_slides.Slide`, without importing
    manim-slides: a scene can only be one once ``manim_slides.slide`` is imported."""
    module = sys.modules.get("manim_slides.slide")
    return module is not None and isinstance(scene, module.Slide)
