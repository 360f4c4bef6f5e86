from __future__ import annotations

import numpy as np
import pytest
import torch

from nnviz.config import RunConfig
from nnviz.data import make_dataset
from nnviz.run import Run
from nnviz.train import build_model, train


def hand_bce(run: Run, epoch: int) -> tuple[float, float]:
    """Whole-data loss and accuracy of one logged state, written out by hand in numpy."""
    pre = run.X @ run.W1[epoch].T + run.b1[epoch]
    h = {"relu": np.maximum(pre, 0), "tanh": np.tanh(pre)}[run.config.activation]
    z = h @ run.W2[epoch][0] + run.b2[epoch][0]
    p = 1 / (1 + np.exp(-z))
    y = run.y
    loss = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    return float(loss), float(np.mean((p > 0.5) == (y == 1)))


def test_shapes_follow_the_run_file_contract(short_run: Run) -> None:
    E = short_run.epochs
    assert E == 12
    assert short_run.W1.shape == (E + 1, 2, 2)
    assert short_run.b1.shape == (E + 1, 2)
    assert short_run.W2.shape == (E + 1, 1, 2)
    assert short_run.b2.shape == (E + 1, 1)
    assert short_run.loss.shape == short_run.accuracy.shape == (E + 1,)
    assert short_run.X.shape == (400, 2) and short_run.y.shape == (400,)


@pytest.mark.parametrize("fixture", ["short_run", "short_tanh_run"])
def test_logged_loss_is_recomputed_from_logged_weights(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    run = request.getfixturevalue(fixture)
    for epoch in range(run.epochs + 1):
        loss, acc = hand_bce(run, epoch)
        assert run.loss[epoch] == pytest.approx(loss, rel=1e-9)
        assert run.accuracy[epoch] == pytest.approx(acc)
    assert run.loss[-1] < run.loss[0]


def test_epoch_zero_is_the_initial_state(short_run: Run) -> None:
    model = build_model(short_run.config)
    np.testing.assert_array_equal(short_run.W1[0], model[0].weight.detach().numpy())
    np.testing.assert_array_equal(short_run.b2[0], model[2].bias.detach().numpy())
    assert not np.array_equal(short_run.W1[0], short_run.W1[1])


def test_first_epoch_equals_an_independent_torch_replay() -> None:
    """Replays epoch 1 with a plain torch loop written here, from the same seed."""
    config = RunConfig(activation="tanh", lr=0.01, max_epochs=1, target_loss=0.0)
    run = train(config)
    X, y = make_dataset(config.dataset, config.samples, config.noise, config.seed)
    torch.manual_seed(config.seed)
    l1, l2 = torch.nn.Linear(2, 2).double(), torch.nn.Linear(2, 1).double()
    opt = torch.optim.Adam([*l1.parameters(), *l2.parameters()], lr=config.lr)
    order = torch.randperm(400, generator=torch.Generator().manual_seed(config.seed))
    xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(float))
    for start in range(0, 400, 32):
        idx = order[start : start + 32]
        opt.zero_grad()
        z = l2(torch.tanh(l1(xt[idx])))[:, 0]
        torch.nn.functional.binary_cross_entropy_with_logits(z, yt[idx]).backward()
        opt.step()
    np.testing.assert_allclose(run.W1[1], l1.weight.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(run.b2[1], l2.bias.detach().numpy(), rtol=1e-12)


def test_stops_as_soon_as_the_target_loss_is_reached() -> None:
    run = train(RunConfig(activation="tanh", lr=0.05, target_loss=0.5))
    assert run.stop_reason == "target_loss"
    assert run.loss[-1] < 0.5
    assert np.all(run.loss[:-1] >= 0.5)
    assert run.epochs < 200


def test_stops_at_the_epoch_cap() -> None:
    run = train(RunConfig(lr=0.01, max_epochs=7, target_loss=0.0))
    assert (run.epochs, run.stop_reason) == (7, "max_epochs")


def test_full_batch_takes_one_step_per_epoch() -> None:
    config = RunConfig(lr=0.01, max_epochs=1, target_loss=0.0, batch_size=None)
    run = train(config)
    # Adam's first step is lr * g / (|g| + eps): lr up to eps / |g| (~1e-5 here). Thirteen
    # mini-batch steps would move weights by up to 13 * lr instead.
    step = np.abs(run.W1[1] - run.W1[0])
    np.testing.assert_allclose(step, 0.01, rtol=1e-4)


def test_same_config_and_seed_give_identical_arrays() -> None:
    config = RunConfig(activation="relu", lr=0.01, max_epochs=5)
    a, b = train(config), train(config)
    for key in ("W1", "b1", "W2", "b2", "loss", "accuracy", "X", "y"):
        np.testing.assert_array_equal(getattr(a, key), getattr(b, key))
    c = train(config.replace(seed=1))
    assert not np.array_equal(a.W1, c.W1)


def test_nan_divergence_stops_and_keeps_only_finite_epochs() -> None:
    run = train(RunConfig(lr=1e300, max_epochs=5))
    assert run.stop_reason == "diverged"
    assert np.all(np.isfinite(run.loss)) and np.all(np.isfinite(run.W1))


def test_exploding_loss_counts_as_divergence() -> None:
    run = train(RunConfig(lr=100.0))
    assert run.stop_reason == "diverged"
    assert run.loss[-1] > 10 * run.loss[0]
    assert np.all(run.loss[:-1] <= 10 * run.loss[0])
