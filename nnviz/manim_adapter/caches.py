"""Each render's own Manim text, Tex and partial-movie folders, and an atomic final movie and
subtitles.

Manim shares ``media/texts`` and ``media/Tex`` between renders and deletes files there without
locks; :class:`PrivateCaches` gives a render folders of its own (writing Manim's global
``config.partial_movie_dir`` for the render and restoring it after) and publishes what it
typeset to the shared folders with atomic links.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import time
from pathlib import Path
from typing import Any, BinaryIO

from nnviz.atomic_files import write_atomically
from nnviz.files import FileRefusedError, check_regular_file, open_regular_file
from nnviz.manim_adapter.replaces import replaces
from nnviz.mobjects.text_store import STORED_TEXT_SUFFIX

__all__ = [
    "MAX_TYPESET_FILE_BYTES",
    "PrivateCaches",
    "is_complete_svg",
    "subtitle_path",
    "subtitles_text",
]

#: Largest typeset file (SVG or stored text) a render takes from the shared folders; a
#: caption's SVG is a few kB, a long formula's some 100 kB.
MAX_TYPESET_FILE_BYTES = 4 * 2**20


class PrivateCaches:
    """One render's own Manim text, Tex and partial-movie folders, and an atomic final movie.

    Manim shares ``media/texts`` and ``media/Tex`` between renders and writes and deletes files
    there without locks, so two renders at once in one folder break each other (a text's SVG
    vanishes, LaTeX's intermediate files are cleaned away mid-compile); two renders of the same
    scene also write the same partial movie files and the same final movie. With this, each
    render works in ``<media_dir>/.nnviz-render-<pid>-<token>/``: it starts with hard links to
    the shared SVGs (so nothing is compiled twice), publishes new SVGs to the shared folders
    with atomic links when it ends, writes the final movie to a temporary file renamed into
    place, and removes its folder, also after Ctrl-C (so no partial movie files stay behind).

    Call :meth:`open` before the scene is constructed (Manim plans its output paths then),
    :meth:`attach` with the scene's file writer, and :meth:`close` after rendering.
    """

    PREFIX = ".nnviz-render-"

    def __init__(self) -> None:
        self.root: Path | None = None
        self.shared: dict[str, Path] = {}
        self.private: dict[str, Path] = {}
        self.partial_movie_dir = ""

    @classmethod
    def folder_name(cls, suffix: str = "") -> str:
        """Return a new name for a folder of this process's render, in the form that
        :func:`_remove_dead_renders` reads (the process id after :attr:`PREFIX`)."""
        return f"{cls.PREFIX}{os.getpid()}-{secrets.token_hex(4)}{suffix}"

    def open(self) -> PrivateCaches:
        """Create the private folders and point Manim's configuration at them."""
        from manim import config

        media = Path(config.get_dir("media_dir"))
        _remove_dead_renders(media)
        self.root = media / self.folder_name()
        try:
            for key in ("text_dir", "tex_dir"):
                shared = Path(config.get_dir(key))
                private = self.root / key
                private.mkdir(parents=True)
                for stored in _cached_files(shared):
                    if _is_complete(stored):  # an incomplete one is typeset again, not parsed
                        _link_or_copy(stored, private / stored.name)
                self.shared[key], self.private[key] = shared, private
                config[key] = str(private)
            self.partial_movie_dir = config.partial_movie_dir
            config.partial_movie_dir = str(self.root / "partial_movie_files")
        except BaseException:  # a full disk, Ctrl-C: no folder left behind, Manim's own again
            self.close()
            raise
        return self

    def attach(self, file_writer: Any) -> None:
        """Make ``file_writer`` write its final movie to a temporary file and rename it."""
        from manim.scene.scene_file_writer import SceneFileWriter

        combine = file_writer.combine_files

        @replaces(
            SceneFileWriter.combine_files,
            because="the final movie is written to a temporary file renamed into place, so "
            "two renders of one scene never write one file and a killed render leaves none",
        )
        def combine_atomically(input_files: Any, output_file: Path, *args: Any, **kw: Any) -> None:
            output_file = Path(output_file)
            output_file.parent.mkdir(parents=True, exist_ok=True)
            temporary = output_file.with_name(
                f".{output_file.stem}.{os.getpid()}-{secrets.token_hex(4)}.tmp{output_file.suffix}"
            )
            try:
                combine(input_files, temporary, *args, **kw)
                os.replace(temporary, output_file)
            finally:
                temporary.unlink(missing_ok=True)

        file_writer.combine_files = combine_atomically

        @replaces(
            SceneFileWriter.write_subcaption_file,
            because="the subtitles are written to a temporary file renamed into place, and only "
            "beside a movie this render wrote: not beside a GIF (no subtitle track; Manim would "
            "write one) nor for a render that skipped every animation (a parallel render's plan "
            "would write them at the final movie's path before it is made)",
        )
        def write_subtitles_atomically() -> None:
            path = subtitle_path(file_writer)
            if path is not None:
                data = subtitles_text(file_writer).encode("utf-8")

                def write(handle: BinaryIO) -> None:
                    handle.write(data)

                write_atomically(path, write)

        file_writer.write_subcaption_file = write_subtitles_atomically

    def close(self) -> None:
        """Publish new SVGs, restore Manim's configuration and remove the private folders."""
        from manim import config

        if self.root is None:
            return
        for key, private in self.private.items():
            shared = self.shared[key]
            try:
                shared.mkdir(parents=True, exist_ok=True)
                for stored in _cached_files(private):
                    # Only whole files go out (an interrupted typesetting leaves a cut one).
                    # A file this render wrote replaces the shared one, which was missing,
                    # cut, or refused (a foreign or planted file is typeset again).
                    if _is_complete(stored) and not _same_file(stored, shared / stored.name):
                        _publish(stored, shared / stored.name)
            except OSError:
                pass  # a cache that cannot be filled only costs time
            if config[key] == str(private):
                config[key] = str(shared)
        if config.partial_movie_dir == str(self.root / "partial_movie_files"):
            config.partial_movie_dir = self.partial_movie_dir
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


def subtitles_text(file_writer: Any) -> str:
    """Return the subtitles (SRT) of the scene ``file_writer`` writes, numbered in time order
    (empty when it has none): what Manim writes beside the movie."""
    import srt

    cues = list(file_writer.subcaptions)
    return str(srt.compose(cues)) if cues else ""


def subtitle_path(file_writer: Any) -> Path | None:
    """Return where ``file_writer``'s subtitles go (beside its movie, ``.srt``), or ``None``
    when it writes none: no cues, a GIF, no movie (every animation skipped)."""
    path = file_writer.output_plan.subcaption_file
    movies = [movie for movie in file_writer.partial_movie_files if movie is not None]
    if not file_writer.subcaptions or path is None or file_writer.output_spec.is_gif:
        return None
    return Path(path) if movies else None


def _same_file(path: Path, other: Path) -> bool:
    """Return whether ``path`` and ``other`` are one file (a link this render made)."""
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except FileExistsError:
        pass
    except OSError:
        with contextlib.suppress(OSError):
            shutil.copyfile(source, target)


def is_complete_svg(path: Path) -> bool:
    """Return whether ``path`` is a whole SVG file: not empty, and its end closes the ``svg``
    element. A typesetting cut short (Ctrl-C, a crash) leaves an empty or truncated file,
    which Manim would take for a cached text and fail to parse ("no element found"). A file
    that declares a document type is refused too: Pango and dvisvgm never write one, and its
    entities could make the XML parser expand text without bound."""
    try:
        # Not a FIFO named *.svg (open() would block forever), nor a link to anything.
        file, _ = open_regular_file(path, follow_links=False)
    except FileRefusedError:
        return False
    try:
        with file:
            head = file.read(1024)
            size = file.seek(0, os.SEEK_END)
            file.seek(max(0, size - 64))
            return size > 0 and b"</svg>" in file.read() and b"<!DOCTYPE" not in head.upper()
    except OSError:
        return False


def _cached_files(folder: Path) -> list[Path]:
    """Return the typeset files in ``folder``: Manim's SVGs and nnviz's stored texts
    (:mod:`nnviz.mobjects.typeset`), each a regular file (not a link, FIFO or device, which
    could block a render or point anywhere) of at most :data:`MAX_TYPESET_FILE_BYTES`."""
    if not folder.is_dir():
        return []
    found = []
    for path in [*folder.glob("*.svg"), *folder.glob(f"*{STORED_TEXT_SUFFIX}")]:
        try:
            status = path.lstat()
        except OSError:
            continue
        if stat.S_ISREG(status.st_mode) and status.st_size <= MAX_TYPESET_FILE_BYTES:
            found.append(path)
    return found


def _is_complete(path: Path) -> bool:
    """Return whether ``path`` is a whole typeset file (a stored text is written whole)."""
    if path.suffix == ".svg":
        return is_complete_svg(path)
    try:
        return check_regular_file(path, follow_links=False).st_size > 0
    except FileRefusedError:
        return False


def _publish(source: Path, target: Path) -> None:
    """Put ``source`` at ``target`` atomically, replacing what is there (a link, or a copy,
    renamed into place)."""
    temporary = target.with_name(f".{target.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        try:
            os.link(source, temporary)
        except OSError:
            shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _remove_dead_renders(media: Path) -> None:
    """Remove the private folders of renders that were killed (their process is gone)."""
    try:
        entries = list(media.glob(f"{PrivateCaches.PREFIX}*"))
    except OSError:
        return
    for entry in entries:
        pid_text = entry.name[len(PrivateCaches.PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                if time.time() - entry.stat().st_mtime > 60:
                    shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            continue
