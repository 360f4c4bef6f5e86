"""The output heads against torch (the oracle) and hand computations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nnviz.heads import HEADS, head, log_softmax, softmax

RNG = np.random.default_rng(21)


@pytest.mark.parametrize("classes", [2, 3, 4, 6])
def test_softmax_probabilities_and_loss_equal_torchs(classes: int) -> None:
    logits = RNG.normal(0, 4, size=(50, classes))
    y = RNG.integers(0, classes, size=50)
    softmax_head = head("softmax")
    expected = torch.softmax(torch.tensor(logits), dim=-1).numpy()
    np.testing.assert_allclose(softmax_head.probabilities(logits), expected, rtol=1e-12)
    loss = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(y)).item()
    assert softmax_head.loss(logits, y) == pytest.approx(loss, rel=1e-12)
    per_point = torch.nn.functional.cross_entropy(
        torch.tensor(logits), torch.tensor(y), reduction="none"
    ).numpy()
    np.testing.assert_allclose(softmax_head.point_losses(logits, y), per_point, rtol=1e-12)
    predicted = torch.argmax(torch.tensor(logits), dim=-1).numpy()
    assert softmax_head.accuracy(logits, y) == pytest.approx(np.mean(predicted == y))


def test_sigmoid_probabilities_and_loss_equal_torchs() -> None:
    logits = RNG.normal(0, 5, size=(60, 1))
    y = RNG.integers(0, 2, size=60)
    sigmoid_head = head("sigmoid")
    p1 = torch.sigmoid(torch.tensor(logits[:, 0])).numpy()
    np.testing.assert_allclose(
        sigmoid_head.probabilities(logits), np.stack([1 - p1, p1], axis=1), rtol=1e-10
    )
    loss = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(logits[:, 0]), torch.tensor(y, dtype=torch.float64)
    ).item()
    assert sigmoid_head.loss(logits, y) == pytest.approx(loss, rel=1e-12)
    assert sigmoid_head.accuracy(logits, y) == pytest.approx(np.mean((logits[:, 0] > 0) == y))


def test_extreme_logits_stay_finite() -> None:
    z = np.array([[1000.0, -1000.0, 0.0], [-1e6, 1e6, 3.0]])
    assert np.isfinite(log_softmax(z)).all()
    np.testing.assert_allclose(softmax(z).sum(axis=1), 1.0)
    # Hand computation: the first row's loss for class 1 is 2000 (1000 - (-1000)).
    assert head("softmax").point_losses(z, np.array([1, 1]))[0] == pytest.approx(2000.0)
    assert head("sigmoid").point_losses(np.array([[-800.0]]), np.array([1]))[0] == 800.0


def test_units_and_class_limits() -> None:
    assert head("sigmoid").units(2) == 1
    assert head("softmax").units(2) == 2 and head("softmax").units(6) == 6
    with pytest.raises(ValueError, match="tells 2 classes apart, not 3"):
        head("sigmoid").units(3)
    with pytest.raises(ValueError, match="2 to 6 classes apart, not 7"):
        head("softmax").units(7)
    with pytest.raises(KeyError, match="unknown output 'tanh'"):
        head("tanh")
    assert set(HEADS) == {"sigmoid", "softmax"}


def test_class_accuracies_and_margin_by_hand() -> None:
    # Three points of class 0 (two right), one of class 2 (right), none of class 1.
    logits = np.log(np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.1, 0.4],
                              [0.2, 0.2, 0.6]]))  # fmt: skip
    y = np.array([0, 0, 0, 2])
    accuracies = head("softmax").class_accuracies(logits, y, 3)
    np.testing.assert_allclose(accuracies[[0, 2]], [2 / 3, 1.0])
    assert np.isnan(accuracies[1])
    np.testing.assert_allclose(head("softmax").margin(logits), [0.5, 0.7, 0.1, 0.4])


def test_log_softmax_of_any_shape_equals_torchs() -> None:
    """Computed class-major inside: the classes stay on the last axis of any shape (logits of
    every epoch, (E, N, k); one point, (k,))."""
    for shape in [(4, 7, 3), (5,), (0, 3), (9, 1)]:
        z = RNG.normal(0, 5, size=shape)
        expected = torch.log_softmax(torch.tensor(z), dim=-1).numpy()
        result = log_softmax(z)
        assert result.shape == z.shape
        np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(softmax(z), np.exp(expected), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("classes", [2, 3, 6])
def test_top_class_is_the_most_probable_class_and_its_probability(classes: int) -> None:
    logits = RNG.normal(0, 4, size=(200, classes))
    logits[:20] *= 300  # far apart: some probabilities underflow to 0
    p = torch.softmax(torch.tensor(logits), dim=-1).numpy()
    planes = np.ascontiguousarray(logits.T).reshape(classes, 10, 20)  # class-major, a grid
    top, p_top = head("softmax").top_class(planes)
    assert top.shape == p_top.shape == (10, 20) and p_top.dtype == np.float64
    np.testing.assert_array_equal(top.ravel(), p.argmax(axis=1))
    np.testing.assert_allclose(p_top.ravel(), p.max(axis=1), rtol=1e-13)
    # float32 stays float32, to float32 rounding of the probability.
    top32, p_top32 = head("softmax").top_class(planes.astype(np.float32))
    assert p_top32.dtype == np.float32
    exact = torch.softmax(torch.tensor(planes.astype(np.float32), dtype=torch.float64), dim=0)
    np.testing.assert_array_equal(top32, exact.argmax(dim=0).numpy())
    np.testing.assert_allclose(p_top32, exact.max(dim=0).values.numpy(), rtol=1e-6)


def test_top_class_ties_and_the_sigmoid_unit_by_hand() -> None:
    # Equal logits go to the lower class, as predict decides; 1 / (1 + e⁰ + e⁻¹⁰⁰⁰) = 1/2.
    planes = np.array([[0.0, 2.0, 5.0], [0.0, 2.0, 1.0], [-1000.0, 2.0, 5.0]])
    top, p_top = head("softmax").top_class(planes)
    np.testing.assert_array_equal(top, [0, 0, 0])
    np.testing.assert_allclose(p_top, [0.5, 1 / 3, 1 / (2 + np.exp(-4.0))], rtol=1e-15)
    np.testing.assert_array_equal(top, head("softmax").predict(planes.T))
    # One sigmoid unit: class 1 where z > 0 (0 goes to class 0), probability σ(|z|).
    z = np.array([[-3.0, 0.0, 2.0, 800.0]])
    top, p_top = head("sigmoid").top_class(z)
    np.testing.assert_array_equal(top, [0, 0, 1, 1])
    np.testing.assert_array_equal(top, head("sigmoid").predict(z.T))
    sigma = torch.sigmoid(torch.tensor(z[0])).numpy()
    np.testing.assert_allclose(p_top, np.maximum(sigma, 1 - sigma), rtol=1e-15)
