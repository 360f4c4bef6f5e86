"""Three to six classes (issue 21): the output head of a configuration, softmax training with
torch as the oracle, the refusals before training, the run file, the recorder and the CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from nnviz import Recorder
from nnviz.config import LATER_FIELDS, ConfigError, RunConfig, default_output
from nnviz.forward import Weights, layer_outputs
from nnviz.heads import head
from nnviz.run import SCHEMA_VERSION, Run, RunFileError
from nnviz.run_file import load_run, save_run
from nnviz.train import build_model, load_points, train

# --- the configuration: which output, how many classes -------------------------------------


def test_the_output_follows_the_classes_unless_it_is_named() -> None:
    assert RunConfig().output == "sigmoid" and RunConfig().classes == 2
    assert RunConfig(dataset="blobs").output == "sigmoid"
    three = RunConfig(dataset="blobs", classes=3)
    assert three.output == "softmax" and three.output_head is head("softmax")
    assert three.widths == (2, 2, 3) and three.output_units == 3
    assert RunConfig(dataset="spiral", classes=6, hidden=(8, 4)).widths == (2, 8, 4, 6)
    both = RunConfig(dataset="blobs", output="softmax")
    assert (both.classes, both.widths) == (2, (2, 2, 2))
    assert RunConfig().widths == (2, 2, 1)
    assert [default_output(k) for k in range(2, 7)] == ["sigmoid"] + ["softmax"] * 4
    assert three.network_sentence().endswith("→ 3 softmax outputs")
    assert RunConfig().network_sentence().endswith("→ 1 sigmoid output")


def test_changing_the_classes_takes_their_output_unless_one_was_chosen() -> None:
    two = RunConfig(dataset="blobs")
    assert two.replace(classes=4).output == "softmax"
    assert two.replace(classes=4).replace(classes=2).output == "sigmoid"
    chosen = RunConfig(dataset="blobs", output="softmax")
    assert chosen.replace(classes=2).output == "softmax"
    assert chosen.replace(classes=5).output == "softmax"
    with pytest.raises(ConfigError, match="output sigmoid tells 2 classes apart, not 4"):
        two.replace(classes=4, output="sigmoid")


def test_two_classes_are_written_and_keyed_as_before_and_more_are_not() -> None:
    """A configuration of two classes has no ``classes`` key (its run file and cache key are
    what they were before the field existed); every other one records its classes."""
    assert LATER_FIELDS == {"classes": 2}
    assert "classes" not in RunConfig().to_dict()
    assert RunConfig().to_dict()["output"] == "sigmoid"
    three = RunConfig(dataset="blobs", classes=3)
    assert three.to_dict()["classes"] == 3 and three.to_dict()["output"] == "softmax"
    for config in (RunConfig(), three, RunConfig(dataset="blobs", output="softmax")):
        assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    keys = {
        RunConfig(dataset="blobs").key(),
        RunConfig(dataset="blobs", output="softmax").key(),
        three.key(),
        RunConfig(dataset="blobs", classes=4).key(),
    }
    assert len(keys) == 4
    # a file written before ``output`` and ``classes`` existed: two classes, one sigmoid
    older = {key: value for key, value in RunConfig().to_dict().items() if key != "output"}
    assert RunConfig.from_dict(older) == RunConfig()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"dataset": "blobs", "classes": 3, "output": "sigmoid"}, "output",
         r"^output sigmoid tells 2 classes apart, not 3 \(softmax tells 2 to 6\)$"),
        ({"output": "tanh"}, "output", r"^unknown output 'tanh'; choose one of sigmoid, softmax$"),
        ({"dataset": "blobs", "classes": 7}, "classes", r"^classes must be at most 6, got 7$"),
        ({"dataset": "blobs", "classes": 2.5}, "classes", r"^classes must be a whole number"),
        ({"classes": 3}, "classes", r"^classes 3: the seed data set has 2 classes"),
        ({"dataset": "external", "class_names": ("a", "b", "c")}, "class_names",
         r"^class_names holds 3 names \(a, b, c\) for 2 classes$"),
        ({"dataset": "external", "classes": 7, "class_names": tuple("abcdefg")}, "class_names",
         r"^7 classes \(a, b, c, d, e, f, g\); nnviz learns 2 to 6 classes$"),
        ({"dataset": "blobs", "classes": 5, "samples": 4}, "samples",
         r"^samples must be at least the 5 classes \(a point of each\), got 4$"),
    ],
)  # fmt: skip
def test_bad_classes_are_one_line(changes: dict, field: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message) as caught:
        RunConfig(**changes)
    assert caught.value.field == field and "\n" not in str(caught.value)


# --- training: the softmax head's cross-entropy, torch as the oracle ------------------------


def _numpy_logits(run: Run, epoch: int, X: np.ndarray) -> np.ndarray:
    """The logits of the logged state ``epoch`` at ``X`` by a numpy forward pass."""
    weights = Weights(*(a[epoch] for pair in zip(run.W, run.b, strict=True) for a in pair))
    last = layer_outputs(X, weights, run.config.activation)[-1][1]
    return last @ weights.W[-1].T + weights.b[-1]


def _torch_metrics(run: Run, epoch: int, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Cross-entropy and accuracy of the logged state ``epoch`` by torch's own modules: the
    configuration's network built by torch, loaded with the logged weights."""
    model = build_model(run.config)
    with torch.no_grad():
        for layer, W, b in zip([m for m in model if isinstance(m, nn.Linear)], run.W, run.b,
                               strict=True):  # fmt: skip
            layer.weight.copy_(torch.from_numpy(W[epoch]))
            layer.bias.copy_(torch.from_numpy(b[epoch]))
        logits = model(torch.from_numpy(X))
        loss = nn.functional.cross_entropy(logits, torch.from_numpy(y))
        right = (logits.argmax(dim=1) == torch.from_numpy(y)).double().mean()
    return float(loss), float(right)


