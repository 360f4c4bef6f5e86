"""Render any scene through Manim from Python, as ``nnviz manim`` and ``nnviz render`` do:
Manim's settings for a quality and a format, the output's folder and name, a scene class found
by module or file, the render itself (in one process or several), and the file placed
atomically where it is asked for.

The checks before a render are :mod:`nnviz.render_checks`'; GIFs are :mod:`nnviz.gif`'s,
subtitles burned into the picture :mod:`nnviz.burn_in`'s.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nnviz.atomic_files import check_writable_target, new_file_mode
from nnviz.burn_in import burn_subtitles as burn_into
from nnviz.errors import RenderError
from nnviz.gif import GIF_FRAME_RATES, GIF_MAX_WIDTH, GIF_SOURCE_ENCODER, to_gif
from nnviz.manim_adapter.caches import PrivateCaches
from nnviz.render_checks import OUTPUT_KINDS, disk_full_message

if TYPE_CHECKING:
    from manim import Scene

    from nnviz.parallel import SceneSource

__all__ = [
    "QUALITIES",
    "FrameSize",
    "SceneClass",
    "SceneFile",
    "manim_settings",
    "output_folder",
    "place_file",
    "render_scene",
    "scene_classes_in",
]

#: Manim's quality flags: -ql, -qm, -qh, -qk.
QUALITIES: dict[str, str] = {
    "l": "low_quality",
    "m": "medium_quality",
    "h": "high_quality",
    "k": "fourk_quality",
}
#: Partial movie files Manim encodes at once while drawing goes on (``manim.cfg`` says the
#: same): up to about 15 % off a ``-qh`` render on this project's 2-core machine, within the
#: noise for some scenes, nothing at ``-ql`` (the README's Performance section has the runs).
MAX_INFLIGHT_ENCODERS = 4


def manim_settings(
    quality: str = "l",
    output_format: str = "mp4",
    media_dir: str | os.PathLike[str] = "media",
    output_name: str | None = None,
) -> dict[str, Any]:
    """Return the Manim configuration (for ``tempconfig``) of a render at ``quality``.

    For ``output_format="gif"`` the movie is at most :data:`GIF_MAX_WIDTH` wide, at the frame
    rate of :data:`GIF_FRAME_RATES` and encoded without loss (:data:`GIF_SOURCE_ENCODER`;
    :func:`render_scene` converts it). ``"png"`` writes the scene's last frame as an image.
    """

    if quality not in QUALITIES:
        raise ValueError(f"unknown quality {quality!r}; choose one of {', '.join(QUALITIES)}")
    if output_format not in OUTPUT_KINDS:
        choices = ", ".join(OUTPUT_KINDS)
        raise ValueError(f"unknown format {output_format!r}; choose one of {choices}")
    width, height, fps = output_size(quality, output_format)
    settings: dict[str, Any] = {
        "pixel_width": width,
        "pixel_height": height,
        "frame_rate": fps,
        "media_dir": str(media_dir),
        "disable_caching": True,
        "verbosity": "WARNING",
        "format": "png" if output_format == "png" else "mp4",
        # Encode finished animations while the next ones draw (as manim.cfg sets for scenes).
        "max_inflight_encoders": MAX_INFLIGHT_ENCODERS,
    }
    if output_format == "gif":
        settings.update(GIF_SOURCE_ENCODER)
    if output_name:
        settings["output_file"] = output_name
    return settings


def output_size(quality: str, output_format: str) -> tuple[int, int, int]:
    """Return the width and height in pixels and the frame rate of a render at ``quality``
    (a key of :data:`QUALITIES`) in ``output_format``: Manim's, or for a GIF at most
    :data:`GIF_MAX_WIDTH` wide (the height in proportion, even) at
    :data:`GIF_FRAME_RATES`."""
    from manim.constants import QUALITIES as MANIM_QUALITIES

    size = MANIM_QUALITIES[QUALITIES[quality]]
    width, height, fps = size["pixel_width"], size["pixel_height"], size["frame_rate"]
    if output_format == "gif":
        if width > GIF_MAX_WIDTH:
            width, height = GIF_MAX_WIDTH, round(height * GIF_MAX_WIDTH / width / 2) * 2
        fps = min(fps, GIF_FRAME_RATES[quality])
    return int(width), int(height), int(fps)


def output_folder(
    quality: str,
    output_format: str,
    media_dir: str | os.PathLike[str] = "media",
    module_name: str = "",
) -> Path | None:
    """Return the folder a render's file lands in by default, or ``None`` for an MP4, which
    lands in Manim's own (``media/videos/<module>/480p15/``).

    A GIF lands in ``media/videos/<module>/<width>x<height>_<fps>fps/`` (its real size, not
    Manim's name for the height of the quality's movie), a still in
    ``media/images/<module>/<width>x<height>/``.
    """
    width, height, fps = output_size(quality, output_format)
    if output_format == "gif":
        return Path(media_dir, "videos", module_name, f"{width}x{height}_{fps}fps")
    if output_format == "png":
        return Path(media_dir, "images", module_name, f"{width}x{height}")
    return None


@dataclass(frozen=True)
class FrameSize:
    """A still's own size, instead of its quality's: pixels, and the scene units they show
    (a figure's frame is as tall as its rows, :mod:`nnviz.figures`)."""

    pixel_width: int
    pixel_height: int
    frame_width: float
    frame_height: float

    def settings(self) -> dict[str, Any]:
        """Return Manim's settings (for ``tempconfig``) of this size."""
        return {
            "pixel_width": self.pixel_width,
            "pixel_height": self.pixel_height,
            "frame_width": self.frame_width,
            "frame_height": self.frame_height,
        }


@dataclass(frozen=True)
class SceneClass:
    """A scene class that a new process imports by its module and name."""

    module: str
    name: str

    def load(self) -> type[Scene]:
        """Import and return the class."""
        import importlib

        scene_class: type[Scene] = getattr(importlib.import_module(self.module), self.name)
        return scene_class


@dataclass(frozen=True)
class SceneFile:
    """A scene class in a scene file, loaded as Manim loads it (``manim FILE SCENE``)."""

    path: str
    name: str

    def load(self) -> type[Scene]:
        """Import the file and return the class."""
        for scene_class in scene_classes_in(Path(self.path)):
            if scene_class.__name__ == self.name:
                return scene_class
        raise RenderError(f"{self.path}: no scene {self.name!r}")


def scene_classes_in(path: Path) -> list[type[Scene]]:
    """Return the scene classes defined in the scene file ``path`` (imported as Manim does,
    as module ``path``'s stem)."""
    from manim.utils.module_ops import scene_classes_from_file

    return list(scene_classes_from_file(path, require_single_scene=False, full_list=True))


def render_scene(
    scene: type[Scene] | SceneSource,
    quality: str = "l",
    output_format: str = "mp4",
    media_dir: str | os.PathLike[str] = "media",
    output_name: str | None = None,
    report: Callable[[str], None] = lambda message: None,
    jobs: int = 1,
    input_file: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    size: FrameSize | None = None,
    burn_subtitles: bool = False,
) -> Path:
    """Render a scene with Manim and return the path of the video, GIF or still.

    ``scene`` is a scene class or a :class:`~nnviz.parallel.SceneSource` (needed for
    ``jobs > 1`` when the class is not importable by its module and name). ``report``
    receives one line per step with its duration. With ``jobs > 1`` the scene is rendered by
    that many processes (:func:`nnviz.parallel.render_parallel`), to the same file.
    ``input_file`` is the scene file, which names the video's folder as with ``manim FILE``.
    ``out`` is the file to write instead of the default path (check it with
    :func:`check_out` first); it is replaced atomically.

    For ``output_format="gif"`` the scene is rendered as a movie without loss, no wider than
    :data:`GIF_MAX_WIDTH` at :data:`GIF_FRAME_RATES`, in a private folder, then converted by
    :func:`to_gif` with a palette made for the clip: faster and far smaller than Manim's own
    GIF writer at full size. ``"png"`` writes the scene's last frame (a still), rendered by
    one process. Both land in :func:`output_folder` unless ``out`` is given. ``size``
    gives a still its own pixels and frame instead of the quality's.

    A movie's subtitles (the ``.srt`` Manim writes beside it when the scene adds cues) land
    beside it, at ``out`` with the suffix ``.srt`` too; a GIF has none. With
    ``burn_subtitles`` they are drawn into the picture instead
    (:func:`nnviz.burn_in.burn_subtitles`, the movie encoded again; a GIF's movie before it is
    converted) and no ``.srt`` is left beside it.
    """
    from manim import tempconfig

    from nnviz.parallel import render_parallel

    settings = manim_settings(quality, output_format, media_dir, output_name)
    if size is not None:
        if output_format != "png":
            raise ValueError("a size of its own is a still's (output_format 'png')")
        settings.update(size.settings())
    module_name = ""
    if input_file is not None:
        settings["input_file"] = str(input_file)
        module_name = Path(input_file).stem
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    # A GIF's movie, a still, and any file for ``out`` are made in a private folder first.
    private: Path | None = None
    if output_format != "mp4" or out is not None:
        private = Path(media_dir) / PrivateCaches.folder_name("-out")
        settings["video_dir"] = settings["images_dir"] = str(private)
    started = time.perf_counter()
    try:
        if private is not None:
            private.mkdir(parents=True)
        if output_format == "png":
            scene_class = scene if isinstance(scene, type) else scene.load()
            with tempconfig(settings):
                instance = scene_class()
                instance.render()
                image = Path(instance.renderer.file_writer.image_file_path)
            target = Path(out) if out is not None else _default_path(
                quality, output_format, media_dir, module_name, image.stem)  # fmt: skip
            place_file(image, target, OUTPUT_KINDS[output_format][0])
            report(f"rendered {target.name} in {time.perf_counter() - started:.1f} s")
            return target
        if jobs > 1:
            if isinstance(scene, type):
                source: SceneSource = SceneClass(scene.__module__, scene.__qualname__)
            else:
                source = scene
            movie = render_parallel(source, settings, jobs, report)
        else:
            scene_class = scene if isinstance(scene, type) else scene.load()
            with tempconfig(settings):
                instance = scene_class()
                instance.render()
                movie = Path(instance.renderer.file_writer.movie_file_path)
        report(f"rendered {movie.name} in {time.perf_counter() - started:.1f} s")
        subtitles: Path | None = movie.with_suffix(".srt")
        if subtitles is not None and not subtitles.is_file():
            subtitles = None
        if burn_subtitles and subtitles is not None:
            burning = time.perf_counter()
            burn_into(movie, subtitles, lossless=output_format == "gif")
            subtitles.unlink()
            subtitles = None
            report(f"burned the subtitles in, in {time.perf_counter() - burning:.1f} s")
        if output_format == "mp4":
            if out is None:
                return movie
            place_file(movie, Path(out), OUTPUT_KINDS[output_format][0])
            if subtitles is not None:
                place_file(subtitles, Path(out).with_suffix(".srt"), "subtitles")
            return Path(out)
        started = time.perf_counter()
        target = Path(out) if out is not None else _default_path(
            quality, output_format, media_dir, module_name, movie.stem)  # fmt: skip
        gif = to_gif(movie, target)
    except Exception as error:  # joining the ranges, the GIF, a scene not of nnviz's
        message = disk_full_message(error, media_dir)
        if message is None:
            raise
        raise RenderError(message) from error
    finally:
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)
    report(f"converted to {gif.name} in {time.perf_counter() - started:.1f} s")
    return gif


