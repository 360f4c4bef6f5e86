"""Training: the only module (with :mod:`nnviz.recorder`) that imports torch.

Builds the network of the configuration (2 inputs, its hidden layers, and its output head:
one sigmoid unit, or k softmax units), trains it on the head's cross-entropy (binary for the
sigmoid, ``nn.CrossEntropyLoss`` on integer labels for softmax) as the post's Keras notebook
did (Adam, Glorot-uniform weights and zero biases, ε = 1e-7, mini-batches of 32 shuffled every
epoch, the loss on the training points evaluated before each epoch) and logs the weights, loss
and accuracy of every epoch (epoch 0 is the initial state); with a test set, its loss and
accuracy too.

Other optimizers are torch's own (:data:`OPTIMIZERS`); ``weight_decay`` is their
``weight_decay`` (an L2 term added to the gradient), ``l1`` adds ``l1 · Σ|w|`` over the weight
matrices (not the biases) to the training objective. The logged losses are the head's
cross-entropy alone, so that runs with and without a penalty compare, and the stop rule reads
the same number. With ``standardize`` the network trains on the inputs scaled to mean 0 and
variance 1 (over the training points) and every state is logged as the same function of the
unscaled inputs (:func:`_in_data_units`), so the pictures stay in the data's units.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from nnviz.activations import activation
from nnviz.config import EXTERNAL, ConfigError, RunConfig
from nnviz.data import classes_without_points, data_seed_of, make_dataset, split_test
from nnviz.heads import head
from nnviz.run import Run

__all__ = [
    "DIVERGENCE_FACTOR",
    "OPTIMIZERS",
    "build_model",
    "input_scaling",
    "logit_metrics",
    "make_optimizer",
    "train",
]

#: Training counts as diverged when the whole-data loss exceeds this multiple of the initial loss.
DIVERGENCE_FACTOR = 10.0


#: Called after every logged epoch with (epoch, loss).
ProgressCallback = Callable[[int, float], None]

#: Each optimizer of :data:`nnviz.config.OPTIMIZERS` as torch's class and its settings beyond
#: the learning rate and weight decay.
OPTIMIZERS: dict[str, tuple[str, dict[str, float]]] = {
    "adam": ("Adam", {}),
    "sgd": ("SGD", {}),
    "momentum": ("SGD", {"momentum": 0.9}),
    "rmsprop": ("RMSprop", {}),
}


def make_optimizer(config: RunConfig, parameters: Any) -> torch.optim.Optimizer:
    """Return the torch optimizer of ``config`` over ``parameters``."""
    if config.optimizer == EXTERNAL:
        raise ValueError("a run of your own training loop is not trained by nnviz")
    name, settings = OPTIMIZERS[config.optimizer]
    options: dict[str, Any] = {"lr": config.lr, "weight_decay": config.weight_decay, **settings}
    if config.optimizer == "adam":
        # The fused kernel updates all parameters at once: the same numbers, a third less time.
        options.update(eps=config.adam_epsilon, fused=True)
    optimizer: torch.optim.Optimizer = getattr(torch.optim, name)(parameters, **options)
    return optimizer


def activation_module(name: str) -> nn.Module:
    """Return a new ``torch.nn`` module of the registry's activation ``name``."""
    layer, kwargs = activation(name).torch_layer
    module: nn.Module = getattr(nn, layer)(**kwargs)
    return module


def build_model(config: RunConfig) -> nn.Sequential:
    """Return the network ``Linear(2, h_1) -> a_1 -> … -> Linear(h_L, u)`` in float64, where
    ``u`` is the output head's units (1 for a sigmoid, k for softmax).

    The outputs are logits; the sigmoid or softmax is applied inside the loss for numerical
    stability.
    Initial weights derive from ``config.seed``: with ``init="glorot"`` (Keras's default)
    every weight matrix is Glorot-uniform, U(±sqrt(6 / (fan_in + fan_out))), and every bias
    zero; with ``init="torch"`` they are PyTorch's ``nn.Linear`` defaults.
    """
    torch.manual_seed(config.seed)
    widths = config.widths
    modules: list[nn.Module] = []
    for k, name in enumerate(config.activations):
        modules += [nn.Linear(widths[k], widths[k + 1]), activation_module(name)]
    modules.append(nn.Linear(widths[-2], widths[-1]))
    model = nn.Sequential(*modules).double()
    if config.init == "glorot":
        generator = torch.Generator().manual_seed(config.seed)
        with torch.no_grad():
            for layer in model:
                if isinstance(layer, nn.Linear):
                    nn.init.xavier_uniform_(layer.weight, generator=generator)
                    nn.init.zeros_(layer.bias)
    return model


