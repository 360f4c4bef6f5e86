"""What every nnviz scene shares: the theme, the private caches, the epoch clock and the run
cache, on Manim's scene as the adapter changes it (:mod:`nnviz.manim_adapter.scene`)."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import fields
from typing import Any, ClassVar, Protocol

import numpy as np
from manim import (
    Animation,
    FadeIn,
    FadeOut,
    FullScreenRectangle,
    Mobject,
    UpdateFromAlphaFunc,
    ValueTracker,
    config,
    linear,
)

from nnviz.cache import cached_run
from nnviz.config import RunConfig
from nnviz.errors import RenderError
from nnviz.manim_adapter.caches import PrivateCaches
from nnviz.manim_adapter.scene import AdaptedScene
from nnviz.manim_adapter.timing import frames_of_play
from nnviz.mobjects.curtain import Glide, curtains
from nnviz.render_checks import disk_full_message, missing_latex, refuse_softmax_pictures
from nnviz.run import Run
from nnviz.theme import Theme, active_theme

__all__ = [
    "CLOCK_CHUNK_SECONDS",
    "NNVizScene",
    "Phase",
    "check_phases",
    "clock_chunks",
    "clock_frame_times",
    "linear_clock",
]

#: The longest animation an epoch clock is played in: a longer play is cut into chunks of
#: whole frames (the same frames at the same times), so that a parallel render (``--jobs``),
#: which splits a scene between its animations, can give each process an even share.
CLOCK_CHUNK_SECONDS = 2.0


def linear_clock(epochs: float, seconds_per_epoch: float) -> tuple[float, Callable[[float], float]]:
    """Return the run time and the clock of a play from epoch 0 to ``epochs`` at a steady
    ``seconds_per_epoch`` (at least half a second), for :meth:`NNVizScene.play_clock`."""
    run_time = max(epochs * seconds_per_epoch, 0.5)
    return run_time, lambda seconds: epochs * seconds / run_time


def clock_chunks(run_time: float, rate: float) -> list[tuple[float, float]]:
    """Return the animations :meth:`NNVizScene.play_clock` plays a clock of ``run_time``
    seconds in at ``rate`` frames a second: ``(start, duration)`` each, whole frames of at
    most :data:`CLOCK_CHUNK_SECONDS`, drawing the frames one play of ``run_time`` would, at the
    same times."""
    step = 1 / rate
    frames = frames_of_play(run_time, rate)
    per_chunk = max(1, round(CLOCK_CHUNK_SECONDS * rate))
    chunks = []
    for first in range(0, frames, per_chunk):
        count = min(per_chunk, frames - first)
        start = first * step
        duration = run_time - start
        if first + count < frames or frames_of_play(duration, rate) != count:
            duration = (count - 0.5) * step  # exactly `count` frames, at start + k * step
        chunks.append((start, duration))
    return chunks


def clock_frame_times(run_time: float, rate: float) -> np.ndarray:
    """Return the video seconds, from the clock's start, whose clock values the frames of
    :meth:`NNVizScene.play_clock` show (``value_at`` of them), computed as its animations
    compute them (Manim's frame times ``t`` of each chunk, ``start + (t / duration) *
    duration``)."""
    parts = [
        start + (np.arange(0, duration, 1 / rate) / duration) * duration
        for start, duration in clock_chunks(run_time, rate)
    ]
    return np.concatenate(parts) if parts else np.zeros(0)


class Phase(Protocol):
    """A phase of a story: a frozen dataclass of its settings (a story's class attribute,
    e.g. ``training = TrainingPhase(seconds_per_epoch=0.03)``) that plays itself on a scene."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    def check(self) -> None:
        """Raise :class:`ValueError` in one line when a setting is out of its range."""


