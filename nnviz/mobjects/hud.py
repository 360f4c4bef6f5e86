"""Read-outs that follow the epoch clock: epoch, loss and accuracy, the loss curve, stop marks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Dot,
    Group,
    ImageMobject,
    Line,
    Mobject,
    Text,
    ValueTracker,
    VGroup,
    VMobject,
)
from typing_extensions import Self

from nnviz.class_colors import ClassColormap, class_palette
from nnviz.colormap import DivergingColormap
from nnviz.formatting import fit_number, short_name
from nnviz.mobjects.context import BlockContext, PanelContext
from nnviz.mobjects.following import FollowsClock, set_shown
from nnviz.mobjects.panels import CLASS_FIELD_STRENGTH
from nnviz.mobjects.readout import GlyphText
from nnviz.mobjects.typeset import theme_text
from nnviz.moments import Moment, class_names
from nnviz.run import Run
from nnviz.theme import Theme

__all__ = [
    "ClassAccuracies",
    "ClassFieldLegend",
    "EpochReadout",
    "LossCurve",
    "MomentCaptions",
    "ProbabilityLegend",
    "StatsReadout",
    "StopMark",
    "class_legend",
    "color_names",
    "epoch_width",
    "final_loss_text",
    "format_epoch",
    "run_outcome",
    "stop_text",
]


def format_epoch(t: float) -> str:
    """Return the epoch as shown on screen: one decimal, so interpolated frames read as such."""
    return f"{t:.1f}"


def epoch_width(limit: float) -> int:
    """Return the characters an epoch read-out needs for any epoch from 0 to ``limit``: those
    of ``limit`` with its decimal (``10000.0``: 7), and at least 5 (``200.0``), so that runs
    of up to 999 epochs keep the layout they always had."""
    return max(5, len(format_epoch(max(float(limit), 0.0))))


class StatsReadout(FollowsClock, VGroup):
    """``epoch  12.4 / 200   loss 0.5123   accuracy  87.5%`` for the clock's epoch.

    Two monospace lines laid over each other: the names (muted) and the numbers. With a test
    set the line reads ``train loss`` and a second line below it, in the same columns, the
    test set's ``test loss`` and accuracy. The counter is in the run's unit
    (:attr:`nnviz.run.Run.unit`): ``step 1204.7 / 3000`` for a run logged every 10 steps.
    """

    ALPHABET = "0123456789.-+%/ abcdefghijklmnopqrstuvwxyz"

    def __init__(self, context: BlockContext, font_size: float = 22) -> None:
        super().__init__()
        self.trajectory = trajectory = context.trajectory
        self.clock = context.clock
        theme = context.theme
        run = trajectory.run
        limit = run.count_limit
        self.has_test = run.has_test
        # The clock's epoch never passes the run's last (the trajectory clamps it), and the
        # run's last never passes the limit: the field holds every epoch shown.
        epoch = f"{run.unit} {{:>{epoch_width(limit)}}} / {limit}   "
        if self.has_test:
            self.templates = [
                f"{epoch}train loss {{:<6}}   accuracy {{:>6}}",
                f"{' ' * len(epoch.format(''))} test loss {{:<6}}   accuracy {{:>6}}",
            ]
        else:
            self.templates = [f"{epoch}loss {{:<6}}   accuracy {{:>6}}"]
        self.line_height = font_size / 48 * 0.55
        self.rows: list[tuple[GlyphText, GlyphText]] = []
        for template in self.templates:
            names = template.format(*([""] * template.count("{")))
            row = (
                GlyphText(names, self.ALPHABET, font_size, max_length=len(names),
                          color=theme.muted),
                GlyphText("", self.ALPHABET, font_size, max_length=len(names),
                          color=theme.foreground),
            )  # fmt: skip
            self.rows.append(row)
            self.add(*row)
        self.refresh()

    @property
    def names(self) -> GlyphText:
        """The first line's names (``epoch`` or ``step``, ``loss``, ``accuracy``)."""
        return self.rows[0][0]

    @property
    def numbers(self) -> GlyphText:
        """The first line's numbers."""
        return self.rows[0][1]

    def static_parts(self) -> list[Mobject]:
        """The names never change."""
        return [names for names, _ in self.rows]

    def refresh(self) -> Self:
        """Show the numbers of the clock's epoch."""
        state = self.trajectory.state(self.clock.get_value())
        counter = format_epoch(self.trajectory.run.counted(state.t))
        values = [(counter, state.loss, state.accuracy)]
        if self.has_test:
            assert state.test_loss is not None and state.test_accuracy is not None
            values.append(("", state.test_loss, state.test_accuracy))
        for (names_text, numbers), template, (epoch, loss, accuracy) in zip(
            self.rows, self.templates, values, strict=True
        ):
            fields = (fit_number(loss, 6, 4), f"{accuracy:.1%}")
            line = template.format(epoch, *fields) if epoch else template.format(*fields)
            # Blank the characters that belong to the names, keep the numbers.
            names = names_text.text or ""
            numbers.set_text(
                "".join(" " if ch != " " and ch == names[i] else ch for i, ch in enumerate(line))
            )
        return self

    def place(self, point: np.ndarray) -> Self:
        """Put the left end of the first baseline at ``point`` (a test line goes below)."""
        for k, row in enumerate(self.rows):
            below = np.asarray(point, dtype=np.float64) - [0.0, k * self.line_height, 0.0]
            for part in row:
                part.place(below)
        return self

    @property
    def line_width(self) -> float:
        """Width of the read-out."""
        return max(names.text_width for names, _ in self.rows)

    @property
    def second_line_left(self) -> float:
        """Where the test line's text begins (its left is blank), in scene units; the first
        line's left without a test set."""
        names = self.rows[-1][0]
        text = names.text or ""
        blank = len(text) - len(text.lstrip())
        return float(names.anchor[0] + blank * names.advance)


