"""The colours of a hidden neuron's heatmap, in plain numpy: one scale per hidden layer, fixed
for the whole run, from the activation's range or the largest activation of the data."""

from __future__ import annotations

import numpy as np

from nnviz import forward
from nnviz.activations import activation as lookup
from nnviz.theme import Theme, hex_to_rgb
from nnviz.trajectory import Trajectory

__all__ = ["ActivationColormap", "activation_scale", "neuron_activation_grids"]


def activation_scale(trajectory: Trajectory, layer: int = 0) -> float:
    """Return the top of a hidden layer's colour scale for an unbounded activation.

    The largest ``|activation|`` of hidden layer ``layer`` (0 for the first) of any data point
    at any logged epoch, so one scale holds for the whole run and every neuron of the layer:
    brightness can be compared between epochs and between neurons. Values beyond it (only
    far from the data) are clipped.
    """
    run = trajectory.run
    largest = 0.0
    for epochs in forward.epoch_chunks(len(run.loss), len(run.X), max(run.hidden_widths)):
        layers = forward.layer_outputs_per_epoch(run.X, run.W, run.b, trajectory.activations,
                                                 epochs)  # fmt: skip
        largest = max(largest, float(np.max(np.abs(layers[layer][1]))))
    return max(largest, 1e-6)


class ActivationColormap:
    """Map hidden activations to RGBA colours, linearly in RGB between anchor colours.

    * ``relu`` and ``sigmoid`` (values ≥ 0), a sequential map: ``theme.background`` at 0,
      ``theme.accent`` at ``vmax`` (the ReLU scale of :func:`activation_scale`; 1 for sigmoid).
    * ``tanh`` and ``linear`` (signed values), a diverging map: ``theme.negative`` at
      ``−vmax``, ``theme.background`` at 0, ``theme.positive`` at ``+vmax`` (1 for tanh) —
      the sign colours of the links.

    Values outside the range are clipped to its ends.

    Parameters
    ----------
    activation
        The hidden activation.
    theme
        The colours.
    vmax
        The top of the scale.
    """

    def __init__(self, activation: str, theme: Theme, vmax: float) -> None:
        self.activation = activation
        self.vmax = float(vmax)
        if lookup(activation).nonnegative:
            self.positions = np.array([0.0, self.vmax])
            colors = [theme.background, theme.accent]
        else:
            self.positions = np.array([-self.vmax, 0.0, self.vmax])
            colors = [theme.negative, theme.background, theme.positive]
        self.anchors = np.array([hex_to_rgb(c) for c in colors], dtype=np.float64)

    def __deepcopy__(self, memo: dict[int, object]) -> ActivationColormap:
        """Share, do not copy: the map never changes."""
        return self

    @classmethod
    def for_run(cls, trajectory: Trajectory, theme: Theme, layer: int = 0) -> ActivationColormap:
        """Return the colour map of hidden layer ``layer``'s activation (0 for the first), its
        scale fixed for the whole run: the activation's range when bounded, else
        :func:`activation_scale`."""
        activation = trajectory.activations[layer]
        bounded = lookup(activation)
        vmax = max(map(abs, bounded.output_range)) if bounded.bounded else None
        vmax = vmax or activation_scale(trajectory, layer)
        return cls(activation, theme, vmax)

    def __call__(self, values: np.ndarray) -> np.ndarray:
        """Return uint8 RGBA colours of shape ``values.shape + (4,)``."""
        flat = np.asarray(values, dtype=np.float64).ravel()
        out = np.empty((flat.size, 4), dtype=np.uint8)
        for channel in range(3):
            out[:, channel] = np.rint(np.interp(flat, self.positions, self.anchors[:, channel]))
        out[:, 3] = 255
        return out.reshape(*np.shape(values), 4)


def neuron_activation_grids(
    weights: forward.Weights, activation: str, points: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """Return every hidden neuron's activation ``a(W₁ᵢ·x + b₁ᵢ)`` at ``points`` (the pixel
    centres of an image, see :func:`nnviz.forward.grid_points`), shape ``(H,) + shape``."""
    values = forward.hidden(points, weights, activation)
    return values.T.reshape(-1, *shape)
