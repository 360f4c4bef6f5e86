"""``manim -s`` of a story shows its final state, not the blank screen after its last fade."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import ValueTracker

from nnviz.mobjects.context import BlockContext
from nnviz.mobjects.layout import TrainingLayout
from nnviz.stories.base import NNVizScene
from nnviz.stories.fades import conceal
from nnviz.trajectory import Trajectory
from tests.frame_regression import frame_difference, render_last_frame
from tests.scenes.stills import ShortRun

pytestmark = pytest.mark.render


class FinalStateOfShortRun(NNVizScene):
    """The oracle: ShortRun's layout built directly at its run's last epoch."""

    def construct(self) -> None:
        run = self.run_for(**ShortRun.base_config.to_dict())
        trajectory = Trajectory(run)
        layout = TrainingLayout(
            BlockContext(trajectory, ValueTracker(float(run.epochs)), self.theme),
            ShortRun.training.mesh_resolution,
            [],
        )
        self.add(layout)


def _is_blank(frame: np.ndarray) -> bool:
    return bool(np.ptp(frame.reshape(-1, 3), axis=0).max() < 10)


def test_the_still_of_a_single_run_story_is_its_final_state(tmp_path: Path) -> None:
    still = render_last_frame(ShortRun, tmp_path / "story")
    assert not _is_blank(still)
    oracle = render_last_frame(FinalStateOfShortRun, tmp_path / "oracle")
    mean, share = frame_difference(still, oracle)
    assert mean < 0.5 and share < 0.001, (mean, share)


def test_a_story_that_ends_on_screen_keeps_its_last_frame(tmp_path: Path) -> None:
    """A scene whose last frame is not after a fade is left alone."""

    class EndsOnScreen(FinalStateOfShortRun):
        def construct(self) -> None:
            super().construct()
            (layout,) = self.mobjects
            conceal(self, layout)
            self.add(layout.copy().scale(0.5))  # something else is on screen at the end

    oracle = render_last_frame(FinalStateOfShortRun, tmp_path / "oracle")
    smaller = render_last_frame(EndsOnScreen, tmp_path / "smaller")
    assert not _is_blank(smaller)
    assert frame_difference(smaller, oracle)[0] > 2.0  # the half-size copy, not the layout