class LossCurve(FollowsClock, VGroup):
    """The whole-data loss against the epoch, traced up to the clock with a moving marker.

    The logged losses are drawn at integer epochs; the last point is the loss of the
    interpolated state at the clock's epoch. The axis is labelled in the run's unit at its
    end (``epoch 200``, ``step 3000``).
    """

    def __init__(
        self, context: PanelContext, loss_limit: float | None = None, font_size: float = 16
    ) -> None:
        super().__init__()
        self.trajectory = trajectory = context.trajectory
        self.clock = context.clock
        self.viewport = viewport = context.viewport
        theme = context.theme
        run = trajectory.run
        self.epoch_limit = run.config.max_epochs
        highest = float(np.max(run.loss))
        if run.test_loss is not None:
            highest = max(highest, float(np.max(run.test_loss)))
        top = loss_limit if loss_limit is not None else highest * 1.1
        self.box = ((0.0, float(self.epoch_limit)), (0.0, max(top, run.config.stop_loss * 1.5)))
        corners = viewport.corners()
        (ul, _, dl, dr) = corners
        axes = VGroup(Line(dl, ul), Line(dl, dr)).set_stroke(theme.muted, 1.5)
        target = run.config.stop_loss
        target_ends = viewport.to_screen(
            np.array([[0.0, target], [self.epoch_limit, target]]), self.box
        )
        target_line = Line(target_ends[0], target_ends[1]).set_stroke(theme.muted, 1.0, opacity=0.7)
        # The target is labelled left of the axis, as a tick, so that nothing at the curve's
        # right end (the legend, the final loss) can run into it.
        labels = VGroup(
            context.text("loss", font_size=font_size, color=theme.muted).next_to(ul, LEFT, 0.1),
            context.text(f"target {target:g}", font_size=font_size - 2, color=theme.muted).next_to(
                target_ends[0], LEFT, 0.1
            ),
            context.text("0", font_size=font_size, color=theme.muted).next_to(
                dl, np.array([0, -1, 0]), 0.08
            ),
            context.text(
                f"{run.unit} {run.count_limit}", font_size=font_size, color=theme.muted
            ).next_to(dr, np.array([0, -1, 0]), 0.08),
        )
        if not (run.stop.draws_target and run.config.has_target):  # no target line
            target_line.set_stroke(opacity=0.0)
            labels.remove(labels[1])
        self.trace = VMobject(stroke_color=theme.accent, stroke_width=2.5)
        self.marker = Dot(radius=0.05, color=theme.accent)
        self.final = context.text(
            final_loss_text(trajectory.run), font_size=font_size - 2, color=theme.accent
        )
        self._place_final()
        self.frame_parts: list[Mobject] = [axes, target_line, labels]
        # With a test set, its loss as a second, quieter curve, and a key naming both.
        self.test_trace: VMobject | None = None
        if run.test_loss is not None:
            self.test_trace = VMobject(stroke_color=theme.foreground, stroke_width=2.0,
                                       stroke_opacity=0.55)  # fmt: skip
            key = VGroup(
                context.text("train", font_size=font_size - 2, color=theme.accent),
                context.text("test", font_size=font_size - 2, color=theme.foreground).set_opacity(
                    0.7
                ),
            ).arrange(RIGHT, buff=0.2)
            key.next_to(ul, RIGHT, buff=0.15).align_to(ul, UP)
            self.frame_parts.append(key)
            self.add(key, self.test_trace)
        self.add(axes, target_line, labels, self.trace, self.marker, self.final)
        self.refresh()

    def static_parts(self) -> list[Mobject]:
        """Axes, target line and labels never change."""
        return list(self.frame_parts)

    def refresh(self) -> Self:
        """Trace the curve up to the clock's epoch."""
        state = self.trajectory.state(self.clock.get_value())
        whole = int(np.floor(state.t))
        epochs = np.append(np.arange(whole + 1, dtype=np.float64), state.t)
        losses = np.append(self.trajectory.run.loss[: whole + 1], state.loss)
        points = np.column_stack([epochs, np.minimum(losses, self.box[1][1])])
        screen = self.viewport.to_screen(points, self.box)
        self.trace.set_points_as_corners(screen)
        self.marker.move_to(screen[-1])
        test_loss = self.trajectory.run.test_loss
        if self.test_trace is not None and test_loss is not None and state.test_loss is not None:
            losses = np.append(test_loss[: whole + 1], state.test_loss)
            points = np.column_stack([epochs, np.minimum(losses, self.box[1][1])])
            self.test_trace.set_points_as_corners(self.viewport.to_screen(points, self.box))
        set_shown(self.final, state.t >= self.trajectory.epochs)
        return self

    def _place_final(self) -> None:
        """Put the final loss just below the curve's end, on the side with room: right of the
        end in the left half of the plot, left of it in the right half (the loss only falls
        to its end, so the curve runs above this corner). An end so low that the text would
        reach below the axis, into its labels (a run that converged by the end of its axis,
        as recorded runs end), gets the text just above it instead, where the flat end of
        the curve leaves room."""
        run = self.trajectory.run
        end = self.viewport.to_screen(
            np.array([[run.epochs, min(float(run.loss[-1]), self.box[1][1])]]), self.box
        )[0]
        right_half = run.epochs > self.epoch_limit / 2
        side = RIGHT if right_half else LEFT
        shift = -0.08 if right_half else 0.08
        self.final.move_to(end + np.array([shift, -0.06, 0]), UP + side)
        bottom = self.viewport.to_screen(np.array([[0.0, 0.0]]), self.box)[0][1]
        if self.final.get_bottom()[1] < bottom:
            self.final.move_to(end + np.array([shift, 0.06, 0]), DOWN + side)


