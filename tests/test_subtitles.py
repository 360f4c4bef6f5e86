"""The subtitles' words and timing rules (:mod:`nnviz.subtitles`), without rendering: each cue
against a sentence written out by hand from a run's logged numbers."""

from __future__ import annotations

import pytest

from nnviz.cache import cached_run
from nnviz.config import RunConfig
from nnviz.run import Run
from nnviz.subtitles import (
    caption_spans,
    comparison_cue,
    landscape_end_cue,
    landscape_heading,
    landscape_runs_cue,
    loss_text,
    outcome_cue,
    path_readout,
    phase_cue,
    run_cue,
    slice_caption,
    slide_notes,
    title_cue,
)


def test_a_run_that_reached_its_target_says_where_and_with_what() -> None:
    """ReLU at lr 0.1, at most 12 epochs: the cue of its result names the epoch it stopped at,
    its last logged loss against the target and its last accuracy, as logged."""
    from nnviz.mobjects.hud import run_outcome
    from nnviz.mobjects.layout import heading_title

    run = cached_run(RunConfig(lr=0.1, max_epochs=12))
    assert run.stop_reason == "target_loss"
    loss, accuracy, last = float(run.loss[-1]), float(run.accuracy[-1]), len(run.loss) - 1
    assert loss <= 0.263
    expected = (f"Result: stopped at epoch {last} · loss {loss:.4f} ≤ target · "
                f"accuracy {100 * accuracy:.1f}%")  # fmt: skip
    assert outcome_cue(run_outcome(run)) == expected
    assert run_cue(heading_title(run.config), run.count_text(0), run.count_text(run.epochs)) == (
        f"Training ReLU · learning rate 0.1: epoch 0 to epoch {last}"
    )


def test_a_run_that_used_all_its_epochs_says_so() -> None:
    """tanh at lr 0.001 for 4 epochs does not reach 0.263: 'ran all 4 epochs'."""
    from nnviz.mobjects.hud import run_outcome

    run = cached_run(RunConfig(activation="tanh", lr=0.001, max_epochs=4))
    assert run.stop_reason == "max_epochs"
    loss, accuracy = float(run.loss[-1]), float(run.accuracy[-1])
    assert outcome_cue(run_outcome(run)) == (
        f"Result: ran all 4 epochs · loss {loss:.4f}, target not reached · "
        f"accuracy {100 * accuracy:.1f}%"
    )


def test_cards_and_comparisons() -> None:
    assert phase_cue(1, 5, "The data") == "Part 2 of 5: The data"
    assert title_cue("How a neural network learns", "2 inputs → 2 hidden neurons (ReLU)") == (
        "How a neural network learns: 2 inputs → 2 hidden neurons (ReLU)"
    )
    assert comparison_cue(
        "ReLU: final state", [("learning rate 0.1", "ran all 5 epochs\nloss 0.5")]
    ) == ("ReLU: final state\nlearning rate 0.1: ran all 5 epochs · loss 0.5")


@pytest.mark.parametrize(
    ("shown", "spans"),
    [
        ([], []),
        ([None, None], []),
        ([None, 0, 0, None, 1, 1, 1], [(0, 1, 3), (1, 4, 7)]),
        ([0, 0, 1, 1, 0], [(0, 0, 2), (1, 2, 4), (0, 4, 5)]),
    ],
)
def test_caption_spans_are_the_unbroken_stretches_of_frames(
    shown: list[int | None], spans: list[tuple[int, int, int]]
) -> None:
    assert caption_spans(shown) == spans


def test_speaker_notes_are_a_list_of_the_cues() -> None:
    assert slide_notes(["Part 1 of 5: The data", "a\nb"]) == "- Part 1 of 5: The data\n- a  \n  b"


def test_the_landscapes_caption_and_read_outs() -> None:
    assert slice_caption(9, 0.99312) == (
        "2-D slice of a 9-parameter space (P = 9): the plane holds 99.3% of the paths' variance"
    )
    assert path_readout(0.26294, 0.26968, 0.8994) == (
        "own loss 0.2629",
        "slice loss 0.2697",
        "off slice 0.899",
    )
    # A loss near zero keeps its digits (never 0.0000); a far state its distance.
    assert path_readout(2.134e-5, 0.0, 12345.0) == (
        "own loss 2.13e-5",
        "slice loss 0",
        "off slice 1.23e4",
    )
    assert [loss_text(v) for v in (0.001, 0.00099951, 1.5)] == ["0.0010", "1.00e-3", "1.5000"]


def test_the_landscapes_runs_and_ends() -> None:
    runs = [("tanh, lr 0.1", "epoch 0", "epoch 35"), ("tanh, lr 0.01", "epoch 0", "epoch 200")]
    assert landscape_runs_cue(True, runs) == (
        "Paths from the same initial weights, on one epoch clock:\n"
        "tanh, lr 0.1: epoch 0 to epoch 35\n"
        "tanh, lr 0.01: epoch 0 to epoch 200"
    )
    assert landscape_runs_cue(False, runs[:1]).startswith("Paths on one epoch clock:\n")
    ends = [("tanh, lr 0.01", ("own loss 0.2629", "slice loss 0.2697", "off slice 0.899"))]
    assert landscape_end_cue(ends) == (
        "Where the paths end:\ntanh, lr 0.01: own loss 0.2629 · slice loss 0.2697 · off slice 0.899"
    )


def test_a_path_that_ends_at_the_planes_centre_reads_its_logged_loss(
    short_tanh_run: Run,
) -> None:
    """One run, the plane centred on its own final weights: its path ends on the plane (off
    slice 0), where the surface's loss is the loss training logged (torch) and so is its own."""
    from nnviz import landscape
    from nnviz.trajectory import Trajectory

    plane = landscape.pca_plane([short_tanh_run], centre="best")
    network = landscape.Network.of(short_tanh_run)
    end = landscape.path_state(Trajectory(short_tanh_run), network, plane, 1e9)  # clamped
    logged = f"{float(short_tanh_run.loss[-1]):.4f}"
    readout = path_readout(end.own_loss, end.slice_loss, end.distance)
    assert readout == (f"own loss {logged}", f"slice loss {logged}", "off slice 0.000")
    assert landscape_end_cue([(short_tanh_run.config.label(), readout)]) == (
        f"Where the paths end:\ntanh, lr 0.05: own loss {logged} · slice loss {logged} · "
        "off slice 0.000"
    )


def test_the_landscapes_heading_names_other_data_and_classes() -> None:
    assert landscape_heading("2-2-1 tanh", "seed", 2) == "The loss landscape · 2-2-1 tanh"
    assert landscape_heading("2-4-3 relu", "blobs", 3) == (
        "The loss landscape · 2-4-3 relu · blobs, 3 classes"
    )
    assert landscape_heading("2-3-1 relu", "moons", 2) == "The loss landscape · 2-3-1 relu · moons"
