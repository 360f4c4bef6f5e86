"""Key moments of a run, checked on hand-built runs whose moments are known in advance."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz import forward
from nnviz.config import RunConfig
from nnviz.moments import (
    Moment,
    clock_speed,
    dead_units,
    first_separation,
    key_moments,
    plateaus,
    time_to_epoch,
)
from nnviz.run import Run
from nnviz.train import train

EPOCHS = 60
# Nine points in [-1, 1]².
X = np.array([[x, y] for x in (-1.0, 0.0, 1.0) for y in (-1.0, 0.0, 1.0)])
Y = (X[:, 0] > 0).astype(np.int64)


def make_run(
    *,
    W1: np.ndarray | None = None,
    b1: np.ndarray | None = None,
    loss: np.ndarray | None = None,
    accuracy: np.ndarray | None = None,
    activation: str = "relu",
) -> Run:
    states = EPOCHS + 1
    if W1 is None:
        W1 = np.tile([[1.0, 0.0], [0.0, 1.0]], (states, 1, 1))
    if b1 is None:
        b1 = np.zeros((states, W1.shape[1]))
    hidden = W1.shape[1]
    return Run(
        config=RunConfig(activation=activation, hidden=hidden, max_epochs=EPOCHS, samples=len(X)),
        W=(W1, np.ones((states, 1, hidden))),
        b=(b1, np.zeros((states, 1))),
        loss=np.linspace(1.0, 0.1, states) if loss is None else loss,
        accuracy=np.full(states, 0.5) if accuracy is None else accuracy,
        X=X,
        y=Y,
        stop_reason="max_epochs",
    )


def dying_weights() -> tuple[np.ndarray, np.ndarray]:
    """Three units: 0 always alive, 1 dead at epoch 2 and from epoch 5 on, 2 never alive."""
    states = EPOCHS + 1
    W1 = np.zeros((states, 3, 2))
    b1 = np.zeros((states, 3))
    W1[:, 0] = [1.0, 0.0]  # x1 > 0 for three of the points
    W1[:, 1] = [0.5, 0.5]
    b1[:, 1] = 0.2  # positive at (0, 0): alive
    b1[2, 1] = -1.0  # 0.5 x1 + 0.5 x2 - 1 <= 0 on the whole square: dead for one epoch
    b1[5:, 1] = -2.0  # dead from epoch 5 to the end
    # Unit 2 has W1 = 0 and b1 = 0: its pre-activation is exactly 0, which counts as dead.
    return W1, b1


def flat_loss() -> np.ndarray:
    """Loss falling 0.05/epoch to epoch 10, flat (±0.001) over 10–35, falling 0.02/epoch to 45,
    flat over only 45–50 (too short), then falling 0.02/epoch to 60."""
    loss = np.empty(EPOCHS + 1)
    loss[:11] = 1.0 - 0.05 * np.arange(11)  # 1.0 ... 0.5
    loss[11:36] = 0.5 + 0.001 * (-1.0) ** np.arange(11, 36)  # wobbles within the band
    loss[35] = 0.5
    loss[36:46] = 0.5 - 0.02 * np.arange(1, 11)  # ... 0.3 at epoch 45
    loss[46:51] = 0.3
    loss[51:] = 0.3 - 0.02 * np.arange(1, 11)  # ... 0.1 at epoch 60
    return loss


def crossing_accuracy() -> np.ndarray:
    """Accuracy that first reaches 0.8 at epoch 7, dips below it at 8, then stays at 0.9."""
    accuracy = np.full(EPOCHS + 1, 0.9)
    accuracy[:7] = [0.5, 0.55, 0.6, 0.7, 0.75, 0.78, 0.79]
    accuracy[7] = 0.8
    accuracy[8] = 0.75
    return accuracy


def test_first_separation_is_the_first_epoch_reaching_the_threshold() -> None:
    run = make_run(accuracy=crossing_accuracy())
    assert first_separation(run) == 7
    assert first_separation(run, threshold=0.85) == 9
    assert first_separation(run, threshold=0.5) == 0
    assert first_separation(run, threshold=0.95) is None


def test_dead_units_are_dated_from_their_final_death() -> None:
    W1, b1 = dying_weights()
    assert dead_units(make_run(W1=W1, b1=b1)) == {(0, 1): 5, (0, 2): 0}
    # A unit that dies only at the last epoch is dated there; one that revives is not listed.
    b1_late = b1.copy()
    b1_late[:, 1] = 0.2
    b1_late[EPOCHS, 1] = -2.0
    b1_late[:, 2] = 0.5
    b1_late[:30, 0] = -2.0  # unit 0 dead early on, alive again from epoch 30
    assert dead_units(make_run(W1=W1, b1=b1_late)) == {(0, 1): EPOCHS}
    # Only ReLU units die.
    assert dead_units(make_run(W1=W1, b1=b1, activation="tanh")) == {}


def test_dead_units_of_a_real_run_match_a_per_epoch_loop(short_run: Run) -> None:
    states = short_run.epochs + 1
    dead = np.array(
        [
            np.all(forward.hidden(short_run.X, short_run.weights(e), "relu") == 0.0, axis=0)
            for e in range(states)
        ]
    )
    expected = {}
    for unit in np.nonzero(dead[-1])[0]:
        first = states - 1
        while first > 0 and dead[first - 1, unit]:
            first -= 1
        expected[(0, int(unit))] = first
    assert dead_units(short_run) == expected


def test_plateaus_are_maximal_flat_spans() -> None:
    run = make_run(loss=flat_loss())
    assert plateaus(run, window=10, tolerance=1e-3) == [(10, 35)]
    # With a 5-epoch window the short flat span 45–50 counts too.
    assert plateaus(run, window=5, tolerance=1e-3) == [(10, 35), (45, 50)]
    # A 30-epoch window is longer than the first plateau.
    assert plateaus(run, window=30, tolerance=1e-3) == []
    # A band of 0.022 * 10 = 0.22 lets in the 0.02-per-epoch slopes (range 0.2 per window) and
    # the end of the first slope from epoch 6 (0.7 - 0.499 = 0.201), not from 5 (0.251).
    assert plateaus(run, window=10, tolerance=0.022) == [(6, EPOCHS)]


def test_a_dip_that_returns_is_not_a_plateau() -> None:
    # Loss 0.5 everywhere except a dip to 0.3 at epoch 30: every window holding epoch 30 has a
    # range of 0.2 even though its end points agree.
    loss = np.full(EPOCHS + 1, 0.5)
    loss[30] = 0.3
    assert plateaus(make_run(loss=loss), window=10) == [(0, 29), (31, EPOCHS)]
    assert plateaus(make_run(loss=np.linspace(1.0, 0.1, EPOCHS + 1)), window=10) == []
    with pytest.raises(ValueError):
        plateaus(make_run(), window=0)


def test_key_moments_are_sorted_with_captions() -> None:
    W1, b1 = dying_weights()
    run = make_run(W1=W1, b1=b1, loss=flat_loss(), accuracy=crossing_accuracy())
    assert key_moments(run) == [
        Moment(
            0, "dead_unit", "epoch 0: hidden unit 3 is dead from the start (zero for every point)"
        ),
        Moment(5, "dead_unit", "epoch 5: hidden unit 2 dies (zero for every point)"),
        Moment(7, "separation", "epoch 7: the boundary separates 80.0% of the points"),
        Moment(10, "plateau", "epochs 10–35: the loss plateaus", end=35),
    ]
    with pytest.raises(ValueError):
        Moment(3, "epiphany", "epoch 3: ?")


def test_the_separation_caption_says_the_accuracy_the_read_out_shows() -> None:
    """An easy data set is separated at epoch 0 far beyond the 80 % threshold: the caption
    says the accuracy reached (as the read-out writes it), not the threshold."""
    accuracy = np.full(EPOCHS + 1, 0.99)
    accuracy[0] = 0.987
    (moment,) = [m for m in key_moments(make_run(accuracy=accuracy)) if m.kind == "separation"]
    assert moment.epoch == 0
    assert moment.caption == "epoch 0: the first boundary already separates 98.7% of the points"
    accuracy[:3] = [0.5, 0.6, 0.912]
    (moment,) = [m for m in key_moments(make_run(accuracy=accuracy)) if m.kind == "separation"]
    assert moment.caption == "epoch 2: the boundary separates 91.2% of the points"


def test_clock_speed_slows_down_around_moments() -> None:
    moments = [
        Moment(7, "separation", "epoch 7: ..."),
        Moment(10, "plateau", "epochs 10–35: ...", end=35),
    ]
    weights = clock_speed(moments, 20, slow_factor=3.0, radius=2.0)
    # Steps e -> e+1 with midpoint within 2 of epoch 7: 5.5, 6.5, 7.5, 8.5 (steps 5 to 8);
    # within 2 of epoch 10: 8.5, 9.5, 10.5, 11.5 (steps 8 to 11).
    expected = np.ones(20)
    expected[5:12] = 3.0
    np.testing.assert_array_equal(weights, expected)
    np.testing.assert_array_equal(clock_speed([], 4), np.ones(4))
    with pytest.raises(ValueError):
        clock_speed(moments, 20, slow_factor=0.0)


def test_time_to_epoch_knots() -> None:
    times, epochs = time_to_epoch(np.array([1.0, 3.0, 1.0]), seconds_per_epoch=0.5)
    np.testing.assert_allclose(times, [0.0, 0.5, 2.0, 2.5])
    np.testing.assert_array_equal(epochs, [0.0, 1.0, 2.0, 3.0])
    # A scene maps video time to epoch by interpolation: the slow epoch takes 1.5 s.
    assert np.interp(1.25, times, epochs) == pytest.approx(1.5)
    assert np.interp(10.0, times, epochs) == 3.0
    with pytest.raises(ValueError):
        time_to_epoch(np.array([1.0, 0.0]), 0.5)


def test_moments_of_a_real_run(short_run: Run) -> None:
    moments = key_moments(short_run)
    assert all(isinstance(m, Moment) for m in moments)
    assert [m.epoch for m in moments] == sorted(m.epoch for m in moments)
    assert all(0 <= m.epoch <= short_run.epochs for m in moments)
    assert all(m.caption.startswith(("epoch ", "epochs ")) for m in moments)
    weights = clock_speed(moments, short_run.epochs)
    assert weights.shape == (short_run.epochs,) and np.all(weights >= 1.0)
    times, epochs = time_to_epoch(weights, 0.2)
    assert times[0] == 0.0 and epochs[0] == 0.0 and epochs[-1] == short_run.epochs
    assert np.all(np.diff(times) > 0)
    assert times[-1] == pytest.approx(0.2 * weights.sum())


def test_dead_units_of_every_layer_match_a_per_epoch_loop() -> None:
    """A deep ReLU run at a high learning rate, where units die in both layers; the oracle
    is the forward pass epoch by epoch and a loop over epochs."""
    config = RunConfig(dataset="spiral", hidden=(3, 3), activation=("relu", "relu"), lr=0.1,
                       max_epochs=40, target_loss=0.0, seed=2)  # fmt: skip
    run = train(config)
    states = run.epochs + 1
    expected = {}
    for layer in range(2):
        dead = np.array(
            [
                np.all(forward.layer_outputs(run.X, run.weights(e), "relu")[layer][1] == 0, axis=0)
                for e in range(states)
            ]
        )
        for unit in np.nonzero(dead[-1])[0]:
            first = states - 1
            while first > 0 and dead[first - 1, unit]:
                first -= 1
            expected[(layer, int(unit))] = first
    assert dead_units(run) == expected
    assert {layer for layer, _ in expected} == {0, 1}, "the run should kill units in both layers"
    captions = [m.caption for m in key_moments(run) if m.kind == "dead_unit"]
    assert len(captions) == len(expected)
    assert all(" of layer " in caption for caption in captions)
