"""One place for the colours: the theme is chosen by NNVIZ_THEME and used by every scene."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from nnviz.theme import THEMES, active_theme, hex_to_rgb
from tests.frame_regression import render_last_frame
from tests.scenes.stills import MidTrainingStill


def test_default_is_dark_and_light_is_chosen_by_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("NNVIZ_THEME", raising=False)
    assert active_theme() is THEMES["dark"]
    monkeypatch.setenv("NNVIZ_THEME", "Light")
    assert active_theme() is THEMES["light"]
    monkeypatch.setenv("NNVIZ_THEME", "sepia")
    with pytest.raises(ValueError, match="NNVIZ_THEME='sepia' is not a theme"):
        active_theme()


def test_themes_differ_only_in_colours() -> None:
    dark, light = THEMES["dark"], THEMES["light"]
    assert dark.font == light.font
    assert dark.background != light.background
    for theme in THEMES.values():
        # Class colours are told apart from each other and from the page.
        a, b = (hex_to_rgb(c).astype(int) for c in theme.class_colors)
        page = hex_to_rgb(theme.background).astype(int)
        assert np.abs(a - b).sum() > 150
        assert min(np.abs(a - page).sum(), np.abs(b - page).sum()) > 150


@pytest.mark.render
def test_a_light_render_uses_the_light_page(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NNVIZ_THEME", "light")
    frame = render_last_frame(MidTrainingStill, tmp_path)
    np.testing.assert_array_equal(frame[2, 2], hex_to_rgb(THEMES["light"].background))
    monkeypatch.setenv("NNVIZ_THEME", "dark")
    frame = render_last_frame(MidTrainingStill, tmp_path)
    np.testing.assert_array_equal(frame[2, 2], hex_to_rgb(THEMES["dark"].background))
