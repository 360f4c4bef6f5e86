"""The deformation's cameras and picture maths (nnviz.deform_view, nnviz.view.clip_polygon),
checked by hand computations and against torch, without Manim."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch

from nnviz import deform as dm
from nnviz import forward
from nnviz.deform_view import (
    OrbitCamera,
    PlaneCamera,
    depth_share,
    drawing_dimensions,
    embed,
    hypercube_edges,
    make_camera,
    output_on_plane,
    stage_end_points,
)
from nnviz.forward import Weights
from nnviz.view import clip_polygon


def random_weights(widths: tuple[int, ...], seed: int) -> Weights:
    """Weights of a network with layer widths ``widths`` (inputs to output), entries N(0, 1)."""
    rng = np.random.default_rng(seed)
    arrays: list[np.ndarray] = []
    for fan_in, fan_out in itertools.pairwise(widths):
        arrays += [rng.normal(size=(fan_out, fan_in)), rng.normal(size=fan_out)]
    return Weights(*arrays)


def torch_hidden(X: np.ndarray, weights: Weights, activation: str) -> list[np.ndarray]:
    """Each hidden layer's activations, computed by torch."""
    act = {"tanh": torch.tanh, "relu": torch.relu}[activation]
    h = torch.tensor(X, dtype=torch.float64)
    out = []
    for W, b in zip(weights.W[:-1], weights.b[:-1], strict=True):
        h = act(h @ torch.tensor(W).T + torch.tensor(b))
        out.append(h.numpy())
    return out


POINTS = np.random.default_rng(3).normal(size=(60, 2))


def test_drawing_dimensions_and_embed() -> None:
    assert drawing_dimensions((2, 2)) == 2
    assert drawing_dimensions((2, 1, 2)) == 2
    assert drawing_dimensions((2, 3, 2)) == 3
    np.testing.assert_array_equal(embed(np.array([[1.0], [2.0]]), 2), [[1.0, 0.0], [2.0, 0.0]])
    np.testing.assert_array_equal(embed(np.array([[1.0, 2.0]]), 3), [[1.0, 2.0, 0.0]])
    with pytest.raises(ValueError, match="do not fit"):
        embed(np.zeros((1, 3)), 2)


def test_depth_share_by_hand() -> None:
    lift = (2, 3)
    assert depth_share(0.0, lift) == 0.0
    assert depth_share(0.25, lift) == pytest.approx(0.25)
    assert depth_share(1.0, lift) == pytest.approx(1.0)
    assert depth_share(2.5, lift) == 1.0
    lift_then_flatten = (2, 3, 2)
    assert depth_share(3.0, lift_then_flatten) == 1.0
    assert depth_share(3.5, lift_then_flatten) == pytest.approx(0.5)
    for s in (4.0, 5.2, 6.0):
        assert depth_share(s, lift_then_flatten) == 0.0
    for s in np.linspace(0, 6, 13):
        assert depth_share(float(s), (2, 2, 1)) == 0.0


def test_hypercube_edges() -> None:
    segment = hypercube_edges(-1.0, 1.0, 1, 2)
    np.testing.assert_array_equal(segment, [[[-1.0, 0.0], [1.0, 0.0]]])
    for width, count in ((2, 4), (3, 12)):
        edges = hypercube_edges(-1.0, 1.0, width, 3)
        assert edges.shape == (count, 2, 3)
        assert np.all(np.isin(edges[..., :width], [-1.0, 1.0]))
        assert np.all(edges[..., width:] == 0.0)
        # Each edge changes exactly one coordinate, from low to high; no edge twice.
        changed = edges[:, 0] != edges[:, 1]
        assert np.all(changed.sum(axis=1) == 1)
        assert np.allclose(np.linalg.norm(edges[:, 1] - edges[:, 0], axis=1), 2.0)
        assert len({tuple(e.ravel()) for e in edges}) == count


def test_the_orbit_camera_looks_down_at_the_plane_and_tilts_in_3d() -> None:
    weights = random_weights((2, 3, 2, 1), 0)
    widths = dm.space_widths(weights)
    camera = OrbitCamera.around(stage_end_points(POINTS, weights, "tanh", 3), widths)
    for seconds in (0.0, 1.7, 5.0):
        camera.seconds = seconds
        # In the plane h3 = 0 (s = 0, and after the flattening), the view is the plane itself.
        for s in (0.0, 4.0, 6.0):
            flat, depth = camera.project(embed(POINTS, 3), s)
            np.testing.assert_allclose(flat, POINTS, atol=1e-12)
            np.testing.assert_allclose(depth, 0.0, atol=1e-12)
        # In 3-D the camera is a rotation, ELEVATION_DEGREES above the plane.
        rotation = camera.rotation(2.0)
        np.testing.assert_allclose(rotation @ rotation.T, np.eye(3), atol=1e-12)
        towards = rotation[2]
        assert math.degrees(math.asin(towards[2])) == pytest.approx(camera.ELEVATION_DEGREES)
    # The camera rocks with time in 3-D only.
    camera.seconds = 0.0
    first = camera.rotation(2.0)
    camera.turn(2.0)
    assert not np.allclose(camera.rotation(2.0), first)
    np.testing.assert_allclose(camera.rotation(5.0), np.eye(3), atol=1e-12)


