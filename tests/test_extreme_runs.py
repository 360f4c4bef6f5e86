"""Runs far outside the blog's scale: huge ranges are labelled, never a crash; headings fit."""

from __future__ import annotations

import dataclasses
import math
import random
import warnings
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from manim import Mobject, Text, ValueTracker

from nnviz.config import RunConfig
from nnviz.formatting import fit_number, format_rate
from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.hud import EpochReadout, StatsReadout
from nnviz.mobjects.layout import TrainingLayout
from nnviz.mobjects.readout import GlyphText
from nnviz.moments import key_moments
from nnviz.run import Run
from nnviz.theme import THEMES
from nnviz.trajectory import Trajectory

THEME = THEMES["dark"]


def test_fit_number_is_short_and_faithful_for_any_magnitude() -> None:
    rng = random.Random(7)
    values = [0.0, -0.0, -0.04, 1402.9, -1402.9, 1e200, -1.5e200, 1.7976931348623157e308]
    values += [rng.choice([-1, 1]) * 10 ** rng.uniform(-5, 308) for _ in range(2000)]
    for value in values:
        text = fit_number(value, 6)
        assert len(text) <= 6, (value, text)
        shown = Decimal(text)  # not float: "2e308" is the largest float, rounded
        # Rounded to the last digit shown: half a unit of it.
        mantissa, _, exponent = text.partition("e")
        decimals = len(mantissa.partition(".")[2])
        unit = Decimal(10) ** (int(exponent or 0) - decimals)
        assert abs(shown - Decimal(value)) <= unit / 2 * Decimal("1.000000001"), (value, text)
        assert decimals >= 1 or "e" in text or abs(value) >= 999.95, (value, text)
        assert math.copysign(1, float(shown)) == math.copysign(1, value) or shown == 0
    assert fit_number(-1402.9, 6) == "-1403" and fit_number(12.5, 6) == "12.5"
    assert fit_number(1e200, 6) == "1e200" and fit_number(-0.01, 6) == "0.0"
    assert fit_number(0.51234, 6, 4) == "0.5123" and fit_number(7e10, 6, 4) == "7.0e10"
    assert fit_number(float("inf"), 6) == "inf" and fit_number(float("nan"), 6) == "nan"


@pytest.mark.parametrize(
    ("rate", "text"), [(0.01, "0.01"), (0.001, "0.001"), (1e6, "1e6"), (2.5e-7, "2.5e-7")]
)
def test_format_rate(rate: float, text: str) -> None:
    assert format_rate(rate) == text


def _scaled(run: Run, factor: float) -> Run:
    return dataclasses.replace(
        run, W=(run.W1 * factor, *run.W[1:]), b=(run.b1 * factor, *run.b[1:])
    )


@pytest.fixture(scope="module")
def extreme_runs(short_run: Run) -> dict[str, Run]:
    from nnviz.train import train

    return {
        "noise 300": train(RunConfig(noise=300, max_epochs=5)),
        "linear, lr 1e6 (diverged)": train(RunConfig(activation="linear", lr=1e6)),
        "weights near 1e200": _scaled(short_run, 1e200),
    }


@pytest.mark.parametrize("name", ["noise 300", "linear, lr 1e6 (diverged)", "weights near 1e200"])
def test_extreme_runs_lay_out_at_every_epoch(extreme_runs: dict[str, Run], name: str) -> None:
    run = extreme_runs[name]
    if name.startswith("linear"):
        assert run.stop_reason == "diverged"
    trajectory = Trajectory(run)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in exp of 1e200 is expected
        for t in np.linspace(0, run.epochs, 4):
            layout = TrainingLayout(
                BlockContext(trajectory, ValueTracker(float(t)), THEME), mesh_resolution=16
            )
            state_box = trajectory.hidden_view(float(t))
            labels = [label.text or "" for label in layout.hidden_panel.range_labels]
            for text, limit in zip(labels, np.ravel(state_box), strict=True):
                assert len(text) <= 6
                assert float(text) == pytest.approx(limit, rel=0.5, abs=0.05)
                assert abs(float(text)) >= 0.5 * abs(limit) - 0.05  # the right magnitude


@pytest.mark.parametrize("lr", [1e6, 0.000123456, 3.5e-12])
def test_a_long_heading_ends_before_the_read_out(short_run: Run, lr: float) -> None:
    config = dataclasses.replace(short_run.config, lr=lr, max_epochs=10_000)
    run = dataclasses.replace(short_run, config=config)
    layout = TrainingLayout(
        BlockContext(Trajectory(run), ValueTracker(3.0), THEME), mesh_resolution=16
    )
    assert layout.heading.get_right()[0] < layout.stats.names.get_left()[0] - 0.2
    assert layout.heading.get_left()[0] >= -7.2


