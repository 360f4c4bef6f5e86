"""Each class's accuracy over a softmax run, as the read-out shows it and as the key moments
date each class's first majority, against torch's argmax of the logged weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnviz.config import RunConfig
from nnviz.formatting import short_name
from nnviz.forward import Weights
from nnviz.moments import (
    class_majority_moments,
    class_names,
    key_moments,
    run_class_accuracies,
    shows_classes,
)
from nnviz.run import Run
from nnviz.train import train
from nnviz.trajectory import Trajectory

TORCH = {"relu": torch.relu, "tanh": torch.tanh}


def torch_predictions(run: Run, weights: Weights, X: np.ndarray) -> np.ndarray:
    """The class torch's forward pass of ``weights`` predicts for each point of ``X``:
    argmax of the softmax units, ``logit > 0`` for one sigmoid unit."""
    h = torch.from_numpy(np.asarray(X, dtype=np.float64))
    layers = len(weights.W)
    for k in range(layers):
        h = h @ torch.from_numpy(weights.W[k]).T + torch.from_numpy(weights.b[k])
        if k < layers - 1:
            h = TORCH[run.config.activations[k]](h)
    if h.shape[1] == 1:
        return (h[:, 0] > 0).long().numpy()
    return torch.argmax(h, dim=1).numpy()


def torch_class_accuracies(run: Run, weights: Weights) -> np.ndarray:
    """Each class's share of its own training points that torch predicts as it."""
    train_ = run.train_mask
    predicted = torch_predictions(run, weights, run.X[train_])
    y = run.y[train_]
    return np.array(
        [np.mean(predicted[y == c] == c) for c in range(run.config.classes)], dtype=np.float64
    )


@pytest.fixture(scope="module")
def spiral3() -> Run:
    """Three arms through a 2-4-2-3 tanh network, 40 epochs, a quarter held out."""
    config = RunConfig(dataset="spiral", classes=3, hidden=(4, 2), activation="tanh", lr=0.03,
                       max_epochs=40, target_loss=0.0, samples=240,
                       test_fraction=0.25)  # fmt: skip
    return train(config)


@pytest.fixture(scope="module")
def blobs6() -> Run:
    """Six blobs through a 2-6-6 ReLU network, 30 epochs, every point trained on."""
    config = RunConfig(dataset="blobs", classes=6, hidden=(6,), lr=0.02, max_epochs=30,
                       target_loss=0.0, samples=300)  # fmt: skip
    return train(config)


@pytest.mark.parametrize("name", ["spiral3", "blobs6"])
def test_each_classs_accuracy_is_torchs_at_every_logged_epoch(
    name: str, request: pytest.FixtureRequest
) -> None:
    run: Run = request.getfixturevalue(name)
    accuracies = run_class_accuracies(run)
    assert accuracies.shape == (run.epochs + 1, run.config.classes)
    for epoch in range(run.epochs + 1):
        expected = torch_class_accuracies(run, run.weights(epoch))
        np.testing.assert_allclose(accuracies[epoch], expected, rtol=0, atol=1e-12)
    # Over the training points only: their mean, weighted by class, is the logged accuracy.
    counts = np.bincount(run.y[run.train_mask], minlength=run.config.classes)
    np.testing.assert_allclose(accuracies @ counts / counts.sum(), run.accuracy, atol=1e-12)


