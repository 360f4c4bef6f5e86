"""The six-run comparison and the stop marks, without rendering."""

from __future__ import annotations

import numpy as np
import pytest
from manim import ValueTracker

from nnviz.cache import cached_run
from nnviz.config import BLOG_LEARNING_RATES, RunConfig
from nnviz.mobjects.context import BlockContext, PanelContext
from nnviz.mobjects.hud import MomentCaptions, StopMark
from nnviz.moments import Moment
from nnviz.stories.compare import ComparePhase, RunTile
from nnviz.theme import THEMES
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport

THEME = THEMES["dark"]


def test_the_six_runs_start_from_the_same_weights() -> None:
    runs = [
        cached_run(RunConfig(activation=a, lr=lr, max_epochs=2), report=lambda _: None)
        for a in ("relu", "tanh")
        for lr in BLOG_LEARNING_RATES
    ]
    for run in runs[1:]:
        for key in ("W1", "b1", "W2", "b2"):
            np.testing.assert_array_equal(getattr(run, key)[0], getattr(runs[0], key)[0])
        np.testing.assert_array_equal(run.X, runs[0].X)


def early_stopping_run():  # type: ignore[no-untyped-def]
    run = cached_run(RunConfig(activation="tanh", lr=0.05, target_loss=0.5), report=lambda _: None)
    assert run.stop_reason == "target_loss" and run.epochs < 200
    return run


def test_stop_mark_shows_only_after_an_early_stop() -> None:
    run = early_stopping_run()
    clock = ValueTracker(0.0)
    mark = StopMark(BlockContext(Trajectory(run), clock, THEME))
    assert f"stoppedatepoch{run.epochs}" in mark.text  # Text drops spaces
    assert mark.get_fill_opacity() == 0
    clock.set_value(run.epochs - 0.5)
    assert mark.refresh().get_fill_opacity() == 0
    clock.set_value(run.epochs + 20)
    assert mark.refresh().get_fill_opacity() == 1
    full = cached_run(RunConfig(max_epochs=3, target_loss=0.0), report=lambda _: None)
    clock.set_value(10)
    assert StopMark(BlockContext(Trajectory(full), clock, THEME)).get_fill_opacity() == 0


def test_a_tile_freezes_at_its_last_epoch_and_reports_its_numbers() -> None:
    run = early_stopping_run()
    clock = ValueTracker(float(run.epochs))
    tile = RunTile(
        PanelContext(Trajectory(run), clock, THEME, Viewport((0, 0), 2.5, 2.5)), mesh_resolution=30
    )
    final = tile.panel.mesh.pixel_array.copy()
    assert tile.status.readout.text == f"loss {run.loss[-1]:.4f}  acc {run.accuracy[-1]:.1%}"
    tile.start()
    clock.set_value(run.epochs + 40.0)
    tile.update()
    np.testing.assert_array_equal(tile.panel.mesh.pixel_array, final)
    assert tile.status.stop_mark.get_fill_opacity() == 1


def test_moment_captions_show_the_latest_recent_moment() -> None:
    moments = [Moment(5, "separation", "a"), Moment(20, "dead_unit", "b")]
    clock = ValueTracker(0.0)
    captions = MomentCaptions(moments, clock, THEME, show_epochs=10)
    for t, expected in [(0, None), (5, 0), (14.9, 0), (15, None), (21, 1), (31, None)]:
        assert captions.visible_index(t) == expected
    clock.set_value(22)
    captions.refresh()
    assert [c.get_fill_opacity() for c in captions.submobjects] == [0, 1]


def test_the_comparison_heading_names_its_rows_and_columns() -> None:
    assert ComparePhase().heading() == "ReLU and tanh × three learning rates"
    deep = ComparePhase(activations=(("leaky_relu", "leaky_relu", "tanh"), "tanh"),
                        learning_rates=(0.03, 0.01))  # fmt: skip
    assert deep.heading() == "leaky ReLU ×2/tanh and tanh × two learning rates"
    assert ComparePhase(activations=("tanh",), learning_rates=(0.1,)).heading() == (
        "tanh × learning rate"
    )
    with pytest.raises(ValueError, match="rows"):
        ComparePhase(activations=("relu", "tanh", "sigmoid")).check()
    with pytest.raises(ValueError, match="columns"):
        ComparePhase(learning_rates=(0.1, 0.03, 0.01, 0.001)).check()
