"""Texts stored by one render and loaded by the next: the same mobject as Manim's, without
typesetting; damaged or foreign files are typeset again and never run."""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from manim import MathTex, Text, ValueTracker, tempconfig

from nnviz.mobjects import typeset
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.text_store import STORED_TEXT_SUFFIX as CACHE_SUFFIX
from nnviz.mobjects.typeset import typeset_once
from nnviz.run import Run
from nnviz.theme import THEMES
from nnviz.trajectory import Trajectory

OPTIONS = {"font_size": 22, "color": "#E0E0E0"}


@pytest.fixture
def text_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh text folder, and a process that has typeset nothing yet."""
    monkeypatch.setattr(typeset, "_TYPESET", {})
    with tempconfig({"text_dir": str(tmp_path)}):
        yield tmp_path


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(typeset, "_TYPESET", {})


def _same_as_manims(made: Text, reference: Text) -> None:
    assert type(made) is type(reference) and made.text == reference.text
    assert len(made.submobjects) == len(reference.submobjects)
    for part, expected in zip(made.family_members_with_points(),
                              reference.family_members_with_points(), strict=True):  # fmt: skip
        np.testing.assert_allclose(part.points, expected.points)
        np.testing.assert_allclose(part.get_fill_rgbas(), expected.get_fill_rgbas())
        assert part.get_stroke_width() == expected.get_stroke_width()
    assert made.chars[0] is made.submobjects[0]


def test_a_stored_text_is_loaded_without_typesetting(
    text_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reference = Text("hidden layer 2", **OPTIONS)
    typeset_once(Text, "hidden layer 2", **OPTIONS)
    stored = list(text_dir.glob(f"*{CACHE_SUFFIX}"))
    assert len(stored) == 1

    _new_process(monkeypatch)

    def no_typesetting(*args: object, **kwargs: object) -> None:
        raise AssertionError("typeset again instead of loaded")

    monkeypatch.setattr(Text, "__init__", no_typesetting)
    loaded = typeset_once(Text, "hidden layer 2", **OPTIONS)
    monkeypatch.undo()
    _same_as_manims(loaded, reference)


@pytest.mark.parametrize("theme_name", sorted(THEMES))
def test_a_context_writes_in_its_themes_font(
    text_dir: Path, short_run: Run, theme_name: str
) -> None:
    theme = THEMES[theme_name]
    context = BlockContext(Trajectory(short_run), ValueTracker(0.0), theme)
    made = context.text("hidden\nlayer 2", font_size=17, color=theme.muted, line_spacing=0.8)
    reference = Text("hidden\nlayer 2", font=theme.font, font_size=17, color=theme.muted,
                     line_spacing=0.8)  # fmt: skip
    assert made.font == theme.font
    assert made.font_size == pytest.approx(17)
    _same_as_manims(made, reference)


def test_other_options_are_other_files(text_dir: Path) -> None:
    typeset_once(Text, "loss", **OPTIONS)
    typeset_once(Text, "loss", font_size=20, color="#E0E0E0")
    typeset_once(MathTex, "h_1", font_size=28)
    assert len(list(text_dir.glob(f"*{CACHE_SUFFIX}"))) == 3
    assert not [p for p in text_dir.iterdir() if ".tmp" in p.name]


def test_a_damaged_file_is_typeset_again_and_replaced(
    text_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typeset_once(Text, "epoch 200", **OPTIONS)
    (stored,) = text_dir.glob(f"*{CACHE_SUFFIX}")
    whole = stored.read_bytes()
    stored.write_bytes(whole[: len(whole) // 3])
    _new_process(monkeypatch)
    made = typeset_once(Text, "epoch 200", **OPTIONS)
    _same_as_manims(made, Text("epoch 200", **OPTIONS))
    assert len(stored.read_bytes()) == len(whole)


class _Sabotage:
    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.remove, (str(self.target),))


def test_a_foreign_pickle_is_never_run(
    text_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typeset_once(Text, "test", **OPTIONS)
    (stored,) = text_dir.glob(f"*{CACHE_SUFFIX}")
    sentinel = tmp_path / "sentinel"
    sentinel.write_text("still here")
    stored.write_bytes(pickle.dumps(_Sabotage(sentinel)))
    _new_process(monkeypatch)
    made = typeset_once(Text, "test", **OPTIONS)
    assert sentinel.exists()  # os.remove was refused, not called
    _same_as_manims(made, Text("test", **OPTIONS))


class _CallsManim:
    def __reduce__(self) -> tuple[object, tuple[list[str]]]:
        from manim.utils.commands import capture

        return (capture, (["touch", "called"],))


def test_a_pickle_calling_a_manim_function_is_refused(
    text_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    typeset_once(Text, "loss", **OPTIONS)
    (stored,) = text_dir.glob(f"*{CACHE_SUFFIX}")
    stored.write_bytes(pickle.dumps(_CallsManim()))
    monkeypatch.chdir(text_dir)
    _new_process(monkeypatch)
    made = typeset_once(Text, "loss", **OPTIONS)
    assert not (text_dir / "called").exists()
    _same_as_manims(made, Text("loss", **OPTIONS))


def test_a_formula_manim_already_typeset_in_this_process_is_stored_too(text_dir: Path) -> None:
    """Manim keeps parsed formulas per process and hands out copies whose groups by SVG id are
    the cached original's; the stored formula is parsed on its own, so it is stored."""
    MathTex("h_2", font_size=28)  # in Manim's in-process SVG cache now
    made = typeset_once(MathTex, "h_2", font_size=28)
    assert len(list(text_dir.glob(f"*{CACHE_SUFFIX}"))) == 1
    reference = MathTex("h_2", font_size=28)
    for part, expected in zip(made.family_members_with_points(),
                              reference.family_members_with_points(), strict=True):  # fmt: skip
        np.testing.assert_allclose(part.points, expected.points)
