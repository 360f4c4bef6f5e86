"""Fades on a scene by curtains of its background's colour: reveal and conceal the whole
frame, fade some mobjects in or out (:mod:`nnviz.mobjects.curtain` has the geometry).

Functions of the scene rather than methods of :class:`~nnviz.stories.base.NNVizScene`: a
story that fades calls them, a scene that does not never carries them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import Animation, FadeIn, FadeOut, FullScreenRectangle, Mobject

from nnviz.mobjects.curtain import Glide, curtains
from nnviz.stories.base import NNVizScene

__all__ = ["clear_screen", "conceal", "fade_in", "fade_out", "reveal"]


def reveal(scene: NNVizScene, *mobjects: Mobject, run_time: float = 0.8) -> None:
    """Add ``mobjects`` to ``scene`` and fade them in by lifting a curtain of the background
    colour over the whole frame.

    Looks like ``FadeIn`` of everything, but animates one rectangle instead of deep-copying
    every mobject (seconds for a full training layout).
    """
    curtain = _curtain(scene)
    scene.add(*mobjects, curtain)
    scene.play(FadeOut(curtain), run_time=run_time)


def conceal(scene: NNVizScene, *mobjects: Mobject, run_time: float = 0.6) -> None:
    """Fade ``mobjects`` out of ``scene`` by lowering the curtain, then remove them."""
    scene.remember_shown(mobjects)
    curtain = _curtain(scene)
    scene.play(FadeIn(curtain), run_time=run_time)
    scene.remove(*mobjects, curtain)


def fade_in(
    scene: NNVizScene,
    *mobjects: Mobject,
    shift: Sequence[float] | np.ndarray | None = None,
    run_time: float = 1.0,
    along: Sequence[Animation] = (),
) -> None:
    """Add ``mobjects`` to ``scene`` and fade them in, gliding by ``shift`` into place, as
    ``FadeIn`` does, with ``along`` played at the same time.

    Curtains of the background's colour over the mobjects are lifted instead of the mobjects
    being faded (:mod:`nnviz.mobjects.curtain`): the same pixels where the mobjects stand on
    the background alone, without Manim's copies of every glyph.
    """
    vector = np.zeros(3) if shift is None else np.asarray(shift, dtype=np.float64)
    cover = curtains(mobjects, scene.theme.background, 1.0, shift=vector)
    for mobject in mobjects:
        mobject.shift(-vector)
    scene.add(*mobjects, cover)
    glides = [Glide(m, vector) for m in mobjects] if shift is not None else []
    scene.play(FadeOut(cover), *glides, *along, run_time=run_time)


def fade_out(
    scene: NNVizScene, *mobjects: Mobject, run_time: float = 0.6, along: Sequence[Animation] = ()
) -> None:
    """Fade ``mobjects`` out of ``scene``, as ``FadeOut`` does, by lowering curtains of the
    background's colour over them (see :func:`fade_in`), then remove them."""
    scene.remember_shown(mobjects)
    cover = curtains(mobjects, scene.theme.background, 1.0)
    scene.play(FadeIn(cover), *along, run_time=run_time)
    scene.remove(*mobjects, cover)


def clear_screen(scene: NNVizScene, run_time: float = 0.6) -> None:
    """Fade out everything on ``scene``'s screen (by the curtain, see :func:`conceal`)."""
    if scene.mobjects:
        conceal(scene, *scene.mobjects, run_time=run_time)


def _curtain(scene: NNVizScene) -> FullScreenRectangle:
    """The whole frame in the background's colour, opaque."""
    return FullScreenRectangle(fill_color=scene.theme.background, fill_opacity=1.0, stroke_width=0)
