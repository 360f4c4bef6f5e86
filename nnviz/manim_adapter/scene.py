"""Manim's ``Scene`` with what nnviz replaces of it: :class:`AdaptedScene`.

Each method here overrides one of :class:`manim.Scene`'s, says which and why (marked with
:func:`~nnviz.manim_adapter.replaces.replaces`), and ``tests/test_manim_adapter.py`` checks
the assumption it rests on against the installed Manim. :class:`~nnviz.stories.base.NNVizScene`
subclasses it and keeps nnviz's own concerns (theme, LaTeX, private caches, the clock).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast

from manim import Animation, Camera, Mobject, PMobject, Scene, VMobject, config
from manim.mobject.types.image_mobject import AbstractImageMobject
from manim.utils.color import ParsableManimColor
from manim.utils.family import extract_mobject_family_members
from manim.utils.iterables import list_update

from nnviz.manim_adapter.camera import FastCamera
from nnviz.manim_adapter.pillow import read_arrays_in_manims_camera_as_pillow_12
from nnviz.manim_adapter.plays import call_after_each_play
from nnviz.manim_adapter.replaces import replaces
from nnviz.manim_adapter.timing import frames_of_play, frames_of_still_wait
from nnviz.mobjects.following import FollowsClock

__all__ = ["SHOULD_UPDATE_MOBJECTS_DIGEST", "AdaptedScene", "drawn"]

#: :func:`~nnviz.manim_adapter.replaces.source_digest` of Manim's
#: ``Scene.should_update_mobjects``, whose test of a wait :meth:`AdaptedScene.frames_of_wait`
#: repeats (a wait with a stop condition, ``wait_until``, nnviz never plays).
SHOULD_UPDATE_MOBJECTS_DIGEST = "bf6cad81f018ce2c"


def drawn(mobjects: Sequence[Mobject]) -> list[Mobject]:
    """The ``mobjects`` that draw something (not a clock's tracker or an empty group): the
    camera draws vectorized, image and point-cloud mobjects."""
    kinds = (VMobject, AbstractImageMobject, PMobject)
    return [
        m for m in mobjects if any(isinstance(p, kinds) for p in m.family_members_with_points())
    ]


class AdaptedScene(Scene):
    """:class:`manim.Scene` with nnviz's camera, its background, static parts drawn once,
    time that advances by whole frames, and stills that show the final state.

    Parameters
    ----------
    background_color
        The camera's background (``None``: Manim's ``config.background_color``). It is given
        to the camera, not written into Manim's global configuration.
    **kwargs
        As for :class:`manim.Scene`; ``camera_class`` defaults to
        :class:`~nnviz.manim_adapter.camera.FastCamera`.
    """

    @replaces(
        Scene.__init__,
        because="the camera is nnviz's fast camera by default and is made with the scene's "
        "background (Manim's renderer calls camera_class() without arguments), and Manim's "
        "camera module gets the Pillow 13 shim before any frame is drawn",
    )
    def __init__(self, background_color: ParsableManimColor | None = None, **kwargs: Any) -> None:
        # Manim 0.22 draws a turned image on a frame Pillow 13 refuses to make (the adapter).
        read_arrays_in_manims_camera_as_pillow_12()
        camera_class = kwargs.pop("camera_class", FastCamera)
        if background_color is not None:
            camera_class = camera_with_background(camera_class, background_color)
        super().__init__(camera_class=camera_class, **kwargs)
        self._movie_frames = 0
        call_after_each_play(self, _keep_time_by_frames)

    @replaces(
        Scene.render,
        because="a render runs inside rendering(), which a subclass extends (nnviz's scenes "
        "close their private caches and say a full disk in one line there)",
    )
    def render(self, preview: bool = False) -> bool:
        """Render as Manim does, inside :meth:`rendering`."""
        with self.rendering():
            return super().render(preview)

    @contextmanager
    def rendering(self) -> Iterator[None]:
        """What :meth:`render` runs inside: nothing here; a subclass extends it."""
        yield

    @replaces(
        Scene.get_moving_mobjects,
        because="the static parts a FollowsClock block declares stay in the background image",
    )
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

    @replaces(
        Scene.get_moving_and_static_mobjects,
        because="Manim's split moves the whole family of a moving mobject; here a static part "
        "inside a moving block stays in the background image",
        copied_digest="baab5b1b79ff9c44",
    )
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

    @replaces(
        Scene.update_to_time,
        because="updaters advance by one frame's time a drawn frame and by a play's frames' "
        "time a skipped play, so a skipped play ends as a drawn one (-n, --jobs)",
        copied_digest="26734965a1c179cc",
    )
    def update_to_time(self, t: float) -> None:
        """Advance the current animations to ``t`` and the updaters by the video time passed.

        Manim hands updaters ``t - last_t``, which is 0 for the first frame of every play, and
        the whole run time at once when it skips a play (``-n``, or a parallel render's
        process before its range): a view that turns with the video's time would then stand
        still for a frame per play and turn differently in a skipped play. Here every drawn
        frame advances the video by one frame's time, and a skipped play by its frames' time,
        so the state after any play is the same whether it was drawn or skipped.
        """
        step = 1 / config.frame_rate
        if self.renderer.skip_animations:
            dt = frames_of_play(self.duration, config.frame_rate) * step
        else:
            dt = step
        self.last_t = t
        for animation in self.animations or ():
            animation.update_mobjects(dt)
            animation.interpolate(t / animation.run_time)
        self.update_mobjects(dt)
        self.update_meshes(dt)
        self.update_self(dt)

    def frames_of_wait(self, seconds: float) -> int:
        """Return how many frames ``self.wait(seconds)`` adds to the movie now: a still wait
        repeats one frame for whole frames of its time (Manim's ``freeze_current_frame``), a
        wait with time-based updaters (a turning 3-D view) draws every frame of a play."""
        rate = config.frame_rate
        updating = (  # as Manim's Scene.should_update_mobjects (SHOULD_UPDATE_MOBJECTS_DIGEST)
            self.always_update_mobjects
            or bool(self.updaters)
            or any(m.has_time_based_updater() for m in self.get_mobject_family_members())
        )
        return frames_of_play(seconds, rate) if updating else frames_of_still_wait(seconds, rate)

    def remember_shown(self, hidden: Sequence[Mobject]) -> None:
        """Remember what is on screen when ``hidden`` leaves it empty: the still of the
        scene so far (see :meth:`tear_down`). Call it before fading ``hidden`` out."""
        leaving = {id(m) for m in hidden}
        shown = drawn(self.mobjects)
        if shown and all(id(m) in leaving for m in shown):
            self._last_shown = shown

    @replaces(
        Scene.tear_down,
        because="a still of a story that ends by fading everything out shows its final state "
        "(Manim's hook after construct, empty in Manim)",
    )
    def tear_down(self) -> None:
        """Manim's hook after :meth:`construct`: for a still (``manim -s``, a scene's last
        frame) of a story that ends by fading everything out, put back what was on screen
        before that last fade (:meth:`remember_shown`), so the still shows the story's final
        state, not a blank screen. A video's frames are not touched (they are written by
        then)."""
        super().tear_down()
        shown = getattr(self, "_last_shown", None)
        if config.save_last_frame and not drawn(self.mobjects) and shown:
            self.add(*shown)


def _keep_time_by_frames(scene: Scene) -> None:
    """Set the renderer's time, after an animation, to the frames the movie holds so far over
    the frame rate: the time a subtitle starts at (Manim's ``add_subcaption`` reads it).

    Manim adds a frame's time for each frame it draws, and a skipped animation's run time
    (``-n``, a parallel render's process before its range, the plan of a parallel render),
    which is not a whole number of frames: a cue added after a skipped animation would stand
    up to half a frame off the one of a drawn render, and more after many. Here both count
    the frames the animation adds (:mod:`~nnviz.manim_adapter.timing`'s rules for a skipped
    one), so a cue has the same time in every render of the scene.
    """
    adapted = cast(AdaptedScene, scene)
    renderer = scene.renderer
    rate = config.frame_rate
    if renderer.skip_animations:
        seconds = float(scene.duration)
        still = scene.is_current_animation_frozen_frame()
        frames = frames_of_still_wait(seconds, rate) if still else frames_of_play(seconds, rate)
    else:
        frames = round((renderer.time - adapted._movie_frames / rate) * rate)
    adapted._movie_frames += frames
    renderer.time = adapted._movie_frames / rate


def camera_with_background(
    camera_class: type[Camera], background_color: ParsableManimColor
) -> type[Camera]:
    """Return ``camera_class`` made with ``background_color``: Manim's renderer makes its
    camera by calling ``camera_class()``, and a camera takes its background when made (its
    ``background_color`` argument; without it, ``config.background_color``)."""
    # A factory where Manim's Scene takes a class: its renderer only calls it.
    return cast(type[Camera], functools.partial(camera_class, background_color=background_color))
