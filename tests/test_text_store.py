"""Typeset texts stored as data: the schema matches the installed Manim, a stored text comes
back as Manim made it, and anything else in its place is refused with one error type."""

from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from manim import MathTex, Mobject, Text, VMobject, tempconfig
from manim.mobject.svg.svg_mobject import VMobjectFromSVGPath

from nnviz.mobjects import text_store
from nnviz.mobjects.text_store import SCHEMA, StoredTextError, read_text, write_text

TEXTS: list[tuple[type[Mobject], str, dict[str, object]]] = [
    (Text, "hidden layer 2", {"font_size": 22, "color": "#E0E0E0"}),
    (Text, "epoch 12.5  loss 0.263", {"font": "DejaVu Sans Mono", "font_size": 18}),
    (MathTex, r"\hat{y} = \sigma\left(\frac{1}{\sqrt{2}} h_1 + b\right)", {"font_size": 30}),
]


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("typeset")
    tex = os.environ.get("NNVIZ_TEST_TEX_DIR", str(folder / "tex"))
    with tempconfig({"text_dir": str(folder / "texts"), "tex_dir": tex}):
        yield folder


def _typeset(kind: type[Mobject], text: str, options: dict[str, object]) -> Mobject:
    made = kind(text, **options)
    for part in made.get_family():
        if isinstance(part, VMobjectFromSVGPath):
            part.path_obj = None  # as typeset_once stores it
    return made


@pytest.fixture(scope="module")
def texts(folders: Path) -> list[Mobject]:
    return [_typeset(kind, text, options) for kind, text, options in TEXTS]


@pytest.fixture
def stored(texts: list[Mobject], tmp_path: Path) -> Path:
    path = tmp_path / "caption.nnviz-text.npz"
    write_text(texts[0], path)
    return path


def _same(made: Mobject, reference: Mobject) -> None:
    """The same tree, attribute by attribute (arrays by value, mobjects by position)."""
    assert type(made) is type(reference)
    family, expected = made.get_family(), reference.get_family()
    assert [type(p) for p in family] == [type(p) for p in expected]
    for part, original in zip(family, expected, strict=True):
        assert set(vars(part)) == set(vars(original))
        for name, value in vars(original).items():
            got = vars(part)[name]
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(got, value)
            elif isinstance(value, Mobject):
                assert type(got) is type(value) and len(got.submobjects) == len(value.submobjects)
            elif name in ("submobjects", "id_to_vgroup_dict"):
                assert len(got) == len(value)
            else:
                assert got == value, name


def test_the_schema_names_the_attributes_of_the_installed_manims_texts(
    texts: list[Mobject],
) -> None:
    """If a Manim release changes what a text holds, this fails (and texts are not stored)."""
    base = set(vars(VMobject()))
    seen: dict[type, set[str]] = {}
    for made in texts:
        for part in made.get_family():
            seen.setdefault(type(part), set()).update(set(vars(part)) - base)
    for kind, names in seen.items():
        assert kind in SCHEMA, f"{kind.__name__} is not in the schema"
        assert names == set(SCHEMA[kind]), kind.__name__


@pytest.mark.parametrize("index", range(len(TEXTS)))
def test_a_stored_text_reads_back_as_manim_made_it(
    texts: list[Mobject], index: int, tmp_path: Path
) -> None:
    path = tmp_path / "text.nnviz-text.npz"
    write_text(texts[index], path)
    made = read_text(path, type(texts[index]))
    _same(made, texts[index])
    # It behaves as a text: it copies, moves and recolours like the original.
    moved = made.copy().scale(2).shift([1, 0, 0]).set_color("#FF0000")
    original = texts[index].copy().scale(2).shift([1, 0, 0]).set_color("#FF0000")
    for part, expected in zip(moved.family_members_with_points(),
                              original.family_members_with_points(), strict=True):  # fmt: skip
        np.testing.assert_allclose(part.points, expected.points)
        np.testing.assert_allclose(part.get_fill_rgbas(), expected.get_fill_rgbas())
    if isinstance(made, Text):
        assert made.chars[0] is made.submobjects[0]  # shared, as in Manim's


