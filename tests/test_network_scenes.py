"""The two scenes only a general network can tell: they render, and their claims hold."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from manim import Scene, tempconfig

from nnviz.train import train

SCENES = Path(__file__).parents[1] / "scenes"


def scene_module(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(f"scene_{name}", SCENES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_deep_scene_reaches_95_percent_on_the_spiral() -> None:
    story = scene_module("deep").DeepSpiral
    run = train(story.base_config.replace(activation=story.activation, lr=story.lr))
    assert run.config.hidden[-1] in (2, 3) and len(run.config.hidden) >= 2
    assert run.accuracy[-1] >= 0.95


def test_two_hidden_units_fail_on_the_circles_and_three_succeed() -> None:
    (_, flat), (_, lifted) = scene_module("circles").CirclesInThreeD.runs
    assert (flat.hidden, lifted.hidden) == ((2,), (3,)) and flat.replace(hidden=(3,)) == lifted
    assert train(flat).accuracy[-1] < 0.92
    assert train(lifted).accuracy[-1] >= 0.97


@pytest.mark.parametrize(
    ("name", "scene"), [("deep", "DeepSpiral"), ("circles", "CirclesInThreeD")]
)
def test_the_scenes_play_through(name: str, scene: str) -> None:
    with tempconfig({"dry_run": True, "verbosity": "ERROR", "frame_rate": 2}):
        instance: Scene = getattr(scene_module(name), scene)()
        instance.render()
        assert instance.renderer.time > 5.0