def final_loss_text(run: Run) -> str:
    """Return what the loss curve prints at its end: the final loss, and whether it reached
    the run's target (``0.2617 ≤ target`` or ``0.5692, target not reached``)."""
    return run.stop_words(run.stop.final_text(run.config.has_target))


def stop_text(run: Run) -> str:
    """Return ``stopped at epoch k: loss ≤ 0.263`` (or why else it stopped), or ``""`` for a
    run that used all its epochs."""
    return run.stop_words(run.stop.mark)


def run_outcome(run: Run) -> str:
    """Return three short lines on how a run ended: its last epoch, its final loss against the
    target (:func:`final_loss_text`) and its accuracy."""
    end = run.stop_words(run.stop.ending)
    return f"{end}\nloss {final_loss_text(run)}\naccuracy {run.accuracy[-1]:.1%}"


class StopMark(FollowsClock, Text):
    """``stopped at epoch k: loss ≤ 0.263``: invisible until the clock reaches a run's last
    epoch.

    Shown only for runs that stopped before their epoch limit (target reached or diverged).
    """

    def __init__(self, context: BlockContext, **kwargs: Any) -> None:
        run = context.trajectory.run
        theme = context.theme
        kwargs.setdefault("font_size", 20)
        super().__init__(stop_text(run) or " ", font=theme.font, color=theme.accent, **kwargs)
        self.trajectory = context.trajectory
        self.clock = context.clock
        self.early = run.stop.early
        self.refresh()

    def refresh(self) -> Self:
        """Show the mark once the clock has reached the run's last epoch."""
        visible = self.early and self.clock.get_value() >= self.trajectory.epochs
        set_shown(self, visible)
        return self