def test_a_text_holding_what_the_form_does_not_store_is_not_written(
    texts: list[Mobject], tmp_path: Path
) -> None:
    with_updater = texts[0].copy().add_updater(lambda m: m)
    path = tmp_path / "x.nnviz-text.npz"
    with pytest.raises(StoredTextError):
        write_text(with_updater, path)
    assert not list(tmp_path.iterdir())


def test_another_class_is_refused(stored: Path) -> None:
    with pytest.raises(StoredTextError, match="another class"):
        read_text(stored, MathTex)


def _parts(path: Path) -> tuple[np.ndarray, dict]:
    with np.load(path, allow_pickle=False) as arrays:
        return arrays["values"].copy(), json.loads(arrays["layout"].tobytes())


def _rewrite(path: Path, values: np.ndarray, layout: object, **extra: np.ndarray) -> None:
    raw = json.dumps(layout).encode()
    with open(path, "wb") as handle:
        np.savez(handle, values=values, layout=np.frombuffer(raw, dtype=np.uint8), **extra)


def _glyph(layout: dict) -> dict:
    return next(n for n in layout["nodes"] if n["class"] == "VMobjectFromSVGPath")


def _set_points_beyond(layout: dict, values: np.ndarray) -> None:
    _glyph(layout)["attributes"]["points"] = {"a": [values.size - 3, [4, 3]]}


def _cycle(layout: dict, values: np.ndarray) -> None:
    _glyph(layout)["attributes"]["submobjects"] = [{"n": 0}]


def _deep(layout: dict, values: np.ndarray) -> None:
    nested: object = "x"
    for _ in range(50):
        nested = [nested]
    layout["nodes"][0]["attributes"]["t2c"] = {"d": [["a", nested]]}


LAYOUT_CHANGES: dict[str, Callable[[dict, np.ndarray], None]] = {
    "a class that is not a text's": lambda lay, v: lay["nodes"][1].update({"class": "Write"}),
    "a module path as class": lambda lay, v: lay["nodes"][1].update({"class": "os.system"}),
    "an extra attribute": lambda lay, v: _glyph(lay)["attributes"].update({"__class__": 1}),
    "a missing attribute": lambda lay, v: _glyph(lay)["attributes"].pop("points"),
    "a string for points": lambda lay, v: _glyph(lay)["attributes"].update({"points": "x"}),
    "points beyond the values": _set_points_beyond,
    "a reference to no mobject": lambda lay, v: _glyph(lay)["attributes"].update(
        {"submobjects": [{"n": 10**9}]}
    ),
    "a cycle in the family": _cycle,
    "nesting too deep": _deep,
    "an unknown tag": lambda lay, v: _glyph(lay)["attributes"].update({"name": {"x": 1}}),
    "a colour out of range": lambda lay, v: _glyph(lay)["attributes"].update(
        {"background_stroke_color": {"c": [2, 0, 0, 1]}}
    ),
    "an unknown enumeration": lambda lay, v: _glyph(lay)["attributes"].update(
        {"joint_type": {"e": ["Signals", "SIGKILL"]}}
    ),
    "a template from the file": lambda lay, v: lay["nodes"][0]["attributes"].update(
        {"font": {"t": {"preamble": "\\write18{touch x}"}}}
    ),
    "an updater": lambda lay, v: _glyph(lay)["attributes"].update({"updaters": ["print"]}),
    "another format": lambda lay, v: lay.update({"format": 1}),
    "no nodes": lambda lay, v: lay.update({"nodes": []}),
}


@pytest.mark.parametrize("change", LAYOUT_CHANGES, ids=list(LAYOUT_CHANGES))
def test_a_layout_that_is_not_a_texts_is_refused(stored: Path, change: str) -> None:
    values, layout = _parts(stored)
    LAYOUT_CHANGES[change](layout, values)
    _rewrite(stored, values, layout)
    with pytest.raises(StoredTextError):
        read_text(stored, Text)


def test_values_that_are_not_finite_are_refused(stored: Path) -> None:
    values, layout = _parts(stored)
    values[5] = np.nan
    _rewrite(stored, values, layout)
    with pytest.raises(StoredTextError, match="finite"):
        read_text(stored, Text)


