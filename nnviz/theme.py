"""Colours of every scene, in one place: a dark theme (default) and a light one.

Choose with the environment variable ``NNVIZ_THEME`` (``dark`` or ``light``) when rendering, e.g.
``NNVIZ_THEME=light manim -qh scenes/relu.py``, with ``nnviz render --theme light``, or a scene's
``theme_name``. Colours are hex strings; nothing here imports
manim, so the picture's maths can use them in tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_THEME", "THEMES", "Theme", "active_theme", "hex_to_rgb"]


@dataclass(frozen=True)
class Theme:
    """The colours of a scene.

    Attributes
    ----------
    name
        ``dark`` or ``light``.
    background, foreground, muted
        Page, text and secondary text/axis colours.
    class_colors
        Dot colours of class 0 and class 1.
    dot_outline
        Thin outline around every dot, so dots read on the mesh.
    mesh_low, mesh_mid, mesh_high
        The diverging colour map of the probability mesh at p = 0, 0.5 and 1.
    boundary
        The 0.5 contour and the output line.
    accent
        Highlights: the loss curve, the epoch marker, captions.
    positive, negative
        Weight colours by sign (network diagram).
    run_colors
        The colours of runs shown together (the loss landscape's paths), chosen apart from
        the class colours and the mesh.
    landscape_map
        The loss landscape's sequential colour map: a name of
        :data:`nnviz.colormap.SEQUENTIAL_ANCHORS` and the part of it used (``start``, ``stop``
        from 0 to 1), low loss at ``start``.
    font
        The font of every text.
    """

    name: str
    background: str
    foreground: str
    muted: str
    class_colors: tuple[str, str]
    dot_outline: str
    mesh_low: str
    mesh_mid: str
    mesh_high: str
    boundary: str
    accent: str
    positive: str
    negative: str
    run_colors: tuple[str, ...] = ("#FFD43B", "#69DB7C", "#F783AC", "#E599F7")
    landscape_map: tuple[str, float, float] = ("viridis", 0.0, 1.0)
    font: str = "DejaVu Sans"


THEMES: dict[str, Theme] = {
    "dark": Theme(
        name="dark",
        background="#0E1117",
        foreground="#ECEFF4",
        muted="#8B93A1",
        class_colors=("#FF9F43", "#4DABF7"),
        dot_outline="#0E1117",
        mesh_low="#7A4514",
        mesh_mid="#1B1F27",
        mesh_high="#144A75",
        boundary="#F8F9FA",
        accent="#FFD43B",
        positive="#4DABF7",
        negative="#FF9F43",
    ),
    "light": Theme(
        name="light",
        background="#FFFFFF",
        foreground="#1B1F27",
        muted="#5C6370",
        class_colors=("#E8590C", "#1971C2"),
        dot_outline="#FFFFFF",
        mesh_low="#FBC99A",
        mesh_mid="#F8F9FA",
        mesh_high="#A5D0F5",
        boundary="#1B1F27",
        accent="#C92A2A",
        positive="#1971C2",
        negative="#E8590C",
        run_colors=("#E67700", "#2B8A3E", "#C2255C", "#862E9C"),
        landscape_map=("viridis", 0.2, 1.0),
    ),
}


#: The theme used when none is asked for.
DEFAULT_THEME = "dark"


def active_theme(name: str | None = None) -> Theme:
    """Return the theme ``name``, or when it is ``None`` the one named by ``NNVIZ_THEME``
    (default :data:`DEFAULT_THEME`).

    Raises
    ------
    ValueError
        When ``name`` or the variable names no theme.
    """
    if name is not None:
        if name not in THEMES:
            raise ValueError(f"{name!r} is not a theme; choose one of {', '.join(THEMES)}")
        return THEMES[name]
    chosen = os.environ.get("NNVIZ_THEME", DEFAULT_THEME).strip().lower() or DEFAULT_THEME
    if chosen not in THEMES:
        raise ValueError(
            f"NNVIZ_THEME={chosen!r} is not a theme; choose one of {', '.join(THEMES)}"
        )
    return THEMES[chosen]


def hex_to_rgb(color: str) -> np.ndarray:
    """Return the RGB components of ``#RRGGBB`` as three uint8 values."""
    value = color.lstrip("#")
    if len(value) != 6:
        raise ValueError(f"expected a colour as #RRGGBB, got {color!r}")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)], dtype=np.uint8)
