"""Typeset texts as data: a Manim ``Text`` or ``MathTex`` written to, and read back from, a
file of numbers and JSON that is never executed.

A typeset text is a small tree of mobjects: the text, its glyphs (one ``VMobjectFromSVGPath``
each) and a few groups. :func:`write_text` writes it as a compressed ``.npz`` of two arrays:
``values``, every number array of the tree laid end to end (float64), and ``layout``, a UTF-8
JSON document (as bytes) that lists the mobjects by class name, each with its attributes:
numbers, strings, lists, colours (four numbers), Manim's enumerations (by member name),
references to other mobjects of the file and slices of ``values``.

:func:`read_text` reads nothing but that. Before anything is built it checks the file's size
(at most :data:`MAX_FILE_BYTES`), that the archive holds exactly the two arrays, each
declaring at most :data:`MAX_MEMBER_BYTES` (zipfile inflates no more than that), that
``np.load`` reads them with ``allow_pickle=False``, that every number is finite, and that
every mobject has exactly the attributes of its class (:data:`SCHEMA`: Manim's base
``VMobject`` attributes, each of the kind Manim gives it, plus each class's own), with points
of shape (n, 3) in whole Bézier curves, colours in [0, 1], and a family that is a tree without
cycles. Mobjects are made by their class's ``__new__`` and given the checked attributes; no
function named by the file is ever called, no constructor runs with its arguments (except
:class:`manim.ManimColor` of four checked numbers and ``pathlib.Path`` of a string), and a
``MathTex``'s template is the running configuration's, never one from the file. So the worst
a planted file can do is show wrong glyphs; everything else is refused with
:class:`StoredTextError` and the caller typesets the text again.

:data:`SCHEMA` names the attributes of the installed Manim's texts; ``tests/test_text_store``
compares it with real ``Text`` and ``MathTex`` objects, so a Manim release that changes them
fails the test suite (and until then only stops texts from being stored).

The stored form is a data format of Manim's objects, not a use of their internals: a text's
instance attributes (``vars(mobject)``) written whole as Manim's ``Text`` and ``MathTex`` leave
them, and given back whole. One of them has a private name (``SVGMobject._font_size``, the
size behind the public ``font_size``); nnviz neither reads nor sets it by meaning, it only
copies it with the rest, and the test above fails when the installed Manim's attributes change.
That is why this module stays with the building blocks, outside :mod:`nnviz.manim_adapter`.
"""

from __future__ import annotations

import enum
import io
import json
import math
import os
import secrets
import zipfile
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from manim import (
    ManimColor,
    MathTex,
    Mobject,
    Rectangle,
    Text,
    TexTemplate,
    VGroup,
    VMobject,
    config,
)
from manim.constants import CapStyleType, LineJointType
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath
from manim.mobject.text.tex_mobject import MathTexPart

from nnviz.files import FileRefusedError, open_regular_file

__all__ = [
    "FORMAT",
    "MAX_FILE_BYTES",
    "SCHEMA",
    "STORED_TEXT_SUFFIX",
    "StoredTextError",
    "read_text",
    "write_text",
]

#: The suffix of a file of this format, as :mod:`nnviz.mobjects.typeset` stores texts in
#: Manim's text folder; the private caches take and give these files as they do Manim's SVGs.
STORED_TEXT_SUFFIX = ".nnviz-text.npz"

#: The version of the stored form, written into every file; another version is refused.
FORMAT = 2
#: Largest stored text read, in bytes (a caption takes 20 to 100 kB).
MAX_FILE_BYTES = 4 * 2**20
#: Largest array of a stored text, in bytes once inflated (a long formula's layout takes 1 MB).
MAX_MEMBER_BYTES = 16 * 2**20
#: Most mobjects in one stored text (a glyph is one).
MAX_NODES = 4096
#: Deepest family of mobjects (a text is three deep).
MAX_FAMILY_DEPTH = 16
#: Deepest nesting of lists and dicts in an attribute's value.
MAX_DEPTH = 6