@pytest.fixture(scope="module")
def blobs_run() -> Run:
    """Three Gaussian clusters, a quarter held out, 25 epochs of Adam in mini-batches."""
    config = RunConfig(dataset="blobs", classes=3, samples=150, hidden=(4, 3),
                       activation=("tanh", "relu"), max_epochs=25, lr=0.05,
                       test_fraction=0.25)  # fmt: skip
    return train(config)


def test_the_logged_loss_is_the_softmax_cross_entropy_of_the_logged_weights(
    blobs_run: Run,
) -> None:
    """Every logged state's loss and accuracy, on the training and on the test points, equal
    torch's ``cross_entropy`` and argmax of the logged weights' logits, and the softmax
    head's loss and accuracy of a numpy forward pass."""
    run = blobs_run
    assert run.config.output == "softmax" and run.config.classes == 3
    assert run.W[-1].shape == (26, 3, 3) and run.b[-1].shape == (26, 3)
    assert run.test is not None and run.test_loss is not None and run.test_accuracy is not None
    softmax = head("softmax")
    for part, losses, accuracies in ((~run.test, run.loss, run.accuracy),
                                     (run.test, run.test_loss, run.test_accuracy)):  # fmt: skip
        X, y = run.X[part], run.y[part]
        for epoch in range(run.epochs + 1):
            loss, accuracy = _torch_metrics(run, epoch, X, y)
            assert losses[epoch] == pytest.approx(loss, rel=1e-12, abs=1e-14)
            assert accuracies[epoch] == accuracy
            logits = _numpy_logits(run, epoch, X)
            assert losses[epoch] == pytest.approx(softmax.loss(logits, y), rel=1e-12)
            assert accuracies[epoch] == softmax.accuracy(logits, y)
    assert run.loss[-1] < 0.5 * run.loss[0] and run.accuracy[-1] > 0.9  # it learned


def test_softmax_training_is_cross_entropy_minimised_by_the_configured_optimizer() -> None:
    """Full-batch plain SGD on ``nn.CrossEntropyLoss`` by hand, from the configuration's own
    initial model: the same weights at every epoch."""
    config = RunConfig(dataset="spiral", classes=4, samples=80, hidden=(5,), optimizer="sgd",
                       lr=0.3, batch_size=None, max_epochs=6)  # fmt: skip
    run = train(config)
    X_np, y_np = load_points(config)
    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)
    model = build_model(config)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for epoch in range(config.max_epochs + 1):
        for layer, W, b in zip(linears, run.W, run.b, strict=True):
            np.testing.assert_allclose(layer.weight.detach().numpy(), W[epoch], atol=1e-12)
            np.testing.assert_allclose(layer.bias.detach().numpy(), b[epoch], atol=1e-12)
        optimizer.zero_grad()
        nn.CrossEntropyLoss()(model(X), y).backward()
        optimizer.step()