def _default_path(
    quality: str, output_format: str, media_dir: str | os.PathLike[str], module: str, stem: str
) -> Path:
    """Return the default path of a render's GIF or still named ``stem``."""
    folder = output_folder(quality, output_format, media_dir, module)
    assert folder is not None
    return (folder / f"{stem}{OUTPUT_KINDS[output_format][1]}").absolute()  # as Manim's movies


def place_file(source: Path, target: Path, what: str = "a file") -> Path:
    """Move ``source`` to ``target`` atomically (renamed into place; copied to a temporary
    file beside ``target`` first when they lie on different file systems), with the
    permissions of the umask, and return ``target``.

    ``target`` is checked again just before (a symbolic link, device, FIFO or folder that
    appeared there since is refused, not replaced); its folder is made if needed.

    Raises
    ------
    RenderError
        When ``target`` is no longer a place to write ``what``.
    """
    from nnviz.run import RunFileError

    try:
        check_writable_target(target, what)
    except RunFileError as error:
        raise RenderError(str(error)) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(source, new_file_mode())
    try:
        os.replace(source, target)
        return target
    except OSError as error:
        if error.errno != errno.EXDEV:
            raise OSError(error.errno, error.strerror or str(error), str(target)) from error
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        shutil.copyfile(source, temporary)
        os.chmod(temporary, new_file_mode())
        os.replace(temporary, target)
    except OSError as error:
        raise OSError(error.errno, error.strerror or str(error), str(target)) from error
    finally:
        Path(temporary).unlink(missing_ok=True)
    return target
