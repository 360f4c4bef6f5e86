"""The recorder of your own torch loop: the same run file as ``nnviz train``, refusals, and a
model that stays untouched."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from nnviz import Recorder
from nnviz.cache import cached_run
from nnviz.config import EXTERNAL, RunConfig
from nnviz.run_file import load_run
from nnviz.train import build_model, load_points, train


def _data(n: int = 40) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    X = torch.randn(n, 2, generator=generator, dtype=torch.float64)
    return X, (X[:, 0] * X[:, 1] > 0).double()


@pytest.mark.parametrize(
    ("hidden", "activation"), [((2,), "relu"), ((3, 2), ("tanh", "leaky_relu"))]
)
def test_the_run_file_equals_what_nnviz_train_writes(
    hidden: tuple[int, ...], activation: str | tuple[str, ...], tmp_path: Path
) -> None:
    """Full-batch plain SGD by hand on the same model and data: the same arrays as train()."""
    config = RunConfig(hidden=hidden, activation=activation, optimizer="sgd", lr=0.1,
                       batch_size=None, max_epochs=15, target_loss=0.0)  # fmt: skip
    expected = train(config)
    X_np, y_np = load_points(config)
    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np.astype(np.float64))
    model = build_model(config)
    optimizer = torch.optim.SGD(model.parameters(), lr=config.lr)
    rec = Recorder(model, X, y)
    for _ in range(config.max_epochs):
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(model(X).squeeze(1), y).backward()
        optimizer.step()
        rec.log()
    run = load_run(rec.save(tmp_path / "mine.npz"))
    assert run.stop_reason == "external" and run.epochs == expected.epochs == 15
    assert run.config.dataset == run.config.optimizer == EXTERNAL
    assert run.config.hidden == config.hidden and run.config.activation == config.activation
    assert run.config.samples == 400 and run.config.max_epochs == 15
    for mine, theirs in zip((*run.W, *run.b), (*expected.W, *expected.b), strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.loss, expected.loss, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(run.accuracy, expected.accuracy)
    np.testing.assert_array_equal(run.X, expected.X)
    np.testing.assert_array_equal(run.y, expected.y)
    assert "recorded from your own training loop" in run.describe_stop()


def test_the_model_and_its_gradients_stay_as_they_were() -> None:
    X, y = _data()
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)).float()
    model.eval()
    nn.functional.binary_cross_entropy_with_logits(
        model(X.float()).squeeze(1), y.float()
    ).backward()
    before = [(p.detach().clone(), p.grad.clone(), p.dtype, p.requires_grad)
              for p in model.parameters()]  # fmt: skip
    rec = Recorder(model, X, y)
    rec.log()
    rec.run()
    assert not model.training
    for p, (value, grad, dtype, requires_grad) in zip(model.parameters(), before, strict=True):
        assert torch.equal(p.detach(), value) and p.grad is not None and torch.equal(p.grad, grad)
        assert p.dtype == dtype and p.requires_grad == requires_grad
    # a snapshot is a copy: later training does not change it
    with torch.no_grad():
        model[0].weight.add_(1.0)
    run = rec.run()
    np.testing.assert_allclose(run.W[0][0], before[0][0].double().numpy(), atol=0)
    assert run.W[0].dtype == np.float64


def test_float32_models_on_any_data_type_and_without_biases() -> None:
    X, y = _data()
    model = nn.Sequential(nn.Linear(2, 2, bias=False), nn.ReLU(inplace=True), nn.Linear(2, 2),
                          nn.Linear(2, 1))  # fmt: skip
    rec = Recorder(model, X.numpy().tolist(), y.numpy()[:, None])
    run = rec.run()
    assert run.config.activation == ("relu", "linear")
    assert run.config.hidden == (2, 2)
    assert not run.b[0].any() and run.epochs == 0 and run.config.max_epochs == 1


def test_a_test_mask_logs_both_sets(tmp_path: Path) -> None:
    X, y = _data()
    test = np.zeros(len(y), dtype=bool)
    test[np.flatnonzero(y.numpy() == 0)[:4]] = True
    test[np.flatnonzero(y.numpy() == 1)[:4]] = True
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1)).double()
    rec = Recorder(model, X, y, test=test)
    rec.log()
    run = load_run(rec.save(tmp_path / "t.npz"))
    assert run.config.test_fraction == pytest.approx(0.2)
    assert run.test is not None and run.test.sum() == 8
    assert run.test_loss is not None and run.test_loss.shape == (2,)
    with torch.no_grad():
        logits = model(X[test]).squeeze(1)
        expected = nn.functional.binary_cross_entropy_with_logits(logits, y[test])
    assert run.test_loss[-1] == pytest.approx(float(expected), abs=1e-12)


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Dropout(), nn.Linear(2, 1)),
         "module 2 (Dropout) is not supported; nnviz draws nn.Linear layers and the activations "
         "relu, tanh, sigmoid, linear, leaky_relu"),
        (nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU(1.5), nn.Linear(2, 1)),
         "module 1 (LeakyReLU) has negative_slope=1.5; nnviz's leaky_relu takes a "
         "negative_slope above 0 and below 1"),
        (nn.Sequential(nn.Linear(2, 2), nn.LeakyReLU(0), nn.Linear(2, 1)),
         "module 1 (LeakyReLU) has negative_slope=0; nnviz's leaky_relu takes a "
         "negative_slope above 0"),
        (nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1)),
         "module 0 (Linear) takes 3 inputs; nnviz draws networks of 2 inputs"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 7)),
         "module 2 (Linear) has 7 outputs; nnviz draws one output logit (two classes, "
         "sigmoid) or 2 to 6, one per class (softmax)"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1), nn.Tanh()),
         "module 3 (Tanh) comes after the last nn.Linear; the model must end with its output "
         "logits, nn.Linear(..., 1) or nn.Linear(..., k), or with them through nn.Sigmoid() "
         "(one logit) or nn.Softmax(dim=-1) (k logits)"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 2), nn.Sigmoid()),
         "module 3 (Sigmoid) follows 2 output logits; nnviz records a final nn.Sigmoid after "
         "one logit (two classes)"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1), nn.Softmax(dim=-1)),
         "module 3 (Softmax) follows 1 output logit; nnviz records a final nn.Sigmoid after "
         "one logit (two classes) and nn.Softmax(dim=-1) or nn.LogSoftmax(dim=-1) after 2 or "
         "more"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3), nn.Softmax(dim=0)),
         "module 3 (Softmax) has dim=0; nnviz records a final nn.Softmax over the classes, "
         "nn.Softmax(dim=-1)"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 3), nn.LogSoftmax()),
         "module 3 (LogSoftmax) has dim=None; nnviz records a final nn.LogSoftmax over the "
         "classes"),
        (nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Softmax(dim=-1)),
         "module 2 (Softmax) is not right after an nn.Linear; nnviz records nn.Softmax(dim=-1) "
         "only as the last module"),
        (nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=1), nn.Linear(3, 3)),
         "module 1 (Softmax) is not supported; nnviz draws nn.Linear layers and the "
         "activations"),
        (nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Sigmoid()),
         "module 2 (Sigmoid) follows another activation"),
        (nn.Sequential(nn.Linear(2, 9), nn.ReLU(), nn.Linear(9, 1)),
         "hidden layer 1 has 9 units; nnviz draws layers of 1 to 8"),
        (nn.Sequential(*[m for _ in range(4) for m in (nn.Linear(2, 2), nn.Tanh())],
                       nn.Linear(2, 1)),
         "the model has 4 hidden layers; nnviz draws 1 to 3"),
        (nn.Sequential(nn.Linear(2, 1)), "the model has 0 hidden layers"),
        (nn.Sequential(nn.Tanh(), nn.Linear(2, 1)), "module 0 (Tanh) comes before"),
        (nn.Sequential(nn.Linear(2, 2), nn.Tanh(), nn.ReLU(), nn.Linear(2, 1)),
         "module 2 (ReLU) follows another activation"),
        (nn.Linear(2, 1), "the model is a Linear; nnviz records an nn.Sequential"),
    ],
)  # fmt: skip
def test_models_nnviz_cannot_draw_are_refused_in_one_line(model: nn.Module, message: str) -> None:
    X, y = _data()
    with pytest.raises(ValueError) as error:
        Recorder(model, X, y)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.zeros((5, 3)), np.zeros(5), "X must have shape (N, 2)"),
        (np.zeros((5, 2)), np.zeros(4), "y must have shape (5,)"),
        (np.full((5, 2), np.nan), np.zeros(5), "X must be finite"),
        (np.zeros((5, 2)), np.full(5, 2.0), "y must hold labels 0 or 1"),
        (np.zeros((1, 2)), np.zeros(1), "X must hold 2 to 100000 points"),
    ],
)
def test_bad_data_is_refused(X: np.ndarray, y: np.ndarray, message: str) -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Recorder(model, X, y)


def test_a_diverged_state_is_refused_and_the_earlier_ones_kept() -> None:
    X, y = _data()
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    rec = Recorder(model, X, y)
    with torch.no_grad():
        model[0].weight.fill_(float("nan"))
    with pytest.raises(ValueError, match="epoch 1: the weights are not finite"):
        rec.log()
    assert rec.epochs == 0 and rec.run().epochs == 0


def test_an_external_run_is_never_retrained() -> None:
    config = RunConfig(dataset=EXTERNAL, optimizer=EXTERNAL)
    with pytest.raises(ValueError, match="run file only"):
        load_points(config)
    with pytest.raises(ValueError, match="run file only"):
        train(config)
    with pytest.raises(ValueError, match="renders from its run file"):
        cached_run(config)


def test_nnviz_and_its_command_line_import_torch_only_for_the_recorder() -> None:
    import subprocess
    import sys

    code = (
        "import sys, nnviz, nnviz.cli; nnviz.__version__\n"
        "assert 'torch' not in sys.modules, 'torch imported by nnviz or nnviz.cli'\n"
        "from nnviz import Recorder\n"
        "assert Recorder.__module__ == 'nnviz.recorder' and 'torch' in sys.modules\n"
        "try:\n    nnviz.Nothing\nexcept AttributeError:\n    pass\n"
        "else:\n    raise AssertionError('nnviz.Nothing exists')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


class _DoubledOutput(nn.Sequential):
    """Computes twice what its modules do: not the MLP its modules describe."""

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return 2 * super().forward(input)


class _ShiftedLinear(nn.Linear):
    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return super().forward(input) + 1


class _Builds(nn.Sequential):
    """A subclass that only builds its modules: the accepted custom form."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))