def test_a_softmax_of_two_classes_and_the_stop_rule() -> None:
    """``output="softmax"`` for two classes: two output units; the loss evaluated before each
    epoch stops training at the target, as for a sigmoid."""
    config = RunConfig(dataset="blobs", output="softmax", samples=60, max_epochs=300, lr=0.05,
                       target_loss=0.2)  # fmt: skip
    run = train(config)
    assert run.W[-1].shape[1:] == (2, 2)
    assert run.stop_reason == "target_loss" and run.loss[-1] <= 0.2 < run.loss[-2]
    logits = _numpy_logits(run, run.epochs, run.X)
    assert run.loss[-1] == pytest.approx(head("softmax").loss(logits, run.y), rel=1e-12)


def test_the_sigmoid_loss_is_still_the_binary_cross_entropy(short_run: Run) -> None:
    """The two-class sigmoid path logs what torch's BCE-with-logits says, and what the sigmoid
    head says in numpy."""
    for epoch in (0, short_run.epochs):
        logits = _numpy_logits(short_run, epoch, short_run.X)
        expected = nn.functional.binary_cross_entropy_with_logits(
            torch.from_numpy(logits[:, 0]), torch.from_numpy(short_run.y.astype(np.float64))
        )
        assert short_run.loss[epoch] == pytest.approx(float(expected), rel=1e-12)
        sigmoid = head("sigmoid")
        assert short_run.loss[epoch] == pytest.approx(sigmoid.loss(logits, short_run.y), rel=1e-12)
        assert short_run.accuracy[epoch] == sigmoid.accuracy(logits, short_run.y)


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ((np.zeros((2, 2)), np.array([0, 1])),
         r"^2 points are fewer than the 3 classes; every class needs a point$"),
        ((np.arange(12.0).reshape(6, 2), np.array([0, 0, 1, 1, 0, 1])),
         r"^class 2 has no training point; each of the 3 classes needs one$"),
        ((np.arange(12.0).reshape(6, 2), np.array([0, 0, 0, 0, 0, 0])),
         r"^classes 1, 2 have no training point; each of the 3 classes needs one$"),
    ],
)  # fmt: skip
def test_data_without_a_point_of_every_class_is_refused_before_training(
    monkeypatch: pytest.MonkeyPatch, points: tuple[np.ndarray, np.ndarray], message: str
) -> None:
    import nnviz.train

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("a model was built")

    monkeypatch.setattr(nnviz.train, "load_points", lambda config: points)
    monkeypatch.setattr(nnviz.train, "build_model", no_training)
    with pytest.raises(ConfigError, match=message) as caught:
        train(RunConfig(dataset="blobs", classes=3, samples=6))
    assert "\n" not in str(caught.value)


