"""The colour maps of every picture, as lookup tables in numpy: the probability mesh's
diverging map, and the perceptually uniform sequential maps of quantities that are not
probabilities (the loss landscape's loss)."""

from __future__ import annotations

import numpy as np

from nnviz.theme import Theme, hex_to_rgb

__all__ = ["LUT_SIZE", "SEQUENTIAL_ANCHORS", "Colormap", "DivergingColormap", "SequentialColormap"]

#: Entries of the lookup table: probabilities are quantised to 1/254 (odd, so 0.5 is an entry;
#: fits uint8).
LUT_SIZE = 255

#: Perceptually uniform sequential maps, each as 17 anchor colours at 0, 1/16, …, 1 (entries
#: 0, 16, 32, …, 239, 255 of the 256-entry tables), interpolated linearly in RGB between them.
#: The anchors are matplotlib's (``matplotlib/_cm_listed.py``, 3.11): viridis and magma by
#: Nathaniel J. Smith and Stéfan van der Walt (https://bids.github.io/colormap/, CC0), cividis
#: by Jamie R. Nuñez, Christopher R. Anderton and Ryan S. Renslow (PLOS ONE 13(7): e0199239,
#: 2018). Linear interpolation between them stays within 12 of 255 of the full tables.
SEQUENTIAL_ANCHORS: dict[str, tuple[str, ...]] = {
    "viridis": (
        "#440154", "#48186A", "#472D7B", "#424086", "#3B528B", "#33638D", "#2C728E",
        "#26828E", "#21918C", "#1F9F88", "#27AD81", "#3DBC74", "#5CC863", "#81D34D",
        "#AADC32", "#D5E21A", "#FDE725",
    ),
    "cividis": (
        "#00224E", "#002E6A", "#1A386F", "#32436D", "#434E6C", "#535A6D", "#61656F",
        "#6F7073", "#7D7C78", "#8B8778", "#9A9376", "#AAA073", "#BBAD6D", "#CCBA64",
        "#DDC858", "#EFD748", "#FEE838",
    ),
    "magma": (
        "#000004", "#0A0822", "#1D1147", "#36106B", "#51127C", "#6A1C81", "#832681",
        "#9C2E7F", "#B73779", "#CF4070", "#E55064", "#F4695C", "#FB8761", "#FEA571",
        "#FEC287", "#FDE0A1", "#FCFDBF",
    ),
}  # fmt: skip


class Colormap:
    """Map values in [0, 1] to RGBA colours, linearly in RGB between anchor colours.

    The map is a lookup table of :data:`LUT_SIZE` entries; :meth:`__call__` rounds a value to
    the nearest one.

    Parameters
    ----------
    anchors
        Colours as ``#RRGGBB``.
    positions
        Where each anchor sits, increasing, the first at or below 0 and the last at or above
        1 (values 0 to 1 see the colours between); evenly spaced from 0 to 1 when ``None``.
    alpha
        The opacity of every entry, 0 to 255.
    """

    def __init__(
        self, anchors: tuple[str, ...], positions: tuple[float, ...] | None = None, alpha: int = 255
    ) -> None:
        if len(anchors) < 2:
            raise ValueError("a colour map needs at least two anchor colours")
        rgb_anchors = np.array([hex_to_rgb(color) for color in anchors], dtype=np.float64)
        where = np.linspace(0.0, 1.0, len(anchors)) if positions is None else np.array(positions)
        if where.shape != (len(anchors),) or np.any(np.diff(where) <= 0):
            raise ValueError("one increasing position an anchor")
        if where[0] > 0.0 or where[-1] < 1.0:
            raise ValueError("the anchors' positions must cover 0 to 1")
        entries = np.linspace(0.0, 1.0, LUT_SIZE)
        rgb = np.column_stack(
            [np.interp(entries, where, rgb_anchors[:, channel]) for channel in range(3)]
        )
        self.table = np.empty((LUT_SIZE, 4), dtype=np.uint8)
        self.table[:, :3] = np.round(rgb).astype(np.uint8)
        self.table[:, 3] = alpha

    def __deepcopy__(self, memo: dict[int, object]) -> Colormap:
        """Share, do not copy: the table never changes."""
        return self

    def index(self, values: np.ndarray) -> np.ndarray:
        """Return the table index of each value (the nearest entry), as uint8."""
        return np.rint(np.clip(values, 0.0, 1.0) * (LUT_SIZE - 1)).astype(np.uint8)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Return uint8 RGBA colours of shape ``values.shape + (4,)``."""
        return self.table[self.index(values)]

    @property
    def palette(self) -> bytes:
        """The RGB entries as a PIL palette (``Image.putpalette``)."""
        return self.table[:, :3].tobytes()


class DivergingColormap(Colormap):
    """Map probabilities in [0, 1] to RGBA colours: ``low`` at 0, ``mid`` at 0.5, ``high`` at 1,
    linearly in RGB between them."""

    def __init__(self, low: str, mid: str, high: str, alpha: int = 255) -> None:
        super().__init__((low, mid, high), alpha=alpha)

    @classmethod
    def from_theme(cls, theme: Theme) -> DivergingColormap:
        """Return the mesh colour map of ``theme``."""
        return cls(theme.mesh_low, theme.mesh_mid, theme.mesh_high)


class SequentialColormap(Colormap):
    """One of the perceptually uniform maps :data:`SEQUENTIAL_ANCHORS`, from ``start`` to
    ``stop`` of it (0 to 1 for all of it: a part keeps a map's darkest or lightest end off a
    picture), spread over values 0 to 1.

    Parameters
    ----------
    name
        A key of :data:`SEQUENTIAL_ANCHORS`.
    start, stop
        The part of the map used, ``0 <= start < stop <= 1``.

    Raises
    ------
    ValueError
        For an unknown name or part, in one line.
    """

    def __init__(self, name: str, start: float = 0.0, stop: float = 1.0) -> None:
        if name not in SEQUENTIAL_ANCHORS:
            raise ValueError(
                f"{name!r} is not a sequential colour map; choose one of "
                f"{', '.join(SEQUENTIAL_ANCHORS)}"
            )
        if not 0.0 <= start < stop <= 1.0:
            raise ValueError("a colour map's part must satisfy 0 <= start < stop <= 1")
        anchors = SEQUENTIAL_ANCHORS[name]
        where = (np.linspace(0.0, 1.0, len(anchors)) - start) / (stop - start)
        super().__init__(anchors, tuple(float(w) for w in where))
        self.name, self.start, self.stop = name, start, stop

    @classmethod
    def from_theme(cls, theme: Theme) -> SequentialColormap:
        """Return the loss landscape's map of ``theme`` (``theme.landscape_map``)."""
        name, start, stop = theme.landscape_map
        return cls(name, start, stop)
