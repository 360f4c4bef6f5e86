"""Interpolation between logged epochs: exact at integers, continuous and bounded between."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz import forward
from nnviz.run import Run
from nnviz.trajectory import Trajectory

PARAMS = ("W1", "b1", "W2", "b2")


@pytest.mark.parametrize("interpolation", ["pchip", "linear"])
def test_integer_epochs_are_the_logged_state_exactly(short_run: Run, interpolation: str) -> None:
    trajectory = Trajectory(short_run, interpolation)  # type: ignore[arg-type]
    for epoch in range(short_run.epochs + 1):
        weights = trajectory.weights_at(float(epoch))
        for name in PARAMS:
            np.testing.assert_array_equal(getattr(weights, name), getattr(short_run, name)[epoch])
        state = trajectory.state(float(epoch))
        assert state.loss == pytest.approx(short_run.loss[epoch], rel=1e-12)
        assert state.accuracy == short_run.accuracy[epoch]


@pytest.mark.parametrize("interpolation", ["pchip", "linear"])
def test_weights_at_many_epochs_are_the_weights_at_each(short_run: Run, interpolation: str) -> None:
    trajectory = Trajectory(short_run, interpolation)  # type: ignore[arg-type]
    times = np.array([-1.0, 0.0, 0.3, 1.0, 2.75, 5.0, short_run.epochs - 0.5, short_run.epochs,
                      short_run.epochs + 2.0])  # fmt: skip
    stacked = trajectory.weights_at_many(times)
    for i, t in enumerate(times):
        one = trajectory.weights_at(float(t))
        arrays = [a for pair in zip(one.W, one.b, strict=True) for a in pair]
        for many, single in zip(stacked, arrays, strict=True):
            np.testing.assert_allclose(many[i], single, rtol=1e-13, atol=1e-15)
            if t == int(t) and 0 <= t <= short_run.epochs:  # the logged ones, exactly
                np.testing.assert_array_equal(many[i], single)


@pytest.mark.parametrize("interpolation", ["pchip", "linear"])
def test_between_epochs_weights_are_continuous_and_do_not_overshoot(
    short_run: Run, interpolation: str
) -> None:
    trajectory = Trajectory(short_run, interpolation)  # type: ignore[arg-type]
    times = np.linspace(0, short_run.epochs, 1201)

    def flatten(t: float) -> np.ndarray:
        weights = trajectory.weights_at(t)
        return np.concatenate([getattr(weights, n).ravel() for n in PARAMS])

    flat = np.array([flatten(t) for t in times])
    states = short_run.epochs + 1
    logged = np.concatenate([getattr(short_run, n).reshape(states, -1) for n in PARAMS], axis=1)
    # Continuity: a step of 1/100 epoch moves no weight by more than the largest logged
    # change in one epoch divided by 100, times a small factor for the cubic's shape.
    largest_epoch_step = np.abs(np.diff(logged, axis=0)).max()
    assert np.abs(np.diff(flat, axis=0)).max() <= 3 * largest_epoch_step / 100
    # Shape preservation: between epochs e and e+1 every weight stays within its two logged values.
    for index, t in enumerate(times):
        low = int(min(np.floor(t), short_run.epochs - 1))
        lo = np.minimum(logged[low], logged[low + 1]) - 1e-12
        hi = np.maximum(logged[low], logged[low + 1]) + 1e-12
        assert np.all((flat[index] >= lo) & (flat[index] <= hi))


def test_linear_interpolation_is_the_midpoint_halfway(short_run: Run) -> None:
    trajectory = Trajectory(short_run, "linear")
    np.testing.assert_allclose(
        trajectory.weights_at(3.5).W1, (short_run.W1[3] + short_run.W1[4]) / 2, rtol=1e-15
    )


def test_state_is_computed_from_the_interpolated_weights(short_run: Run) -> None:
    trajectory = Trajectory(short_run)
    state = trajectory.state(4.3)
    weights = trajectory.weights_at(4.3)
    pre = short_run.X @ weights.W1.T + weights.b1
    np.testing.assert_allclose(state.hidden, np.maximum(pre, 0), rtol=1e-14)
    z = state.hidden @ weights.W2[0] + weights.b2[0]
    p = 1 / (1 + np.exp(-z))
    expected = -np.mean(short_run.y * np.log(p) + (1 - short_run.y) * np.log(1 - p))
    assert state.loss == pytest.approx(expected, rel=1e-10)


def test_a_stopped_run_holds_its_last_state(short_run: Run) -> None:
    trajectory = Trajectory(short_run)
    last = trajectory.state(short_run.epochs)
    later = trajectory.state(short_run.epochs + 50)
    assert later.t == short_run.epochs
    np.testing.assert_array_equal(later.hidden, last.hidden)
    assert trajectory.state(-3).t == 0


@pytest.mark.parametrize("fixture", ["short_run", "short_tanh_run"])
def test_hidden_view_holds_every_point_and_the_origin_and_moves_smoothly(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    run = request.getfixturevalue(fixture)
    trajectory = Trajectory(run)
    times = np.linspace(0, run.epochs, 500)
    boxes = []
    for t in times:
        (x0, x1), (y0, y1) = trajectory.hidden_view(t)
        h = forward.hidden(run.X, trajectory.weights_at(t), run.config.activation)
        assert x0 <= min(h[:, 0].min(), 0) and max(h[:, 0].max(), 0) <= x1
        assert y0 <= min(h[:, 1].min(), 0) and max(h[:, 1].max(), 0) <= y1
        assert x1 - x0 == pytest.approx(y1 - y0)  # square: angles in hidden space are true
        boxes.append([x0, x1, y0, y1])
    steps = np.abs(np.diff(np.array(boxes), axis=0))
    span = np.array(boxes)[:, 1] - np.array(boxes)[:, 0]
    # No jumps: between frames 1/40 epoch apart, no edge moves by more than 2% of the span.
    assert np.all(steps.max(axis=1) <= 0.02 * span[1:])