_SVG: dict[str, frozenset[str]] = {
    "file_name": frozenset({"path"}),
    "should_center": frozenset({"bool"}),
    "svg_height": frozenset({"none", "number"}),
    "svg_width": frozenset({"none", "number"}),
    "opacity": frozenset({"none", "number"}),
    "id_to_vgroup_dict": frozenset({"dict"}),
    "svg_default": frozenset({"dict"}),
    "path_string_config": frozenset({"dict"}),
    "initial_height": frozenset({"number"}),
    "_font_size": frozenset({"number"}),
}
_STR = frozenset({"str"})
_DICT = frozenset({"dict"})
_LIST = frozenset({"list"})
_BOOL = frozenset({"bool"})

#: Each class a stored text may hold, with the attributes it has beyond ``VMobject``'s and the
#: kinds of value each may take.
SCHEMA: dict[type[Mobject], dict[str, frozenset[str]]] = {
    Text: {
        **_SVG,
        "line_spacing": frozenset({"number"}),
        "font": _STR,
        "slant": _STR,
        "weight": _STR,
        "gradient": frozenset({"none", "list", "tuple"}),
        "tab_width": frozenset({"number"}),
        "t2c": _DICT,
        "t2f": _DICT,
        "t2g": _DICT,
        "t2s": _DICT,
        "t2w": _DICT,
        "original_text": _STR,
        "disable_ligatures": _BOOL,
        "text": _STR,
        "chars": frozenset({"node"}),
    },
    MathTex: {
        **_SVG,
        "tex_template": frozenset({"tex_template"}),
        "arg_separator": _STR,
        "substrings_to_isolate": _LIST,
        "tex_to_color_map": _DICT,
        "tex_environment": _STR,
        "brace_notation_split_occurred": _BOOL,
        "tex_strings": _LIST,
        "matched_strings_and_ids": _LIST,
        "organize_left_to_right": _BOOL,
        "tex_string": _STR,
    },
    MathTexPart: {"tex_string": _STR},
    VMobjectFromSVGPath: {
        "path_obj": frozenset({"none"}),
        "long_lines": _BOOL,
        "should_subdivide_sharp_curves": _BOOL,
        "should_remove_null_curves": _BOOL,
    },
    Rectangle: {"grid_lines": frozenset({"node"})},  # a fraction's bar, a root's overline
    VGroup: {},
}
_CLASSES: dict[str, type[Mobject]] = {kind.__name__: kind for kind in SCHEMA}
_ENUMS: dict[str, type[enum.Enum]] = {kind.__name__: kind for kind in (LineJointType, CapStyleType)}
#: Attributes of every mobject whose arrays hold colours (rows of RGBA in [0, 1]).
_COLOUR_ARRAYS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


class StoredTextError(ValueError):
    """A stored text that cannot be used; the caller typesets the text again."""


@cache
def _base_kinds() -> dict[str, str]:
    """The attributes of a plain ``VMobject`` of the installed Manim, with their kinds."""
    return {name: _kind(value) for name, value in vars(VMobject()).items()}


_KIND_OF_TYPE: dict[type, str] = {
    type(None): "none",
    bool: "bool",
    np.bool_: "bool",
    int: "number",
    float: "number",
    np.float64: "number",
    np.int64: "number",
    str: "str",
    np.ndarray: "array",
    ManimColor: "color",
    list: "list",
    tuple: "tuple",
    dict: "dict",
}


def _kind(value: object) -> str:
    """The kind of an attribute's value, as :data:`SCHEMA` names it."""
    found = _KIND_OF_TYPE.get(type(value))
    if found is not None:
        return found
    if isinstance(value, TexTemplate) and value.body == config.tex_template.body:
        return "tex_template"  # the template a stored formula's name digests
    kinds: tuple[tuple[type, str], ...] = (
        (Path, "path"),
        (enum.Enum, "enum"),
        (Mobject, "node"),
        (np.integer, "number"),
        (np.floating, "number"),
    )
    for kind, name in kinds:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _attribute_kinds(kind: type[Mobject]) -> dict[str, frozenset[str]]:
    """Every attribute of a ``kind`` and the kinds of value it may take."""
    if kind.__name__ not in _ATTRIBUTE_KINDS:
        _ATTRIBUTE_KINDS[kind.__name__] = _find_attribute_kinds(kind)
    return _ATTRIBUTE_KINDS[kind.__name__]


