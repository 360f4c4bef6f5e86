"""The diverging colour map of the probability mesh, as a lookup table in numpy."""

from __future__ import annotations

import numpy as np

from nnviz.theme import Theme, hex_to_rgb

__all__ = ["LUT_SIZE", "DivergingColormap"]

#: Entries of the lookup table: probabilities are quantised to 1/254 (odd, so 0.5 is an entry;
#: fits uint8).
LUT_SIZE = 255


class DivergingColormap:
    """Map probabilities in [0, 1] to RGBA colours: ``low`` at 0, ``mid`` at 0.5, ``high`` at 1.

    Colours are interpolated linearly in RGB between the three anchors. The map is a lookup
    table of :data:`LUT_SIZE` entries; :meth:`__call__` rounds a probability to the nearest one.
    """

    def __init__(self, low: str, mid: str, high: str, alpha: int = 255) -> None:
        anchors = np.array([hex_to_rgb(low), hex_to_rgb(mid), hex_to_rgb(high)], dtype=np.float64)
        positions = np.linspace(0.0, 1.0, LUT_SIZE)
        rgb = np.column_stack(
            [np.interp(positions, [0.0, 0.5, 1.0], anchors[:, channel]) for channel in range(3)]
        )
        self.table = np.empty((LUT_SIZE, 4), dtype=np.uint8)
        self.table[:, :3] = np.round(rgb).astype(np.uint8)
        self.table[:, 3] = alpha

    def __deepcopy__(self, memo: dict[int, object]) -> DivergingColormap:
        """Share, do not copy: the table never changes."""
        return self

    @classmethod
    def from_theme(cls, theme: Theme) -> DivergingColormap:
        """Return the mesh colour map of ``theme``."""
        return cls(theme.mesh_low, theme.mesh_mid, theme.mesh_high)

    @classmethod
    def sequential(cls, low: str, high: str) -> DivergingColormap:
        """Return a one-way map from ``low`` at 0 to ``high`` at 1 (its middle is their mean),
        for a quantity that is not a probability (the loss landscape's loss, 0 to 1 on its
        scale)."""
        mid = (hex_to_rgb(low).astype(int) + hex_to_rgb(high).astype(int)) // 2
        return cls(low, "#" + "".join(f"{int(c):02X}" for c in mid), high)

    def index(self, probabilities: np.ndarray) -> np.ndarray:
        """Return the table index of each probability (the nearest entry), as uint8."""
        return np.rint(np.clip(probabilities, 0.0, 1.0) * (LUT_SIZE - 1)).astype(np.uint8)

    def __call__(self, probabilities: np.ndarray) -> np.ndarray:
        """Return uint8 RGBA colours of shape ``probabilities.shape + (4,)``."""
        return self.table[self.index(probabilities)]

    @property
    def palette(self) -> bytes:
        """The RGB entries as a PIL palette (``Image.putpalette``)."""
        return self.table[:, :3].tobytes()
