"""Per-class accuracy over a run and the epoch each class first holds most of its own points,
on logits whose predictions are worked out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from nnviz.moments import class_accuracies_per_epoch, class_majorities


def one_hot_logits(predicted: list[list[int]], classes: int) -> np.ndarray:
    """Logits (E + 1, N, k) whose largest entry is the given class of each point."""
    return np.eye(classes)[np.array(predicted)] * 3.0 - 1.0


def test_three_classes_by_hand() -> None:
    y = np.array([0, 0, 1, 2])
    logits = one_hot_logits([[2, 2, 2, 2], [0, 1, 1, 2], [0, 0, 1, 0]], 3)
    accuracies = class_accuracies_per_epoch(logits, y)
    # Epoch 0: everything is class 2. Epoch 1: one of class 0's two points is right. Epoch 2:
    # classes 0 and 1 right, class 2's only point taken by class 0.
    np.testing.assert_array_equal(accuracies, [[0, 0, 1], [0.5, 1, 1], [1, 1, 0]])
    # "Most" is more than half: class 0's half at epoch 1 is not yet a majority.
    assert class_majorities(accuracies) == [2, 1, 0]
    assert class_majorities(accuracies, share=0.25) == [1, 1, 0]
    assert class_majorities(accuracies, share=1.0) == [None, None, None]


def test_one_sigmoid_unit_by_hand() -> None:
    y = np.array([0, 1, 1])
    z = np.array([[1.0, 1.0, -1.0], [-1.0, 1.0, 1.0], [0.0, 0.0, 2.0]])  # (E + 1, N)
    # Epoch 0 predicts 1, 1, 0; epoch 1 0, 1, 1; epoch 2 0, 0, 1 (a logit of 0 is class 0).
    expected = [[0, 0.5], [1, 1], [1, 0.5]]
    np.testing.assert_array_equal(class_accuracies_per_epoch(z, y, "sigmoid"), expected)
    np.testing.assert_array_equal(class_accuracies_per_epoch(z[..., None], y, "sigmoid"), expected)
    assert class_majorities(np.array(expected)) == [1, 1]


def test_a_class_without_points() -> None:
    y = np.array([0, 1, 1])
    logits = one_hot_logits([[0, 1, 2], [0, 1, 1]], 4)
    accuracies = class_accuracies_per_epoch(logits, y)
    np.testing.assert_array_equal(accuracies[:, :2], [[1, 0.5], [1, 1]])
    assert np.all(np.isnan(accuracies[:, 2:]))
    assert class_majorities(accuracies) == [0, 1, None, None]
    assert class_majorities(np.zeros((0, 3))) == [None, None, None]


@pytest.mark.parametrize("classes", [2, 5])
def test_the_number_of_classes_can_be_given(classes: int) -> None:
    logits = one_hot_logits([[1, 0]], 2)
    assert class_accuracies_per_epoch(logits, np.array([0, 1]), classes=classes).shape == (
        1,
        classes,
    )
