"""A run's status under its panels, on one clock: its loss and accuracy at the clock's epoch
and, once the clock reaches its last epoch, the mark saying why it stopped early."""

from __future__ import annotations

import numpy as np
from manim import Group
from typing_extensions import Self

from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.following import FollowsClock
from nnviz.mobjects.hud import StopMark
from nnviz.mobjects.readout import GlyphText

__all__ = ["RunStatus"]


class RunStatus(FollowsClock, Group):
    """``loss 0.2631  acc 94.5%`` at the clock's epoch (:attr:`readout`) and the run's
    :class:`~nnviz.mobjects.hud.StopMark` (:attr:`stop_mark`), one block with one updater:
    the small read-out of a run among several (a grid of runs, networks side by side).

    Parameters
    ----------
    context
        The run, the shared epoch tracker, colours and font (a panel's context will do).
    font_size
        Size of the read-out.
    mark_size
        Size of the stop mark.
    """

    ALPHABET = "0123456789.-% lossacuryt"
    #: The longest read-out, in characters.
    MAX_LENGTH = 24

    def __init__(self, context: BlockContext, font_size: float, mark_size: float) -> None:
        super().__init__()
        self.trajectory = context.trajectory
        self.clock = context.clock
        self.readout = GlyphText("", self.ALPHABET, font_size=font_size,
                                 max_length=self.MAX_LENGTH,
                                 color=context.theme.foreground)  # fmt: skip
        self.stop_mark = StopMark(context, font_size=mark_size)
        self.add(self.readout, self.stop_mark)
        self.refresh()

    @property
    def half_width(self) -> float:
        """Half the width of the longest read-out (to centre it under a panel)."""
        return self.MAX_LENGTH / 2 * self.readout.advance

    def place(self, readout_at: np.ndarray, mark_at: np.ndarray) -> Self:
        """Start the read-out's line at ``readout_at`` (left end of its baseline, as
        :meth:`~nnviz.mobjects.readout.GlyphText.place`) and centre the stop mark on
        ``mark_at``."""
        self.readout.place(readout_at)
        self.stop_mark.move_to(mark_at)
        return self

    def refresh(self) -> Self:
        """Show the loss and accuracy at the clock's epoch, and the stop mark once the clock
        has reached the run's last epoch."""
        state = self.trajectory.state(self.clock.get_value())
        self.readout.set_text(f"loss {state.loss:.4f}  acc {state.accuracy:.1%}")
        self.stop_mark.refresh()
        return self