def check_phases(story: NNVizScene, *names: str) -> None:
    """Check the phases ``names`` (class attributes) of ``story`` before anything plays.

    A phase checks its settings when it plays, not when it is made: a scene file's phase is
    made when Manim imports the file, where an error would reach the user as Manim's
    traceback. Here it is one line.

    A story's class attribute named like a field of one of its phases (``seconds_per_epoch =
    0.05`` where ``training = TrainingPhase(seconds_per_epoch=0.05)`` is meant) would be
    ignored: it is refused, unless the story class that first declares the phase has a
    setting of that name of its own (the talk's ``learning_rates``).

    Raises
    ------
    SystemExit
        ``nnviz: <Story>.<name>: <what is wrong>``, for the first phase out of range or
        setting misplaced.
    """
    story_class = type(story)
    for name in names:
        phase = getattr(story, name)
        declared_by = next(c for c in reversed(story_class.__mro__) if name in vars(c))
        for field in fields(phase):
            if hasattr(story_class, field.name) and not hasattr(declared_by, field.name):
                kind = type(phase).__name__
                raise SystemExit(
                    f"nnviz: {story_class.__name__}.{field.name}: a setting of the {name} "
                    f"phase; write {name} = {kind}({field.name}=...)"
                )
        try:
            phase.check()
        except ValueError as error:
            raise SystemExit(f"nnviz: {story_class.__name__}.{name}: {error}") from None


@contextmanager
def _one_line_on_a_full_disk(caches: PrivateCaches) -> Iterator[None]:
    """Stop with one line (``SystemExit("nnviz: ...")``, which Manim's command line prints
    without a traceback) when what runs inside fails because the disk is full.

    The disk is asked in the render's private folder when it has one (removed with it)."""
    try:
        yield
    except Exception as error:
        media = config.get_dir("media_dir")
        message = disk_full_message(error, media, caches.root)
        if message is None:
            raise
        raise SystemExit(f"nnviz: {message}") from error


