from __future__ import annotations

import numpy as np
import pytest
import torch

from nnviz.config import RunConfig
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


def test_glorot_init_is_keras_default_weights_and_zero_biases() -> None:
    run = train(RunConfig(max_epochs=1, seed=5))
    # Glorot-uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)).
    assert np.all(np.abs(run.W1[0]) <= np.sqrt(6 / (2 + 2)))
    assert np.all(np.abs(run.W2[0]) <= np.sqrt(6 / (2 + 1)))
    assert not np.any(run.b1[0]) and not np.any(run.b2[0])
    assert run.config.init == "glorot" and run.config.adam_epsilon == 1e-7


def test_torch_init_is_pytorchs_default() -> None:
    config = RunConfig(max_epochs=1, init="torch", seed=5)
    run = train(config)
    torch.manual_seed(5)
    layer = torch.nn.Linear(2, 2).double()
    np.testing.assert_array_equal(run.W1[0], layer.weight.detach().numpy())
    np.testing.assert_array_equal(run.b1[0], layer.bias.detach().numpy())


@pytest.mark.parametrize("seed", [0, 3])
def test_first_epoch_equals_an_independent_keras_style_replay(seed: int) -> None:
    """Replays epoch 1 with a plain torch loop written here: the post's data, Glorot-uniform
    weights drawn by hand from the seed, zero biases, Adam with ε = 1e-7, batches of 32."""
    config = RunConfig(activation="tanh", lr=0.01, max_epochs=1, target_loss=0.0, seed=seed)
    run = train(config)
    legacy = np.random.RandomState(12345)
    X = np.concatenate([legacy.normal(m, 0.5, (n, 2)) for m, n in ((-1, 100), (0, 200), (1, 100))])
    y = np.repeat([0.0, 1.0, 0.0], [100, 200, 100])
    g = torch.Generator().manual_seed(seed)
    l1, l2 = torch.nn.Linear(2, 2).double(), torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        for layer, (fan_out, fan_in) in ((l1, (2, 2)), (l2, (1, 2))):
            limit = (6 / (fan_in + fan_out)) ** 0.5
            weight = torch.empty(fan_out, fan_in, dtype=torch.float64)
            layer.weight.copy_(weight.uniform_(-limit, limit, generator=g))
            layer.bias.zero_()
    # torch computes the limit as sqrt(2 / (fan_in + fan_out)) * sqrt(3): the last bit differs.
    np.testing.assert_allclose(run.W1[0], l1.weight.detach().numpy(), rtol=1e-15)
    opt = torch.optim.Adam([*l1.parameters(), *l2.parameters()], lr=config.lr, eps=1e-7)
    order = torch.randperm(400, generator=torch.Generator().manual_seed(config.seed))
    xt, yt = torch.from_numpy(X), torch.from_numpy(y)
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
    assert run.loss[-1] <= 0.5
    assert np.all(run.loss[:-1] > 0.5)
    assert run.epochs < 200


def test_a_loss_equal_to_the_target_stops_the_run() -> None:
    """The notebook's rule is ``loss <= target``: a state whose loss equals the target is the
    last one."""
    free = train(RunConfig(activation="tanh", lr=0.05, max_epochs=30, target_loss=0.0))
    target = float(free.loss[10])
    expected = int(np.argmax(free.loss <= target))
    run = train(RunConfig(activation="tanh", lr=0.05, max_epochs=30, target_loss=target))
    assert run.stop_reason == "target_loss"
    assert run.epochs == expected
    np.testing.assert_array_equal(run.loss, free.loss[: expected + 1])


def test_data_seed_changes_the_data_and_not_the_initial_weights() -> None:
    a = train(RunConfig(max_epochs=1))
    b = train(RunConfig(max_epochs=1, data_seed=1))
    assert not np.array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.W1[0], b.W1[0])


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


def test_other_data_train_every_epoch_by_default() -> None:
    """The moons reach a loss under 0.263 within a few epochs at this rate; without the post's
    rule the run goes on to its epoch limit."""
    from nnviz.train import train

    run = train(RunConfig(dataset="moons", lr=0.05, max_epochs=30))
    assert run.stop_reason == "max_epochs" and run.epochs == 30
    assert float(run.loss.min()) < 0.263  # the post's rule would have stopped it
