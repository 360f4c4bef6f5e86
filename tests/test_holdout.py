"""A held-out test set and other training choices: the split, the logged test metrics, the
optimizers against torch's own steps, the run file, and how the pictures show test points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from manim import Scene, ValueTracker, tempconfig
from torch import nn

from nnviz import forward
from nnviz.config import RunConfig
from nnviz.data import make_dataset, split_test
from nnviz.mobjects.context import BlockContext
from nnviz.run import Run, RunFileError
from nnviz.run_file import load_run, save_run
from nnviz.train import build_model, train
from nnviz.trajectory import Trajectory

SHORT = RunConfig(samples=120, max_epochs=6, target_loss=0.0, batch_size=None)


# --- the split ---------------------------------------------------------------------------------


def test_the_split_is_stratified_disjoint_and_seeded() -> None:
    y = np.array([0] * 10 + [1] * 6)
    test = split_test(y, 0.25, seed=3)
    # round(0.25 * 10) = 2 (Python rounds half to even), round(0.25 * 6) = 2.
    assert test.dtype == bool and test.shape == y.shape
    assert (test & (y == 0)).sum() == 2 and (test & (y == 1)).sum() == 2
    np.testing.assert_array_equal(test, split_test(y, 0.25, seed=3))
    assert not np.array_equal(test, split_test(y, 0.25, seed=4))
    assert not split_test(y, 0.0, seed=3).any()
    # A tiny fraction still holds one point of each class out; a large one leaves one in.
    assert (split_test(y, 0.01, 0) & (y == 1)).sum() == 1
    assert ((~split_test(np.array([0, 0, 1, 1]), 0.9, 0)) & (y[:4] == 0)).sum() >= 1


def test_a_test_split_needs_four_points() -> None:
    from nnviz.config import ConfigError

    with pytest.raises(ConfigError, match="at least 4 samples"):
        RunConfig(samples=3, test_fraction=0.2)


# --- training with a test set ------------------------------------------------------------------


@pytest.fixture(scope="module")
def held_out() -> Run:
    return train(SHORT.replace(test_fraction=0.25))


def test_the_logged_metrics_are_those_of_the_logged_weights(held_out: Run) -> None:
    run = held_out
    assert run.test is not None and run.test_loss is not None and run.test_accuracy is not None
    X, y = make_dataset("seed", 120)
    np.testing.assert_array_equal(run.X, X)
    test, train_ = run.test, ~run.test
    assert test.sum() == 30 and set(y[test]) == {0, 1}
    for epoch in range(run.epochs + 1):
        weights = run.weights(epoch)
        z = forward.logits(X, weights, "relu")
        p = 1 / (1 + np.exp(-z))
        bce = -(y * np.log(p) + (1 - y) * np.log(1 - p))
        assert run.loss[epoch] == pytest.approx(bce[train_].mean(), rel=1e-9)
        assert run.test_loss[epoch] == pytest.approx(bce[test].mean(), rel=1e-9)
        assert run.test_accuracy[epoch] == pytest.approx(((z[test] > 0) == y[test]).mean())


def torch_oracle(config: RunConfig, X: np.ndarray, y: np.ndarray) -> list[list[np.ndarray]]:
    """Full-batch training written out with torch's own optimizers, on the given points."""
    model = build_model(config)
    parameters = list(model.parameters())
    common = {"lr": config.lr, "weight_decay": config.weight_decay}
    optimizer = {
        "adam": lambda: torch.optim.Adam(parameters, eps=config.adam_epsilon, **common),
        "sgd": lambda: torch.optim.SGD(parameters, **common),
        "momentum": lambda: torch.optim.SGD(parameters, momentum=0.9, **common),
        "rmsprop": lambda: torch.optim.RMSprop(parameters, **common),
    }[config.optimizer]()
    inputs, targets = torch.from_numpy(X), torch.from_numpy(y.astype(np.float64))
    states = [[p.detach().numpy().copy() for p in parameters]]
    for _ in range(config.max_epochs):
        optimizer.zero_grad()
        loss = nn.BCEWithLogitsLoss()(model(inputs).squeeze(1), targets)
        loss = loss + config.l1 * sum(p.abs().sum() for p in parameters[0::2])
        loss.backward()
        optimizer.step()
        states.append([p.detach().numpy().copy() for p in parameters])
    return states


@pytest.mark.parametrize("optimizer", ["adam", "sgd", "momentum", "rmsprop"])
def test_each_optimizer_takes_torchs_own_steps_on_the_training_points(optimizer: str) -> None:
    config = SHORT.replace(optimizer=optimizer, lr=0.05, weight_decay=1e-3, l1=1e-3,
                           test_fraction=0.25)  # fmt: skip
    run = train(config)
    assert run.test is not None
    states = torch_oracle(config, run.X[~run.test], run.y[~run.test])
    assert run.epochs == config.max_epochs
    for epoch, state in enumerate(states):
        logged = run.weights(epoch).arrays()
        for mine, theirs in zip(logged, state, strict=True):
            np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)


