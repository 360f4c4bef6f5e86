"""The colours of k classes: a palette colour-blind viewers can tell apart, the probability
field coloured by its most probable class, and the dots by their class (numpy only).

The field of a network with ``k`` classes is a grid of probabilities of shape
``(rows, cols, k)`` (:func:`nnviz.forward.class_probability_grid`, for a softmax output or one
sigmoid unit read as two classes). Each pixel takes the colour of its most probable class,
faded towards the page's background by how sure the network is there
(:func:`confidence`): full colour where the top probability is 1, the background where all
classes are equally likely (1/k each).

A picture's frame takes the fast path, :meth:`ClassColormap.of_logits`: from the logits held
class-major, ``(k, rows, cols)`` (:func:`nnviz.forward.class_logit_grid`), only the top class
and its probability are computed (:meth:`nnviz.heads.OutputHead.top_class`), in float32,
which is exact to the map's steps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnviz.colormap import LUT_SIZE
from nnviz.heads import MAX_CLASSES, head
from nnviz.theme import Theme, hex_to_rgb

__all__ = [
    "CLASS_PALETTE",
    "OKABE_ITO",
    "ClassColormap",
    "class_palette",
    "confidence",
    "palette_rgb",
    "picture_class_colors",
    "point_colors",
]

#: The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2002; Wong, "Points of
#: view: Color blindness", Nature Methods 8, 441, 2011), without its black: seven colours
#: chosen to stay apart for the common colour-vision deficiencies.
OKABE_ITO: dict[str, str] = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}

#: The colours of classes 0 to 5: Okabe–Ito without its yellow, in Okabe–Ito's order.
#:
#: Why these six. Yellow is left out because it vanishes on the light theme's white page
#: (WCAG contrast ratio 1.3 against ``#FFFFFF``); each of the six others keeps a contrast of at
#: least 2.2 against both backgrounds of :mod:`nnviz.theme` (the lowest: orange 2.25 on white,
#: blue 3.6 on the dark ``#0E1117``). In Okabe–Ito's order, ``k`` classes take the first ``k``
#: colours, so two classes are orange and sky blue, like the two-class pictures' orange and
#: blue (:attr:`nnviz.theme.Theme.class_colors`). Simulated with the Machado, Oliveira &
#: Fernandes (2009) matrices of full protanopia, deuteranopia and tritanopia, every pair stays at
#: least 16 apart in CIELAB (ΔE*ab 1976; the closest pairs: bluish green and reddish purple, 17.9
#: for deuteranopia; sky blue and reddish purple, 20.7 for protanopia; sky blue and bluish
#: green, 16.1 for tritanopia), which the tests check.
CLASS_PALETTE: tuple[str, ...] = (
    OKABE_ITO["orange"],
    OKABE_ITO["sky blue"],
    OKABE_ITO["bluish green"],
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish purple"],
)


def class_palette(classes: int) -> tuple[str, ...]:
    """Return the colours of ``classes`` classes, the first ``classes`` of
    :data:`CLASS_PALETTE`.

    Raises
    ------
    ValueError
        For fewer than 2 or more than :data:`nnviz.heads.MAX_CLASSES` classes.
    """
    if not 2 <= classes <= len(CLASS_PALETTE):
        raise ValueError(f"nnviz colours 2 to {len(CLASS_PALETTE)} classes, not {classes}")
    return CLASS_PALETTE[:classes]


def picture_class_colors(theme: Theme, classes: int, output: str) -> tuple[str, ...]:
    """Return the colours a run's pictures give its ``classes`` classes: the theme's two
    (:attr:`nnviz.theme.Theme.class_colors`, the two-class pictures' own) for a sigmoid
    output, the :func:`class_palette` of ``classes`` for a softmax one, as the panels colour
    their dots and fields (``output`` names a head of :data:`nnviz.heads.HEADS`)."""
    if head(output).link == "sigmoid":
        return tuple(theme.class_colors)
    return class_palette(classes)


def palette_rgb(colors: Sequence[str]) -> np.ndarray:
    """Return the ``#RRGGBB`` colours as uint8 RGB, shape ``(k, 3)``."""
    return np.array([hex_to_rgb(c) for c in colors], dtype=np.uint8).reshape(-1, 3)


def confidence(top: np.ndarray, classes: int) -> np.ndarray:
    """Return how sure the network is, from the probability of its most probable class.

    The map is linear: ``(top − 1/k) / (1 − 1/k)``, 0 where every class is as likely as the
    others (``top = 1/k``, the least a top probability can be), 1 where one class is certain
    (``top = 1``); clipped to [0, 1].
    """
    chance = 1.0 / classes
    return np.clip((np.asarray(top, dtype=np.float64) - chance) / (1.0 - chance), 0.0, 1.0)


class ClassColormap:
    """Colour a field of class probabilities by its most probable class, faded by confidence.

    A pixel of probabilities ``p`` (k,) takes the class ``c = argmax p`` (ties go to the lower
    class, as :meth:`nnviz.heads.OutputHead.predict` decides) and the colour
    ``background + s · strength · (colour_c − background)``, with ``s`` the
    :func:`confidence` of ``p_c``, mixed linearly in RGB like
    :class:`nnviz.colormap.DivergingColormap`. ``s`` is rounded to the nearest of
    :data:`nnviz.colormap.LUT_SIZE` levels (steps of 1/254), so the map is one lookup table
    of shape ``(k, LUT_SIZE, 4)`` and colouring a grid is one argmax, one max and one
    gather, without a loop over pixels.

    Parameters
    ----------
    colors
        The class colours as ``#RRGGBB``, 2 to 6 of them (:func:`class_palette`).
    background
        The colour of a pixel where the network cannot tell the classes apart.
    strength
        The share of the class colour at full confidence: 1 (the default) paints a certain
        pixel in the class's own colour; less keeps the field quieter than the dots.
    alpha
        The opacity of every pixel.
    """

    def __init__(
        self, colors: Sequence[str], background: str, strength: float = 1.0, alpha: int = 255
    ) -> None:
        if not 2 <= len(colors) <= MAX_CLASSES:
            raise ValueError(f"a class colour map needs 2 to {MAX_CLASSES} colours")
        if not 0.0 <= strength <= 1.0:
            raise ValueError(f"strength must lie in [0, 1], got {strength}")
        self.classes = len(colors)
        rgb = palette_rgb(colors).astype(np.float64)
        back = hex_to_rgb(background).astype(np.float64)
        levels = np.linspace(0.0, 1.0, LUT_SIZE) * strength
        mixed = back + levels[None, :, None] * (rgb[:, None, :] - back)
        self.table = np.empty((self.classes, LUT_SIZE, 4), dtype=np.uint8)
        self.table[..., :3] = np.round(mixed).astype(np.uint8)
        self.table[..., 3] = alpha
        # Each RGBA entry as one 4-byte number: a gather of whole pixels, 10 times faster
        # than gathering rows of 4 bytes.
        self._packed = self.table.reshape(-1, 4).view(np.uint32).reshape(-1)
        # The level of a top probability p is rint(p · scale − offset): (p − 1/k) / (1 − 1/k)
        # of the LUT_SIZE − 1 steps, in one multiply and one subtract.
        self._scale = (LUT_SIZE - 1) / (1.0 - 1.0 / self.classes)
        self._offset = self._scale / self.classes

    def __deepcopy__(self, memo: dict[int, object]) -> ClassColormap:
        """Share, do not copy: the table never changes."""
        return self

    @classmethod
    def from_theme(cls, theme: Theme, classes: int, strength: float = 1.0) -> ClassColormap:
        """Return the map of ``classes`` classes (:func:`class_palette`) on ``theme``'s
        background."""
        return cls(class_palette(classes), theme.background, strength)

    def levels(self, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return each pixel's most probable class and its confidence level (the table's
        column), both of shape ``probabilities.shape[:-1]``."""
        p = np.asarray(probabilities)
        if p.shape[-1] != self.classes:
            raise ValueError(f"probabilities of {p.shape[-1]} classes for {self.classes} colours")
        winner = np.argmax(p, axis=-1)
        top = np.take_along_axis(p, winner[..., None], axis=-1)[..., 0]
        level = np.rint(confidence(top, self.classes) * (LUT_SIZE - 1)).astype(np.intp)
        return winner, level

    def __call__(self, probabilities: np.ndarray) -> np.ndarray:
        """Return uint8 RGBA colours of shape ``probabilities.shape[:-1] + (4,)``.

        ``probabilities`` holds finite probabilities of the :attr:`classes` classes along its
        last axis, e.g. a grid ``(rows, cols, k)``.
        """
        winner, level = self.levels(probabilities)
        return self._gather(winner * LUT_SIZE + level)

    def top_levels(self, top_probability: np.ndarray) -> np.ndarray:
        """Return the confidence level (the table's column) of each top probability, int16.

        :meth:`levels` from the top probability alone, computed in its own precision: in
        float32 the level is the float64 one or, where the exact value lies within a few
        10⁻⁵ of a step's half-way point, its neighbour.
        """
        p = np.asarray(top_probability)
        level = np.rint(p * self._scale - self._offset)
        return np.clip(level, 0, LUT_SIZE - 1).astype(np.int16)

    def index(self, top: np.ndarray, top_probability: np.ndarray) -> np.ndarray:
        """Return each pixel's entry of the table flattened to ``(k · LUT_SIZE, 4)``, intp,
        from its most probable class and that class's probability
        (:meth:`nnviz.heads.OutputHead.top_class`)."""
        level = self.top_levels(top_probability).astype(np.intp)
        level += np.asarray(top, dtype=np.intp) * LUT_SIZE
        return level

    def colors(self, top: np.ndarray, top_probability: np.ndarray) -> np.ndarray:
        """Return uint8 RGBA colours of shape ``top.shape + (4,)`` from each pixel's most
        probable class and that class's probability: :meth:`__call__` without the other
        classes' probabilities."""
        return self._gather(self.index(top, top_probability))

    def of_logits(self, planes: np.ndarray, output: str = "softmax") -> np.ndarray:
        """Return uint8 RGBA colours of shape ``planes.shape[1:] + (4,)`` from the logits of
        the output head named ``output``, held class-major (``(units, rows, cols)``, as
        :func:`nnviz.forward.class_logit_grid` returns them).

        The picture's fast path: the top class is the largest logit and its probability
        ``1 / Σ_c exp(z_c − z_max)`` (:meth:`nnviz.heads.OutputHead.top_class`), computed in
        the logits' own precision; for float32 logits every pixel's class is the one of
        :meth:`__call__` on their float64 softmax and its level that one's or a neighbour
        (the tests check it).
        """
        output_head = head(output)
        units = output_head.units(self.classes)
        if len(planes) != units:
            raise ValueError(f"{len(planes)} logit planes for the {units} units of a "
                             f"{output} output of {self.classes} classes")  # fmt: skip
        return self.colors(*output_head.top_class(planes))

    def _gather(self, index: np.ndarray) -> np.ndarray:
        """The RGBA entries at the flat ``index``, shape ``index.shape + (4,)``."""
        index = np.asarray(index)
        packed = self._packed[index.reshape(-1)]
        return packed.view(np.uint8).reshape(*index.shape, 4)


def point_colors(labels: np.ndarray, colors: Sequence[str], alpha: int = 255) -> np.ndarray:
    """Return each point's colour by its class, uint8 RGBA of shape ``(N, 4)``.

    Raises
    ------
    ValueError
        When a label is not one of the ``len(colors)`` classes.
    """
    y = np.asarray(labels).astype(np.intp).reshape(-1)
    if len(y) and (y.min() < 0 or y.max() >= len(colors)):
        raise ValueError(f"labels must lie in 0 … {len(colors) - 1}")
    table = np.empty((len(colors), 4), dtype=np.uint8)
    table[:, :3] = palette_rgb(colors)
    table[:, 3] = alpha
    return table[y]
