"""The README's recorder example as written, its notebook cells through IPython, and
``nnviz render --run`` on a recorder's file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest
import torch
from click.testing import CliRunner
from torch import nn

from nnviz import Recorder
from nnviz.cli import cli
from nnviz.formatting import training_label
from nnviz.mobjects.context import BlockContext
from nnviz.run_file import load_run

REPO = Path(__file__).resolve().parents[1]


def readme_block(name: str) -> str:
    """Return the first ```python block after the README's marker ``<!-- test: name``."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(
        rf"<!-- test: {re.escape(name)}\b[^\n]*-->\n```python\n(.*?)```", text, re.DOTALL
    )
    assert found is not None, f"README.md has no python block marked {name!r}"
    return found.group(1)


def small_run_file(path: Path, epochs: int = 3) -> Path:
    """A recorder's run file of a few epochs of plain SGD on a tiny 2-2-1 tanh network."""
    generator = torch.Generator().manual_seed(1)
    X = torch.randn(60, 2, generator=generator)
    y = (X[:, 0] > 0).float()
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    rec = Recorder(model, X, y)
    for _ in range(epochs):
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(model(X).squeeze(1), y).backward()
        optimizer.step()
        rec.log()
    return rec.save(path)


def run_readme_block(name: str) -> dict[str, object]:
    """Run the README's block ``name`` as written; return its globals."""
    code = readme_block(name)
    # One thread, as nnviz.train does: on a busy 2-core machine torch's thread hand-offs make
    # these tiny steps 10-40 times slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    namespace: dict[str, object] = {"__name__": "readme"}
    try:
        exec(compile(code, "README.md", "exec"), namespace)
    finally:
        torch.set_num_threads(threads)
    return namespace


def test_the_readme_tutorial_loop_runs_as_written(capfd: pytest.CaptureFixture[str]) -> None:
    """The loop users copy: nn.LeakyReLU(), a final nn.Sigmoid with nn.BCELoss, a log every 10
    steps. The run file holds the logit model (the Sigmoid model's own weights), PyTorch's
    slope and the steps; its last loss is nn.BCELoss on the model's outputs (the oracle)."""
    code = readme_block("recorder-example")
    for habit in ("nn.LeakyReLU()", "nn.Sigmoid()", "nn.BCELoss()", 'unit="step", every=10',
                  "step % 10 == 0"):  # fmt: skip
        assert habit in code
    namespace = run_readme_block("recorder-example")
    err = capfd.readouterr().err
    assert err.count("\n") == 1 and err.startswith("nnviz: the model ends in nn.Sigmoid: ")
    run = load_run("my_run.npz")
    assert run.stop_reason == "external" and (run.unit, run.every) == ("step", 10)
    assert run.epochs == 100 and run.last_count == 1000
    assert run.config.activation == "leaky_relu:0.01" and run.config.hidden == (4,)
    assert training_label(run.config) == "your own training loop"
    model, X, y = (namespace[name] for name in ("model", "X", "y"))
    assert isinstance(model, nn.Sequential) and isinstance(X, torch.Tensor)
    assert isinstance(y, torch.Tensor)
    np.testing.assert_array_equal(run.W[0][-1], model[0].weight.detach().double().numpy())
    with torch.no_grad():
        probabilities = model.double()(X.double())
        expected = float(nn.BCELoss()(probabilities, y.double()))
    assert run.loss[-1] == pytest.approx(expected, rel=1e-9)
    assert run.loss[-1] < 0.2 * run.loss[0] and run.accuracy[-1] > 0.9


def test_the_readme_epochs_example_runs_as_written() -> None:
    code = readme_block("recorder-epochs-example")
    assert "lr_scheduler" in code and "momentum" in code
    run_readme_block("recorder-epochs-example")
    run = load_run("my_epochs.npz")
    assert run.stop_reason == "external" and run.epochs == 40
    assert (run.unit, run.every) == ("epoch", 1)
    assert training_label(run.config) == "your own training loop"
    assert run.loss[-1] < 0.5 * run.loss[0] and run.accuracy[-1] > 0.9


def test_inspect_does_not_claim_settings_an_external_run_never_used(tmp_path: Path) -> None:
    path = small_run_file(tmp_path / "mine.npz")
    result = CliRunner().invoke(cli, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    rows = dict(re.split(r"\s+", line, maxsplit=1) for line in result.stdout.splitlines())
    assert rows["lr"] == rows["batch_size"] == rows["seed"] == "(your own loop)"
    assert rows["optimizer"] == "external" and rows["dataset"] == "external"
    assert "noise" not in rows and rows["stopped"].startswith("external: recorded from your own")


@pytest.mark.parametrize(
    ("extra", "message", "code"),
    [
        ([], "nnviz: nope.npz: no such run file", 1),
        (["--hidden", "3"], "--run renders the run its file holds; drop --hidden", 2),
        (["--dataset", "seed", "--lr", "0.1"], "drop --lr, --dataset", 2),
        (["--seed-grid"], "drop --seed-grid", 2),
    ],
)
def test_render_run_refuses_in_one_line_before_rendering(
    extra: list[str], message: str, code: int
) -> None:
    result = CliRunner().invoke(cli, ["render", "--run", "nope.npz", *extra])
    assert result.exit_code == code
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not Path("media/videos").exists()


def test_render_run_refuses_a_damaged_file(tmp_path: Path) -> None:
    path = small_run_file(tmp_path / "mine.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    result = CliRunner().invoke(cli, ["render", "--run", str(path)])
    assert result.exit_code == 1 and result.stderr.startswith(f"nnviz: {path}: damaged")
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_scene_with_a_bad_run_file_stops_in_one_line(tmp_path: Path) -> None:
    from nnviz.stories.training import SingleRunStory

    def story(run_file: Path) -> types.SimpleNamespace:
        """The settings story_run reads, as a SingleRunStory has them."""
        return types.SimpleNamespace(run_file=str(run_file), training=SingleRunStory.training)

    with pytest.raises(SystemExit, match=r"^nnviz: .*missing.npz: no such run file$"):
        SingleRunStory.story_run(story(tmp_path / "missing.npz"))  # type: ignore[arg-type]
    path = small_run_file(tmp_path / "mine.npz")
    run = SingleRunStory.story_run(story(path))  # type: ignore[arg-type]
    np.testing.assert_array_equal(run.W[0], load_run(path).W[0])


@pytest.mark.slow
@pytest.mark.render
def test_render_run_renders_a_recorder_file(tmp_path: Path) -> None:
    path = small_run_file(tmp_path / "mine.npz")
    result = CliRunner().invoke(cli, ["render", "--run", str(path)])
    assert result.exit_code == 0, result.stderr
    video = Path(result.stdout.strip())
    assert video.name == "mine.mp4" and video.stat().st_size > 0


@pytest.mark.render
def test_a_still_of_the_tutorial_loops_run_file(tmp_path: Path) -> None:
    """The README's tutorial run, as its run file holds it (logit model, slope 0.01, steps),
    drawn mid-run: the frame renders, and the read-out drawn in it counts steps."""
    from manim import ValueTracker

    from nnviz.mobjects.layout import TrainingLayout
    from nnviz.stories.base import NNVizScene
    from nnviz.trajectory import Trajectory
    from tests.frame_regression import render_scene_last_frame
    from tests.test_extreme_runs import stats_line

    code = readme_block("recorder-example").replace("range(1, 1001)", "range(1, 301)")
    exec(compile(code, "README.md", "exec"), {"__name__": "readme"})
    run = load_run("my_run.npz")
    assert (run.unit, run.every, run.epochs) == ("step", 10, 30)

    class TutorialStill(NNVizScene):
        def construct(self) -> None:
            self.layout = TrainingLayout(
                BlockContext(Trajectory(run), ValueTracker(20.5), self.theme), mesh_resolution=60
            )
            self.add(self.layout)

    scene, frame = render_scene_last_frame(TutorialStill, tmp_path)
    assert frame.shape == (270, 480, 3) and frame.std() > 0
    assert isinstance(scene, TutorialStill)
    # read back from the glyphs drawn, names and numbers laid over each other
    assert stats_line(scene.layout.stats).startswith("step 205.0 / 300   loss ")


@pytest.mark.slow
@pytest.mark.render
def test_the_readme_notebook_cells_render_the_run_through_ipython(tmp_path: Path) -> None:
    """The README's example, then its two notebook cells, in a fresh IPython shell (so that
    ``from manim import *`` registers ``%%manim`` as it does in a new Jupyter kernel)."""
    cells = [readme_block(name) for name in ("recorder-example", "notebook-import",
                                              "notebook-render")]  # fmt: skip
    # A short clock keeps the test quick; the cell itself runs as written.
    assert "range(1, 1001)" in cells[0]
    cells[0] = cells[0].replace("range(1, 1001)", "range(1, 61)")
    script = textwrap.dedent(
        """
        import sys
        from IPython.core.interactiveshell import InteractiveShell

        shell = InteractiveShell.instance()
        shown = []
        for cell in sys.argv[1:]:
            result = shell.run_cell(cell)
            if not result.success:
                error = result.error_before_exec or result.error_in_exec
                raise SystemExit(f"cell failed: {error!r}")
            if "import *" in cell:  # record what the %%manim cell displays
                import manim.utils.ipython_magic as magic
                magic.display = shown.append
        html = shown[-1]._repr_html_()
        print("embedded" if "data:video/mp4;base64," in html else "linked", len(html))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *cells],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"},
    )  # fmt: skip
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    videos = list((tmp_path / "media" / "videos").rglob("MyRun.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size > 0
    assert list((tmp_path / "media" / "jupyter").glob("MyRun@*.mp4"))  # what the cell shows
    assert "embedded" in done.stdout.split()  # the video is in the notebook, not a link