def test_the_trajectory_reads_train_and_test_metrics(held_out: Run) -> None:
    trajectory = Trajectory(held_out)
    assert held_out.test_loss is not None and held_out.test_accuracy is not None
    for epoch in (0, 3, held_out.epochs):
        state = trajectory.state(float(epoch))
        assert state.loss == pytest.approx(held_out.loss[epoch], rel=1e-9)
        assert state.test_loss == pytest.approx(held_out.test_loss[epoch], rel=1e-9)
        assert state.test_accuracy == pytest.approx(held_out.test_accuracy[epoch])
    assert Trajectory(train(SHORT)).state(2.0).test_loss is None


# --- the run file ------------------------------------------------------------------------------


def test_a_test_set_round_trips_and_bad_ones_are_refused(held_out: Run, tmp_path: Path) -> None:
    from dataclasses import replace

    path = save_run(held_out, tmp_path / "held.npz")
    again = load_run(path)
    assert again.test is not None and held_out.test is not None
    np.testing.assert_array_equal(again.test, held_out.test)
    np.testing.assert_array_equal(again.test_loss, held_out.test_loss)  # type: ignore[arg-type]
    assert again.config.test_fraction == 0.25
    plain = train(SHORT)
    with pytest.raises(RunFileError, match="'test' given, but the run has no test set"):
        replace(plain, test=held_out.test, test_loss=held_out.test_loss,
                test_accuracy=held_out.test_accuracy)  # fmt: skip
    with pytest.raises(RunFileError, match="needs test_loss"):
        replace(held_out, test_loss=None)
    with pytest.raises(RunFileError, match="value no test accuracy can have"):
        replace(held_out, test_accuracy=held_out.test_accuracy + 2)  # type: ignore[operator]
    with pytest.raises(RunFileError, match="must be 120 booleans"):
        replace(held_out, test=np.ones(120))


# --- the pictures ------------------------------------------------------------------------------


def test_the_readout_shows_the_test_line(held_out: Run) -> None:
    from nnviz.formatting import fit_number
    from nnviz.mobjects.hud import StatsReadout
    from nnviz.theme import THEMES

    assert held_out.test_loss is not None
    readout = StatsReadout(BlockContext(Trajectory(held_out), ValueTracker(3.0), THEMES["dark"]))
    first, second = (numbers.text or "" for _, numbers in readout.rows)
    assert fit_number(held_out.loss[3], 6, 4) in first
    assert fit_number(held_out.test_loss[3], 6, 4) in second
    assert "test loss" in (readout.rows[1][0].text or "")


def test_a_hollow_dot_shows_the_background_at_its_centre(tmp_path: Path) -> None:
    from nnviz.manim_adapter.camera import FastCamera
    from nnviz.mobjects.shapes import ClassDots

    class Dots(Scene):
        def construct(self) -> None:
            dots = ClassDots(np.array([0, 0]), ("#FF0000", "#00FF00"), radius=0.8,
                             hollow=np.array([False, True]), stroke_color="#FFFFFF",
                             stroke_width=2, fill_opacity=1.0)  # fmt: skip
            dots.place(np.array([[-3.0, 0.0], [3.0, 0.0]]))
            self.add(dots)

    settings = {"pixel_width": 480, "pixel_height": 270, "save_last_frame": True,
                "media_dir": str(tmp_path), "verbosity": "ERROR"}  # fmt: skip
    with tempconfig(settings):
        scene = Dots(camera_class=FastCamera)
        scene.render()
        frame = np.array(scene.renderer.get_frame())[..., :3].astype(int)
    per_unit = 480 / 14.222

    def pixel(x: float, y: float) -> np.ndarray:
        return frame[int(135 - y * per_unit), int(240 + x * per_unit)]

    red = np.array([255, 0, 0])
    assert np.abs(pixel(-3.0, 0.0) - red).max() < 5  # a filled dot: its colour at the centre
    background = pixel(0.0, 3.0)
    assert np.abs(pixel(3.0, 0.0) - background).max() < 5  # a hollow one: the background
    assert np.abs(pixel(3.0 + 0.6, 0.0) - red).max() < 5  # its colour in the ring


# --- a sample of a large data set, drawn ---------------------------------------------------------


def test_a_drawn_sample_is_seeded_sorted_and_distinct() -> None:
    from nnviz.data import drawn_sample

    assert drawn_sample(100, 200) is None
    sample = drawn_sample(5000, 300, seed=2)
    assert sample is not None and len(sample) == 300
    assert np.all(np.diff(sample) > 0) and sample.max() < 5000
    np.testing.assert_array_equal(sample, drawn_sample(5000, 300, seed=2))  # type: ignore[arg-type]
    assert not np.array_equal(sample, drawn_sample(5000, 300, seed=3))  # type: ignore[arg-type]


