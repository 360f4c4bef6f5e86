"""What a story's subtitles say, and when a key moment's cue shows: the wording of every cue
in one place, in plain Python (no numpy, no Manim), so that it is tested without rendering.

A story adds its cues with :meth:`nnviz.stories.base.NNVizScene.subtitle` (Manim's
``Scene.add_subcaption``), and Manim writes them as an ``.srt`` file beside the video. A cue
says what is on screen: a title card's words, a phase's name, the run being trained (its
activation, learning rate and epochs), each key moment's caption as the video shows it, and
how the run ended (its loss, accuracy and why it stopped). The talk's speaker notes are the
same texts (:func:`slide_notes`).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "caption_spans",
    "comparison_cue",
    "one_line",
    "outcome_cue",
    "phase_cue",
    "run_cue",
    "slide_notes",
    "title_cue",
]


def one_line(text: str) -> str:
    """Return ``text``'s lines as one line, joined by `` · `` (a cue of a card of several
    lines, read as one sentence)."""
    return " · ".join(line.strip() for line in text.splitlines() if line.strip())


def title_cue(title: str, network: str) -> str:
    """Return the title card's cue: ``How a neural network learns: 2 inputs → 2 hidden
    neurons (ReLU) → 1 sigmoid output``."""
    return f"{title}: {network}"


def phase_cue(index: int, count: int, title: str) -> str:
    """Return the cue of a talk's phase card ``index`` (from 0) of ``count``: ``Part 2 of 5:
    The data``."""
    return f"Part {index + 1} of {count}: {title}"


def run_cue(heading: str, first: str, last: str) -> str:
    """Return the cue of a run's training phase: its layout's ``heading`` (``ReLU · learning
    rate 0.01``) and its first and last logged states as the pictures name them (``epoch 0``,
    ``step 1200``): ``Training ReLU · learning rate 0.01: epoch 0 to epoch 107``."""
    return f"Training {heading}: {first} to {last}"


def outcome_cue(outcome: str) -> str:
    """Return the cue of how a run ended, from its outcome card's lines (``stopped at epoch
    107``, ``loss 0.2629 ≤ target``, ``accuracy 95.0%``), as one line: ``Result: stopped at
    epoch 107 · loss 0.2629 ≤ target · accuracy 95.0%``."""
    return f"Result: {one_line(outcome)}"


def comparison_cue(heading: str, outcomes: Sequence[tuple[str, str]]) -> str:
    """Return the cue of runs shown side by side: their ``heading``, then each run's label
    and outcome card (``learning rate 0.1: stopped at epoch 12 · loss … · accuracy …``), one
    line each."""
    lines = [heading, *(f"{label}: {one_line(outcome)}" for label, outcome in outcomes)]
    return "\n".join(lines)


def caption_spans(shown: Sequence[int | None]) -> list[tuple[int, int, int]]:
    """Return when each caption is on screen, from the caption ``shown[k]`` at frame ``k``
    (an index, or ``None`` for none): ``(index, first, end)`` for every unbroken stretch of
    frames ``first`` to ``end - 1`` that show caption ``index``, in order."""
    spans: list[tuple[int, int, int]] = []
    start = 0
    for frame in range(1, len(shown) + 1):
        if frame == len(shown) or shown[frame] != shown[start]:
            index = shown[start]
            if index is not None:
                spans.append((index, start, frame))
            start = frame
    return spans


def slide_notes(cues: Sequence[str]) -> str:
    """Return the speaker notes of a slide whose subtitles are ``cues``: one Markdown list
    item a cue, in order (a cue of several lines stays one item, its lines broken)."""
    return "\n".join("- " + cue.replace("\n", "  \n  ") for cue in cues)
