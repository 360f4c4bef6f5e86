"""A story as a manim-slides presentation, made where a scene file asks for it, and what
manim-slides 5.7 needs of manim 0.22, which it predates.

The library never chooses a story's base classes when it is imported: a scene file makes the
presentation explicitly, ::

    @slides_when_installed
    class Explainer(ExplainerStory):
        ...

which is the story combined with :class:`manim_slides.Slide` when manim-slides is installed
(``pip install 'nnviz[slides]'``), and the plain story otherwise (:func:`as_slides`). A story
asks :func:`is_slide` at run time whether it is playing as slides.

**The segment cache.** Manim's ``Scene.__init__`` takes ``config.max_files_cached`` (100) into
its file writer's settings, and the file writer removes the oldest partial movies beyond it
when a render ends. ``Slide.render`` lifts the limit only around ``Scene.render``, after the
writer was made: a talk of more than 100 animations lost its first partial movies before
manim-slides joined them into slides (``FileNotFoundError: ... uncached_00000.mp4``). A
presentation is therefore made with the limit lifted (:func:`as_slides`), the one write of
the global config here, undone as soon as the scene is made.

**Three patches of Manim's ``ManimConfig`` class** (:func:`patch_manim_config`, applied when a
presentation is made):

manim-slides' ``Slide`` uses three configuration values that manim 0.22 no longer has:

- ``config["write_to_movie"] = True`` in ``Slide.__init__``: manim 0.22 removed the option (its
  Cairo renderer always writes the movie) and raises ``AttributeError``. A property that reads
  True and ignores writes restores the old meaning.
- ``config["max_files_cached"] = float("inf")`` in ``Slide.render`` ("cache without limit"):
  manim 0.22 takes only integers and spells "no limit" ``-1``. The setter maps infinity to -1.
- ``config["flush_cache"]``, read and written in ``Slide.render``: manim 0.22 removed the
  option (and the flag that set it). A property that reads False and ignores writes means
  "do not flush", the old default.

The patches apply only when manim lacks what manim-slides expects, so a fixed manim or
manim-slides makes them no-ops; ``tests/test_manim_adapter.py`` checks what each rests on
(manim-slides still writes these values, manim's ``max_files_cached`` setter still refuses
infinity).
"""

from __future__ import annotations

import math
import sys
from typing import Any, TypeVar, cast

from manim import Scene, config

from nnviz.manim_adapter.replaces import replaces

__all__ = [
    "NEXT_SLIDE_DIGEST",
    "as_slides",
    "end_slide",
    "is_slide",
    "patch_manim_config",
    "slides_installed",
    "slides_when_installed",
]

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
    (:func:`patch_manim_config`). Its scenes are made without a limit on the partial movies
    kept (see the module docstring), so that every slide's movies are still there to join.

    Raises
    ------
    ImportError
        When manim-slides is not installed.
    """
    from manim_slides.slide import Slide

    patch_manim_config()

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kept = config.max_files_cached
        config.max_files_cached = -1  # no limit: Scene.__init__ gives it to the file writer
        try:
            super(presentation, self).__init__(*args, **kwargs)
        finally:
            config.max_files_cached = kept

    @replaces(
        Scene.render,
        because="manim-slides cuts slides from the movie Manim writes; a still (-s) or a dry "
        "run writes none, so the presentation then renders as the story alone would",
    )
    def render(self: Any, preview: bool = False) -> Any:
        if config.save_last_frame or config.dry_run:
            return Scene.render(self, preview)
        return super(presentation, self).render(preview)

    attributes = {"__module__": story.__module__, "__qualname__": story.__qualname__,
                  "__doc__": story.__doc__, "__init__": __init__,
                  "render": render}  # fmt: skip
    presentation: type[Any] = type(story.__name__, (story, Slide), attributes)
    return cast(SceneT, presentation)


def slides_when_installed(story: SceneT) -> SceneT:
    """Return ``story`` as a presentation (:func:`as_slides`) when manim-slides is installed,
    else ``story`` itself, which then plays straight through as a plain Manim scene."""
    return as_slides(story) if slides_installed() else story


#: :func:`~nnviz.manim_adapter.replaces.source_digest` of manim-slides' ``BaseSlide.next_slide``,
#: which appends the slide that ends with the configuration (notes included) held in
#: ``_base_slide_config`` since the slide began; :func:`end_slide` rests on it.
NEXT_SLIDE_DIGEST = "a4d1960625761561"


def end_slide(scene: Scene, notes: str) -> None:
    """End the slide playing on ``scene`` (a :class:`manim_slides.Slide`) with ``notes`` as
    its speaker notes, and begin the next.

    manim-slides takes a slide's notes when it begins (``next_slide(notes=...)``), but a
    story knows what a slide said (its subtitles) only once it has played it; the slide's
    configuration is held in the private ``_base_slide_config`` until ``next_slide`` appends
    the slide, so its notes are set there just before (:data:`NEXT_SLIDE_DIGEST`).
    """
    config = getattr(scene, "_base_slide_config", None)
    if config is not None and hasattr(config, "notes"):
        config.notes = notes
    scene.next_slide()  # type: ignore[attr-defined]


def is_slide(scene: Scene) -> bool:
    """Return whether ``scene`` is a :class:`manim_slides.Slide`, without importing
    manim-slides: a scene can only be one once ``manim_slides.slide`` is imported."""
    module = sys.modules.get("manim_slides.slide")
    return module is not None and isinstance(scene, module.Slide)


def patch_manim_config() -> None:
    """Apply the patches described in the module docstring (idempotent)."""
    from manim._config.utils import ManimConfig

    for name, value in (("write_to_movie", True), ("flush_cache", False)):
        if not hasattr(ManimConfig, name):
            setattr(ManimConfig, name, property(_constant(value), _ignore))
    cached: Any = ManimConfig.max_files_cached
    if not getattr(cached.fset, "_nnviz_accepts_infinity", False):
        original = cached.fset

        @replaces(
            original,
            because="manim-slides writes float('inf') for 'no limit', which Manim 0.22 spells -1",
        )
        def accept_infinity(self: ManimConfig, value: Any) -> None:
            if isinstance(value, float) and math.isinf(value) and value > 0:
                value = -1
            original(self, value)

        accept_infinity._nnviz_accepts_infinity = True  # type: ignore[attr-defined]
        ManimConfig.max_files_cached = cached.setter(accept_infinity)  # type: ignore[method-assign]


def _constant(value: bool) -> Any:
    return lambda self: value


def _ignore(self: object, value: object) -> None:
    """Accept and drop a write to an option that no longer exists."""
