"""Shared fixtures: every test runs in its own working directory, so caches never leak."""

from __future__ import annotations

from pathlib import Path

import pytest

from nnviz.config import RunConfig
from nnviz.run import Run

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(autouse=True, scope="session")
def _shared_caches(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Share trained runs and LaTeX output between the rendering tests of one session.

    Tests that check the cache itself pass their own folder explicitly.
    """
    import os

    shared = tmp_path_factory.mktemp("shared")
    os.environ["NNVIZ_RUNS_DIR"] = str(shared / "runs")
    os.environ["NNVIZ_TEST_TEX_DIR"] = str(shared / "tex")


@pytest.fixture(scope="session")
def short_run() -> Run:
    """A real 12-epoch ReLU run, trained once per session."""
    from nnviz.train import train

    return train(RunConfig(activation="relu", lr=0.05, max_epochs=12, target_loss=0.0))


@pytest.fixture(scope="session")
def short_tanh_run() -> Run:
    """A real 12-epoch tanh run, trained once per session."""
    from nnviz.train import train

    return train(RunConfig(activation="tanh", lr=0.05, max_epochs=12, target_loss=0.0))