def test_chunks_of_epochs_give_the_same_accuracies(
    spiral3: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nnviz import forward

    whole = run_class_accuracies(spiral3)
    original = forward.epoch_chunks
    monkeypatch.setattr(forward, "epoch_chunks", lambda s, p, w, budget=0: original(s, p, w, 2000))
    assert len(forward.epoch_chunks(41, 180, 4)) > 5
    np.testing.assert_array_equal(run_class_accuracies(spiral3), whole)


def test_the_frame_state_holds_each_classs_accuracy_between_epochs(spiral3: Run) -> None:
    """At a fractional epoch, the accuracies are those of the interpolated network, as the
    read-out's accuracy is."""
    trajectory = Trajectory(spiral3)
    for t in (0.0, 7.0, 12.4, 33.75, 40.0):
        state = trajectory.state(t)
        assert state.class_accuracies is not None
        expected = torch_class_accuracies(spiral3, trajectory.weights_at(t))
        np.testing.assert_allclose(state.class_accuracies, expected, atol=1e-12)
    # A drawn sample of the points does not change them: they are of every training point.
    sampled = Trajectory(spiral3, drawn=np.arange(0, 240, 5)).state(12.4)
    np.testing.assert_array_equal(sampled.class_accuracies, trajectory.state(12.4).class_accuracies)


def test_a_sigmoid_run_has_no_class_read_out_and_no_majority_moments() -> None:
    run = train(RunConfig(samples=80, max_epochs=5, target_loss=0.0))
    assert not shows_classes(run)
    assert Trajectory(run).state(2.5).class_accuracies is None
    assert all(m.kind != "class_majority" for m in key_moments(run))
    # The per-epoch accuracies still read one sigmoid unit as two classes.
    for epoch in (0, 5):
        np.testing.assert_allclose(run_class_accuracies(run)[epoch],
                                   torch_class_accuracies(run, run.weights(epoch)),
                                   atol=1e-12)  # fmt: skip


@pytest.mark.parametrize("name", ["spiral3", "blobs6"])
def test_majority_moments_fall_on_torchs_first_epoch_above_half(
    name: str, request: pytest.FixtureRequest
) -> None:
    """Each class is named by one moment, at the first epoch (or the last of its group)
    where torch's accuracy of the class is above one half."""
    run: Run = request.getfixturevalue(name)
    first: dict[int, int] = {}
    for epoch in range(run.epochs + 1):
        shares = torch_class_accuracies(run, run.weights(epoch))
        for c in np.nonzero(shares > 0.5)[0]:
            first.setdefault(int(c), epoch)
    assert first  # the runs' classes do reach majorities
    # Every class its own moment: exactly the torch epochs.
    alone = class_majority_moments(run, window=0)
    named = {c: m.epoch for m in alone for c in m.classes}
    assert named == first
    # Grouped (the default): every class named once, in a moment no earlier than its epoch
    # and at most the window after it.
    grouped = [m for m in key_moments(run, majority_window=10) if m.kind == "class_majority"]
    assert sorted(c for m in grouped for c in m.classes) == sorted(first)
    for moment in grouped:
        epochs = [first[c] for c in moment.classes]
        assert moment.epoch == max(epochs) and max(epochs) - min(epochs) <= 10


def test_majority_moments_group_by_hand(spiral3: Run) -> None:
    """Synthetic accuracies: class 1 holds its majority from epoch 0, classes 0 and 2 from
    epochs 20 and 26; with a window of 10 the last two share a moment."""
    shares = np.zeros((41, 3))
    shares[:, 1] = 0.9  # from the start
    shares[20:, 0] = 0.51
    shares[26:, 2] = 0.75
    shares[23, 2] = 0.5  # exactly one half is not yet most
    moments = class_majority_moments(spiral3, shares, window=10)
    assert [(m.epoch, m.classes) for m in moments] == [(0, (1,)), (26, (0, 2))]
    assert moments[0].caption == "epoch 0: most points of class 1 already lie in its region"
    assert moments[1].caption == (
        "epochs 20–26: most points of class 0 and class 2 now lie in their regions"
    )
    for moment in moments:
        names = [moment.caption[a:b] for a, b in moment.spans]
        assert names == [f"class {c}" for c in moment.classes]
    # A narrower window keeps them apart; a class that never passes one half has no moment.
    assert [m.epoch for m in class_majority_moments(spiral3, shares, window=5)] == [0, 20, 26]
    shares[:, 2] = 0.5
    assert [m.classes for m in class_majority_moments(spiral3, shares)] == [(1,), (0,)]
    with pytest.raises(ValueError, match="window"):
        class_majority_moments(spiral3, shares, window=-1)


def test_majority_captions_name_the_datas_own_classes(spiral3: Run) -> None:
    from dataclasses import replace

    names = ("Iris-setosa", "Iris-versicolor", "Iris-virginica")
    run = replace(spiral3, config=spiral3.config.replace(class_names=names))
    assert class_names(run) == names and class_names(spiral3)[2] == "class 2"
    shares = np.zeros((41, 3))
    shares[3:, 0] = shares[5:, 2] = shares[30:, 1] = 1.0
    moments = class_majority_moments(run, shares)
    assert [m.caption for m in moments] == [
        "epochs 3–5: most points of Iris-setosa and Iris-virginica now lie in their regions",
        "epoch 30: most points of Iris-versicolor now lie in its region",
    ]
    assert [[m.caption[a:b] for a, b in m.spans] for m in moments] == [
        ["Iris-setosa", "Iris-virginica"],
        ["Iris-versicolor"],
    ]
    shares[4:, 1] = 1.0
    three = class_majority_moments(run, shares)
    # Three names share the room: at most 40 // 3 = 13 characters each.
    assert three[0].caption == (
        "epochs 3–5: most points of Iris-setosa, Iris-versico… and Iris-virgini… now lie in "
        "their regions"
    )


def test_short_names() -> None:
    assert short_name("setosa", 10) == "setosa"
    assert short_name("Iris-versicolor", 10) == "Iris-vers…"
    assert short_name("a b       c", 5) == "a b…"
    assert len(short_name("x" * 40, 12)) == 12
    with pytest.raises(ValueError, match="at least 2"):
        short_name("abc", 1)


def test_many_long_names_share_a_captions_room(spiral3: Run) -> None:
    from dataclasses import replace

    names = ("Atlantic long-finned pilot whale", "Orca", "Short-beaked common dolphin")
    run = replace(spiral3, config=spiral3.config.replace(class_names=names))
    shares = np.zeros((41, 3))
    shares[7:, 1] = 1.0
    (alone,) = class_majority_moments(run, shares)
    shares[4:, 0] = shares[6:, 2] = 1.0
    (together,) = class_majority_moments(run, shares)
    assert alone.caption == "epoch 7: most points of Orca now lie in its region"
    # Three names, in the order they reach their majority: 40 // 3 = 13 characters each.
    assert [together.caption[a:b] for a, b in together.spans] == [
        "Atlantic lon…",
        "Short-beaked…",
        "Orca",
    ]
