"""Frame regression of the scenes' last frames and of a mid-training still (see
``frame_regression.py`` for the tolerance and why it is needed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from manim import Scene
from PIL import Image

from tests.frame_regression import (
    CONTROL_DIR,
    MEAN_TOLERANCE,
    SHARE_TOLERANCE,
    assert_matches_control,
    frame_difference,
    render_last_frame,
)
from tests.scenes.stills import MidTrainingStill

pytestmark = pytest.mark.render


def scene_class(path: str, name: str) -> type[Scene]:
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"scene_{name}", Path(__file__).parents[1] / path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, name)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("scenes/relu.py", "ReluTraining"),
        ("scenes/tanh.py", "TanhTraining"),
        ("scenes/compare.py", "CompareRuns"),
    ],
)
def test_last_frame_of_each_scene(path: str, name: str, tmp_path: Path) -> None:
    frame = render_last_frame(scene_class(path, name), tmp_path)
    assert_matches_control(frame, name)


def test_mid_training_still(tmp_path: Path) -> None:
    frame = render_last_frame(MidTrainingStill, tmp_path)
    assert_matches_control(frame, "MidTrainingStill")


def test_the_comparison_notices_a_different_epoch(tmp_path: Path) -> None:
    """The tolerance is loose enough for cairo versions, not for a different picture."""

    class LaterStill(MidTrainingStill):
        epoch = 150.0

    class EarlyStill(MidTrainingStill):
        epoch = 3.0

    control = np.asarray(Image.open(CONTROL_DIR / "MidTrainingStill.png").convert("RGB"))
    for still in (LaterStill, EarlyStill):
        # Even the converged state at epoch 150, which differs only in the read-outs, the loss
        # curve and the hidden view's scale, is told apart from epoch 37.5.
        mean, share = frame_difference(render_last_frame(still, tmp_path), control)
        assert share > SHARE_TOLERANCE or mean > MEAN_TOLERANCE, still.__name__