def train(config: RunConfig, progress: ProgressCallback | None = None) -> Run:
    """Train the network described by ``config`` and return every logged epoch.

    As in the post's notebook, the whole-data loss of each state is evaluated before the next
    epoch's training, and training stops as soon as it is at most ``config.target_loss`` (so
    state 0, the untrained network, is always logged). It also stops after
    ``config.max_epochs`` epochs, or when training diverges: the loss or the weights stop being
    finite (that state is not logged), or the loss exceeds :data:`DIVERGENCE_FACTOR` times the
    initial loss (that state is logged, as it is finite).

    Parameters
    ----------
    config
        The run to train.
    progress
        Optional callback, called after each epoch with the epoch and its loss.
    """
    # The tensors are tiny: thread hand-offs cost more than they save, and on a busy machine
    # far more (a sweep ran 12x slower with two threads while another process used a core).
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        return _train(config, progress)
    finally:
        torch.set_num_threads(threads)


def load_points(config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """Return the points and labels of ``config``'s data."""
    if config.dataset == EXTERNAL:
        raise ValueError("the points of your own training loop are in its run file only")
    if config.dataset == "csv":
        return _csv_points(config)
    return make_dataset(config.dataset, config.samples, config.noise, config.data_seed,
                        config.classes)  # fmt: skip


def _csv_points(config: RunConfig) -> tuple[np.ndarray, np.ndarray]:
    """The points of a CSV run, read again from ``config.data_file``: refused (one line) when
    the file's content is not the one the run was configured with."""
    from nnviz.csv_data import CSVDataError, check_test_split, read_csv_data

    where = str(config.data_file)
    data = read_csv_data(where)
    if data.sha256 != config.data_hash:
        raise CSVDataError(
            f"{where}: the file has changed since the run was configured (SHA-256 "
            f"{data.sha256[:12]}..., recorded {str(config.data_hash)[:12]}...); configure the "
            "run again from the file"
        )
    if data.rows != config.samples or data.class_names != config.class_names:
        raise CSVDataError(
            f"{where}: the file reads as {data.rows} rows of classes "
            f"{', '.join(data.class_names)}, not as the run was configured; configure it again"
        )
    check_test_split(data, config.test_fraction, where)
    return data.X, data.y


def input_scaling(X: np.ndarray, standardize: bool) -> tuple[np.ndarray, np.ndarray]:
    """Return the centre and scale of each input that training divides out: the training
    points' mean and standard deviation with ``standardize`` (a constant column keeps scale 1),
    else 0 and 1."""
    if not standardize:
        return np.zeros(X.shape[1]), np.ones(X.shape[1])
    scale = X.std(axis=0)
    return X.mean(axis=0), np.where(scale > 0, scale, 1.0)


def _in_data_units(
    state: tuple[np.ndarray, ...], centre: np.ndarray, scale: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Map a state trained on ``(x − centre) / scale`` to the same function of ``x``:
    ``W₁ → W₁ / scale`` (column by column), ``b₁ → b₁ − (W₁ / scale)·centre``."""
    W1 = state[0] / scale
    return (W1, state[1] - W1 @ centre, *state[2:])


def _train(config: RunConfig, progress: ProgressCallback | None) -> Run:
    X_np, y_np = load_points(config)
    test_np = split_test(y_np, config.test_fraction, data_seed_of(config.dataset, config.data_seed))
    train_np = ~test_np
    refusal = classes_without_points(y_np, config.classes, test_np, config.class_names)
    if refusal is not None:  # before any training
        raise ConfigError(f"{config.data_file}: {refusal}" if config.data_file else refusal)
    output = config.output_head
    sigmoid = output.link == "sigmoid"
    # BCE takes float targets, cross-entropy integer class indices.
    labels = y_np.astype(np.float64) if sigmoid else y_np.astype(np.int64)
    centre, scale = input_scaling(X_np[train_np], config.standardize)
    scaled = (X_np - centre) / scale if config.standardize else X_np
    X = torch.from_numpy(scaled[train_np])
    y = torch.from_numpy(labels[train_np])
    X_test = torch.from_numpy(scaled[test_np])
    y_test = torch.from_numpy(labels[test_np])

    def snapshot() -> tuple[np.ndarray, ...]:
        state = _snapshot(model)
        return _in_data_units(state, centre, scale) if config.standardize else state

    model = build_model(config)
    optimiser = make_optimizer(config, model.parameters())
    criterion: nn.Module = nn.BCEWithLogitsLoss() if sigmoid else nn.CrossEntropyLoss()
    matrices = [layer.weight for layer in model if isinstance(layer, nn.Linear)]
    shuffler = torch.Generator().manual_seed(config.seed)
    batch_size = config.batch_size or len(X)
    has_test = bool(test_np.any())

    def evaluate() -> tuple[float, float, float, float]:
        loss, accuracy = _evaluate(model, X, y, output.name)
        if not has_test:
            return loss, accuracy, 0.0, 0.0
        return (loss, accuracy, *_evaluate(model, X_test, y_test, output.name))

    states = [snapshot()]
    logs = [evaluate()]
    stop_reason = "target_loss" if logs[0][0] <= config.stop_loss else "max_epochs"

    epoch = 0
    while stop_reason == "max_epochs" and epoch < config.max_epochs:
        epoch += 1
        order = torch.randperm(len(X), generator=shuffler)
        X_epoch, y_epoch = X[order], y[order]
        for start in range(0, len(X), batch_size):
            optimiser.zero_grad()
            logits = model(X_epoch[start : start + batch_size])
            if sigmoid:
                logits = logits.squeeze(1)
            loss = criterion(logits, y_epoch[start : start + batch_size])
            if config.l1:
                loss = loss + config.l1 * sum(W.abs().sum() for W in matrices)
            loss.backward()
            optimiser.step()
        state = snapshot()
        metrics = evaluate()
        if not (np.all(np.isfinite(metrics)) and all(np.all(np.isfinite(a)) for a in state)):
            stop_reason = "diverged"
            break
        states.append(state)
        logs.append(metrics)
        if progress is not None:
            progress(epoch, metrics[0])
        if metrics[0] > DIVERGENCE_FACTOR * logs[0][0]:
            stop_reason = "diverged"
        elif metrics[0] <= config.stop_loss:
            stop_reason = "target_loss"

    return Run.from_log(config, states, logs, X_np, y_np, stop_reason,
                        test_np if has_test else None)  # fmt: skip


def _snapshot(model: nn.Sequential) -> tuple[np.ndarray, ...]:
    """Return copies of (W1, b1, W2, b2, …) in the order of the model's parameters."""
    return tuple(p.detach().numpy().copy() for p in model.parameters())


def logit_metrics(
    logits: torch.Tensor, y: torch.Tensor, output: str = "sigmoid"
) -> tuple[float, float]:
    """Return the loss and the accuracy of ``logits`` against the labels ``y`` as the output
    head ``output`` (:data:`nnviz.heads.HEADS`) defines them: what every logged state records,
    for nnviz's own training and :class:`nnviz.Recorder` alike.

    The loss is the head's cross-entropy computed by torch: binary cross-entropy on the logits
    for a sigmoid (``logits`` of shape (N,) or (N, 1), ``y`` 0 or 1), ``cross_entropy`` on
    integer labels for softmax (``logits`` (N, k)); :meth:`nnviz.heads.OutputHead.loss` is
    the same number in numpy. The accuracy is the head's own
    (:meth:`~nnviz.heads.OutputHead.accuracy`: a logit above 0 means class 1; the most probable
    class, ties to the lower one).
    """
    chosen = head(output)
    with torch.no_grad():
        if chosen.link == "sigmoid":
            z = logits.reshape(len(logits))
            value = nn.functional.binary_cross_entropy_with_logits(z, y.to(z.dtype))
        else:
            z = logits
            value = nn.functional.cross_entropy(z, y.long())
    accuracy = chosen.accuracy(z.detach().cpu().numpy(), y.detach().cpu().numpy())
    return float(value), accuracy


@torch.no_grad()
def _evaluate(
    model: nn.Sequential, X: torch.Tensor, y: torch.Tensor, output: str
) -> tuple[float, float]:
    return logit_metrics(model(X), y, output)