def test_a_class_held_out_entirely_is_refused_before_training(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A test split that leaves a class without training points (its only point held out)
    is refused, naming the class."""
    import nnviz.train

    X = np.arange(16.0).reshape(8, 2)
    y = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    config = RunConfig(dataset="csv", data_file="d.csv", data_hash="0" * 64, samples=8,
                       class_names=("a", "b", "c"), classes=3, test_fraction=0.5)  # fmt: skip
    monkeypatch.setattr(nnviz.train, "load_points", lambda config: (X, y))
    monkeypatch.setattr(nnviz.train, "split_test", lambda *args: np.arange(8) >= 6)
    message = r"^d\.csv: class 'c' has no training point after the test split; each of the 3 "
    with pytest.raises(ConfigError, match=message + r"classes needs one$"):
        train(config)


# --- the run file of k classes -------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures"


def _arrays(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in archive.files}


def _rewrite(path: Path, meta: dict | None = None, **arrays: np.ndarray) -> None:
    stored = _arrays(path)
    stored.update(arrays)
    if meta is not None:
        stored["config"] = np.array(json.dumps(meta))
    np.savez(path, **stored)


def test_a_three_class_run_file_round_trips(blobs_run: Run, tmp_path: Path) -> None:
    named = dataclasses.replace(
        blobs_run, config=blobs_run.config.replace(class_names=("red", "green", "blue"))
    )
    path = save_run(named, tmp_path / "three.npz")
    loaded = load_run(path)
    assert loaded.config == named.config
    assert (loaded.config.classes, loaded.config.output) == (3, "softmax")
    assert loaded.config.class_names == ("red", "green", "blue")
    for mine, theirs in zip((*loaded.W, *loaded.b), (*named.W, *named.b), strict=True):
        np.testing.assert_array_equal(mine, theirs)
    for key in ("loss", "accuracy", "X", "y", "test", "test_loss", "test_accuracy"):
        np.testing.assert_array_equal(getattr(loaded, key), getattr(named, key))
    archive = _arrays(path)
    assert archive["W3"].shape == (26, 3, 3) and set(np.unique(archive["y"])) == {0, 1, 2}
    meta = json.loads(str(archive["config"]))
    assert meta["schema"] == SCHEMA_VERSION == 3
    assert meta["config"]["classes"] == 3 and meta["config"]["output"] == "softmax"
    assert meta["config"]["class_names"] == ["red", "green", "blue"]


def test_a_two_class_sigmoid_run_file_is_still_schema_2(short_run: Run, tmp_path: Path) -> None:
    """Nothing in it is new: older nnviz reads it."""
    meta = json.loads(str(_arrays(save_run(short_run, tmp_path / "r.npz"))["config"]))
    assert meta["schema"] == 2 and "classes" not in meta["config"]
    assert meta["config"]["output"] == "sigmoid"


@pytest.mark.parametrize("name", ["schema1_v0.1_tanh.npz", "schema2_two_classes.npz"])
def test_older_run_files_load_as_two_classes_of_one_sigmoid(name: str) -> None:
    """``schema2_two_classes.npz`` was written by nnviz before issue 21 (commit 4ee54e3): a
    moons run of 5 epochs with a test set."""
    run = load_run(FIXTURES / name)
    assert (run.config.output, run.config.classes, run.config.output_units) == ("sigmoid", 2, 1)
    assert run.W[-1].shape[1] == 1
    if name.startswith("schema2"):
        assert run.test is not None and run.config.dataset == "moons" and run.epochs == 5
        logits = _numpy_logits(run, run.epochs, run.X[~run.test])
        sigmoid = head("sigmoid")
        assert run.loss[-1] == pytest.approx(sigmoid.loss(logits, run.y[~run.test]), rel=1e-12)


def _three_class_file(blobs_run: Run, tmp_path: Path) -> tuple[Path, dict]:
    path = save_run(blobs_run, tmp_path / "three.npz")
    return path, json.loads(str(_arrays(path)["config"]))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a, m: {"W3": a["W3"][:, :2]},
         r"array 'W3' must have shape \(26, 3, 3\) \(3 softmax outputs, one per class\), got "
         r"\(26, 2, 3\)"),
        (lambda a, m: {"y": np.where(a["y"] == 2, 3, a["y"])},
         r"labels 'y' must be whole numbers 0 to 2 \(3 classes\)"),
        (lambda a, m: {"y": a["y"] - 1}, r"labels 'y' must be whole numbers 0 to 2"),
        (lambda a, m: {"meta": {**m, "config": {**m["config"], "classes": 4}}},
         r"array 'W3' must have shape \(26, 4, 3\)"),
        (lambda a, m: {"meta": {**m, "config": {**m["config"], "output": "sigmoid"}}},
         r"invalid run configuration \(output sigmoid tells 2 classes apart, not 3"),
        (lambda a, m: {"meta": {**m, "config": {**m["config"], "classes": 7}}},
         r"invalid run configuration \(classes must be at most 6, got 7\)"),
        (lambda a, m: {"meta": {**m, "config": {**m["config"], "class_names": ["a", "b"]}}},
         r"invalid run configuration \(class_names holds 2 names \(a, b\) for 3 classes\)"),
        (lambda a, m: {"meta": {**m, "schema": 2}},
         r"run file schema 2 holds one sigmoid output, but its configuration says output "
         r"softmax"),
        (lambda a, m: {"test": np.where(a["y"] == 2, 0, a["test"])},
         r"the test points must hold every one of the 3 classes"),
    ],
)  # fmt: skip
def test_a_k_class_file_whose_counts_disagree_is_refused_in_one_line(
    blobs_run: Run, tmp_path: Path, change, message: str
) -> None:
    path, meta = _three_class_file(blobs_run, tmp_path)
    changes = change(_arrays(path), meta)
    _rewrite(path, changes.pop("meta", None), **changes)
    with pytest.raises(RunFileError, match=message) as caught:
        load_run(path)
    assert "\n" not in str(caught.value)


def test_a_schema_3_file_is_refused_by_a_reader_of_schema_2_in_one_line(
    blobs_run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What nnviz before schema 3 says of a softmax run (its own check: the schemas it reads)."""
    import nnviz.run_file as run_file_module

    path, _ = _three_class_file(blobs_run, tmp_path)
    monkeypatch.setattr(run_file_module, "READABLE_SCHEMAS", (1, 2))
    with pytest.raises(RunFileError, match="run file schema 3 is not supported"):
        load_run(path)


# --- the recorder of a k-class loop --------------------------------------------------------


def test_the_recorder_of_a_k_class_loop_logs_what_nnviz_train_logs(tmp_path: Path) -> None:
    """Full-batch SGD on ``nn.CrossEntropyLoss`` by hand, recorded: the same weights, loss and
    accuracy as ``train()`` of the same configuration, and each logged loss torch's own
    cross-entropy of the model's outputs when it was logged."""
    config = RunConfig(dataset="blobs", classes=3, samples=90, hidden=(3,), activation="tanh",
                       optimizer="sgd", lr=0.2, batch_size=None, max_epochs=8)  # fmt: skip
    expected = train(config)
    X_np, y_np = load_points(config)
    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)
    model = build_model(config)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    loss_fn = nn.CrossEntropyLoss()
    rec = Recorder(model, X, y, class_names=("a", "b", "c"))
    oracle = []
    for _ in range(config.max_epochs):
        with torch.no_grad():
            oracle.append(float(loss_fn(model(X), y)))
        optimizer.zero_grad()
        loss_fn(model(X), y).backward()
        optimizer.step()
        rec.log()
    with torch.no_grad():
        oracle.append(float(loss_fn(model(X), y)))
    run = load_run(rec.save(tmp_path / "mine.npz"))
    assert (run.config.output, run.config.classes) == ("softmax", 3)
    assert run.config.class_names == ("a", "b", "c")
    assert run.W[-1].shape == (9, 3, 3)
    for mine, theirs in zip((*run.W, *run.b), (*expected.W, *expected.b), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.loss, expected.loss, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(run.accuracy, expected.accuracy)
    np.testing.assert_allclose(run.loss, oracle, rtol=1e-12)


@pytest.mark.parametrize("final", [nn.Softmax(dim=-1), nn.LogSoftmax(dim=1)])
def test_a_final_softmax_is_recorded_as_the_logit_model_it_wraps(
    final: nn.Module, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """A model ending in nn.Softmax (or nn.LogSoftmax), trained with nn.NLLLoss on its log:
    the same run file as the model of its logits, and each logged loss the NLL of the
    wrapped model's own output (the oracle)."""
    torch.manual_seed(3)
    logit = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4)).double()
    wrapped = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4), final).double()
    wrapped.load_state_dict(logit.state_dict())
    X = torch.randn(80, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    y = (X[:, 0] > 0).long() + 2 * (X[:, 1] > 0).long()  # four quadrants, four classes
    log_probabilities = (
        (lambda out: out) if isinstance(final, nn.LogSoftmax) else (lambda out: out.log())
    )
    capfd.readouterr()
    rec = Recorder(wrapped, X, y)
    kind = type(final).__name__
    assert capfd.readouterr().err == (
        f"nnviz: the model ends in nn.{kind}: recorded as the logit model it wraps (the same "
        "network; nnviz applies the softmax)\n"
    )
    rec_logit = Recorder(logit, X, y)
    assert capfd.readouterr().err == ""
    optimizer = torch.optim.Adam(wrapped.parameters(), lr=0.05)
    nll = nn.NLLLoss()
    expected = []
    for _ in range(6):
        with torch.no_grad():
            out = wrapped(X)
            expected.append(
                (float(nll(log_probabilities(out), y)),
                 float((out.argmax(1) == y).double().mean()))
            )  # fmt: skip
        optimizer.zero_grad()
        nll(log_probabilities(wrapped(X)), y).backward()
        optimizer.step()
        logit.load_state_dict({k: v for k, v in wrapped.state_dict().items()})
        rec.log()
        rec_logit.log()
    run = load_run(rec.save(tmp_path / "softmax.npz"))
    theirs = load_run(rec_logit.save(tmp_path / "logits.npz"))
    assert run.config == theirs.config and run.config.classes == 4
    np.testing.assert_allclose(run.loss[:6], [loss for loss, _ in expected], rtol=1e-12)
    np.testing.assert_array_equal(run.accuracy[:6], [right for _, right in expected])
    np.testing.assert_array_equal(run.loss, theirs.loss)
    assert run.loss[-1] < run.loss[0]


def test_two_output_logits_are_a_softmax_of_two_classes() -> None:
    X = torch.randn(30, 2, generator=torch.Generator().manual_seed(0))
    y = (X[:, 0] > 0).long()
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 2))  # float32
    rec = Recorder(model, X, y)
    run = rec.run()
    assert (run.config.output, run.config.classes, run.W[-1].shape) == ("softmax", 2, (1, 2, 3))
    with torch.no_grad():
        expected = nn.functional.cross_entropy(model.double()(X.double()), y)
    assert run.loss[0] == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize(
    ("y", "options", "message"),
    [
        (lambda y: y, {"class_names": ("a", "b")},
         r"class_names holds 2 names \(a, b\) for 3 classes"),
        (lambda y: nn.functional.one_hot(y, 3), {},
         r"y must hold class indices, shape \(60,\), not one-hot rows \(60, 3\): pass "
         r"y.argmax\(1\)"),
        (lambda y: y + 1, {}, r"y must hold the class indices 0 to 2 of the model's 3 outputs"),
        (lambda y: y * 0.5, {}, r"y must hold the class indices 0 to 2"),
        (lambda y: torch.where(y == 1, 0, y), {},
         r"y: class 1 has no training point; each of the 3 classes needs one"),
        (lambda y: y, {"test": np.arange(60) % 3 != 0},
         r"test must hold out some points and at most 0.5"),
        (lambda y: y, {"test": (np.arange(60) % 3 != 2) & (np.arange(60) < 20)},
         r"the test points must hold every one of the 3 classes"),
    ],
)  # fmt: skip
def test_k_class_data_the_recorder_cannot_take_is_one_line(y, options: dict, message: str) -> None:
    X = torch.randn(60, 2, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    labels = torch.arange(60) % 3
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 3))
    with pytest.raises(ValueError, match=message) as caught:
        Recorder(model, X, y(labels), **options)
    assert "\n" not in str(caught.value)