class MomentCaptions(FollowsClock, VGroup):
    """Captions of a run's key moments, each shown for a while after its epoch.

    Parameters
    ----------
    moments
        The run's key moments (see :func:`nnviz.moments.key_moments`).
    clock
        The epoch tracker.
    theme
        Colours and font.
    show_epochs
        How many epochs a caption stays on screen after its moment.
    class_colors
        The colours of the run's classes: the classes a moment names (a class majority,
        :attr:`nnviz.moments.Moment.classes`) are written in them.
    max_width
        A caption wider than this is scaled down to it; ``None``: no limit.
    """

    def __init__(
        self,
        moments: Sequence[Moment],
        clock: ValueTracker,
        theme: Theme,
        show_epochs: float = 25.0,
        font_size: float = 18,
        class_colors: Sequence[str] | None = None,
        max_width: float | None = None,
    ) -> None:
        self.moments = list(moments)
        self.clock = clock
        self.show_epochs = show_epochs
        captions = []
        for moment in self.moments:
            caption = theme_text(theme, moment.caption, font_size=font_size, color=theme.accent)
            if class_colors is not None:
                color_names(caption, moment, class_colors)
            if max_width is not None and caption.width > max_width:
                caption.scale_to_fit_width(max_width)
            captions.append(caption)
        super().__init__(*captions)
        self.refresh()

    def visible_index(self, t: float) -> int | None:
        """Return the index of the caption shown at epoch ``t``: the latest moment that began
        at most :attr:`show_epochs` ago, or ``None``."""
        shown = None
        for index, moment in enumerate(self.moments):
            if moment.epoch <= t < moment.epoch + self.show_epochs:
                shown = index
        return shown

    def refresh(self) -> Self:
        """Show the caption of the clock's epoch, hide the others."""
        shown = self.visible_index(self.clock.get_value())
        for index, caption in enumerate(self.submobjects):
            set_shown(caption, index == shown)
        return self


def color_names(caption: Text, moment: Moment, class_colors: Sequence[str]) -> Text:
    """Write the class names of ``moment``'s caption (:attr:`nnviz.moments.Moment.spans`) in
    their classes' colours; ``caption`` is the typeset :attr:`~nnviz.moments.Moment.caption`,
    one glyph per character that is not a space."""
    text = moment.caption
    glyph_index = np.cumsum([not ch.isspace() for ch in text]) - 1  # each character's glyph
    for c, (start, stop) in zip(moment.classes, moment.spans, strict=True):
        for index in range(start, stop):
            if not text[index].isspace():
                caption.submobjects[glyph_index[index]].set_fill(class_colors[c])
    return caption