def test_points_that_are_not_whole_curves_are_refused(stored: Path) -> None:
    values, layout = _parts(stored)
    _glyph(layout)["attributes"]["points"] = {"a": [0, [3, 3]]}
    _rewrite(stored, values, layout)
    with pytest.raises(StoredTextError, match="cubic"):
        read_text(stored, Text)


class _WritesFile:
    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (self.target.write_text, ("written by a pickle",))


def test_pickled_objects_in_the_archive_are_never_loaded(stored: Path, tmp_path: Path) -> None:
    sentinel = tmp_path / "sentinel"
    _, layout = _parts(stored)
    payload = np.empty(1, dtype=object)
    payload[0] = _WritesFile(sentinel)
    buffer = io.BytesIO()
    np.save(buffer, payload, allow_pickle=True)
    with zipfile.ZipFile(stored, "w") as archive:
        archive.writestr("values.npy", buffer.getvalue())
        raw = io.BytesIO()
        np.save(raw, np.frombuffer(json.dumps(layout).encode(), dtype=np.uint8))
        archive.writestr("layout.npy", raw.getvalue())
    with pytest.raises(StoredTextError):
        read_text(stored, Text)
    stored.write_bytes(pickle.dumps(_WritesFile(sentinel)))
    with pytest.raises(StoredTextError):
        read_text(stored, Text)
    assert not sentinel.exists()


def test_archives_other_than_the_two_stored_arrays_are_refused(
    stored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = stored.read_bytes()
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(stored, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("extra.npy", members["values.npy"])
    with pytest.raises(StoredTextError, match="not a stored text"):
        read_text(stored, Text)
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_BZIP2) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(StoredTextError, match="unknown compression"):
        read_text(stored, Text)


def test_a_member_inflating_beyond_the_limit_is_refused_before_it_is_read(
    stored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A zip bomb: 64 MB of zeros deflate to 64 kB; the declared size refuses it."""
    with zipfile.ZipFile(stored, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("values.npy", bytes(64 * 2**20))
        archive.writestr("layout.npy", b"")
    assert stored.stat().st_size < text_store.MAX_FILE_BYTES
    with pytest.raises(StoredTextError, match="declares too many bytes"):
        read_text(stored, Text)


def test_a_file_larger_than_the_limit_is_not_read_whole(
    stored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text_store, "MAX_FILE_BYTES", stored.stat().st_size - 1)
    with pytest.raises(StoredTextError, match="too large"):
        read_text(stored, Text)


def test_a_fifo_or_a_link_in_its_place_is_refused_without_blocking(
    stored: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo.nnviz-text.npz"
    os.mkfifo(fifo)
    with pytest.raises(StoredTextError):
        read_text(fifo, Text)  # would block forever if it were opened for reading
    link = tmp_path / "link.nnviz-text.npz"
    link.symlink_to(stored)
    with pytest.raises(StoredTextError):
        read_text(link, Text)


def test_random_damage_gives_a_text_or_one_error(stored: Path) -> None:
    """Seeded fuzzing of the stored bytes and of the layout's text: nothing but a text of the
    right class or :class:`StoredTextError` ever comes out."""
    rng = np.random.default_rng(19)
    whole = stored.read_bytes()
    values, layout = _parts(stored)
    text = json.dumps(layout)
    outcomes = {"text": 0, "refused": 0}
    for trial in range(120):
        if trial % 2:
            damaged = bytearray(whole)
            for index in rng.integers(0, len(damaged), size=int(rng.integers(1, 8))):
                damaged[index] = int(rng.integers(0, 256))
            stored.write_bytes(bytes(damaged))
        else:
            chars = list(text)
            for index in rng.integers(0, len(chars), size=int(rng.integers(1, 4))):
                chars[index] = str(rng.choice(list('0123456789[]{}",:-.aentx ')))
            raw = "".join(chars).encode()
            with open(stored, "wb") as handle:
                np.savez(handle, values=values, layout=np.frombuffer(raw, dtype=np.uint8))
        try:
            made = read_text(stored, Text)
        except StoredTextError:
            outcomes["refused"] += 1
        else:
            assert type(made) is Text
            made.copy().get_center()  # what a render does with it
            outcomes["text"] += 1
    assert outcomes["refused"] > 0
