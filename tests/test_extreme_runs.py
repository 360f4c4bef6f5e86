"""Runs far outside the blog's scale: huge ranges are labelled, never a crash; headings fit."""

from __future__ import annotations

import dataclasses
import math
import random
import warnings
from decimal import Decimal

import numpy as np
import pytest
from manim import ValueTracker

from nnviz.config import RunConfig
from nnviz.formatting import fit_number, format_rate
from nnviz.mobjects.layout import TrainingLayout
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
            layout = TrainingLayout(trajectory, ValueTracker(float(t)), THEME, mesh_resolution=16)
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
    layout = TrainingLayout(Trajectory(run), ValueTracker(3.0), THEME, mesh_resolution=16)
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