def test_the_trajectory_draws_the_sample_and_scores_every_point(held_out: Run) -> None:
    drawn = np.arange(0, 120, 7)
    trajectory = Trajectory(held_out, drawn=drawn)
    assert held_out.test is not None and held_out.test_loss is not None
    np.testing.assert_array_equal(trajectory.X, held_out.X[drawn])
    np.testing.assert_array_equal(trajectory.test, held_out.test[drawn])  # type: ignore[arg-type]
    state = trajectory.state(4.0)
    assert state.logits.shape == (len(drawn),) and state.hidden.shape == (len(drawn), 2)
    expected = forward.logits(held_out.X[drawn], held_out.weights(4), "relu")
    np.testing.assert_allclose(state.logits, expected, rtol=1e-12)
    # Loss and accuracy are those of all the points, as torch logged them.
    assert state.loss == pytest.approx(held_out.loss[4], rel=1e-9)
    assert state.test_loss == pytest.approx(held_out.test_loss[4], rel=1e-9)


def test_too_many_points_to_draw_are_refused_before_training(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from nnviz.cli import cli

    result = CliRunner().invoke(cli, ["render", "--samples", "5000"])
    assert result.exit_code != 0
    assert result.stderr.strip() == (
        "nnviz: the run has 5000 points and a video draws at most 2000: add --draw-points 2000 "
        "to draw a seeded sample (training and the loss use every point)"
    )
    assert not list(tmp_path.rglob("*.npz"))


def test_dead_units_in_bounded_memory_equal_the_epoch_by_epoch_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from nnviz import moments

    config = RunConfig(samples=600, hidden=(4, 3), lr=0.3, max_epochs=12, target_loss=0.0, seed=1)
    run = train(config)
    # The answer, epoch by epoch with the per-state forward pass.
    dead_at = {}
    for layer in range(2):
        for unit in range(run.hidden_widths[layer]):
            off = [
                bool(np.all(forward.layer_outputs(run.X, run.weights(e), "relu")[layer][0][:, unit]
                            <= 0))
                for e in range(run.epochs + 1)
            ]  # fmt: skip
            if off[-1]:
                first = len(off) - 1
                while first > 0 and off[first - 1]:
                    first -= 1
                dead_at[(layer, unit)] = first
    assert {layer for layer, _ in dead_at} == {0, 1}  # units die in both layers, at epochs > 0
    assert forward.epoch_chunks(13, 600, 4, budget=5000) == [
        slice(0, 2), slice(2, 4), slice(4, 6), slice(6, 8), slice(8, 10), slice(10, 12),
        slice(12, 13),
    ]  # fmt: skip
    original = forward.epoch_chunks
    monkeypatch.setattr(forward, "epoch_chunks", lambda s, p, w, budget=0: original(s, p, w, 5000))
    assert moments.dead_units(run) == dead_at  # in seven chunks of epochs


# --- standardized inputs -------------------------------------------------------------------------


def test_standardized_training_is_the_scaled_problem_logged_in_data_units(
    tmp_path: Path,
) -> None:
    from nnviz.csv_data import read_csv_data

    X, y = make_dataset("seed", 200)
    raw = X * np.array([8.0, 0.5]) + np.array([45.0, 17.0])  # millimetres, far from 0
    centre, scale = raw.mean(axis=0), raw.std(axis=0)  # every point trains: no test set
    scaled = (raw - centre) / scale

    def csv(name: str, points: np.ndarray) -> str:
        path = tmp_path / name
        rows = [f"{float(a)!r},{float(b)!r},{int(c)}" for (a, b), c in zip(points, y, strict=True)]
        path.write_text("a,b,label\n" + "\n".join(rows) + "\n")
        return str(path)

    def config(path: str, standardize: bool) -> RunConfig:
        data = read_csv_data(path)
        return RunConfig(dataset="csv", data_file=path, data_hash=data.sha256, samples=200,
                         feature_names=data.feature_names, class_names=data.class_names,
                         optimizer="momentum", lr=0.05, max_epochs=8, target_loss=0.0,
                         standardize=standardize)  # fmt: skip

    mine = train(config(csv("raw.csv", raw), standardize=True))
    theirs = train(config(csv("scaled.csv", scaled), standardize=False))
    np.testing.assert_allclose(mine.loss, theirs.loss, rtol=1e-9)
    for epoch in (0, 4, 8):
        W1, b1 = theirs.W[0][epoch], theirs.b[0][epoch]
        np.testing.assert_allclose(mine.W[0][epoch], W1 / scale, rtol=1e-9)
        np.testing.assert_allclose(mine.b[0][epoch], b1 - (W1 / scale) @ centre, rtol=1e-9,
                                   atol=1e-12)  # fmt: skip
        np.testing.assert_allclose(mine.W[1][epoch], theirs.W[1][epoch], rtol=1e-9)
    # The logged weights are the network of the raw numbers.
    z = forward.logits(raw, mine.weights(8), "relu")
    p = 1 / (1 + np.exp(-z))
    bce = -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean()
    assert mine.loss[8] == pytest.approx(bce, rel=1e-9)