def class_legend(
    theme: Theme,
    font_size: float = 13,
    class_names: Sequence[str] | None = None,
    colors: Sequence[str] | None = None,
) -> VGroup:
    """Return ``● class 0   ● class 1`` in the theme's class colours, or the data's own
    ``class_names`` (a CSV file's labels) instead of ``class 0``, ``class 1``; with
    ``colors``, one entry per colour (``k`` classes, :func:`nnviz.class_colors.class_palette`)
    in one row."""
    colors = theme.class_colors if colors is None else tuple(colors)
    classes = range(len(colors))
    names = [f"class {k}" for k in classes] if class_names is None else list(class_names)
    return VGroup(
        *(
            VGroup(
                Dot(radius=0.05, color=colors[k]),
                theme_text(theme, names[k], font_size=font_size, color=theme.muted),
            ).arrange(RIGHT, buff=0.06)
            for k in classes
        )
    ).arrange(RIGHT, buff=0.25)


class ProbabilityLegend(Group):
    """The colour legend of the probability mesh: a bar from P = 0 to 1 and the class colours.

    Parameters
    ----------
    class_names
        The data's names of class 0 and class 1 (a CSV file's labels), shown instead of
        ``class 0`` and ``class 1``, and in the bar's title ``P(<class 1>)``.
    discrete
        The mesh is discretised (``--discretize``): the bar shows its two flat colours, class
        0's below 0.5 and class 1's above, instead of the shading.
    """

    def __init__(
        self,
        theme: Theme,
        width: float = 1.9,
        font_size: float = 15,
        class_names: Sequence[str] | None = None,
        discrete: bool = False,
    ) -> None:
        super().__init__()
        colormap = DivergingColormap.from_theme(theme)
        p = np.linspace(0.0, 1.0, 256)
        if discrete:  # as the discretised mesh paints it (Mesh.paint)
            p = (p > 0.5).astype(float)
        strip = colormap(p)[None, :, :].repeat(8, axis=0)
        bar = ImageMobject(strip)
        bar.stretch_to_fit_width(width).stretch_to_fit_height(0.16)
        positive = "class 1" if class_names is None else class_names[1]
        title = theme_text(theme, f"P({positive})", font_size=font_size, color=theme.muted)
        title.next_to(bar, UP, buff=0.08)
        ticks = VGroup(
            *(
                theme_text(theme, label, font_size=font_size - 2, color=theme.muted).next_to(
                    bar.get_corner(DOWN + LEFT) + np.array([width * at, 0.0, 0.0]), DOWN, buff=0.06
                )
                for label, at in (("0", 0.0), ("0.5", 0.5), ("1", 1.0))
            )
        )
        classes = class_legend(theme, font_size - 2, class_names)
        classes.next_to(title, UP, buff=0.08)
        self.add(bar, title, ticks, classes)


class ClassFieldLegend(Group):
    """The legend of a softmax output's field: every class in its colour (the field shows the
    most probable class) and what the fading means, with a strip from unsure to sure.

    Parameters
    ----------
    classes
        How many classes (2 to 6, :func:`nnviz.class_colors.class_palette`).
    class_names
        The data's names of the classes, shown instead of ``class 0 … class k−1``.
    show_classes
        Name the classes; without, only the strip (a :class:`ClassAccuracies` beside it names
        them).
    discrete
        The field is discretised (``--discretize``): every class at full strength, so there
        is no fading to explain and the strip is left out.
    """

    def __init__(
        self,
        theme: Theme,
        classes: int,
        width: float = 1.9,
        font_size: float = 15,
        class_names: Sequence[str] | None = None,
        show_classes: bool = True,
        discrete: bool = False,
    ) -> None:
        super().__init__()
        colors = class_palette(classes)
        names = [f"class {k}" for k in range(classes)] if class_names is None else class_names
        entries = [
            VGroup(
                Dot(radius=0.05, color=colors[k]),
                theme_text(theme, str(names[k]), font_size=font_size - 2, color=theme.muted),
            ).arrange(RIGHT, buff=0.06)
            for k in range(classes)
        ]  # fmt: skip
        rows = VGroup(*entries).arrange_in_grid(cols=min(3, classes), buff=(0.22, 0.08),
                                                cell_alignment=LEFT)  # fmt: skip
        if rows.width > width * 1.25:
            rows.scale_to_fit_width(width * 1.25)
        # The fading of class 0's colour, from unsure (background) to sure.
        colormap = ClassColormap.from_theme(theme, classes, CLASS_FIELD_STRENGTH)
        p = np.linspace(1.0 / classes, 1.0, 256)
        probabilities = np.full((256, classes), 0.0)
        probabilities[:, 0] = p
        probabilities[:, 1:] = ((1.0 - p) / (classes - 1))[:, None]
        strip = colormap(probabilities)[None, :, :].repeat(8, axis=0)
        bar = ImageMobject(strip)
        bar.stretch_to_fit_width(width * 0.6).stretch_to_fit_height(0.12)
        pale = theme_text(theme, "pale: unsure", font_size=font_size - 2, color=theme.muted)
        fading = Group(bar, pale).arrange(RIGHT, buff=0.1)
        rows.next_to(fading, UP, buff=0.12)
        if not discrete:
            self.add(fading)
        if show_classes:
            self.add(rows)