def _mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))


def _with_hook(register: str, where: int | None, **options: object) -> nn.Sequential:
    model = _mlp()
    module = model if where is None else model[where]
    hooks = {
        "register_forward_hook": lambda *args: None,
        "register_forward_pre_hook": lambda *args: None,
    }
    getattr(module, register)(hooks[register], **options)
    return model


def _with_own_forward(index: int) -> nn.Sequential:
    model = _mlp()
    model[index].forward = torch.relu  # type: ignore[method-assign,assignment]
    return model


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: _DoubledOutput(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1)),
         "the model's class _DoubledOutput defines its own forward; nnviz records an "
         "nn.Sequential that runs its modules in order"),
        (lambda: nn.Sequential(_ShiftedLinear(2, 3), nn.Tanh(), nn.Linear(3, 1)),
         "module 0 (_ShiftedLinear) is a subclass of nn.Linear, which may compute something "
         "else; nnviz draws nn.Linear itself"),
        (lambda: _with_hook("register_forward_hook", 0),
         "module 0 (Linear) has a forward hook, which may change what it computes"),
        (lambda: _with_hook("register_forward_hook", 2, with_kwargs=True, always_call=True),
         "module 2 (Linear) has a forward hook"),
        (lambda: _with_hook("register_forward_pre_hook", 1),
         "module 1 (Tanh) has a forward pre-hook"),
        (lambda: _with_hook("register_forward_pre_hook", None, with_kwargs=True),
         "the model has a forward pre-hook"),
        (lambda: _with_own_forward(1),
         "module 1 (Tanh) has its own forward, set on the object; nnviz draws what nn.Tanh "
         "computes"),
    ],
)  # fmt: skip
def test_models_that_compute_other_than_their_layers_are_refused_in_one_line(
    make: Callable[[], nn.Module], message: str
) -> None:
    X, y = _data()
    with pytest.raises(ValueError) as error:
        Recorder(make(), X, y)
    assert str(error.value).startswith(message) and "\n" not in str(error.value)


