"""The one way every block follows a clock: ``refresh()`` draws the clock's state, and
``static_parts()`` declares what never changes."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TypeVar

import numpy as np
from manim import Mobject
from typing_extensions import Self

__all__ = ["FollowsClock", "set_shown", "updater"]

UpdaterT = TypeVar("UpdaterT", bound=Callable[..., object])


def updater(function: UpdaterT) -> UpdaterT:
    """Return ``function`` (an updater for ``add_updater``) with its signature stored on it.

    Manim asks every updater for its signature on every frame (does it take ``dt``?); a stored
    one is read about five times faster than ``inspect`` works it out again.
    """
    function.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
    return function


def set_shown(mobject: Mobject, shown: bool) -> None:
    """Make ``mobject`` fully opaque (``shown``) or fully transparent.

    Its colours are set only when some part is not at that opacity yet: ``set_opacity``
    recomputes the colour arrays of every submobject (every glyph of a caption), milliseconds
    a frame for a block that shows or hides a text on every refresh; reading them is cheap.
    """
    opacity = 1.0 if shown else 0.0
    arrays = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")
    alphas = [
        getattr(part, name)[:, 3]
        for part in mobject.get_family()
        for name in arrays
        if hasattr(part, name)
    ]  # one comparison of them all: a tenth of the time of one per array
    if alphas and bool((np.concatenate(alphas) != opacity).any()):
        mobject.set_opacity(opacity)


class FollowsClock(Mobject):
    """Mixin for a block that redraws itself from a clock (a tracker) in :meth:`refresh`.

    Put it first among the bases, e.g. ``class Panel(FollowsClock, Group)``.
    """

    def refresh(self) -> Self:
        """Draw the state of the clock's current value."""
        raise NotImplementedError

    def static_parts(self) -> list[Mobject]:
        """Return the parts of this block that never change (captions, frames, labels).

        :class:`nnviz.stories.base.NNVizScene` draws them once, into Manim's static background,
        instead of on every frame. None by default.
        """
        return []

    def start(self) -> Self:
        """Draw the current state and follow the clock from now on."""
        self.add_updater(updater(lambda block: block.refresh()))
        return self.refresh()

    def stop(self) -> Self:
        """Stop following the clock; the picture stays as it is."""
        self.clear_updaters()
        return self
