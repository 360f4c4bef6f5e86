"""Fades by curtain: the geometry of the curtains, and the same pixels as Manim's fades."""

from __future__ import annotations

import numpy as np
import pytest
from manim import UP, Camera, FadeIn, FadeOut, Mobject, Text, VGroup, tempconfig

from nnviz.mobjects.curtain import Glide, covering_boxes, curtains
from nnviz.mobjects.shapes import DotCloud

BACKGROUND = "#0E1117"


def _meet(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3])


def test_boxes_apart_are_only_grown() -> None:
    boxes = np.array([[0, 0, 1, 1], [2, 0, 3, 1]], dtype=float)
    np.testing.assert_allclose(covering_boxes(boxes, 0.1), [[-0.1, -0.1, 1.1, 1.1],
                                                            [1.9, -0.1, 3.1, 1.1]])  # fmt: skip


def test_boxes_that_meet_once_grown_become_one() -> None:
    boxes = np.array([[0, 0, 1, 1], [1.15, 0.5, 2, 2]], dtype=float)  # 0.15 apart, margins 0.1
    np.testing.assert_allclose(covering_boxes(boxes, 0.1), [[-0.1, -0.1, 2.1, 2.1]])


def test_a_merged_box_that_reaches_a_third_takes_it_in() -> None:
    a, b, c = [0, 0, 2, 1], [1.9, 0.9, 2.2, 3], [0, 2.5, 1, 4]
    # C meets neither A (it is above it) nor B (it is left of it), but the box around A and B.
    assert _meet(np.array(a), np.array(b))
    assert not _meet(np.array(c), np.array(a)) and not _meet(np.array(c), np.array(b))
    for order in ([a, b, c], [c, a, b], [b, c, a]):
        np.testing.assert_allclose(covering_boxes(np.array(order), 0.0), [[0, 0, 2.2, 4]])


def test_random_boxes_are_covered_by_boxes_that_do_not_meet() -> None:
    rng = np.random.default_rng(3)
    for _ in range(200):
        corners = rng.uniform(-5, 5, size=(rng.integers(1, 8), 2))
        sizes = rng.uniform(0.1, 2, size=corners.shape)
        boxes = np.hstack([corners, corners + sizes])
        out = covering_boxes(boxes, 0.05)
        grown = boxes + 0.05 * np.array([-1, -1, 1, 1])
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                assert not _meet(out[i], out[j])
        owners = []
        for box in grown:  # each grown box lies inside exactly one curtain
            inside = [k for k, c in enumerate(out) if (c[:2] <= box[:2] + 1e-12).all()
                      and (box[2:] <= c[2:] + 1e-12).all()]  # fmt: skip
            assert len(inside) == 1
            owners.append(inside[0])
        for k, curtain in enumerate(out):  # and each curtain is the box around its own
            mine = grown[np.array(owners) == k]
            np.testing.assert_allclose(curtain, [*mine[:, :2].min(0), *mine[:, 2:].max(0)])


def _pixels(mobjects: list[Mobject]) -> np.ndarray:
    camera = Camera(background_color=BACKGROUND)
    camera.capture_mobjects(mobjects)
    return camera.pixel_array.astype(np.int16)


@pytest.fixture
def small_frames():  # type: ignore[no-untyped-def]
    with tempconfig({"pixel_width": 480, "pixel_height": 270, "background_color": BACKGROUND}):
        yield


def _card() -> list[Mobject]:
    title = Text("How a network learns", font_size=40, color="#E6EDF3").shift(UP)
    # No outline: where parts of one mobject overlap (an outline on its fill), Manim fades each
    # part (the overlap shows through) and a curtain the picture as a whole.
    dots = DotCloud(np.array([[-2.0, -1.5], [0.0, -1.5], [2.0, -1.5]]), radius=0.2,
                    fill_color="#FF9F43", stroke_width=0)  # fmt: skip
    return [title, dots]


def _has_picture(pixels: np.ndarray) -> bool:
    background = _pixels([])
    return bool((np.abs(pixels - background).max(-1) > 8).mean() > 0.005)


@pytest.mark.parametrize("alpha", [0.25, 0.6])
@pytest.mark.usefixtures("small_frames")
def test_a_curtain_fade_in_with_a_glide_paints_what_fade_in_paints(alpha: float) -> None:
    shift = 0.3 * UP
    stock = _card()
    fades = [FadeIn(m, shift=shift) for m in stock]
    for fade in fades:
        fade.begin()
        fade.interpolate(alpha)
    expected = _pixels(stock)

    card = _card()
    cover = curtains(card, BACKGROUND, 1.0, shift=shift)
    for mobject in card:
        mobject.shift(-shift)
    animations = [FadeOut(cover), *(Glide(m, shift) for m in card)]
    for animation in animations:
        animation.begin()
        animation.interpolate(alpha)
    got = _pixels([*card, cover])

    assert _has_picture(expected)  # there is a picture to compare
    diff = np.abs(got - expected)
    assert diff.max() <= 3, diff.max()


@pytest.mark.usefixtures("small_frames")
def test_a_curtain_fade_out_paints_what_fade_out_paints() -> None:
    stock = _card()
    fade = FadeOut(VGroup(*stock))
    fade.begin()
    fade.interpolate(0.4)
    expected = _pixels(stock)

    card = _card()
    cover = curtains(card, BACKGROUND, 1.0)
    lowering = FadeIn(cover)
    lowering.begin()
    lowering.interpolate(0.4)
    got = _pixels([*card, cover])

    assert _has_picture(expected)
    assert np.abs(got - expected).max() <= 3


def test_a_glide_ends_where_it_was_asked_and_copies_nothing() -> None:
    dots = DotCloud(np.array([[0.0, 0.0]]), radius=0.1)
    start = dots.get_center().copy()
    glide = Glide(dots, [1.0, 2.0, 0.0])
    glide.begin()
    assert glide.starting_mobject is not dots and not len(glide.starting_mobject.points)
    glide.interpolate(0.5)
    glide.finish()
    np.testing.assert_allclose(dots.get_center(), start + np.array([1.0, 2.0, 0.0]))
