"""Training: the only module that imports torch.

Builds the network of the configuration (2 inputs, its hidden layers, one sigmoid output),
trains it with Adam on binary cross-entropy as the post's Keras
notebook did (Glorot-uniform weights and zero biases, ε = 1e-7, mini-batches of 32 shuffled
every epoch, the whole-data loss evaluated before each epoch) and logs the weights, loss and
accuracy of every epoch (epoch 0 is the initial state).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from nnviz.activations import activation
from nnviz.config import RunConfig
from nnviz.data import make_dataset
from nnviz.run import Run

__all__ = ["DIVERGENCE_FACTOR", "build_model", "train"]

#: Training counts as diverged when the whole-data loss exceeds this multiple of the initial loss.
DIVERGENCE_FACTOR = 10.0


#: Called after every logged epoch with (epoch, loss).
ProgressCallback = Callable[[int, float], None]


def activation_module(name: str) -> nn.Module:
    """Return a new ``torch.nn`` module of the registry's activation ``name``."""
    layer, kwargs = activation(name).torch_layer
    module: nn.Module = getattr(nn, layer)(**kwargs)
    return module


def build_model(config: RunConfig) -> nn.Sequential:
    """Return the network ``Linear(2, h_1) -> a_1 -> … -> Linear(h_L, 1)`` in float64.

    The output is a logit; the sigmoid is applied inside the loss for numerical stability.
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


def _train(config: RunConfig, progress: ProgressCallback | None) -> Run:
    X_np, y_np = make_dataset(config.dataset, config.samples, config.noise, config.data_seed)
    X = torch.from_numpy(X_np)
    y = torch.from_numpy(y_np.astype(np.float64))
    model = build_model(config)
    # The fused kernel updates all parameters at once: the same numbers, a third less time.
    optimiser = torch.optim.Adam(
        model.parameters(), lr=config.lr, eps=config.adam_epsilon, fused=True
    )
    criterion = nn.BCEWithLogitsLoss()
    shuffler = torch.Generator().manual_seed(config.seed)
    batch_size = config.batch_size or len(X)

    states = [_snapshot(model)]
    losses, accuracies = _evaluate(model, criterion, X, y)
    loss_log, accuracy_log = [losses], [accuracies]
    stop_reason = "target_loss" if losses <= config.target_loss else "max_epochs"

    epoch = 0
    while stop_reason == "max_epochs" and epoch < config.max_epochs:
        epoch += 1
        order = torch.randperm(len(X), generator=shuffler)
        X_epoch, y_epoch = X[order], y[order]
        for start in range(0, len(X), batch_size):
            optimiser.zero_grad()
            logits = model(X_epoch[start : start + batch_size]).squeeze(1)
            loss = criterion(logits, y_epoch[start : start + batch_size])
            loss.backward()
            optimiser.step()
        state = _snapshot(model)
        epoch_loss, epoch_accuracy = _evaluate(model, criterion, X, y)
        if not (np.isfinite(epoch_loss) and all(np.all(np.isfinite(a)) for a in state)):
            stop_reason = "diverged"
            break
        states.append(state)
        loss_log.append(epoch_loss)
        accuracy_log.append(epoch_accuracy)
        if progress is not None:
            progress(epoch, epoch_loss)
        if epoch_loss > DIVERGENCE_FACTOR * loss_log[0]:
            stop_reason = "diverged"
        elif epoch_loss <= config.target_loss:
            stop_reason = "target_loss"

    stacked = [np.stack(arrays) for arrays in zip(*states, strict=True)]
    return Run(
        config=config,
        W=tuple(stacked[0::2]),
        b=tuple(stacked[1::2]),
        loss=np.array(loss_log),
        accuracy=np.array(accuracy_log),
        X=X_np,
        y=y_np,
        stop_reason=stop_reason,
    )


def _snapshot(model: nn.Sequential) -> tuple[np.ndarray, ...]:
    """Return copies of (W1, b1, W2, b2, …) in the order of the model's parameters."""
    return tuple(p.detach().numpy().copy() for p in model.parameters())


@torch.no_grad()
def _evaluate(
    model: nn.Sequential, criterion: nn.Module, X: torch.Tensor, y: torch.Tensor
) -> tuple[float, float]:
    logits = model(X).squeeze(1)
    loss = float(criterion(logits, y))
    accuracy = float(((logits > 0).double() == y).double().mean())
    return loss, accuracy