_ATTRIBUTE_KINDS: dict[str, dict[str, frozenset[str]]] = {}


def _find_attribute_kinds(kind: type[Mobject]) -> dict[str, frozenset[str]]:
    base = {name: frozenset({value}) for name, value in _base_kinds().items()}
    # Manim stores ints, floats or None in these (a MathTex's opacities are None).
    base.update({name: frozenset({"number", "none"}) for name, value in _base_kinds().items()
                 if value == "number"})  # fmt: skip
    base["submobjects"] = _LIST
    return {**base, **SCHEMA[kind]}


# --- writing --------------------------------------------------------------------------------


class _Encoder:
    """Lays a mobject tree out as JSON and one float64 vector."""

    def __init__(self) -> None:
        self.nodes: dict[int, int] = {}
        self.order: list[Mobject] = []
        self.values: list[np.ndarray] = []
        self.size = 0

    def node(self, mobject: Mobject) -> int:
        if id(mobject) not in self.nodes:
            if type(mobject) not in SCHEMA:
                raise StoredTextError(f"{type(mobject).__name__} is not stored")
            self.nodes[id(mobject)] = len(self.order)
            self.order.append(mobject)
        return self.nodes[id(mobject)]

    def value(self, value: object, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            raise StoredTextError("nested too deeply to store")
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, np.bool_):
            return bool(value)
        if isinstance(value, int | np.integer):
            return int(value)
        if isinstance(value, float | np.floating):
            if not math.isfinite(value):
                raise StoredTextError("not a finite number")
            return float(value)
        if isinstance(value, TexTemplate) and value.body == config.tex_template.body:
            return {"t": 1}
        if isinstance(value, Path):
            return {"p": str(value)}
        if isinstance(value, ManimColor):
            return {"c": [float(v) for v in value.to_rgba()]}
        if isinstance(value, enum.Enum) and type(value).__name__ in _ENUMS:
            return {"e": [type(value).__name__, value.name]}
        if isinstance(value, Mobject):
            return {"n": self.node(value)}
        if isinstance(value, np.ndarray):
            if value.dtype != np.float64 or value.ndim > 2:
                raise StoredTextError(f"an array of {value.dtype} is not stored")
            self.values.append(value.ravel())
            offset, self.size = self.size, self.size + value.size
            return {"a": [offset, list(value.shape)]}
        if isinstance(value, list):
            return [self.value(item, depth + 1) for item in value]
        if isinstance(value, tuple):
            return {"u": [self.value(item, depth + 1) for item in value]}
        if isinstance(value, dict) and all(isinstance(key, str) for key in value):
            return {"d": [[key, self.value(item, depth + 1)] for key, item in value.items()]}
        raise StoredTextError(f"a {type(value).__name__} is not stored")

    def layout(self, root: Mobject) -> dict[str, object]:
        self.node(root)
        nodes = []
        index = 0
        while index < len(self.order):  # encoding a node may add nodes it refers to
            mobject = self.order[index]
            kinds = _attribute_kinds(type(mobject))
            attributes = vars(mobject)
            if set(attributes) != set(kinds):
                raise StoredTextError(f"{type(mobject).__name__} has other attributes")
            encoded = {name: self.value(value) for name, value in attributes.items()}
            nodes.append({"class": type(mobject).__name__, "attributes": encoded})
            index += 1
        return {"format": FORMAT, "nodes": nodes}


def write_text(made: Mobject, path: Path) -> None:
    """Write the typeset text ``made`` to ``path`` whole (a temporary file renamed into place).

    Raises
    ------
    StoredTextError
        When ``made`` holds something the stored form does not (its glyphs' parsed SVG paths,
        updaters, other classes): nothing is written.
    OSError
        When the file cannot be written; no temporary file stays.
    """
    encoder = _Encoder()
    layout = json.dumps(encoder.layout(made), allow_nan=False).encode()
    values = np.concatenate(encoder.values) if encoder.values else np.zeros(0)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, values=values, layout=np.frombuffer(layout, dtype=np.uint8))
    if buffer.tell() > MAX_FILE_BYTES:
        raise StoredTextError("too large to store")
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        temporary.write_bytes(buffer.getvalue())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# --- reading --------------------------------------------------------------------------------


