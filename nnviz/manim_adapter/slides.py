"""Make manim-slides 5.7 work with manim 0.22, which it predates (imported only with
manim-slides, by :mod:`nnviz.stories.explainer`): three patches of Manim's ``ManimConfig`` class.

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
from typing import Any

from nnviz.manim_adapter.replaces import replaces

__all__ = ["patch_manim_config"]


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