@pytest.mark.slow
@pytest.mark.render
@pytest.mark.parametrize(
    "args", [["--activation", "linear", "--lr", "1e6"], ["--noise", "300", "--epochs", "5"]]
)
def test_the_issues_renders_make_videos(args: list[str]) -> None:
    """`nnviz render --activation linear --lr 1e6` (diverges at epoch 1) and `--noise 300`
    used to stop with "'-1402.9' is longer than 6 characters" after training."""
    import av
    from click.testing import CliRunner

    from nnviz.cli import cli

    result = CliRunner().invoke(cli, ["render", *args])
    assert result.exit_code == 0, result.stderr[-2000:]
    movie = result.stdout.strip().splitlines()[-1]
    with av.open(movie) as container:
        assert sum(1 for _ in container.decode(video=0)) > 30


# --- runs of thousands of epochs (issue 19) ---------------------------------------------------


def _stretched(run: Run, epochs: int) -> Run:
    """``run``'s logged states spread over ``epochs`` epochs, linear between them: a run of
    the configured maximum of epochs without minutes of training."""
    at = np.linspace(0.0, run.epochs, epochs + 1)
    low = np.minimum(np.floor(at).astype(int), run.epochs - 1)
    share = at - low

    def spread(array: np.ndarray) -> np.ndarray:
        weight = share.reshape(-1, *([1] * (array.ndim - 1)))
        return array[low] * (1 - weight) + array[low + 1] * weight

    return dataclasses.replace(
        run,
        config=run.config.replace(max_epochs=epochs),
        W=tuple(map(spread, run.W)),
        b=tuple(map(spread, run.b)),
        loss=spread(run.loss),
        accuracy=spread(run.accuracy),
    )


@pytest.fixture(scope="module")
def long_runs(short_run: Run) -> dict[int, Run]:
    return {epochs: _stretched(short_run, epochs) for epochs in (1000, 10_000)}


def drawn_text(text: GlyphText) -> str:
    """The characters ``text`` draws, read back from its slots' points: every slot that
    draws something must hold exactly one glyph of its alphabet, moved to the slot's cell
    (an empty slot is a space)."""
    chars = []
    for index, slot in enumerate(text.submobjects):
        if len(slot.points) == 0:
            chars.append(" ")
            continue
        cell = text.anchor + np.array([index * text.advance, 0.0, 0.0])
        found = [
            char
            for char, glyph in text._glyphs.items()
            if glyph.shape == slot.points.shape and np.allclose(slot.points - cell, glyph)
        ]
        assert len(found) == 1, (index, found)
        chars.append(found[0])
    return "".join(chars)


def stats_line(stats: StatsReadout) -> str:
    """The read-out's first line as drawn: its names and its numbers laid over each other,
    which must never draw two characters in one cell."""
    names, numbers = (drawn_text(part) for part in stats.rows[0])
    assert np.allclose(stats.rows[0][0].anchor, stats.rows[0][1].anchor)
    clashes = [i for i, (a, b) in enumerate(zip(names, numbers, strict=True)) if " " not in a + b]
    assert not clashes, (names, numbers)
    return "".join(b if b != " " else a for a, b in zip(names, numbers, strict=True)).rstrip()


@pytest.mark.parametrize(
    ("epochs", "t", "shown"),
    [
        (1000, 999.5, "epoch  999.5 / 1000"),
        (1000, 1000.0, "epoch 1000.0 / 1000"),
        (10_000, 0.0, "epoch     0.0 / 10000"),
        (10_000, 1234.5, "epoch  1234.5 / 10000"),
        (10_000, 10_000.0, "epoch 10000.0 / 10000"),
    ],
)
def test_the_read_out_shows_every_epoch_of_a_long_run(
    long_runs: dict[int, Run], epochs: int, t: float, shown: str
) -> None:
    """A run of 1000 or more epochs stopped with an IndexError in the read-out, whose epoch
    field was five characters wide."""
    layout = TrainingLayout(BlockContext(Trajectory(long_runs[epochs]), ValueTracker(t), THEME),
                            mesh_resolution=16)  # fmt: skip
    assert stats_line(layout.stats).startswith(f"{shown}   loss ")
    assert layout.stats.get_right()[0] <= 7.1  # inside the frame
    assert layout.heading.get_right()[0] < layout.stats.names.get_left()[0] - 0.2


def test_a_short_runs_read_out_keeps_its_columns(short_run: Run) -> None:
    layout = TrainingLayout(
        BlockContext(Trajectory(short_run), ValueTracker(7.5), THEME), mesh_resolution=16
    )
    assert stats_line(layout.stats).startswith("epoch   7.5 / 12   loss ")


@pytest.mark.parametrize(
    ("limit", "t", "shown"),
    [
        (200, 37.5, "epoch  37.5"),
        (1000, 999.5, "epoch  999.5"),
        (10_000, 9999.5, "epoch  9999.5"),
        (10_000, 10_000.0, "epoch 10000.0"),
    ],
)
def test_the_epoch_read_out_holds_every_epoch_up_to_its_limit(
    limit: int, t: float, shown: str
) -> None:
    readout = EpochReadout(ValueTracker(t), THEME, limit).place_right(6.9, 3.0)
    assert drawn_text(readout) == shown
    assert readout.get_right()[0] <= 6.9