@pytest.mark.parametrize("register", ["register_module_forward_hook",
                                      "register_module_forward_pre_hook"])  # fmt: skip
def test_a_global_forward_hook_is_refused_in_one_line(register: str) -> None:
    from torch.nn.modules import module as torch_module

    X, y = _data()
    handle = getattr(torch_module, register)(lambda *args: None)
    try:
        with pytest.raises(ValueError) as error:
            Recorder(_mlp(), X, y)
    finally:
        handle.remove()
    what = "forward pre-hook" if "pre" in register else "forward hook"
    assert str(error.value).startswith(f"a global {what} is registered (torch.nn.modules."
                                       f"module.{register})")  # fmt: skip
    assert "\n" not in str(error.value)
    Recorder(_mlp(), X, y)  # once removed, the same model is recorded


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda model: model[2].register_forward_hook(lambda *args: None),
         "epoch 2: module 2 (Linear) has a forward hook"),
        (lambda model: model.register_forward_pre_hook(lambda *args: None),
         "epoch 2: the model has a forward pre-hook"),
        (lambda model: model.__setitem__(1, nn.ReLU()),
         "epoch 2: the model's modules changed since Recorder(...)"),
        (lambda model: model.__setitem__(1, nn.Tanh()),
         "epoch 2: the model's modules changed since Recorder(...)"),
    ],
)  # fmt: skip
def test_a_hook_or_a_module_added_later_is_refused_at_log(
    change: Callable[[nn.Sequential], object], message: str
) -> None:
    X, y = _data()
    model = _mlp()
    rec = Recorder(model, X, y)
    rec.log()
    change(model)
    with pytest.raises(ValueError) as error:
        rec.log()
    assert str(error.value).startswith(message) and "\n" not in str(error.value)
    assert rec.epochs == 1  # the states before stay


