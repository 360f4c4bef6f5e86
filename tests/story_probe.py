"""A story's ``construct`` run without rendering: what it refuses before any training, and the
phases it would play."""

from __future__ import annotations

from typing import Any, TypeVar

import pytest

from nnviz.run import Run

__all__ = ["phases_played", "refusal_before_training"]

PhaseT = TypeVar("PhaseT")


def refusal_before_training(story: type[Any]) -> str:
    """Return the one line ``story.construct`` exits with; fail the test if it asks for a run
    first (it must refuse before any training)."""
    scene = story.__new__(story)
    scene.run_for = lambda **_: pytest.fail("trained before refusing")
    with pytest.raises(SystemExit) as refused:
        story.construct(scene)
    return str(refused.value)


def phases_played(story: type[Any], phase: type[PhaseT], run: Run) -> list[PhaseT]:
    """Return the ``phase`` objects ``story.construct`` plays (their ``play`` only recorded),
    every run it asks for being ``run``."""
    played: list[PhaseT] = []
    scene = story.__new__(story)
    scene.run_for = lambda **_: run
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(phase, "play", lambda self, *_: played.append(self))
        story.construct(scene)
    return played
