"""The output heads: what a network's last layer means, in one table (numpy only).

An output head turns the last layer's outputs (the logits) into class probabilities, and
knows everything the pictures and the numbers need of it: its number of units for k
classes, its loss, its accuracy, each point's loss, the predicted class, and what separates
the classes (where the probability of class 1 is 0.5 for one sigmoid unit; where the two most
probable classes tie for softmax).

=========== ============= ================ ======================= ====================
head        units         probabilities    loss                    boundary
=========== ============= ================ ======================= ====================
``sigmoid`` 1 (2 classes) σ(z), 1 − σ(z)   binary cross-entropy    P(class 1) = 0.5
``softmax`` k (2 to 6)    softmax(z)       cross-entropy           top two classes tie
=========== ============= ================ ======================= ====================

Every function takes logits of shape ``(N, units)`` and labels of shape ``(N,)`` (integers
``0 … k−1``) and is vectorised over points; probabilities have shape ``(N, k)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = [
    "HEADS",
    "MAX_CLASSES",
    "OutputHead",
    "head",
    "log_softmax",
    "softmax",
]

#: The most classes any head tells apart (a palette of six colours stays distinguishable).
MAX_CLASSES = 6


def log_softmax(z: np.ndarray) -> np.ndarray:
    """Return ``log softmax(z)`` along the last axis, stable for any finite ``z``.

    Computed class-major: the classes are few (2 to 6) and the points many, so the max and
    the sum over the classes run as passes over one contiguous plane per class rather than
    as reductions of a few numbers per point (twice as fast for 32 400 points of 3
    classes). The result is a view of shape ``z.shape``.
    """
    planes = np.moveaxis(np.asarray(z, dtype=np.float64), -1, 0).copy()
    planes -= planes.max(axis=0)
    planes -= np.log(np.exp(planes).sum(axis=0))
    return np.moveaxis(planes, 0, -1)


def softmax(z: np.ndarray) -> np.ndarray:
    """Return ``softmax(z)`` along the last axis."""
    return np.exp(log_softmax(z))


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    """Return ``log σ(z)``, stable for large ``|z|``."""
    return -np.logaddexp(0.0, -z)


@dataclass(frozen=True)
class OutputHead:
    """One kind of output layer.

    Attributes
    ----------
    name
        The key in :data:`HEADS` (and a run configuration's ``output``).
    link
        ``"sigmoid"`` (one unit: P(class 1)) or ``"softmax"`` (one unit per class).
    min_classes, max_classes
        How many classes the head tells apart.
    loss_name
        What the loss is called on screen.
    boundary
        ``"level"``: the classes are separated where P(class 1) is 0.5; ``"ties"``: where the
        two most probable classes are equally probable.
    """

    name: str
    link: Literal["sigmoid", "softmax"]
    min_classes: int
    max_classes: int
    loss_name: str
    boundary: Literal["level", "ties"]

    def units(self, classes: int) -> int:
        """Return the number of output units for ``classes`` classes.

        Raises
        ------
        ValueError
            When the head cannot tell ``classes`` classes apart.
        """
        if not self.min_classes <= classes <= self.max_classes:
            told = (
                f"{self.max_classes}" if self.min_classes == self.max_classes
                else f"{self.min_classes} to {self.max_classes}"
            )  # fmt: skip
            raise ValueError(f"a {self.name} output tells {told} classes apart, not {classes}")
        return 1 if self.link == "sigmoid" else classes

    def log_probabilities(self, logits: np.ndarray) -> np.ndarray:
        """Return log P(class c | x), shape ``(N, k)``."""
        z = np.asarray(logits, dtype=np.float64)
        if self.link == "sigmoid":
            z = z.reshape(len(z), -1)[:, 0]
            return np.stack([_log_sigmoid(-z), _log_sigmoid(z)], axis=-1)
        return log_softmax(z)

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        """Return P(class c | x), shape ``(N, k)``; each row sums to 1."""
        return np.exp(self.log_probabilities(logits))

    def point_losses(self, logits: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return each point's cross-entropy ``−log P(y | x)``, shape ``(N,)``."""
        log_p = self.log_probabilities(logits)
        labels = np.asarray(y).astype(np.intp)
        return -log_p[np.arange(len(labels)), labels]

    def loss(self, logits: np.ndarray, y: np.ndarray) -> float:
        """Return the mean cross-entropy (binary for one sigmoid unit)."""
        return float(self.point_losses(logits, y).mean())

    def stacked_losses(self, logits: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return :meth:`loss` of many networks' logits of the same points at once.

        Parameters
        ----------
        logits
            Shape ``(S, N, units)``: ``S`` networks' logits of ``N`` points.
        y
            The points' labels, shape ``(N,)``.

        Returns
        -------
        numpy.ndarray
            Each network's mean cross-entropy, shape ``(S,)``. For one sigmoid unit
            ``−log σ(±z)`` is ``log(1 + exp(∓z))``, one ``logaddexp`` a point, without the
            two columns of :meth:`log_probabilities` (the loss landscape's grid, thousands of
            networks a frame of the picture, spends its time here).
        """
        z = np.asarray(logits, dtype=np.float64)
        labels = np.asarray(y).astype(np.intp)
        if self.link == "sigmoid":
            sign = 1.0 - 2.0 * labels  # class 1: −log σ(z) = log(1 + e^−z); class 0: e^+z
            return np.logaddexp(0.0, sign * z[..., 0]).mean(axis=-1)
        log_p = log_softmax(z)
        picked = np.take_along_axis(log_p, labels[None, :, None], axis=-1)[..., 0]
        return -picked.mean(axis=-1)

    def predict(self, logits: np.ndarray) -> np.ndarray:
        """Return the predicted class of each point (ties go to the lower class, and for one
        sigmoid unit a logit of exactly 0 to class 0, as ``logit > 0`` decides)."""
        z = np.asarray(logits, dtype=np.float64)
        if self.link == "sigmoid":
            return (z.reshape(len(z), -1)[:, 0] > 0).astype(np.intp)
        return np.argmax(z, axis=-1).astype(np.intp)

    def accuracy(self, logits: np.ndarray, y: np.ndarray) -> float:
        """Return the share of points whose predicted class is their label."""
        return float(np.mean(self.predict(logits) == np.asarray(y).astype(np.intp)))

    def class_accuracies(self, logits: np.ndarray, y: np.ndarray, classes: int) -> np.ndarray:
        """Return each class's share of its own points predicted as it, shape ``(classes,)``
        (NaN for a class without points)."""
        labels = np.asarray(y).astype(np.intp)
        right = self.predict(logits) == labels
        counts = np.bincount(labels, minlength=classes).astype(np.float64)
        hits = np.bincount(labels, weights=right, minlength=classes)
        with np.errstate(invalid="ignore", divide="ignore"):
            return hits / counts

    def top_class(self, planes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the most probable class and its probability from logits held class-major.

        The picture's fast path (:meth:`nnviz.class_colors.ClassColormap.of_logits`): a grid
        needs only these two numbers per pixel, not every class's probability. With ``m`` the
        largest logit, the top class's probability is ``1 / Σ_c exp(z_c − m)``: no log, no
        division per class; each step is one pass over a plane of pixels.

        Parameters
        ----------
        planes
            The logits, one plane per output unit along the first axis, shape
            ``(units, ...)`` (:func:`nnviz.forward.class_logit_grid`); float32 stays float32.

        Returns
        -------
        tuple of numpy.ndarray
            The top class (int16; ties go to the lower class, and for one sigmoid unit a logit
            of exactly 0 to class 0, as :meth:`predict` decides) and its probability, in
            ``[1/k, 1]``, both of shape ``planes.shape[1:]``.
        """
        z = np.asarray(planes)
        if z.dtype.kind != "f":
            z = z.astype(np.float64)
        if self.link == "sigmoid":
            # softmax(0, z) = (1 − σ(z), σ(z)): the top probability is σ(|z|).
            top = (z[0] > 0).astype(np.int16)
            return top, 1 / (1 + np.exp(-np.abs(z[0])))
        # Class c takes over where its logit beats every lower class's (strictly: ties stay
        # with the lower class); a later class that takes over has the larger number.
        top = np.zeros(z.shape[1:], dtype=np.int16)
        high = z[0].copy()
        for c in range(1, len(z)):
            above = z[c] > high
            np.maximum(top, above * np.int16(c), out=top)
            np.maximum(high, z[c], out=high)
        shifted = z - high
        np.exp(shifted, out=shifted)
        return top, 1 / shifted.sum(axis=0)

    def margin(self, logits: np.ndarray) -> np.ndarray:
        """Return how far each point is from the boundary, in probability: P(top class) minus
        P(second class), 0 on the boundary, shape ``(N,)``."""
        p = np.sort(self.probabilities(logits), axis=-1)
        return p[:, -1] - p[:, -2]


#: Every output head, by name: the one table the configuration, training, the recorder, the
#: run file and the pictures ask.
HEADS: dict[str, OutputHead] = {
    "sigmoid": OutputHead("sigmoid", "sigmoid", 2, 2, "binary cross-entropy", "level"),
    "softmax": OutputHead("softmax", "softmax", 2, MAX_CLASSES, "cross-entropy", "ties"),
}


def head(name: str) -> OutputHead:
    """Return the output head called ``name``.

    Raises
    ------
    KeyError
        With the known names, when there is no such head.
    """
    try:
        return HEADS[name]
    except KeyError:
        raise KeyError(f"unknown output {name!r}; choose one of {', '.join(HEADS)}") from None
