"""No class hidden by the other, read back from rendered frames.

Where points pile up (tanh saturates them along the square's edges, ReLU folds them onto the
axes), drawing one class after the other covers the first. The frames are read back
independently of the drawing code: the pixel at each point's centre is classified by the
nearest class colour.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import ValueTracker

from nnviz.config import RunConfig
from nnviz.forward import HIDDEN, HIDDEN_AFFINE, Space
from nnviz.mobjects.context import PanelContext
from nnviz.mobjects.panels import HiddenSpacePanel
from nnviz.stories.base import NNVizScene
from nnviz.theme import active_theme, hex_to_rgb
from nnviz.trajectory import Trajectory
from nnviz.view import Viewport
from tests.frame_regression import HEIGHT, WIDTH, render_last_frame

pytestmark = pytest.mark.render

VIEW = Viewport((0.0, 0.0), 7.0, 7.0)
CONFIG = RunConfig(activation="tanh", lr=0.01)


def panel_scene(space: Space) -> type[NNVizScene]:
    class FinalHiddenSpace(NNVizScene):
        def construct(self) -> None:
            run = self.run_for(**CONFIG.to_dict())
            trajectory = Trajectory(run)
            clock = ValueTracker(float(run.epochs))
            self.add(
                HiddenSpacePanel(
                    PanelContext(trajectory, clock, self.theme, VIEW),
                    space=space,
                    shading="grid",
                    labels=False,
                )
            )

    return FinalHiddenSpace


def pixel_of(scene_points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scene coordinates to pixel rows and columns (Manim's frame is 8 units high)."""
    scale = HEIGHT / 8.0
    cols = np.round(WIDTH / 2 + scene_points[:, 0] * scale).astype(int)
    rows = np.round(HEIGHT / 2 - scene_points[:, 1] * scale).astype(int)
    return rows, cols


@pytest.mark.parametrize("space", [HIDDEN, HIDDEN_AFFINE], ids=["activation", "affine"])
def test_misclassified_points_of_both_classes_stay_visible(space: Space, tmp_path: Path) -> None:
    from nnviz.cache import cached_run

    scene_class = panel_scene(space)
    frame = render_last_frame(scene_class, tmp_path).astype(np.int32)
    run = cached_run(CONFIG)
    trajectory = Trajectory(run)
    state = trajectory.state(float(run.epochs))
    points = state.hidden if space == HIDDEN else state.affine
    (x0, x1), (y0, y1) = trajectory.view_box(space, float(run.epochs))
    u, v = (points[:, 0] - x0) / (x1 - x0), (points[:, 1] - y0) / (y1 - y0)
    scene = np.column_stack([VIEW.centre[0] + (u - 0.5) * VIEW.width,
                             VIEW.centre[1] + (v - 0.5) * VIEW.height])  # fmt: skip
    rows, cols = pixel_of(scene)
    colours = np.array([hex_to_rgb(c) for c in active_theme().class_colors])
    seen = frame[rows, cols]
    distance = np.linalg.norm(seen[:, None, :] - colours[None, :, :], axis=-1)
    shows_own = np.argmin(distance, axis=1) == run.y
    wrong = (state.logits > 0) != (run.y == 1)
    assert wrong.sum() >= 10
    for label in (0, 1):
        mine = wrong & (run.y == label)
        if mine.sum() >= 5:
            # Drawn last, misclassified points show their colour (where two of them overlap,
            # one covers the other).
            assert shows_own[mine].mean() >= 0.85, (label, shows_own[mine].mean())
    # Neither class systematically under the other.
    visible = [shows_own[run.y == label].mean() for label in (0, 1)]
    assert abs(visible[0] - visible[1]) < 0.25, visible