@pytest.mark.render
def test_a_still_of_a_ten_thousand_epoch_run(long_runs: dict[int, Run], tmp_path: Path) -> None:
    """The frame of an interpolated epoch of a run of the most epochs a configuration allows
    renders, and its read-out says which epoch it is."""
    from nnviz.stories.base import NNVizScene
    from tests.frame_regression import render_scene_last_frame

    run = long_runs[10_000]

    class LongRunStill(NNVizScene):
        def construct(self) -> None:
            self.layout = TrainingLayout(
                BlockContext(Trajectory(run), ValueTracker(9999.5), self.theme), mesh_resolution=60
            )
            self.add(self.layout)

    scene, frame = render_scene_last_frame(LongRunStill, tmp_path)
    assert frame.shape == (270, 480, 3) and frame.std() > 0
    assert isinstance(scene, LongRunStill)
    assert stats_line(scene.layout.stats).startswith("epoch  9999.5 / 10000   loss ")


# --- a run of one's own loop logged every 10 steps (issue 20) -------------------------------


def _texts(mobject: Mobject) -> list[str]:
    """The strings of every ``Text`` in ``mobject``, as Manim typeset them."""
    return [m.text for m in mobject.get_family() if isinstance(m, Text)]


def test_a_run_logged_every_ten_steps_says_step_on_screen(short_run: Run) -> None:
    """The read-out (read back from its glyphs), the loss curve's axis, the heading and the
    key moments count steps, state k being step 10·k."""
    config = short_run.config.replace(dataset="external", optimizer="external",
                                      target_loss=0.0, max_epochs=12)  # fmt: skip
    run = dataclasses.replace(short_run, config=config, stop_reason="external", unit="step",
                              every=10)  # fmt: skip
    layout = TrainingLayout(
        BlockContext(Trajectory(run), ValueTracker(7.5), THEME), mesh_resolution=16
    )
    assert stats_line(layout.stats).startswith("step  75.0 / 120   loss ")
    assert "epoch" not in stats_line(layout.stats)
    axis = _texts(layout.loss_curve)
    assert "step120" in [text.replace(" ", "") for text in axis]
    assert not any("epoch" in text for text in axis)
    assert any("loggedevery10steps" in text.replace(" ", "") for text in _texts(layout.heading))
    best = int(np.argmax(run.accuracy))  # the first state of the best accuracy
    moments = key_moments(run, threshold=float(run.accuracy[best]))
    assert [m.caption.split(":")[0] for m in moments if m.kind == "separation"] == [
        f"step {10 * best}"
    ]
    assert layout.stats.get_right()[0] <= 7.1
    # nnviz's own runs still read in epochs.
    own = TrainingLayout(
        BlockContext(Trajectory(short_run), ValueTracker(7.5), THEME), mesh_resolution=16
    )
    assert stats_line(own.stats).startswith("epoch   7.5 / 12   loss ")
    assert "epoch12" in [text.replace(" ", "") for text in _texts(own.loss_curve)]


def test_the_epoch_read_out_counts_steps_too() -> None:
    readout = EpochReadout(ValueTracker(1204.5), THEME, 3000, unit="step").place_right(6.9, 3.0)
    assert drawn_text(readout) == "step 1204.5"


def test_the_final_loss_of_a_converged_run_stays_clear_of_the_axis_label(short_run: Run) -> None:
    """A recorded run ends at the end of its axis; once its loss is near 0 the final loss,
    below the curve's end, ran into the axis's label (``step 120``): it goes above instead."""
    config = short_run.config.replace(dataset="external", optimizer="external",
                                      target_loss=0.0, max_epochs=12)  # fmt: skip
    run = dataclasses.replace(short_run, config=config, stop_reason="external", unit="step",
                              every=10, loss=np.linspace(0.7, 0.01, 13))  # fmt: skip
    curve = TrainingLayout(BlockContext(Trajectory(run), ValueTracker(12.0), THEME),
                           mesh_resolution=16).loss_curve  # fmt: skip
    label = next(m for m in curve.get_family() if isinstance(m, Text) and m.text == "step120")
    bottom = curve.viewport.corners()[2][1]  # the lower left corner
    final = curve.final
    assert final.get_bottom()[1] >= bottom
    overlap_x = min(final.get_right()[0], label.get_right()[0]) - max(
        final.get_left()[0], label.get_left()[0]
    )
    overlap_y = min(final.get_top()[1], label.get_top()[1]) - max(
        final.get_bottom()[1], label.get_bottom()[1]
    )
    assert overlap_x <= 0 or overlap_y <= 0
    # A run that ends high keeps its final loss below the curve's end, as before.
    high = dataclasses.replace(run, loss=np.linspace(0.7, 0.6, 13))
    curve = TrainingLayout(BlockContext(Trajectory(high), ValueTracker(12.0), THEME),
                           mesh_resolution=16).loss_curve  # fmt: skip
    end = curve.viewport.to_screen(np.array([[12.0, 0.6]]), curve.box)[0]
    assert curve.final.get_top()[1] < end[1]
