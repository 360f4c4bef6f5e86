"""What every nnviz scene shares: the fast camera, the theme and the run cache."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import fields
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from manim import Animation, FadeIn, FadeOut, FullScreenRectangle, Mobject, Scene, config
from manim.utils.family import extract_mobject_family_members
from manim.utils.iterables import list_update

from nnviz.cache import cached_run
from nnviz.config import RunConfig
from nnviz.mobjects.camera import FastCamera
from nnviz.mobjects.following import FollowsClock
from nnviz.rendering import PrivateCaches, missing_latex
from nnviz.run import Run
from nnviz.theme import Theme, active_theme

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["NNVizScene", "phase_from"]

PhaseT = TypeVar("PhaseT", bound="DataclassInstance")


def phase_from(story: object, phase_type: type[PhaseT]) -> PhaseT:
    """Return the phase ``phase_type`` (a dataclass of a phase's settings) of a story: each
    field is the story's attribute of the same name where it has one (a class attribute a
    subclass may override), else the phase's default."""
    settings = {
        f.name: getattr(story, f.name) for f in fields(phase_type) if hasattr(story, f.name)
    }
    return phase_type(**settings)


class NNVizScene(Scene):
    """A Scene with nnviz's camera (fast upright images) and theme.

    Subclasses set :attr:`base_config` to change the data set, seed or training settings.
    """

    #: The run configuration that the scene's runs start from.
    base_config: ClassVar[RunConfig] = RunConfig()

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("camera_class", FastCamera)
        self.theme: Theme = active_theme()
        config.background_color = self.theme.background
        reason = missing_latex()
        if reason is not None:  # one line instead of Manim's traceback from deep in MathTex
            raise SystemExit(f"nnviz: {reason}")
        # Renders at once in one folder must not share Manim's text, Tex and movie files.
        self._private_caches = PrivateCaches().open()
        weakref.finalize(self, self._private_caches.close)
        super().__init__(**kwargs)
        self._private_caches.attach(self.renderer.file_writer)

    def render(self, preview: bool = False) -> bool:
        """Render as Manim does, then publish new text and Tex to the shared caches and remove
        this render's private folders (also when interrupted)."""
        try:
            return super().render(preview)
        finally:
            self._private_caches.close()

    def get_moving_mobjects(self, *animations: Animation) -> list[Mobject]:
        """Manim's moving mobjects, less the parts our blocks declare static.

        Manim redraws, on every frame, every mobject from the first one that has an updater
        onwards, so the static captions, labels and legends inside a block that follows the
        clock cost milliseconds a frame. A block
        (:class:`~nnviz.mobjects.following.FollowsClock`) declares the parts that never change
        in ``static_parts()``; they go into Manim's static background image, drawn once (see
        :meth:`get_moving_and_static_mobjects`).
        """
        moving = super().get_moving_mobjects(*animations)
        animated = {id(m) for a in animations for m in a.mobject.get_family()}
        frozen: set[int] = set()
        for mobject in self.get_mobject_family_members():
            if isinstance(mobject, FollowsClock):
                for part in mobject.static_parts():
                    frozen.update(id(m) for m in part.get_family())
        return [m for m in moving if id(m) not in frozen or id(m) in animated]

    def get_moving_and_static_mobjects(
        self, animations: Iterable[Animation]
    ) -> tuple[list[Mobject], list[Mobject]]:
        """Split the mobjects into those drawn every frame and the static ones.

        Manim's own split takes the whole family of every moving mobject, and a block that
        follows the clock moves, so its static parts would be drawn on every frame again. Here
        the moving list holds the moving leaves (and moving mobjects with points of their own),
        in Manim's drawing order, so that a static part inside a moving block stays in the
        background image. A leaf without points now (an empty glyph slot) stays in the list:
        the camera draws it once it has points.
        """
        animations = list(animations)
        everything = list_update(self.mobjects, self.foreground_mobjects)
        z_index = self.renderer.camera.use_z_index
        members = extract_mobject_family_members(everything, use_z_index=z_index)
        moving_ids = {id(m) for m in self.get_moving_mobjects(*animations)}
        moving = [
            m for m in members if id(m) in moving_ids and (not m.submobjects or m.has_points())
        ]
        drawn_moving = {id(m) for m in extract_mobject_family_members(moving)}
        static = [
            m
            for m in extract_mobject_family_members(
                everything, use_z_index=z_index, only_those_with_points=True
            )
            if id(m) not in drawn_moving
        ]
        return moving, static

    def reveal(self, *mobjects: Mobject, run_time: float = 0.8) -> None:
        """Add ``mobjects`` and fade them in by lifting a curtain of the background colour.

        Looks like ``FadeIn`` of everything, but animates one rectangle instead of deep-copying
        every mobject (seconds for a full training layout).
        """
        curtain = self._curtain(opacity=1.0)
        self.add(*mobjects, curtain)
        self.play(FadeOut(curtain), run_time=run_time)

    def conceal(self, *mobjects: Mobject, run_time: float = 0.6) -> None:
        """Fade ``mobjects`` out by lowering the curtain, then remove them."""
        curtain = self._curtain(opacity=1.0)
        self.play(FadeIn(curtain), run_time=run_time)
        self.remove(*mobjects, curtain)

    def _curtain(self, opacity: float) -> FullScreenRectangle:
        return FullScreenRectangle(
            fill_color=self.theme.background, fill_opacity=opacity, stroke_width=0
        )

    def run_for(self, **changes: Any) -> Run:
        """Return the cached run of :attr:`base_config` with ``changes``, training it if needed."""
        return cached_run(self.base_config.replace(**changes))