class EpochReadout(FollowsClock, GlyphText):
    """``epoch 123.4``: the clock's epoch, one decimal, right-aligned in a field wide enough
    for every epoch up to ``limit`` (:func:`epoch_width`).

    Parameters
    ----------
    clock
        The epoch tracker; it must stay within 0 and ``limit``.
    theme
        Colours and font.
    limit
        The highest epoch the clock reaches (the longest run's last epoch).
    font_size
        Font size, as for :class:`manim.Text`.
    unit
        What the clock counts, one of :data:`nnviz.run.UNITS` (``step 123.4``).
    """

    def __init__(
        self,
        clock: ValueTracker,
        theme: Theme,
        limit: float,
        font_size: float = 22,
        unit: str = "epoch",
    ) -> None:
        field = epoch_width(limit)
        super().__init__("", f"{unit}0123456789. ", font_size=font_size,
                         max_length=len(unit) + 1 + field, color=theme.foreground)  # fmt: skip
        self.field = field
        self.unit = unit
        self.clock = clock
        self.refresh()

    def refresh(self) -> Self:
        """Show the clock's epoch."""
        return self.set_text(f"{self.unit} {format_epoch(self.clock.get_value()):>{self.field}}")

    def place_right(self, right: float, baseline: float) -> Self:
        """Put the end of the read-out's widest text at ``right`` and its baseline at
        ``baseline``."""
        return self.place(np.array([right - self.max_length * self.advance, baseline, 0.0]))