def test_legitimate_models_are_still_recorded() -> None:
    """A subclass that only builds its modules, a hook removed before recording, a backward
    hook (it changes no forward value) and a layer used twice: their loss is the model's own,
    by torch's forward pass (the oracle)."""
    X, y = _data()
    removed = _mlp()
    removed[0].register_forward_hook(lambda *args: None).remove()
    backward = _mlp()
    backward[0].register_full_backward_hook(lambda *args: None)
    shared = nn.Linear(2, 2)
    twice = nn.Sequential(nn.Linear(2, 2), nn.Tanh(), shared, nn.Tanh(), shared, nn.Linear(2, 1))
    for model in (_Builds(), removed, backward, twice):
        model = model.double()
        rec = Recorder(model, X, y)
        with torch.no_grad():
            expected = nn.functional.binary_cross_entropy_with_logits(model(X).squeeze(1), y)
        assert rec.log() == pytest.approx(float(expected), abs=1e-12)
    assert rec.run().config.hidden == (2, 2, 2)


# --- the habits of a tutorial loop: nn.Sigmoid + nn.BCELoss, nn.LeakyReLU(), steps ----------


def _tutorial_models() -> tuple[nn.Sequential, nn.Sequential]:
    """The same network twice, float64: ending in a logit, and ending in ``nn.Sigmoid()``."""
    torch.manual_seed(4)
    logit = nn.Sequential(nn.Linear(2, 4), nn.LeakyReLU(), nn.Linear(4, 1)).double()
    wrapped = nn.Sequential(nn.Linear(2, 4), nn.LeakyReLU(), nn.Linear(4, 1), nn.Sigmoid())
    wrapped.double()
    wrapped.load_state_dict(logit.state_dict())
    return logit, wrapped


