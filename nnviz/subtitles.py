"""What a story's subtitles say, and when a key moment's cue shows: the wording of every cue
in one place, in plain Python (no numpy, no Manim), so that it is tested without rendering.

A story adds its cues with :meth:`nnviz.stories.base.NNVizScene.subtitle` (Manim's
``Scene.add_subcaption``), and Manim writes them as an ``.srt`` file beside the video. A cue
says what is on screen: a title card's words, a phase's name, the run being trained (its
activation, learning rate and epochs), each key moment's caption as the video shows it, and
how the run ended (its loss, accuracy and why it stopped). The talk's speaker notes are the
same texts (:func:`slide_notes`).

The loss landscape's words are here too, on screen and in its cues alike: the slice's caption
(:func:`slice_caption`), each path's read-out (:func:`path_readout`), the runs on the clock
(:func:`landscape_runs_cue`) and where each path ends (:func:`landscape_end_cue`).
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "caption_spans",
    "comparison_cue",
    "landscape_end_cue",
    "landscape_heading",
    "landscape_runs_cue",
    "loss_text",
    "one_line",
    "outcome_cue",
    "path_readout",
    "phase_cue",
    "run_cue",
    "slice_caption",
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


def loss_text(value: float) -> str:
    """Return a loss as a read-out shows it: four decimals (``0.2628``) down to 0.001, below
    that three significant digits in compact scientific notation (``2.13e-5``), so that a loss
    near zero never reads ``0.0000``; ``0`` for zero."""
    if value == 0:
        return "0"
    if abs(value) >= 0.001:
        return f"{value:.4f}"
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def _distance_text(value: float) -> str:
    """A distance in weight space: three decimals (``0.899``), three significant digits from
    1000 on (``1.23e4``)."""
    if value < 1000:
        return f"{value:.3f}"
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa}e{int(exponent)}"


def landscape_heading(network: str, dataset: str, classes: int) -> str:
    """Return the loss landscape's heading: ``The loss landscape · 2-2-1 tanh`` for the
    post's data (``seed``) and two classes, the data set and the classes named otherwise
    (``The loss landscape · 2-4-3 relu · blobs, 3 classes``)."""
    data = [] if dataset == "seed" else [dataset]
    if classes != 2:
        data.append(f"{classes} classes")
    return " · ".join(["The loss landscape", network, *([", ".join(data)] if data else [])])


def slice_caption(parameters: int, explained: float) -> str:
    """Return what the loss landscape is, as its caption says it: ``2-D slice of a 9-parameter
    space (P = 9): the plane holds 99.3% of the paths' variance`` (``explained`` from 0 to
    1)."""
    return (
        f"2-D slice of a {parameters}-parameter space (P = {parameters}): the plane holds "
        f"{100 * explained:.1f}% of the paths' variance"
    )


def path_readout(own: float, on_slice: float, distance: float) -> tuple[str, str, str]:
    """Return a path's three read-out lines beside its run's input plane: the run's own loss,
    the surface's loss under its dot and its state's distance from the plane: ``own loss
    0.2629``, ``slice loss 0.2697``, ``off slice 0.899``."""
    return (
        f"own loss {loss_text(own)}",
        f"slice loss {loss_text(on_slice)}",
        f"off slice {_distance_text(distance)}",
    )


def landscape_runs_cue(same_start: bool, runs: Sequence[tuple[str, str, str]]) -> str:
    """Return the cue of the paths as they are drawn: each run's label and its first and last
    logged states as the pictures name them (``("tanh, lr 0.1", "epoch 0", "epoch 35")``), one
    line each, after ``Paths from the same initial weights, on one epoch clock:`` (``Paths on
    one epoch clock:`` for runs that start apart)."""
    start = (
        "Paths from the same initial weights, on one epoch clock:"
        if same_start
        else ("Paths on one epoch clock:")
    )
    return "\n".join([start, *(f"{label}: {first} to {last}" for label, first, last in runs)])


def landscape_end_cue(ends: Sequence[tuple[str, tuple[str, str, str]]]) -> str:
    """Return the cue of where the paths end: ``Where the paths end:``, then each run's label
    and its final read-out (:func:`path_readout`) on one line: ``tanh, lr 0.01: own loss
    0.2629 · slice loss 0.2697 · off slice 0.899``."""
    return "\n".join(["Where the paths end:",
                      *(f"{label}: {' · '.join(readout)}" for label, readout in ends)])  # fmt: skip