class NNVizScene(AdaptedScene):
    """A Scene with nnviz's theme, private caches and epoch clock; Manim's machinery as the
    adapter changes it (:class:`~nnviz.manim_adapter.scene.AdaptedScene`: the fast camera,
    static parts drawn once, time by whole frames).

    Subclasses set :attr:`base_config` to change the data set, seed or training settings.
    """

    #: The run configuration that the scene's runs start from.
    base_config: ClassVar[RunConfig] = RunConfig()
    #: The theme (a name in :data:`nnviz.theme.THEMES`); ``None`` takes ``NNVIZ_THEME``'s.
    theme_name: ClassVar[str | None] = None

    def __init__(self, **kwargs: Any) -> None:
        self.theme: Theme = active_theme(self.theme_name)
        reason = missing_latex()
        if reason is not None:  # one line instead of Manim's traceback from deep in MathTex
            raise SystemExit(f"nnviz: {reason}")
        # Renders at once in one folder must not share Manim's text, Tex and movie files.
        self._private_caches = PrivateCaches()
        with _one_line_on_a_full_disk(self._private_caches):
            self._private_caches.open()
            weakref.finalize(self, self._private_caches.close)
            try:
                super().__init__(background_color=self.theme.background, **kwargs)
            except BaseException:
                self._private_caches.close()
                raise
        self._private_caches.attach(self.renderer.file_writer)

    @contextmanager
    def rendering(self) -> Iterator[None]:
        """What a render runs inside (the adapter's hook): after it, publish new text and Tex
        to the shared caches and remove this render's private folders (also when
        interrupted). On a full disk the render stops with one line (``SystemExit``) instead
        of the error it met, which may be far from the write that failed (see
        :func:`~nnviz.render_checks.disk_full_message`)."""
        try:
            with _one_line_on_a_full_disk(self._private_caches):
                yield
        finally:
            self._private_caches.close()

    def subtitle(self, text: str, seconds: float, offset: float = 0.0) -> None:
        """Add a subtitle: ``text`` (a cue of :mod:`nnviz.subtitles`) shown for ``seconds``
        from ``offset`` seconds after now (before the next animation plays), written by
        Manim into the ``.srt`` beside the video (``Scene.add_subcaption``; the adapter keeps
        its time to whole frames, the same in a parallel render).

        The text is also kept, in order, in :attr:`cue_texts` (the talk's speaker notes).
        A cue of no time (a phase fitted into too little) is left out."""
        if seconds <= 0 or not text:
            return
        self.cue_texts.append(text)
        self.add_subcaption(text, duration=seconds, offset=offset)

    @contextmanager
    def subtitled(self, text: str) -> Iterator[None]:
        """Add a subtitle ``text`` shown while what runs inside plays (from the scene's time
        on entering to its time on leaving, whole frames: see :meth:`subtitle`)."""
        start = float(self.time)
        yield
        seconds = float(self.time) - start
        self.subtitle(text, seconds, offset=-seconds)

    @property
    def cue_texts(self) -> list[str]:
        """The texts of the subtitles added so far (:meth:`subtitle`), in order."""
        if not hasattr(self, "_cue_texts"):
            self._cue_texts: list[str] = []
        return self._cue_texts

    def play_clock(
        self, clock: ValueTracker, run_time: float, value_at: Callable[[float], float]
    ) -> None:
        """Play ``clock`` through ``value_at(seconds)`` for ``run_time`` seconds of video.

        The frames are those one play of ``run_time`` would draw, at the same times, but cut
        into animations of at most :data:`CLOCK_CHUNK_SECONDS` (whole frames each), so that a
        parallel render can split a long training play between its processes. The clock ends
        at ``value_at(run_time)``.
        """
        for start, duration in clock_chunks(run_time, config.frame_rate):

            def follow(tracker: Mobject, alpha: float, start: float = start,
                       duration: float = duration) -> None:  # fmt: skip
                tracker.set_value(value_at(start + alpha * duration))

            self.play(UpdateFromAlphaFunc(clock, follow), run_time=duration, rate_func=linear)
        clock.set_value(value_at(run_time))

    def reveal(self, *mobjects: Mobject, run_time: float = 0.8) -> None:
        """Add ``mobjects`` and fade them in by lifting a curtain of the background colour.

        Looks like ``FadeIn`` of everything, but animates one rectangle instead of deep-copying
        every mobject (seconds for a full training layout).
        """
        curtain = self._curtain(opacity=1.0)
        self.add(*mobjects, curtain)
        self.play(FadeOut(curtain), run_time=run_time)

    def conceal(self, *mobjects: Mobject, run_time: float = 0.6) -> None:
        """Fade ``mobjects`` out by lowering the curtain, then remove them."""
        self.remember_shown(mobjects)
        curtain = self._curtain(opacity=1.0)
        self.play(FadeIn(curtain), run_time=run_time)
        self.remove(*mobjects, curtain)

    def fade_in(
        self,
        *mobjects: Mobject,
        shift: Sequence[float] | np.ndarray | None = None,
        run_time: float = 1.0,
        along: Sequence[Animation] = (),
    ) -> None:
        """Add ``mobjects`` and fade them in, gliding by ``shift`` into place, as ``FadeIn``
        does, with ``along`` played at the same time.

        Curtains of the background's colour over the mobjects are lifted instead of the
        mobjects being faded (:mod:`nnviz.mobjects.curtain`): the same pixels where the
        mobjects stand on the background alone, without Manim's copies of every glyph.
        """
        vector = np.zeros(3) if shift is None else np.asarray(shift, dtype=np.float64)
        cover = curtains(mobjects, self.theme.background, 1.0, shift=vector)
        for mobject in mobjects:
            mobject.shift(-vector)
        self.add(*mobjects, cover)
        glides = [Glide(m, vector) for m in mobjects] if shift is not None else []
        self.play(FadeOut(cover), *glides, *along, run_time=run_time)

    def fade_out(
        self, *mobjects: Mobject, run_time: float = 0.6, along: Sequence[Animation] = ()
    ) -> None:
        """Fade ``mobjects`` out, as ``FadeOut`` does, by lowering curtains of the background's
        colour over them (see :meth:`fade_in`), then remove them."""
        self.remember_shown(mobjects)
        cover = curtains(mobjects, self.theme.background, 1.0)
        self.play(FadeIn(cover), *along, run_time=run_time)
        self.remove(*mobjects, cover)

    def clear_screen(self, run_time: float = 0.6) -> None:
        """Fade out everything on screen (by the curtain, see :meth:`conceal`)."""
        if self.mobjects:
            self.conceal(*self.mobjects, run_time=run_time)

    def _curtain(self, opacity: float) -> FullScreenRectangle:
        return FullScreenRectangle(
            fill_color=self.theme.background, fill_opacity=opacity, stroke_width=0
        )

    def run_for(self, *, layout: str = "default", **changes: Any) -> Run:
        """Return the cached run of :attr:`base_config` with ``changes``, training it if needed,
        for pictures in the training ``layout`` (:data:`nnviz.mobjects.layout.LAYOUTS`).

        Raises
        ------
        SystemExit
            With one line, before any training, for a softmax run in the blog layout
            (:func:`nnviz.render_checks.refuse_softmax_pictures`).
        """
        config = self.base_config.replace(**changes)
        try:
            refuse_softmax_pictures(config, layout)
        except RenderError as error:
            raise SystemExit(f"nnviz: {error}") from None
        return cached_run(config)