def test_a_final_sigmoid_trained_with_bce_loss_is_recorded_as_its_logit_model(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """Each model trained by its own loss (nn.BCELoss on the probabilities, nn.BCEWithLogitsLoss
    on the logits): the same weights recorded, and the recorded loss and accuracy of each
    state equal to torch's nn.BCELoss and the 0.5 threshold on the Sigmoid model's own output
    (the oracle)."""
    X, y = _data(60)
    logit, wrapped = _tutorial_models()
    capfd.readouterr()
    rec_logit = Recorder(logit, X, y)
    assert capfd.readouterr().err == ""
    rec = Recorder(wrapped, X, y)
    err = capfd.readouterr().err
    assert err == ("nnviz: the model ends in nn.Sigmoid: recorded as the logit model it wraps "
                   "(the same network; nnviz applies the sigmoid)\n")  # fmt: skip
    assert rec.sigmoid_output and not rec_logit.sigmoid_output
    optimizers = [torch.optim.SGD(m.parameters(), lr=0.5) for m in (logit, wrapped)]
    bce, bce_logits = nn.BCELoss(), nn.BCEWithLogitsLoss()

    def oracle() -> tuple[float, float]:
        with torch.no_grad():
            p = wrapped(X).squeeze(1)
            return float(bce(p, y)), float(((p > 0.5).double() == y).double().mean())

    expected = [oracle()]
    for _ in range(8):
        for optimizer in optimizers:
            optimizer.zero_grad()
        bce_logits(logit(X).squeeze(1), y).backward()
        bce(wrapped(X).squeeze(1), y).backward()
        for optimizer in optimizers:
            optimizer.step()
        rec_logit.log()
        rec.log()
        expected.append(oracle())
    assert capfd.readouterr().err == ""  # said once, at Recorder(...)
    run = load_run(rec.save(tmp_path / "sigmoid.npz"))
    theirs = load_run(rec_logit.save(tmp_path / "logit.npz"))
    assert run.config.hidden == (4,) and run.config.activation == "leaky_relu:0.01"
    assert run.config == theirs.config
    for mine, other in zip((*run.W, *run.b), (*theirs.W, *theirs.b), strict=True):
        np.testing.assert_allclose(mine, other, rtol=0, atol=1e-12)
    np.testing.assert_allclose(run.W[-1][-1], wrapped[2].weight.detach().numpy(), atol=0)
    losses, accuracies = np.array(expected).T
    np.testing.assert_allclose(run.loss, losses, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(run.accuracy, accuracies)
    np.testing.assert_allclose(theirs.loss, run.loss, rtol=1e-12, atol=0)
    assert losses[-1] < 0.9 * losses[0]  # it trained


def test_removing_the_final_sigmoid_later_is_refused_at_log() -> None:
    X, y = _data()
    _, wrapped = _tutorial_models()
    rec = Recorder(wrapped, X, y)
    del wrapped[3]
    with pytest.raises(ValueError, match=r"^epoch 1: the model's modules changed"):
        rec.log()


@pytest.mark.parametrize(
    ("module", "name", "slope"),
    [
        (nn.LeakyReLU(), "leaky_relu:0.01", 0.01),
        (nn.LeakyReLU(0.2), "leaky_relu:0.2", 0.2),
        (nn.LeakyReLU(0.1, inplace=True), "leaky_relu", 0.1),
    ],
)
def test_leaky_relus_are_recorded_with_their_slopes(
    module: nn.Module, name: str, slope: float, tmp_path: Path
) -> None:
    """The slope is in the run file, and the recorded loss is the model's own (torch's
    forward pass through the model itself, the oracle), which another slope would miss."""
    X, y = _data()
    torch.manual_seed(2)
    model = nn.Sequential(nn.Linear(2, 3), module, nn.Linear(3, 1)).double()
    with torch.no_grad():
        model[0].bias.fill_(-0.5)  # most pre-activations negative: the slope matters
    rec = Recorder(model, X, y)
    run = load_run(rec.save(tmp_path / "leaky.npz"))
    assert run.config.activation == name
    with torch.no_grad():
        expected = nn.functional.binary_cross_entropy_with_logits(model(X).squeeze(1), y)
    assert run.loss[0] == pytest.approx(float(expected), rel=1e-12)
    from nnviz.activations import activation

    assert activation(run.config.activation).torch_layer[1] == {"negative_slope": slope}


def test_a_run_logged_every_ten_steps_counts_steps(tmp_path: Path) -> None:
    X, y = _data()
    model = _mlp().double()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    rec = Recorder(model, X, y, unit="step", every=10)
    for step in range(1, 51):
        optimizer.zero_grad()
        nn.functional.binary_cross_entropy_with_logits(model(X).squeeze(1), y).backward()
        optimizer.step()
        if step % 10 == 0:
            rec.log()
    run = load_run(rec.save(tmp_path / "steps.npz"))
    assert (run.unit, run.every, run.epochs, run.last_count) == ("step", 10, 5, 50)
    assert run.config.max_epochs == 5 and run.count_limit == 50
    assert run.describe_stop() == (
        "recorded from your own training loop, 50 steps (logged every 10)")  # fmt: skip
    np.testing.assert_allclose(run.W[0][-1], model[0].weight.detach().numpy(), atol=0)
    with torch.no_grad():
        model[0].weight.fill_(float("nan"))
    with pytest.raises(ValueError, match=r"^step 60: the weights are not finite"):
        rec.log()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit": "batch"}, "unit must be one of epoch, step, got 'batch'"),
        ({"unit": "step", "every": 0}, "every must be a whole number from 1 to 10000, got 0"),
        ({"every": 2.5}, "every must be a whole number"),
        ({"every": True}, "every must be a whole number"),
    ],
)
def test_unknown_units_are_refused(options: dict[str, object], message: str) -> None:
    X, y = _data()
    with pytest.raises(ValueError, match=message):
        Recorder(_mlp(), X, y, **options)  # type: ignore[arg-type]