def _read_arrays(path: Path) -> tuple[np.ndarray, bytes]:
    """Return ``values`` and ``layout`` of the stored text at ``path``, checked."""
    try:
        handle, _ = open_regular_file(path, follow_links=False)  # never a FIFO, nor a link
        with handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except (FileRefusedError, OSError) as error:
        raise StoredTextError(f"cannot read ({error})") from None
    if len(data) > MAX_FILE_BYTES:
        raise StoredTextError("too large")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            names = sorted(info.filename for info in members)
            if names != ["layout.npy", "values.npy"]:
                raise StoredTextError("not a stored text")
            for info in members:
                # zipfile inflates no more than a member declares: memory stays bounded.
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise StoredTextError("unknown compression")
                if info.file_size > MAX_MEMBER_BYTES:
                    raise StoredTextError("a member declares too many bytes")
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            values, layout = arrays["values"], arrays["layout"]
    except StoredTextError:
        raise
    except Exception as error:  # zipfile and numpy raise many types on damaged input
        raise StoredTextError(f"damaged ({type(error).__name__})") from None
    if values.dtype != np.float64 or values.ndim != 1 or not np.isfinite(values).all():
        raise StoredTextError("values must be finite float64 numbers")
    if layout.dtype != np.uint8 or layout.ndim != 1:
        raise StoredTextError("layout must be bytes")
    return values, layout.tobytes()


