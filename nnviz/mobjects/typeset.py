"""Texts and formulas typeset once: per process, and for later renders.

Manim typesets a ``Text`` with Pango into an SVG file (kept on disk) but parses that SVG into
glyph outlines again on every ``Text`` (svgelements, then one mobject per glyph): 40 to 80 ms a
caption, and about 15 % of a ``manim -ql scenes/relu.py`` went to its 43 texts. A ``MathTex``
likewise parses its SVG every time.

:func:`typeset_once` keeps each typeset text for the rest of the process (later calls get a
copy that shares what no one changes), and stores it in Manim's text folder as a
``*.nnviz-mobject`` file (a pickle of the mobject without the parsed SVG objects, which nothing
reads after the outlines are made), so that the next render loads it in a few milliseconds.
The file's name digests everything the result depends on: the class and its arguments, the
Tex template, and the versions of Manim, svgelements, Python and this format. As Manim's own
SVG cache, it does not see a font file replaced under the same name; deleting the text folder
(``media/texts``) clears both. Files are written whole (a temporary file renamed into place)
and read with an unpickler that builds only the types a text is made of (Manim's mobjects,
colours, Tex templates and enumerations, NumPy arrays, a few built-ins) and calls no function,
so a damaged or foreign file is typeset again, never run.
"""

from __future__ import annotations

import copy
import enum
import functools
import hashlib
import io
import os
import pickle
import secrets
import sys
from collections.abc import Hashable
from importlib.metadata import version
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
from manim import ManimColor, MathTex, Mobject, Text, TexTemplate, config
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

from nnviz.rendering import STORED_TEXT_SUFFIX

__all__ = ["typeset_once"]

#: The version of the stored form; a change makes every stored text typeset again.
_FORMAT = 1

TypesetT = TypeVar("TypesetT", Text, MathTex)

_TYPESET: dict[Hashable, tuple[Mobject, dict[int, object]]] = {}

#: What a stored text may be built from: (module prefix, names or None for any).
_ALLOWED: tuple[tuple[str, frozenset[str] | None], ...] = (
    ("manim.", None),  # types only: see _is_manim_type
    ("numpy", frozenset({"dtype", "ndarray", "_frombuffer", "scalar", "_reconstruct"})),
    ("pathlib", frozenset({"PosixPath", "WindowsPath", "PurePosixPath", "PureWindowsPath"})),
    ("builtins", frozenset({"set", "frozenset", "slice", "complex", "bytearray"})),
    ("copyreg", frozenset({"_reconstructor"})),
)


def _is_manim_type(found: object) -> bool:
    """Return whether ``found`` is a type a typeset text is made of: a mobject, a colour, a
    Tex template or an enumeration (never a function, which a pickle could call)."""
    return isinstance(found, type) and issubclass(
        found, Mobject | ManimColor | TexTemplate | enum.Enum
    )


class _MobjectUnpickler(pickle.Unpickler):
    """An unpickler that builds the types of a typeset text only (see :data:`_ALLOWED`)."""

    def find_class(self, module: str, name: str) -> Any:
        for prefix, names in _ALLOWED:
            if module.startswith(prefix) and (names is None or name in names):
                found = super().find_class(module, name)
                if prefix != "manim." or _is_manim_type(found):
                    return found
        raise pickle.UnpicklingError(f"{module}.{name} is not part of a typeset text")


@functools.cache
def _versions() -> tuple[object, ...]:
    """Return what every stored text depends on beyond its arguments: this format's version
    and those of Manim, svgelements and Python (read once: a metadata lookup takes about half
    a millisecond)."""
    return _FORMAT, version("manim"), version("svgelements"), sys.version_info[:2]


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
        data = path.read_bytes()
    except OSError:
        return None
    try:
        made = _MobjectUnpickler(io.BytesIO(data)).load()
    except Exception:  # damaged, foreign or of other versions: typeset again
        return None
    return made if type(made) is kind else None


def _store(made: Mobject, path: Path) -> None:
    """Write ``made`` to ``path`` whole (a temporary file renamed into place); a folder that
    cannot be written only costs the next render the typesetting."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        pass
    finally:
        temporary.unlink(missing_ok=True)


def _typeset(kind: type[TypesetT], text: str, options: dict[str, Any]) -> TypesetT:
    """Return ``kind(text, **options)`` from Manim's text folder, or typeset it and store it."""
    path = Path(config.get_dir("text_dir")) / _stored_name(kind, text, options)
    made = _load(path, kind)
    if made is None:
        made = kind(text, **options)
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
