"""Each class's accuracy over a softmax run, as the read-out shows it and as the key moments
date each class's first majority, against torch's argmax of the logged weights."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from manim import Mobject

from nnviz.config import RunConfig
from nnviz.formatting import short_name
from nnviz.forward import Weights
from nnviz.mobjects.context import BlockContext
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
        # Every class it names holds most of its points at the moment (torch says so).
        shares = torch_class_accuracies(run, run.weights(moment.epoch))
        assert all(shares[c] > 0.5 for c in moment.classes)


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
    # A class that has lost its majority again by a later class's epoch is not named there.
    lost = shares.copy()
    lost[24:, 0] = 0.4
    assert [(m.epoch, m.classes) for m in class_majority_moments(spiral3, lost)] == [
        (0, (1,)),
        (20, (0,)),
        (26, (2,)),
    ]
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


# --- the pictures ------------------------------------------------------------------------------


def long_names_run(test_fraction: float) -> Run:
    """Six blobs with long names (40 characters and less) through a 2-2-6 network (the
    layout of two panels, whose labels come lowest), a few epochs."""
    names = ("Atlantic long-finned pilot whale (Globic)", "Short-beaked common dolphin",
             "Harbour porpoise (Phocoena phocoena)", "Risso's dolphin", "Orca",
             "Striped dolphin of the Mediterranean")  # fmt: skip
    config = RunConfig(dataset="blobs", classes=6, samples=240, max_epochs=4, target_loss=0.0,
                       test_fraction=test_fraction)  # fmt: skip
    run = train(config)
    from dataclasses import replace

    return replace(run, config=run.config.replace(class_names=tuple(n[:40] for n in names)))


def boxes_apart(a: Mobject, b: Mobject, gap: float = 0.02) -> bool:
    """Whether the bounding boxes of two mobjects are at least ``gap`` apart on some axis."""
    low, high = np.array([-1.0, -1.0, 0.0]), np.array([1.0, 1.0, 0.0])
    (ax0, ay0, _), (ax1, ay1, _) = a.get_corner(low), a.get_corner(high)
    (bx0, by0, _), (bx1, by1, _) = b.get_corner(low), b.get_corner(high)
    return bool(ax1 + gap <= bx0 or bx1 + gap <= ax0 or ay1 + gap <= by0 or by1 + gap <= ay0)


@pytest.mark.parametrize("case", ["spiral3", "long6", "long6_test"])
def test_the_class_read_out_fits_beside_everything_else(
    case: str, request: pytest.FixtureRequest
) -> None:
    """Numbers at their widest (100.0 %), long names: the read-out stays in the frame, its
    entries apart, and clear of the loss curve, the captions, the panels and the legend."""
    from manim import ValueTracker, config

    from nnviz.mobjects.layout import TrainingLayout
    from nnviz.moments import Moment
    from nnviz.theme import THEMES

    if case == "spiral3":
        run = request.getfixturevalue("spiral3")
    else:
        run = long_names_run(0.25 if case.endswith("test") else 0.0)
    k = run.config.classes
    moment = Moment(1, "class_majority", "epochs 0–1: most points of " + ", ".join(
        f"class {c}" for c in range(k)) + " now lie in their regions",
        classes=tuple(range(k)), spans=tuple((0, 1) for _ in range(k)))  # fmt: skip
    layout = TrainingLayout(
        BlockContext(Trajectory(run), ValueTracker(1.0), THEMES["dark"]),
        32,
        [moment],
        class_readout=True,
    )
    block = layout.class_accuracies
    assert block is not None
    for number in block.numbers:
        number.set_text("100.0%")
    half_w, half_h = config.frame_width / 2, config.frame_height / 2
    left, bottom, _ = block.get_corner(np.array([-1.0, -1.0, 0.0]))
    right, top, _ = block.get_corner(np.array([1.0, 1.0, 0.0]))
    assert -half_w < left and right < half_w - 0.1 and -half_h + 0.1 < bottom and top < half_h
    # Entries apart: each name before its number, each column before the next.
    for c in range(k):
        assert boxes_apart(block.names[c], block.numbers[c])
        assert boxes_apart(block.dots[c], block.names[c])
        for other in range(c + 1, k):
            for a in (block.dots[c], block.names[c], block.numbers[c]):
                for b in (block.dots[other], block.names[other], block.numbers[other]):
                    assert boxes_apart(a, b, gap=0.0)
    others = [layout.loss_curve, layout.captions, *layout.legend, *layout.panels, layout.stats]
    for part in others:
        assert boxes_apart(block, part), part
    for panel in layout.panels:
        assert boxes_apart(layout.legend, panel) and boxes_apart(layout.captions, panel)
    assert boxes_apart(layout.captions, layout.legend)
    assert boxes_apart(layout.captions, layout.loss_curve, gap=0.0)


def test_the_read_out_shows_the_states_accuracies_and_declares_the_rest_static(
    spiral3: Run,
) -> None:
    from manim import ValueTracker

    from nnviz.mobjects.hud import ClassAccuracies
    from nnviz.theme import THEMES

    trajectory = Trajectory(spiral3)
    clock = ValueTracker(12.4)
    block = ClassAccuracies(BlockContext(trajectory, clock, THEMES["light"]))
    expected = torch_class_accuracies(spiral3, trajectory.weights_at(12.4))
    assert [n.text for n in block.numbers] == [f"{a:>6.1%}" for a in expected]
    assert block.title.original_text == "train accuracy by class"  # a quarter is held out
    clock.set_value(40.0)
    block.refresh()
    expected = torch_class_accuracies(spiral3, spiral3.weights(40))
    assert [n.text for n in block.numbers] == [f"{a:>6.1%}" for a in expected]
    static = {id(m) for part in block.static_parts() for m in part.get_family()}
    assert not any(id(m) in static for n in block.numbers for m in n.get_family())
    assert [n.original_text for n in block.names] == ["class 0", "class 1", "class 2"]


def test_held_out_points_and_their_key_take_the_class_palette(spiral3: Run) -> None:
    from manim import ManimColor, ValueTracker

    from nnviz.class_colors import class_palette
    from nnviz.mobjects.layout import TrainingLayout, test_key
    from nnviz.mobjects.shapes import ClassDots
    from nnviz.theme import THEMES

    palette = np.array([ManimColor(c).to_rgb() for c in class_palette(3)])
    for theme in THEMES.values():
        key = test_key(theme, classes=3)
        dots = key[0]
        assert isinstance(dots, ClassDots)
        np.testing.assert_allclose(dots.draw_rgb[np.argsort(dots.draw_order)], palette)
        assert dots.hollow is not None and dots.hollow.all()
        # The two-class key keeps the theme's own two colours.
        two = test_key(theme)[0]
        assert isinstance(two, ClassDots)
        np.testing.assert_allclose(
            two.class_rgb, [ManimColor(c).to_rgb() for c in theme.class_colors]
        )
        for readout in (True, False):
            layout = TrainingLayout(BlockContext(Trajectory(spiral3), ValueTracker(3.0), theme), 32,
                                    class_readout=readout)  # fmt: skip
            # The panels' test points: hollow, in the class palette.
            for panel in layout.panels:
                np.testing.assert_allclose(panel.dots.class_rgb, palette)
                np.testing.assert_array_equal(panel.dots.hollow, spiral3.test)
            keys = [m for m in layout.legend.get_family() if isinstance(m, ClassDots)]
            assert len(keys) == 1 and len(keys[0].labels) == 3
            np.testing.assert_allclose(keys[0].class_rgb, palette)


def test_a_majority_caption_writes_its_classes_in_their_colours(spiral3: Run) -> None:
    from manim import ManimColor, ValueTracker

    from nnviz.class_colors import class_palette
    from nnviz.mobjects.hud import MomentCaptions
    from nnviz.theme import THEMES

    theme = THEMES["dark"]
    shares = np.zeros((41, 3))
    shares[4:, 2] = shares[6:, 0] = 1.0
    (moment,) = class_majority_moments(spiral3, shares)
    assert (
        moment.caption == "epochs 4–6: most points of class 2 and class 0 now lie in their regions"
    )
    palette = class_palette(3)
    captions = MomentCaptions([moment], ValueTracker(6.0), theme, class_colors=palette)
    glyphs = captions[0].submobjects
    visible = [i for i, ch in enumerate(moment.caption) if not ch.isspace()]
    assert len(glyphs) == len(visible)
    expected = [theme.accent] * len(visible)
    for c, (start, stop) in zip(moment.classes, moment.spans, strict=True):
        for n, index in enumerate(visible):
            if start <= index < stop:
                expected[n] = palette[c]
    got = [g.get_fill_color().to_hex().upper() for g in glyphs]
    assert got == [ManimColor(e).to_hex().upper() for e in expected]
    assert got.count(ManimColor(palette[2]).to_hex().upper()) == len("class2")
