"""Texts and formulas typeset once: per process, and for later renders.

Manim typesets a ``Text`` with Pango into an SVG file (kept on disk) but parses that SVG into
glyph outlines again on every ``Text`` (svgelements, then one mobject per glyph): 40 to 80 ms a
caption, and about 15 % of a ``manim -ql scenes/relu.py`` went to its 43 texts. A ``MathTex``
likewise parses its SVG every time.

:func:`typeset_once` keeps each typeset text for the rest of the process (later calls get a
copy that shares what no one changes), and stores it in Manim's text folder as data (an
``.npz`` of numbers and JSON, :mod:`nnviz.mobjects.text_store`), so that the next render loads
it in a few milliseconds. The file's name digests everything the result depends on: the class
and its arguments, the Tex template, and the versions of Manim, svgelements, Python and the
stored form. As Manim's own SVG cache, it does not see a font file replaced under the same
name; deleting the text folder (``media/texts``) clears both. Files are written whole (a
temporary file renamed into place), and a file that is not a valid stored text of the
expected class (damaged, foreign, planted) is typeset again and replaced; nothing in it is
ever executed.

:func:`theme_text` is the one way a building block or a story writes words: a ``Text`` in its
theme's font, typeset once; a block that holds a context calls it as
:meth:`~nnviz.mobjects.context.BlockContext.text`.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import sys
from collections.abc import Hashable
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from manim import MathTex, Mobject, Text, config
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

from nnviz.mobjects.text_store import (
    FORMAT,
    STORED_TEXT_SUFFIX,
    StoredTextError,
    read_text,
    write_text,
)
from nnviz.theme import Theme

__all__ = ["theme_text", "typeset_once"]

TypesetT = TypeVar("TypesetT", Text, MathTex)

_TYPESET: dict[Hashable, tuple[Mobject, dict[int, object]]] = {}


@functools.cache
def _versions() -> tuple[object, ...]:
    """Return what every stored text depends on beyond its arguments: this format's version
    and those of Manim, svgelements and Python (read once: a metadata lookup takes about half
    a millisecond)."""
    return FORMAT, version("manim"), version("svgelements"), sys.version_info[:2]


def _stored_name(kind: type[Mobject], text: str, options: dict[str, Any]) -> str:
    """Return the file name of a stored text: a digest of everything it depends on."""
    parts = (
        *_versions(),
        f"{kind.__module__}.{kind.__qualname__}",
        text,
        sorted((name, repr(value)) for name, value in options.items()),
        config.tex_template.body if issubclass(kind, MathTex) else "",
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:40] + STORED_TEXT_SUFFIX


def _load(path: Path, kind: type[TypesetT]) -> TypesetT | None:
    """Return the text stored at ``path``, or ``None`` if there is none that can be used."""
    try:
        return cast(TypesetT, read_text(path, kind))
    except StoredTextError:
        return None


def _store(made: Mobject, path: Path) -> None:
    """Store ``made`` at ``path``; a text that cannot be stored, or a folder that cannot be
    written, only costs the next render the typesetting."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text(made, path)
    except (OSError, StoredTextError):
        pass


def _typeset(kind: type[TypesetT], text: str, options: dict[str, Any]) -> TypesetT:
    """Return ``kind(text, **options)`` from Manim's text folder, or typeset it and store it."""
    path = Path(config.get_dir("text_dir")) / _stored_name(kind, text, options)
    made = _load(path, kind)
    if made is None:
        # Parsed from its SVG, not copied from Manim's in-process SVG cache: a copy's
        # id_to_vgroup_dict holds the cached original's groups, which are not the text's.
        own: dict[str, Any] = {"use_svg_cache": False} if kind is MathTex else {}
        made = kind(text, **options, **own)
        for part in made.get_family():  # the parsed SVG: read once, to make the outlines
            if isinstance(part, VMobjectFromSVGPath):
                part.path_obj = None
        _store(made, path)
    return made


def typeset_once(kind: type[TypesetT], text: str, **options: Any) -> TypesetT:
    """Return ``kind(text, **options)`` (a :class:`manim.Text` or :class:`manim.MathTex`),
    typeset once per process and stored for later renders (see the module's docstring);
    ``options`` must be hashable.

    Later calls in a process deep-copy the first result but share the parts no one changes
    (colours, enums): about a millisecond.
    """
    key: tuple[Hashable, ...] = (kind, text, tuple(sorted(options.items())))
    if kind is MathTex:
        key = (*key, config.tex_template.body)
    if key not in _TYPESET:
        made = _typeset(kind, text, options)
        shared = {
            id(value): value
            for part in made.get_family()
            for value in vars(part).values()
            if not isinstance(value, np.ndarray | list | dict | Mobject)
        }
        _TYPESET[key] = (made, shared)
    first, shared = _TYPESET[key]
    return cast(TypesetT, copy.deepcopy(first, dict(shared)))


def theme_text(theme: Theme, text: str, font_size: float, color: Any, **options: Any) -> Text:
    """Return ``Text(text, font=theme.font, font_size=font_size, color=color, **options)``,
    typeset once (:func:`typeset_once`): every text on screen in the theme's font.

    Parameters
    ----------
    theme
        The scene's theme; its font is the text's.
    text
        The words, lines split by ``"\\n"``.
    font_size
        Manim's font size.
    color
        The text's colour (a theme colour, or a class colour).
    **options
        Further hashable options of :class:`manim.Text` (``line_spacing``, …).
    """
    return typeset_once(Text, text, font=theme.font, font_size=font_size, color=color, **options)
