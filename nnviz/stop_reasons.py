"""Why training stopped, and everything each reason says wherever a run is described: the
command line's sentence, the stop mark on screen, the end of the loss curve, the outcome card.

The one table of stop reasons (:data:`STOP_REASONS`); a run fills its texts in with its own
values (:meth:`nnviz.run.Run.stop_words`).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STOP_REASONS", "StopReason"]


@dataclass(frozen=True)
class StopReason:
    """What one stop reason says. Each text is a format string of a run's values: ``{epochs}``
    its last logged state, ``{count}`` that state as the pictures name it (``epoch 12``,
    ``step 1200``), ``{span}`` how far the run went (``40 epochs``), ``{limit}`` its epoch
    limit, ``{target}`` its target loss and ``{loss}`` its final loss.

    Attributes
    ----------
    sentence
        Why training stopped, as the command line says it (``nnviz inspect``).
    mark
        The stop mark shown once the clock reaches the run's last state; ``""`` for a run
        that did not stop before its limit (it shows no mark).
    ending
        How the run ended, the first line of its outcome.
    final
        What the loss curve prints at its end: the final loss and whether it reached the
        target.
    final_without_target
        What the loss curve prints instead for a run without a target loss (``None``: the
        same as :attr:`final`).
    draws_target
        Whether the loss curve draws the run's target line (when it has a target).
    """

    sentence: str
    mark: str
    ending: str
    final: str
    final_without_target: str | None = None
    draws_target: bool = True

    @property
    def early(self) -> bool:
        """Whether the run stopped before its limit (and so shows a stop mark)."""
        return bool(self.mark)

    def final_text(self, has_target: bool) -> str:
        """Return the loss curve's end text of a run with or without a target loss."""
        if has_target or self.final_without_target is None:
            return self.final
        return self.final_without_target


#: Every reason training stops, by the name a run file stores; ``external`` for a run
#: recorded from the user's own loop.
STOP_REASONS: dict[str, StopReason] = {
    "target_loss": StopReason(
        sentence="loss ≤ {target:g} at epoch {epochs}",
        mark="stopped at {count}: loss ≤ {target:g}",
        ending="stopped at {count}",
        final="{loss:.4f} ≤ target",
    ),
    "max_epochs": StopReason(
        sentence="reached the {limit}-epoch limit",
        mark="",
        ending="ran all {span}",
        final="{loss:.4f}, target not reached",
        final_without_target="{loss:.4f}",
    ),
    "diverged": StopReason(
        sentence="diverged (loss blew up or became NaN); kept the finite epochs 0-{epochs}",
        mark="stopped at {count}: diverged",
        ending="diverged at {count}",
        final="{loss:.3g}, diverged",
    ),
    "external": StopReason(
        sentence="recorded from your own training loop, {span}",
        mark="",
        ending="recorded {span}",
        final="{loss:.4f}",
        draws_target=False,
    ),
}
