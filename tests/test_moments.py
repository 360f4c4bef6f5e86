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
    fit_clock,
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


# --- the clock fitted into a length of video (fit_clock) ------------------------------------


def test_fit_clock_plays_every_epoch_in_exactly_the_seconds_asked() -> None:
    """Without moments the epochs share the time equally: 10 epochs in 5 s, 0.5 s each."""
    times, epochs = fit_clock([], 10, 5.0)
    np.testing.assert_allclose(times, np.arange(11) * 0.5)
    np.testing.assert_array_equal(epochs, np.arange(11))
    assert times[-1] == 5.0  # exactly, not a sum of rounded steps
    with pytest.raises(ValueError):
        fit_clock([], 0, 5.0)
    with pytest.raises(ValueError):
        fit_clock([], 10, 0.0)


def test_a_short_run_is_slowed_down_and_its_moment_stays_three_times_slower() -> None:
    """7 epochs in 16 s, a moment at epoch 3: steps 1 to 4 (midpoints 1.5 to 4.5, within 2
    of 3) weigh 3, the other three 1, so 3 + 4 * 3 = 15 units of 16/15 s."""
    times, epochs = fit_clock([Moment(3, "separation", "epoch 3: ...")], 7, 16.0)
    unit = 16.0 / 15.0
    np.testing.assert_allclose(np.diff(times), [unit, 3 * unit, 3 * unit, 3 * unit, 3 * unit,
                                                unit, unit])  # fmt: skip
    assert times[-1] == 16.0 and epochs[-1] == 7.0


def test_a_long_run_is_sampled_at_the_frame_rate_and_its_moment_stays_visible() -> None:
    """1600 epochs in 27 s at 15 fps: 405 frames, so frames fall between logged epochs and
    skip most of them; the moment at epoch 800 still plays three times slower, over about a
    second of video instead of the 0.2 s that 2 epochs on each side would take."""
    moment = Moment(800, "separation", "epoch 800: ...")
    times, epochs = fit_clock([moment], 1600, 27.0)
    assert times[0] == 0.0 and times[-1] == 27.0 and epochs[-1] == 1600.0
    assert np.all(np.diff(times) > 0)
    frame_times = np.arange(0, 27.0, 1 / 15)
    shown = np.interp(frame_times, times, epochs)
    assert len(shown) == 405 and np.all(np.diff(shown) > 0)
    assert np.mean(shown != np.round(shown)) > 0.9  # fractional epochs, read out as such
    steps = np.diff(times)
    ordinary, slow = steps.min(), steps.max()
    assert slow == pytest.approx(3 * ordinary)
    slowed = steps > 2 * ordinary
    # The slowed steps surround the moment and take about a second (MOMENT_SECONDS, 0.96 s,
    # rounded to whole steps), and are far fewer than half the video.
    assert set(np.nonzero(slowed)[0]) >= {799, 800}
    assert 0.9 <= steps[slowed].sum() <= 1.1


def test_many_moments_keep_their_slow_motion_within_half_the_video() -> None:
    """Forty moments in a 1000-epoch run squeezed into 20 s: widening each stretch to a second
    would take the whole video, so they widen only until half of it is slow motion."""
    moments = [Moment(25 * k, "separation", "...") for k in range(1, 41)]
    times, _ = fit_clock(moments, 1000, 20.0)
    steps = np.diff(times)
    slowed = steps > 2 * steps.min()
    assert steps.max() == pytest.approx(3 * steps.min())
    assert steps[slowed].sum() <= 0.5 * 20.0 + 1e-9
    assert steps[slowed].sum() >= 0.4 * 20.0  # widened, not left at 2 epochs a side
    assert times[-1] == 20.0


def test_the_default_pace_is_not_changed_by_fitting() -> None:
    """Fitting a clock into the length the default pace gives changes nothing: the blog's runs
    keep their timing."""
    moments = [Moment(22, "plateau", "...", end=40), Moment(52, "separation", "...")]
    weights = clock_speed(moments, 107)
    expected_times, expected_epochs = time_to_epoch(weights, 0.08)
    times, epochs = fit_clock(moments, 107, float(expected_times[-1]))
    np.testing.assert_allclose(times, expected_times, rtol=1e-12)
    np.testing.assert_array_equal(epochs, expected_epochs)


def test_the_training_phase_fits_its_whole_length_to_the_frame() -> None:
    """A phase of 6 s at 15 fps is 90 frames: the reveal (0.8 s, 12 frames), the conceal
    (0.6 s, 9 frames) and a still hold of 1.5 s (22 whole frames) leave 47 for the clock."""
    from nnviz.manim_adapter.timing import frames_of_play
    from nnviz.stories.training import TrainingPhase

    phase = TrainingPhase(phase_seconds=6.0)
    times, epochs = phase.clock(27, [], 15.0, hold_frames=22)
    assert frames_of_play(float(times[-1]), 15.0) == 90 - 12 - 9 - 22
    assert epochs[-1] == 27.0
    # A phase that leaves its final state on screen (clear=False) has no conceal to count.
    times, _ = phase.clock(27, [], 15.0, hold_frames=22, clear=False)
    assert frames_of_play(float(times[-1]), 15.0) == 90 - 12 - 22
    with pytest.raises(ValueError, match=r"phase_seconds must be at least 3\.9 s"):
        TrainingPhase(phase_seconds=3.0).check()


def test_the_training_phase_keeps_the_default_pace_and_caps_long_runs() -> None:
    """200 epochs at 0.08 s (16 s) stay as they are; 1000 epochs (80 s) are fitted into the
    default 30 s of the phase (450 frames at 15 fps) unless the pace is asked for."""
    from nnviz.manim_adapter.timing import frames_of_play
    from nnviz.stories.training import DEFAULT_MAX_PHASE_SECONDS, TrainingPhase

    assert DEFAULT_MAX_PHASE_SECONDS == 30.0
    phase = TrainingPhase()
    times, _ = phase.clock(200, [], 15.0, hold_frames=22)
    assert times[-1] == pytest.approx(16.0)
    times, epochs = phase.clock(1000, [], 15.0, hold_frames=22)
    assert frames_of_play(float(times[-1]), 15.0) + 12 + 22 + 9 == 450
    assert epochs[-1] == 1000.0
    paced = TrainingPhase(seconds_per_epoch=0.08, max_phase_seconds=None)
    times, _ = paced.clock(1000, [], 15.0, hold_frames=22)
    assert times[-1] == pytest.approx(80.0)
    # Key-moment captions stay on screen for 2 s of video at least: 25 epochs at the default
    # pace, 1000 * 2 / (30 - 2.9) epochs in the capped one.
    assert phase.caption_epochs(200) == 25.0
    assert phase.caption_epochs(1000) == pytest.approx(2 * 1000 / 27.1)