# --- the command line ----------------------------------------------------------------------


def invoke(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from nnviz.cli import cli

    result = CliRunner().invoke(cli, list(args), prog_name="nnviz")
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result.exit_code, result.stdout, result.stderr


def one_line(code: int, err: str, message: str, prefix: str = "nnviz: ") -> None:
    assert code != 0 and err.count("\n") == 1 and err.startswith(prefix), err
    assert message in err and "Traceback" not in err, err


def _three_labels(path: Path) -> Path:
    """Six points of each of three species, named in the file out of order."""
    rows = [f"{x},{x % 3 + 0.5 * k},{name}" for k, name in enumerate(("c", "a", "b"))
            for x in range(6)]  # fmt: skip
    path.write_text("length,width,species\n" + "\n".join(rows) + "\n")
    return path


def test_train_and_inspect_a_k_class_run(tmp_path: Path) -> None:
    code, out, err = invoke("train", "--dataset", "blobs", "--classes", "4", "--epochs", "3",
                            "--samples", "40", "--out", str(tmp_path / "b.npz"))  # fmt: skip
    assert code == 0, err
    run = load_run(tmp_path / "b.npz")
    assert (run.config.classes, run.config.output, run.W[-1].shape) == (4, "softmax", (4, 4, 2))
    code, out, err = invoke("inspect", str(tmp_path / "b.npz"))
    assert code == 0, err
    rows = dict(line.split(None, 1) for line in out.splitlines() if " " in line)
    assert rows["output"] == "softmax" and rows["classes"] == "4"
    assert list(rows).index("classes") == list(rows).index("output") + 1


def test_train_a_csv_of_three_labels(tmp_path: Path) -> None:
    data = _three_labels(tmp_path / "three.csv")
    code, out, err = invoke("train", "--data", str(data), "--hidden", "3", "--epochs", "4",
                            "--test-fraction", "0.34",
                            "--out", str(tmp_path / "t.npz"))  # fmt: skip
    assert code == 0, err
    run = load_run(tmp_path / "t.npz")
    assert run.config.class_names == ("a", "b", "c")  # sorted, not in the file's order
    assert (run.config.classes, run.config.output) == (3, "softmax")
    np.testing.assert_array_equal(run.y, np.repeat([2, 0, 1], 6))
    assert run.test is not None and all(np.count_nonzero(run.test & (run.y == c)) == 2
                                        for c in range(3))  # fmt: skip
    code, out, err = invoke("inspect", str(tmp_path / "t.npz"))
    rows = dict(line.split(None, 1) for line in out.splitlines() if " " in line)
    assert rows["classes"] == "3" and rows["class_names"] == "a,b,c"
    # two classes of the same file: the sigmoid unless softmax is asked for
    two = tmp_path / "two.csv"
    two.write_text("\n".join(data.read_text().splitlines()[:13]) + "\n")
    for extra, output in (([], "sigmoid"), (["--output", "softmax"], "softmax")):
        code, _, err = invoke("train", "--data", str(two), "--epochs", "2", *extra,
                              "--out", str(tmp_path / f"{output}.npz"))  # fmt: skip
        assert code == 0, err
        assert load_run(tmp_path / f"{output}.npz").config.output == output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "blobs", "--classes", "7"], "nnviz: --classes must be at most 6, got 7"),
        (["--dataset", "blobs", "--classes", "3", "--output", "sigmoid"],
         "nnviz: --output sigmoid tells 2 classes apart, not 3 (softmax tells 2 to 6)"),
        (["--classes", "3"],
         "nnviz: --classes 3: the seed data set has 2 classes (spiral and blobs take 2 to 6)"),
        (["--dataset", "moons", "--classes", "2", "--output", "softmax", "--classes", "5"],
         "nnviz: --classes 5: the moons data set has 2 classes"),
        (["--dataset", "spiral", "--classes", "4", "--samples", "3"],
         "nnviz: --samples must be at least the 4 classes (a point of each), got 3"),
        (["--dataset", "blobs", "--classes", "3", "--samples", "5", "--test-fraction", "0.2"],
         "nnviz: --test-fraction needs at least 6 samples (2 of each class)"),
        (["--data", "three.csv", "--output", "sigmoid"],
         "nnviz: --output sigmoid tells 2 classes apart, not 3"),
        (["--data", "three.csv", "--classes", "3"],
         "nnviz train: --data and --classes exclude each other: the CSV file gives the "
         "classes, one per distinct label (see 'nnviz train --help')"),
        (["--data", "three.csv", "--classes", "2"],
         "nnviz train: --data and --classes exclude each other"),
    ],
)  # fmt: skip
def test_bad_classes_on_the_command_line_are_one_line_before_training(
    args: list[str], message: str, tmp_path: Path
) -> None:
    _three_labels(Path("three.csv"))
    code, out, err = invoke("train", *args, "--out", str(tmp_path / "r.npz"))
    one_line(code, err, message, prefix=message.split(":")[0] + ":")
    assert not (tmp_path / "r.npz").exists() and out == ""


