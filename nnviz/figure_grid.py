"""The maths of a figure (``nnviz figure``): the epochs it shows, the file formats it writes,
and its grid of small multiples, one row per epoch and one column per space (the input plane,
then every hidden layer), with the sizes in scene units and in pixels.

Plain Python, tested without Manim: :mod:`nnviz.mobjects.filmstrip` places its panels where
:class:`FigureGrid` says, and :mod:`nnviz.figures` gives Manim the frame and pixel size.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from nnviz.view import Viewport

__all__ = [
    "DEFAULT_FIGURE_WIDTH",
    "FIGURE_FORMATS",
    "FIGURE_WIDTH_LIMITS",
    "LABEL_MARGIN",
    "MAX_FIGURE_EPOCHS",
    "FigureGrid",
    "figure_epochs",
    "figure_format",
    "parse_figure_epochs",
]

#: What each suffix of ``--out`` writes: Pillow's format name.
FIGURE_FORMATS: dict[str, str] = {".png": "PNG", ".pdf": "PDF"}
#: ``--width``: the figure's width in pixels, from and to.
FIGURE_WIDTH_LIMITS: tuple[int, int] = (300, 6000)
#: The width of a figure when none is asked for, in pixels.
DEFAULT_FIGURE_WIDTH = 1600
#: The most epochs (rows) one figure shows.
MAX_FIGURE_EPOCHS = 12
#: Room left of the epoch labels, in scene units.
LABEL_MARGIN = 0.3


def figure_format(out: Path) -> str:
    """Return the format of the figure file ``out`` by its suffix (``"PNG"`` or ``"PDF"``).

    Raises
    ------
    ValueError
        With one line, for any other suffix.
    """
    found = FIGURE_FORMATS.get(out.suffix.lower())
    if found is None:
        suffixes = " or ".join(FIGURE_FORMATS)
        raise ValueError(f"{out}: a figure is written to a {suffixes} file")
    return found


def parse_figure_epochs(text: str) -> tuple[float | str, ...]:
    """Return the epochs of ``--epochs 0,10,50,final``, in the order given: each a whole
    number, or ``"final"`` for the run's last epoch (checked against a run by
    :func:`figure_epochs`).

    Raises
    ------
    ValueError
        With one line, for an entry that is neither, or too many or too few entries.
    """
    parts = [part.strip().lower() for part in str(text).split(",")]
    epochs: list[float | str] = []
    for part in parts:
        if part == "final":
            epochs.append(part)
            continue
        try:
            number = int(part)
        except ValueError:
            raise ValueError(
                f"{part!r} is not an epoch (a whole number) or 'final'; give a list such as "
                "0,10,50,final"
            ) from None
        if number < 0:
            raise ValueError(f"{number} is not an epoch: epochs start at 0")
        epochs.append(float(number))
    if not 1 <= len(epochs) <= MAX_FIGURE_EPOCHS:
        raise ValueError(f"a figure shows 1 to {MAX_FIGURE_EPOCHS} epochs, not {len(epochs)}")
    return tuple(epochs)


def figure_epochs(
    epochs: Sequence[float | str], last: int, unit: str = "epoch"
) -> tuple[float, ...]:
    """Return the state indices of ``epochs`` (from :func:`parse_figure_epochs`) in a run
    whose last state is ``last``: ``"final"`` is ``last``.

    Raises
    ------
    ValueError
        With one line for the first epoch past the run's last
        (``epoch 200 is past the run's last epoch 107``).
    """
    chosen: list[float] = []
    for epoch in epochs:
        value = float(last) if epoch == "final" else float(epoch)
        if value > last:
            raise ValueError(
                f"{unit} {value:g} is past the run's last {unit} {last} (--epochs takes 0 to "
                f"{last}, or 'final')"
            )
        chosen.append(value)
    return tuple(chosen)


@dataclass(frozen=True)
class FigureGrid:
    """Where the parts of a figure go, in scene units, the origin at the frame's centre.

    One row per epoch (its label at the left), one column per space: the input plane, then
    each hidden layer. The panels' captions stand above the first row, under the title; the
    legend stands under the last row. The gaps leave each panel's range labels and axis names
    the room they take in the videos.

    Attributes
    ----------
    rows
        Epochs shown, top to bottom.
    columns
        Spaces shown, left to right (1 + the hidden layers).
    panel
        Side of each square panel.
    """

    rows: int
    columns: int
    panel: float = 3.2
    #: Width of the column of epoch labels, and the room left of the input plane for its
    #: vertical range labels and axis name.
    label_width: float = 2.0
    input_margin: float = 0.95
    #: Between two columns (a hidden view's range labels and axis name on its right), and
    #: right of the last.
    column_gap: float = 1.0
    right_margin: float = 1.0
    #: Between two rows (the range labels and axis name under a panel).
    row_gap: float = 0.8
    #: Above the first row: the title and the panels' captions (two lines for several layers).
    header: float = 1.55
    #: Under the last row: its axis names, then the legend.
    footer: float = 2.0

    def __post_init__(self) -> None:
        if self.rows < 1 or self.columns < 1:
            raise ValueError(
                f"a figure has at least one row and column, not {self.rows}×{self.columns}"
            )

    @property
    def frame_width(self) -> float:
        """Width of the whole figure."""
        return (self.label_width + self.input_margin + self.columns * self.panel
                + (self.columns - 1) * self.column_gap + self.right_margin)  # fmt: skip

    @property
    def frame_height(self) -> float:
        """Height of the whole figure."""
        return (self.header + self.rows * self.panel + (self.rows - 1) * self.row_gap
                + self.footer)  # fmt: skip

    @property
    def left(self) -> float:
        """The figure's left edge."""
        return -self.frame_width / 2

    @property
    def top(self) -> float:
        """The figure's top edge."""
        return self.frame_height / 2

    def panel_centre(self, row: int, column: int) -> tuple[float, float]:
        """Return the centre of the panel of ``row`` (an epoch) and ``column`` (a space)."""
        self._check(row, column)
        x = (self.left + self.label_width + self.input_margin + self.panel / 2
             + column * (self.panel + self.column_gap))  # fmt: skip
        y = self.top - self.header - self.panel / 2 - row * (self.panel + self.row_gap)
        return x, y

    def viewport(self, row: int, column: int) -> Viewport:
        """Return the square viewport of the panel of ``row`` and ``column``."""
        return Viewport(self.panel_centre(row, column), self.panel, self.panel)

    def label_left(self, row: int) -> tuple[float, float]:
        """Return the left end of ``row``'s epoch label, level with the centre of the row's
        panels: the label column less its margin (:data:`LABEL_MARGIN`) on the left."""
        return self.left + LABEL_MARGIN, self.panel_centre(row, 0)[1]

    def panels_centre_x(self) -> float:
        """Return the middle of the panels' columns, from the input plane's left edge to the
        last column's right edge (what the title and the legend are centred over)."""
        left = self.panel_centre(0, 0)[0] - self.panel / 2
        right = self.panel_centre(0, self.columns - 1)[0] + self.panel / 2
        return (left + right) / 2

    def title_centre(self) -> tuple[float, float]:
        """Return the centre of the title line, at the top over the panels."""
        return self.panels_centre_x(), self.top - 0.35

    def legend_centre(self) -> tuple[float, float]:
        """Return the centre of the legend, under the last row's axis names, over the
        panels."""
        bottom = self.panel_centre(self.rows - 1, 0)[1] - self.panel / 2
        return self.panels_centre_x(), (bottom - 0.7 + (-self.top)) / 2

    def pixel_size(self, width: int) -> tuple[int, int]:
        """Return the figure's size in pixels at ``width`` pixels wide (its height in
        proportion, at least 1)."""
        return width, max(1, round(width * self.frame_height / self.frame_width))

    def mesh_resolution(self, width: int, most: int = 600) -> int:
        """Return the pixels along each side of a panel's probability mesh at ``width``
        pixels wide: the panel's own pixels, so that no mesh is upscaled by much (at least
        32, at most ``most``)."""
        return int(min(most, max(32, round(width * self.panel / self.frame_width))))

    def _check(self, row: int, column: int) -> None:
        if not (0 <= row < self.rows and 0 <= column < self.columns):
            raise IndexError(f"no panel ({row}, {column}) in a {self.rows}×{self.columns} figure")