class ClassAccuracies(FollowsClock, VGroup):
    """Each class's accuracy at the clock's epoch: ``● setosa 100.0%  ● versicolor  92.3%``,
    the classes in their colours, under a title (``accuracy by class``; ``train accuracy by
    class`` when a test set is held out, as the read-out's ``train`` line).

    The share of each class's own training points that the network at the clock's epoch
    predicts as it (:attr:`nnviz.trajectory.FrameState.class_accuracies`): computed from the
    interpolated weights between logged epochs, as the read-out's accuracy is. A class without
    training points shows ``-``. The entries stand in a grid of at most three columns (two
    rows of three for six classes), each column's numbers aligned; names longer than fit
    end in an ellipsis (:func:`nnviz.formatting.short_name`).

    Parameters
    ----------
    context
        A run of ``k`` softmax classes, the epoch tracker, colours and font.
    max_width
        The widest the block may be: names are shortened until it fits.
    font_size
        Font size of the names and numbers (the title's is one larger).
    """

    #: Characters of a number: ``100.0%``.
    NUMBER = 6
    #: The longest names tried, in characters, until the block fits its width.
    NAME_LIMITS = (16, 14, 12, 10, 8, 6)
    #: Scene units: a dot's radius, the gaps after a dot and after a name, between columns
    #: and between rows' centres, and below the title.
    DOT, AFTER_DOT, AFTER_NAME, COLUMN_GAP, ROW, BELOW_TITLE = 0.05, 0.07, 0.08, 0.25, 0.22, 0.08

    def __init__(
        self, context: BlockContext, max_width: float = 6.0, font_size: float = 13
    ) -> None:
        super().__init__()
        self.trajectory = context.trajectory
        self.clock = context.clock
        theme = context.theme
        run = context.trajectory.run
        k = run.config.classes
        self.classes = k
        # As few rows of at most three entries as k needs, filled evenly (2 + 2 for four).
        self.columns = math.ceil(k / math.ceil(k / 3))
        words = "train accuracy by class" if run.has_test else "accuracy by class"
        self.title = context.text(words, font_size=font_size + 1, color=theme.muted)
        self.numbers = [
            GlyphText("", "0123456789.%-", font_size, max_length=self.NUMBER,
                      color=theme.foreground)
            for _ in range(k)
        ]  # fmt: skip
        colors = class_palette(k)
        self.dots = VGroup(*(Dot(radius=self.DOT, color=colors[c]) for c in range(k)))
        full = class_names(run)
        for limit in self.NAME_LIMITS:
            self.names = VGroup(
                *(
                    context.text(short_name(name, limit), font_size=font_size,
                               color=theme.muted)
                    for name in full
                )
            )  # fmt: skip
            if self.grid_width <= max_width:
                break
        self.add(self.title, self.dots, self.names, *self.numbers)
        self.place(np.array([0.0, 0.0, 0.0]))
        self.refresh()

    def _column_names(self, column: int) -> float:
        """The width of the widest name in ``column``."""
        return max(n.width for n in self.names[column :: self.columns])

    def _column_width(self, column: int) -> float:
        number = self.NUMBER * self.numbers[0].advance
        return 2 * self.DOT + self.AFTER_DOT + self._column_names(column) + self.AFTER_NAME + number

    @property
    def grid_width(self) -> float:
        """The width of the entries' grid."""
        columns = range(min(self.columns, self.classes))
        widths = [self._column_width(c) for c in columns]
        return sum(widths) + self.COLUMN_GAP * (len(widths) - 1)

    @property
    def block_width(self) -> float:
        """The width of the block: the grid's, or the title's when it is wider."""
        return max(self.grid_width, self.title.width)

    @property
    def block_height(self) -> float:
        """The height of the block, from the title's top to the last row's bottom."""
        rows = -(-self.classes // self.columns)
        return self.title.height + self.BELOW_TITLE + rows * self.ROW

    def place(self, corner: np.ndarray) -> Self:
        """Put the block's upper left corner at ``corner`` (the numbers are laid out anew)."""
        left, top = float(corner[0]), float(corner[1])
        self.title.move_to(np.array([left, top, 0.0]), UP + LEFT)
        first_row = top - self.title.height - self.BELOW_TITLE - self.ROW / 2
        half_digit = self.numbers[0].glyph_middle("0")  # a row's numbers centred on its dot
        x = left
        lefts = []
        for column in range(self.columns):
            lefts.append(x)
            x += self._column_width(column) + self.COLUMN_GAP
        for c in range(self.classes):
            row, column = divmod(c, self.columns)
            y = first_row - row * self.ROW
            x = lefts[column]
            self.dots[c].move_to(np.array([x + self.DOT, y, 0.0]))
            name_left = x + 2 * self.DOT + self.AFTER_DOT
            self.names[c].move_to(np.array([name_left, y, 0.0]), LEFT)
            number_left = name_left + self._column_names(column) + self.AFTER_NAME
            self.numbers[c].place(np.array([number_left, y - half_digit, 0.0]))
        return self

    def static_parts(self) -> list[Mobject]:
        """The title, the dots and the names never change."""
        return [self.title, self.dots, self.names]

    def refresh(self) -> Self:
        """Show each class's accuracy at the clock's epoch."""
        shares = self.trajectory.state(self.clock.get_value()).class_accuracies
        if shares is None:
            raise ValueError("each class's accuracy needs a run of softmax classes")
        for number, share in zip(self.numbers, shares, strict=True):
            text = "-" if np.isnan(share) else f"{share:.1%}"
            number.set_text(f"{text:>{self.NUMBER}}")
        return self