class _Decoder:
    """Builds the mobjects of a checked layout (see the module's docstring)."""

    def __init__(self, values: np.ndarray, count: int) -> None:
        self.values = values
        self.count = count
        self.used = 0
        self.shells: list[Mobject] = []
        self.decoders: dict[str, Callable[[Any, int], object]] = {
            "t": self._template,
            "p": self._path,
            "c": self._colour,
            "e": self._enum,
            "n": self._node,
            "a": self._array,
            "u": self._tuple,
            "d": self._dict,
        }

    def value(self, raw: object, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            raise StoredTextError("nested too deeply")
        if raw is None or isinstance(raw, bool | int | float | str):
            return raw
        if isinstance(raw, list):
            return [self.value(item, depth + 1) for item in raw]
        if not isinstance(raw, dict) or len(raw) != 1:
            raise StoredTextError("unknown value")
        ((tag, body),) = raw.items()
        if tag not in self.decoders:
            raise StoredTextError(f"unknown tag {tag!r}")
        return self.decoders[tag](body, depth)

    def _tuple(self, body: object, depth: int) -> tuple[object, ...]:
        if not isinstance(body, list):
            raise StoredTextError("bad tuple")
        return tuple(self.value(item, depth + 1) for item in body)

    def _template(self, body: object, depth: int) -> object:
        if body != 1:
            raise StoredTextError("bad template")
        return config.tex_template

    def _path(self, body: object, depth: int) -> Path:
        if not isinstance(body, str):
            raise StoredTextError("bad path")
        return Path(body)

    def _colour(self, body: object, depth: int) -> ManimColor:
        if (not isinstance(body, list) or len(body) != 4
                or not all(_is_number(v) and 0 <= v <= 1 for v in body)):  # fmt: skip
            raise StoredTextError("bad colour")
        return ManimColor(np.array(body, dtype=float))

    def _enum(self, body: object, depth: int) -> enum.Enum:
        if not (isinstance(body, list) and len(body) == 2 and isinstance(body[1], str)):
            raise StoredTextError("bad enumeration")
        kind = _ENUMS.get(body[0]) if isinstance(body[0], str) else None
        if kind is None or body[1] not in kind.__members__:
            raise StoredTextError("bad enumeration")
        return kind[body[1]]

    def _node(self, body: object, depth: int) -> Mobject:
        if not isinstance(body, int) or not _is_index(body, len(self.shells)):
            raise StoredTextError("bad reference")
        return self.shells[body]

    def _array(self, body: object, depth: int) -> np.ndarray:
        if not (isinstance(body, list) and len(body) == 2 and _is_index(body[0], self.count + 1)
                and isinstance(body[1], list) and len(body[1]) <= 2
                and all(_is_index(n, self.count + 1) for n in body[1])):  # fmt: skip
            raise StoredTextError("bad array")
        offset, shape = body
        size = math.prod(shape)
        if offset + size > self.count:
            raise StoredTextError("an array lies beyond the values")
        self.used += size
        if self.used > self.count:
            raise StoredTextError("arrays overlap")
        return self.values[offset : offset + size].reshape(shape).copy()

    def _dict(self, body: object, depth: int) -> dict[str, object]:
        if not isinstance(body, list) or not all(
            isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str) for pair in body
        ):
            raise StoredTextError("bad dict")
        return {key: self.value(item, depth + 1) for key, item in body}


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_index(value: object, limit: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < limit


def _refuse_constant(name: str) -> float:
    raise StoredTextError(f"{name} is not a number")


def _parse_layout(layout: bytes) -> list[dict[str, Any]]:
    try:
        document = json.loads(layout.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as error:
        raise StoredTextError(f"bad layout ({type(error).__name__})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StoredTextError("another format")
    nodes = document.get("nodes")
    if not isinstance(nodes, list) or not 1 <= len(nodes) <= MAX_NODES:
        raise StoredTextError("bad node list")
    for node in nodes:
        if not isinstance(node, dict) or set(node) != {"class", "attributes"}:
            raise StoredTextError("bad node")
        if node["class"] not in _CLASSES or not isinstance(node["attributes"], dict):
            raise StoredTextError("bad node")
    return nodes


def read_text(path: Path, kind: type[Mobject]) -> Mobject:
    """Return the text of class ``kind`` stored at ``path`` (see the module's docstring).

    Raises
    ------
    StoredTextError
        For anything but a whole, valid stored text of class ``kind``.
    """
    values, layout = _read_arrays(path)
    nodes = _parse_layout(layout)
    if _CLASSES[nodes[0]["class"]] is not kind:
        raise StoredTextError("another class")
    decoder = _Decoder(values, values.size)
    decoder.shells = [_CLASSES[node["class"]].__new__(_CLASSES[node["class"]]) for node in nodes]
    for shell, node in zip(decoder.shells, nodes, strict=True):
        kinds = _attribute_kinds(type(shell))
        raw = node["attributes"]
        if set(raw) != set(kinds):
            raise StoredTextError(f"{type(shell).__name__} with other attributes")
        attributes = {name: decoder.value(item) for name, item in raw.items()}
        for name, value in attributes.items():
            if _kind(value) not in kinds[name]:
                raise StoredTextError(f"attribute {name} of the wrong kind")
        _check_mobject(attributes, decoder.shells)
        vars(shell).update(attributes)
    _check_tree(decoder.shells)
    return decoder.shells[0]


def _check_mobject(attributes: Mapping[str, Any], shells: list[Mobject]) -> None:
    """Refuse points, colours and children a ``VMobject`` cannot draw."""
    points = attributes["points"]
    per_curve = attributes["n_points_per_cubic_curve"]
    if per_curve != 4 or points.ndim != 2 or points.shape[1] != 3 or len(points) % 4:
        raise StoredTextError("points must be whole cubic curves in 3-D")
    for name in _COLOUR_ARRAYS:
        colours = attributes[name]
        if colours.ndim != 2 or colours.shape[1] != 4 or not len(colours):
            raise StoredTextError(f"{name} must be rows of RGBA")
        if colours.min() < 0 or colours.max() > 1:
            raise StoredTextError(f"{name} must lie in [0, 1]")
    if attributes["updaters"]:
        raise StoredTextError("updaters are not stored")
    if not all(isinstance(part, Mobject) for part in attributes["submobjects"]):
        raise StoredTextError("children must be mobjects")


def _check_tree(shells: list[Mobject]) -> None:
    """Refuse a family with a cycle or deeper than :data:`MAX_FAMILY_DEPTH` (Manim walks a
    family recursively)."""
    done: set[int] = set()

    def walk(mobject: Mobject, depth: int) -> None:
        if depth > MAX_FAMILY_DEPTH:
            raise StoredTextError("the family is too deep or has a cycle")
        if id(mobject) in done:
            return
        for part in mobject.submobjects:
            walk(part, depth + 1)
        done.add(id(mobject))

    for shell in shells:
        walk(shell, 0)
