"""What each stop reason says (:mod:`nnviz.stop_reasons`), the one table the command line and
the pictures read, filled in with a run's values."""

from __future__ import annotations

import pytest

from nnviz.stop_reasons import STOP_REASONS

VALUES = {"epochs": 12, "count": "epoch 12", "span": "40 epochs", "limit": 40,
          "target": 0.263, "loss": 0.26171}  # fmt: skip


def say(text: str) -> str:
    return text.format(**VALUES)


def test_every_reason_a_run_file_may_store_is_in_the_table() -> None:
    assert set(STOP_REASONS) == {"target_loss", "max_epochs", "diverged", "external"}


@pytest.mark.parametrize(
    ("reason", "sentence", "mark", "ending", "final"),
    [
        ("target_loss", "loss ≤ 0.263 at epoch 12", "stopped at epoch 12: loss ≤ 0.263",
         "stopped at epoch 12", "0.2617 ≤ target"),
        ("max_epochs", "reached the 40-epoch limit", "", "ran all 40 epochs",
         "0.2617, target not reached"),
        ("diverged", "diverged (loss blew up or became NaN); kept the finite epochs 0-12",
         "stopped at epoch 12: diverged", "diverged at epoch 12", "0.262, diverged"),
        ("external", "recorded from your own training loop, 40 epochs", "",
         "recorded 40 epochs", "0.2617"),
    ],
)  # fmt: skip
def test_each_reason_says_what_happened(
    reason: str, sentence: str, mark: str, ending: str, final: str
) -> None:
    stop = STOP_REASONS[reason]
    assert say(stop.sentence) == sentence
    assert say(stop.mark) == mark and stop.early == bool(mark)
    assert say(stop.ending) == ending
    assert say(stop.final_text(has_target=True)) == final


def test_without_a_target_only_the_loss_is_printed_at_the_curve_s_end() -> None:
    assert say(STOP_REASONS["max_epochs"].final_text(has_target=False)) == "0.2617"
    assert say(STOP_REASONS["diverged"].final_text(has_target=False)) == "0.262, diverged"
    assert [r for r, stop in STOP_REASONS.items() if not stop.draws_target] == ["external"]
