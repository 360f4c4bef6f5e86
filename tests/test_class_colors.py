"""The colours of k classes: the palette under simulated colour-vision deficiencies, the field
coloured by its most probable class, the dots by their class (numbers by hand); the field's
fast path from float32 logits against the float64 probabilities."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from nnviz import forward
from nnviz.activations import sigmoid
from nnviz.class_colors import (
    CLASS_PALETTE,
    OKABE_ITO,
    ClassColormap,
    class_palette,
    confidence,
    point_colors,
)
from nnviz.colormap import LUT_SIZE
from nnviz.forward import Weights
from nnviz.heads import MAX_CLASSES, head
from nnviz.theme import THEMES

# Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for Simulation of Color
# Vision Deficiency", IEEE TVCG 15(6), 1291-1298, doi:10.1109/TVCG.2009.113: the matrices of
# severity 1.0 from the authors' table, applied to linear RGB. Copied by hand.
PROTANOPIA = np.array([
    [0.152286, 1.052583, -0.204868],
    [0.114503, 0.786281, 0.099216],
    [-0.003882, -0.048116, 1.051998],
])  # fmt: skip
DEUTERANOPIA = np.array([
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
])  # fmt: skip
TRITANOPIA = np.array([
    [1.255528, -0.076749, -0.178779],
    [-0.078411, 0.930809, 0.147602],
    [0.004733, 0.691367, 0.303900],
])  # fmt: skip
#: The least CIELAB distance (ΔE*ab 1976) between any two class colours as a viewer with full
#: protanopia, deuteranopia or tritanopia sees them.
MIN_DELTA_E = 15.0


def srgb(color: str) -> np.ndarray:
    value = color.lstrip("#")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)]) / 255.0


def linear(c: np.ndarray) -> np.ndarray:
    """sRGB (IEC 61966-2-1) to linear light."""
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    """Linear sRGB to CIELAB under D65."""
    to_xyz = np.array([[0.4124564, 0.3575761, 0.1804375],
                       [0.2126729, 0.7151522, 0.0721750],
                       [0.0193339, 0.1191920, 0.9503041]])  # fmt: skip
    xyz = to_xyz @ np.clip(rgb_linear, 0.0, 1.0) / np.array([0.95047, 1.0, 1.08883])
    delta = 6 / 29
    f = np.where(xyz > delta**3, np.cbrt(xyz), xyz / (3 * delta**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two colours."""
    la, lb = (float(np.array([0.2126, 0.7152, 0.0722]) @ linear(srgb(c))) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.mark.parametrize("deficiency", [PROTANOPIA, DEUTERANOPIA, TRITANOPIA])
def test_palette_stays_apart_for_colour_blind_viewers(deficiency: np.ndarray) -> None:
    seen = [lab(deficiency @ linear(srgb(c))) for c in CLASS_PALETTE]
    for a, b in itertools.combinations(range(len(seen)), 2):
        gap = float(np.linalg.norm(seen[a] - seen[b]))
        assert gap >= MIN_DELTA_E, (CLASS_PALETTE[a], CLASS_PALETTE[b], gap)


def test_palette_is_six_okabe_ito_colours_that_read_on_both_themes() -> None:
    assert len(CLASS_PALETTE) == len(set(CLASS_PALETTE)) == MAX_CLASSES == 6
    assert set(CLASS_PALETTE) <= set(OKABE_ITO.values())
    for theme in THEMES.values():
        for color in CLASS_PALETTE:
            assert contrast(color, theme.background) >= 2.2, (theme.name, color)
    # The one left out, yellow, would not read on the light theme's white.
    assert contrast(OKABE_ITO["yellow"], THEMES["light"].background) < 1.5
    assert class_palette(3) == ("#E69F00", "#56B4E9", "#009E73")
    for wrong in (1, 7):
        with pytest.raises(ValueError, match="2 to 6 classes"):
            class_palette(wrong)


def test_confidence_is_zero_at_chance_and_one_when_certain() -> None:
    np.testing.assert_allclose(confidence(np.array([1 / 3, 2 / 3, 1.0]), 3), [0, 0.5, 1])
    np.testing.assert_allclose(confidence(np.array([0.5, 0.75, 1.0]), 2), [0, 0.5, 1])
    np.testing.assert_allclose(confidence(np.array([0.1, 1.2]), 4), [0, 1])  # clipped


def test_certain_pixels_are_the_class_colours_and_uncertain_ones_the_background() -> None:
    for theme in THEMES.values():
        for k in range(2, 7):
            cmap = ClassColormap.from_theme(theme, k)
            certain = np.eye(k)
            expected = [[*(int(c[i : i + 2], 16) for i in (1, 3, 5)), 255] for c in CLASS_PALETTE]
            np.testing.assert_array_equal(cmap(certain), expected[:k])
            back = [int(theme.background[i : i + 2], 16) for i in (1, 3, 5)]
            np.testing.assert_array_equal(cmap(np.full((1, k), 1 / k)), [[*back, 255]])


def test_pixels_computed_by_hand() -> None:
    cmap = ClassColormap(["#FE0000", "#00FE00", "#0000FE"], "#000000")
    p = np.array([
        [0.2, 0.2, 0.6],  # s = (0.6 − 1/3)/(2/3) = 0.4: level rint(101.6) = 102 of 254
        [0.0, 0.5, 0.5],  # a tie goes to the lower class; s = 0.25: level rint(63.5) = 64
        [0.1, 0.8, 0.1],  # s = 0.7: level rint(177.8) = 178
    ])  # fmt: skip
    np.testing.assert_array_equal(cmap(p), [[0, 0, 102, 255], [0, 64, 0, 255], [0, 178, 0, 255]])
    # Half the colour at full confidence with strength 0.5; an opacity of our choice.
    half = ClassColormap(["#FE0000", "#0000FE"], "#000000", strength=0.5, alpha=200)
    np.testing.assert_array_equal(half(np.array([[0.0, 1.0]])), [[0, 0, 127, 200]])


def test_colour_grows_with_confidence() -> None:
    for theme in THEMES.values():
        cmap = ClassColormap.from_theme(theme, 4)
        back = np.array([int(theme.background[i : i + 2], 16) for i in (1, 3, 5)])
        top = np.linspace(0.25, 1.0, 301)
        for c in range(4):
            p = np.repeat(((1 - top) / 3)[:, None], 4, axis=1)
            p[:, c] = top
            colours = cmap(p)[:, :3].astype(float)
            distance = np.linalg.norm(colours - back, axis=1)
            assert np.all(np.diff(distance) >= 0)
            assert distance[0] == 0 and distance[-1] > 100


def test_a_grid_matches_the_formula_pixel_by_pixel() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 2, (20, 30, 6))
    p = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    theme = THEMES["light"]
    image = ClassColormap.from_theme(theme, 6)(p)
    assert image.shape == (20, 30, 4) and image.dtype == np.uint8
    back = np.array([int(theme.background[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    for row in range(20):
        for col in range(30):
            pixel = list(p[row, col])
            c = pixel.index(max(pixel))
            s = (max(pixel) - 1 / 6) / (1 - 1 / 6)
            colour = np.array([int(CLASS_PALETTE[c][i : i + 2], 16) for i in (1, 3, 5)])
            expected = back + s * (colour - back)
            # Confidence is quantised to 1/254: at most one step of a channel off the formula.
            assert np.all(np.abs(image[row, col, :3] - expected) <= 1.0)


def test_probabilities_must_match_the_classes() -> None:
    with pytest.raises(ValueError, match="3 classes for 4 colours"):
        ClassColormap.from_theme(THEMES["dark"], 4)(np.ones((2, 3)) / 3)
    with pytest.raises(ValueError, match="2 to 6 colours"):
        ClassColormap(["#000000"], "#FFFFFF")


def test_dots_take_their_class_colour() -> None:
    colours = point_colors(np.array([2, 0, 1, 2]), class_palette(3))
    np.testing.assert_array_equal(
        colours,
        [[0x00, 0x9E, 0x73, 255], [0xE6, 0x9F, 0x00, 255], [0x56, 0xB4, 0xE9, 255],
         [0x00, 0x9E, 0x73, 255]],
    )  # fmt: skip
    assert point_colors(np.array([], dtype=int), class_palette(2)).shape == (0, 4)
    with pytest.raises(ValueError, match="labels must lie in 0 … 2"):
        point_colors(np.array([0, 3]), class_palette(3))


def logit_field(classes: int, seed: int) -> np.ndarray:
    """Float32 logits of a grid, class-major (k, 120, 150): smooth fields of every scale,
    from near ties to differences of thousands, with stretches of exact ties."""
    rng = np.random.default_rng(seed)
    x, y = np.meshgrid(np.linspace(-1, 1, 150), np.linspace(-1, 1, 120))
    planes = []
    for _ in range(classes):
        a, b, c, d = rng.normal(0, 1, 4)
        planes.append(a * x + b * y + c * np.sin(3 * x * y + d))
    z = np.array(planes) * np.geomspace(0.1, 3000.0, 150)  # each column its own scale
    z[-1, :10] = z[0, :10]  # the last class ties with the first: class 0 wins there
    return z.astype(np.float32)


@pytest.mark.parametrize(("classes", "seed"), [(2, 0), (3, 1), (3, 2), (4, 3), (6, 4)])
def test_float32_levels_are_the_float64_levels_to_one_step(classes: int, seed: int) -> None:
    """The fast path (the top probability 1 / Σ exp(z_c − z_max) in float32) against the
    float64 softmax of the same logits through :meth:`ClassColormap.levels`: the same class
    at every pixel and the same level, or its neighbour where the exact level lies within
    float32's rounding of a half step."""
    cmap = ClassColormap.from_theme(THEMES["light"], classes)
    z = logit_field(classes, seed)
    exact = np.exp(z.astype(np.float64) - z.max(axis=0))
    exact /= exact.sum(axis=0)
    winner, level = cmap.levels(np.moveaxis(exact, 0, -1))
    top, p_top = head("softmax").top_class(z)
    assert p_top.dtype == np.float32
    np.testing.assert_array_equal(top, winner)
    fast = cmap.top_levels(p_top)
    assert np.abs(fast.astype(int) - level).max() <= 1
    # Off by one only where the exact level is within 10⁻³ of half-way between two steps
    # (as 63.5 is where two classes tie above a third that is far below, p_top = 1/2 of 3).
    steps = confidence(exact.max(axis=0), classes) * (LUT_SIZE - 1)
    assert np.all(np.abs(steps % 1 - 0.5)[fast != level] < 1e-3)
    assert np.mean(fast == level) > 0.95
    # Nearly every level is reached, up to certainty, and the image is the table's.
    assert len(np.unique(fast)) > 200 and fast.max() == LUT_SIZE - 1
    image = cmap.of_logits(z)
    assert image.shape == (120, 150, 4) and image.dtype == np.uint8
    np.testing.assert_array_equal(image, cmap.table[top, fast])
    np.testing.assert_array_equal(cmap.colors(top, p_top), image)


def test_colours_of_logits_by_hand() -> None:
    cmap = ClassColormap(["#FE0000", "#00FE00", "#0000FE"], "#000000")
    # p = (1, 1, 4) / 6: s = (2/3 − 1/3)/(2/3) = 0.5, level 127; a tie goes to the lower
    # class, p = (1/2, 1/2, 0): s = 0.25, level rint(63.5) = 64; equal logits: level 0.
    z = np.array([[0.0, 0.0, np.log(4.0)], [5.0, 5.0, -800.0], [1.0, 1.0, 1.0]])
    np.testing.assert_array_equal(
        cmap.of_logits(z.T.astype(np.float32)), [[0, 0, 127, 255], [64, 0, 0, 255], [0, 0, 0, 255]]
    )
    # One sigmoid unit read as two classes: logit 0 is chance (class 0), ±∞-like is certain.
    two = ClassColormap(["#FE0000", "#0000FE"], "#000000")
    z1 = np.array([[0.0, 900.0, -900.0, np.log(3.0)]])  # σ(ln 3) = 3/4: s = 0.5
    np.testing.assert_array_equal(
        two.of_logits(z1, "sigmoid"),
        [[0, 0, 0, 255], [0, 0, 254, 255], [254, 0, 0, 255], [0, 0, 127, 255]],
    )
    sigma = sigmoid(z1[0])
    np.testing.assert_array_equal(
        two.of_logits(z1, "sigmoid"), two(np.column_stack([1 - sigma, sigma]))
    )


def test_logits_must_match_the_classes() -> None:
    cmap = ClassColormap.from_theme(THEMES["dark"], 3)
    with pytest.raises(ValueError, match="2 logit planes for the 3 units"):
        cmap.of_logits(np.zeros((2, 4, 4)))
    with pytest.raises(ValueError, match="tells 2 classes apart, not 3"):
        cmap.of_logits(np.zeros((1, 4, 4)), "sigmoid")


@pytest.mark.parametrize("classes", [2, 3, 5])
def test_a_network_field_coloured_from_its_logits(classes: int) -> None:
    """The fast path of a picture (logit grid, colours of the logits) against the slow one
    (probability grid, colours of the probabilities): the same class at every pixel, the same
    level or its neighbour."""
    rng = np.random.default_rng(classes)
    w = Weights(rng.normal(0, 1.5, (8, 2)), rng.normal(0, 1, 8), rng.normal(0, 1, (2, 8)),
                np.zeros(2), rng.normal(0, 4, (classes, 2)), rng.normal(0, 1, classes))  # fmt: skip
    box, shape = ((-3.0, 3.0), (-2.0, 3.0)), (90, 110)
    cmap = ClassColormap.from_theme(THEMES["dark"], classes)
    slow = cmap(forward.class_probability_grid(w, "tanh", *box, shape))
    fast = cmap.of_logits(forward.class_logit_grid(w, "tanh", *box, shape))
    winner, level = cmap.levels(forward.class_probability_grid(w, "tanh", *box, shape))
    assert len(np.unique(winner)) > 1
    around = [cmap.table[winner, np.clip(level + step, 0, LUT_SIZE - 1)] for step in (-1, 0, 1)]
    matches = np.any([(fast == colours).all(axis=-1) for colours in around], axis=0)
    assert matches.all()
    assert np.mean((fast == slow).all(axis=-1)) > 0.99