def test_a_csv_of_seven_labels_is_one_line(tmp_path: Path) -> None:
    seven = tmp_path / "seven.csv"
    seven.write_text("".join(f"{k},{k % 3},{name}\n" for k, name in enumerate("ABCDEFGA")))
    code, _, err = invoke("train", "--data", str(seven), "--out", str(tmp_path / "r.npz"))
    one_line(code, err, f"nnviz: {seven}: 7 classes (A, B, C, D, E, F, G); nnviz learns 2 to "
                        "6 classes")  # fmt: skip
    assert code == 1 and not (tmp_path / "r.npz").exists()


BLOG_REFUSAL = (
    "nnviz: the blog layout is the post's binary figure; nnviz render draws softmax outputs "
    "in its default layout\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ["--dataset", "blobs", "--classes", "3", "--layout", "blog"],
        ["--dataset", "spiral", "--output", "softmax", "--layout", "blog"],
        ["--dataset", "blobs", "--classes", "6", "--seed-grid", "--layout", "blog"],
    ],
)
def test_render_refuses_the_blog_layout_of_softmax_runs_in_one_line_before_training(
    args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default layout draws softmax runs; the blog layout, the post's binary figure, is
    refused in one line, before any training."""
    monkeypatch.delenv("NNVIZ_RUNS_DIR", raising=False)
    code, out, err = invoke("render", *args)
    assert code == 1 and out == "" and err == BLOG_REFUSAL
    assert not Path("media").exists()  # nothing trained, nothing drawn


def test_render_refuses_a_softmax_run_file_in_the_blog_layout_only(
    blobs_run: Run, tmp_path: Path
) -> None:
    from types import SimpleNamespace

    from nnviz.stories.base import NNVizScene
    from nnviz.stories.training import SingleRunStory, TrainingPhase

    path = save_run(blobs_run, tmp_path / "three.npz")
    code, out, err = invoke("render", "--run", str(path), "--layout", "blog")
    assert code == 1 and out == "" and err == BLOG_REFUSAL
    assert not Path("media").exists()
    scene = SimpleNamespace(run_file=str(path), training=TrainingPhase(layout="blog"))
    with pytest.raises(SystemExit, match=r"the blog layout is the post's binary figure"):
        SingleRunStory.story_run(scene)  # type: ignore[arg-type]
    scene = SimpleNamespace(run_file=str(path), training=TrainingPhase())
    assert SingleRunStory.story_run(scene).config == blobs_run.config  # type: ignore[arg-type]
    # Every story's runs are checked before training: a story in the blog layout refuses.
    story = SimpleNamespace(base_config=RunConfig(dataset="spiral", classes=4))
    with pytest.raises(SystemExit, match=r"the blog layout is the post's binary figure"):
        NNVizScene.run_for(story, layout="blog", lr=0.1)  # type: ignore[arg-type]
    assert not Path("media").exists()


def test_the_iris_example_reads_as_three_classes_of_fifty() -> None:
    """numpy's own parser is the oracle for the numbers; the species are the classes."""
    from nnviz.csv_data import read_csv_data

    path = Path(__file__).parents[1] / "examples" / "iris.csv"
    data = read_csv_data(path)
    X = np.loadtxt(path, delimiter=",", skiprows=1, usecols=(0, 1))
    species = np.loadtxt(path, delimiter=",", skiprows=1, usecols=2, dtype=str)
    np.testing.assert_array_equal(data.X, X)
    assert data.class_names == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(data.y, np.searchsorted(data.class_names, species))
    assert np.all(np.bincount(data.y) == 50)
    assert data.feature_names == ("petal length (cm)", "petal width (cm)")


def test_the_readmes_k_class_recorder_example_runs_as_written() -> None:
    """The README's block, run as written: its run file holds the softmax of three classes,
    and its last logged loss is torch's cross-entropy of the trained model (the oracle)."""
    import re

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- test: recorder-classes-example\b[^\n]*-->\n```python\n(.*?)```",
                      readme, re.DOTALL)  # fmt: skip
    assert found is not None
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        names: dict[str, object] = {}
        exec(compile(found.group(1), "README.md", "exec"), names)  # the README, as written
    finally:
        torch.set_num_threads(threads)
    run = load_run("my_classes.npz")
    assert (run.config.output, run.config.classes, run.epochs) == ("softmax", 3, 60)
    assert run.config.class_names == ("south-west", "east", "north-west")
    model, X, y = names["model"], names["X"], names["y"]
    assert isinstance(model, nn.Module) and isinstance(X, torch.Tensor)
    assert isinstance(y, torch.Tensor)
    with torch.no_grad():
        expected = nn.functional.cross_entropy(model.double()(X.double()), y)
    assert run.loss[-1] == pytest.approx(float(expected), rel=1e-12)
    assert run.accuracy[-1] > 0.9


def test_a_two_class_run_trains_to_the_same_file_as_before_classes(tmp_path: Path) -> None:
    """``schema2_two_classes.npz`` was trained by nnviz before issue 21: its configuration,
    trained again now, gives the same arrays bit for bit and the same JSON (so the same cache
    key) in the same schema."""
    before = FIXTURES / "schema2_two_classes.npz"
    config = load_run(before).config
    again = save_run(train(config), tmp_path / "again.npz")
    old, new = _arrays(before), _arrays(again)
    assert sorted(old) == sorted(new)
    for key in old:
        if key != "config":
            assert old[key].dtype == new[key].dtype and np.array_equal(old[key], new[key]), key
    old_meta, new_meta = (json.loads(str(a["config"])) for a in (old, new))
    for meta in (old_meta, new_meta):
        meta.pop("nnviz_version")  # the only field that may differ
    assert old_meta == new_meta and new_meta["schema"] == 2
    assert config.key() == RunConfig.from_dict(old_meta["config"]).key()
