"""What every nnviz scene shares: the theme, the LaTeX check, the private caches, the
subtitles and the run cache, on Manim's scene as the adapter changes it
(:mod:`nnviz.manim_adapter.scene`).

What only some scenes need is composed, not inherited: fades by curtains
(:mod:`nnviz.stories.fades`) and the epoch clock's play (:mod:`nnviz.stories.clock`) are
functions of the scene."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from typing import Any, ClassVar, Protocol

from manim import config

from nnviz.cache import cached_run
from nnviz.config import RunConfig
from nnviz.errors import RenderError
from nnviz.manim_adapter.caches import PrivateCaches
from nnviz.manim_adapter.scene import AdaptedScene
from nnviz.render_checks import disk_full_message, missing_latex, refuse_softmax_pictures
from nnviz.run import Run
from nnviz.theme import Theme, active_theme

__all__ = ["NNVizScene", "Phase", "check_phases"]


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
    """A Scene with what every nnviz scene needs: its theme, the LaTeX check, private caches,
    its subtitles (:meth:`subtitle`, :meth:`subtitled`) and its runs (:meth:`run_for`); Manim's
    machinery as the adapter changes it
    (:class:`~nnviz.manim_adapter.scene.AdaptedScene`: the fast camera, static parts drawn
    once, time by whole frames). Fades (:mod:`nnviz.stories.fades`) and the epoch clock's
    play (:mod:`nnviz.stories.clock`) are functions that take the scene.

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