@pytest.mark.parametrize("widths", [(2, 2, 1), (2, 1, 1), (2, 3, 1), (2, 3, 2, 1), (2, 2, 3, 1)])
def test_the_view_box_holds_every_point_and_never_jumps(widths: tuple[int, ...]) -> None:
    weights = random_weights(widths, sum(widths))
    spaces = dm.space_widths(weights)
    dimensions = drawing_dimensions(spaces)
    camera = make_camera(stage_end_points(POINTS, weights, "tanh", dimensions), spaces)
    assert isinstance(camera, OrbitCamera if dimensions == 3 else PlaneCamera)
    last = dm.stage_count(weights)
    previous = None
    for step, s in enumerate(np.linspace(0.0, last, 60 * last + 1)):
        camera.turn(1 / 60 if step else 0.0)
        moved = embed(dm.deform(POINTS, weights, "tanh", float(s)), dimensions)
        # The view, written out here: the camera's rotation in 3-D, the plane itself in 2-D.
        flat = moved @ camera.rotation(float(s))[:2].T if dimensions == 3 else moved
        (x0, x1), (y0, y1) = camera.box_at(float(s))
        assert x1 - x0 == pytest.approx(y1 - y0)
        assert np.all((flat[:, 0] >= x0 - 1e-9) & (flat[:, 0] <= x1 + 1e-9))
        assert np.all((flat[:, 1] >= y0 - 1e-9) & (flat[:, 1] <= y1 + 1e-9))
        current = np.array([x0, x1, y0, y1])
        if previous is not None:
            assert np.abs(current - previous).max() < 0.05 * (x1 - x0)
        previous = current


def test_stage_end_points_are_the_layers_of_torch() -> None:
    weights = random_weights((2, 3, 2, 1), 5)
    ends = stage_end_points(POINTS, weights, "tanh", 3)
    assert len(ends) == 7
    hidden = torch_hidden(POINTS, weights, "tanh")
    np.testing.assert_allclose(ends[0], embed(POINTS, 3))
    np.testing.assert_allclose(ends[3], hidden[0], atol=1e-12)
    np.testing.assert_allclose(ends[6], embed(hidden[1], 3), atol=1e-12)


def test_output_on_plane_is_the_output_layer_by_hand() -> None:
    two = Weights(np.eye(2), np.zeros(2), np.array([[1.5, -2.0]]), np.array([0.25]))
    box, shape = ((-1.0, 1.0), (-2.0, 2.0)), (4, 5)
    h = forward.grid_points(*box, shape)
    expected = 1 / (1 + np.exp(-(1.5 * h[:, 0] - 2.0 * h[:, 1] + 0.25)))
    grid = forward.probability_grid(output_on_plane(two), "linear", *box, shape, forward.HIDDEN)
    np.testing.assert_allclose(grid.ravel(), expected, rtol=1e-6)
    one = Weights(np.ones((1, 2)), np.zeros(1), np.array([[2.0]]), np.array([-1.0]))
    grid = forward.probability_grid(output_on_plane(one), "linear", *box, shape, forward.HIDDEN)
    np.testing.assert_allclose(grid.ravel(), 1 / (1 + np.exp(-(2.0 * h[:, 0] - 1.0))), rtol=1e-6)
    line = forward.output_line(output_on_plane(one), *box)
    assert line is not None
    np.testing.assert_allclose(np.sort(line, axis=0), [[0.5, -2.0], [0.5, 2.0]])
    with pytest.raises(ValueError, match="3 units"):
        output_on_plane(random_weights((2, 3, 1), 0))


def test_clip_polygon_by_hand() -> None:
    box = ((0.0, 1.0), (0.0, 1.0))
    inside = np.array([[0.2, 0.2], [0.8, 0.2], [0.5, 0.9]])
    np.testing.assert_allclose(clip_polygon(inside, box), inside)
    # A square sticking out to the right: cut at x = 1.
    square = np.array([[0.5, 0.25], [1.5, 0.25], [1.5, 0.75], [0.5, 0.75]])
    clipped = clip_polygon(square, box)
    np.testing.assert_allclose(
        clipped, [[0.5, 0.25], [1.0, 0.25], [1.0, 0.75], [0.5, 0.75]], atol=1e-12
    )
    # A triangle around the box: the box itself.
    around = np.array([[-1.0, -1.0], [4.0, -1.0], [-1.0, 4.0]])
    corners = {tuple(np.round(c, 12)) for c in clip_polygon(around, box)}
    assert corners == {(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)}
    assert len(clip_polygon(square + 5.0, box)) == 0
