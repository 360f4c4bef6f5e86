"""A render on a full disk (ENOSPC, EDQUOT) stops with one line and leaves nothing half-written.

Cairo writes a text's SVG without passing its write errors on (manimpango checks the surface
only when it creates it), so on a full disk the SVG is cut short and the render used to fail
later, parsing it, with a long XML traceback. The render tests here fill the disk for real
(a small tmpfs in a private mount namespace, where mounting is permitted), and, so that they
run everywhere, inject the same failure into a render: the SVGs cut as cairo cuts them, and
the system's writes into the media folder failing with ENOSPC from then on.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shlex
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from manim import config, tempconfig

from nnviz.manim_adapter.caches import PrivateCaches
from nnviz.mobjects.text_store import STORED_TEXT_SUFFIX
from nnviz.render_checks import DISK_PROBE_BYTES, disk_full_message

REPO = Path(__file__).resolve().parents[1]

TINY_SCENE = """
from nnviz.config import RunConfig
from nnviz.stories.training import SingleRunStory, TrainingPhase


class TinyRun(SingleRunStory):
    base_config = RunConfig(max_epochs=3, target_loss=0.0)
    training = TrainingPhase(seconds_per_epoch=0.2, hold_seconds=0.2)
"""

#: ``nnviz render`` of a run as small as TinyRun's.
NNVIZ_RENDER = [sys.executable, "-c", "from nnviz.cli import main; main()", "render",
                "--epochs", "3", "--target-loss", "0", "--jobs", "1"]  # fmt: skip
MANIM = [sys.executable, "-m", "manim", "-ql", "-v", "WARNING", "--progress_bar", "none",
         "tiny.py", "TinyRun"]  # fmt: skip
TINY_MOVIE = Path("media/videos/tiny/480p15/TinyRun.mp4")
OLDER_MOVIE = b"an older render of this video, which must survive"

FULL = "no space left on device while rendering (media); free some space and render again"


# --- the message, without rendering -----------------------------------------------------------


def test_an_error_of_a_full_disk_is_found_in_the_chain_of_causes(tmp_path: Path) -> None:
    import av.error

    media = tmp_path / "media"
    inside = OSError(errno.ENOSPC, "No space left on device", str(media / ".x" / "part.mp4"))
    assert disk_full_message(inside, media) == FULL.replace("(media)", f"({media})")
    try:
        try:
            av.error.err_check(-errno.ENOSPC, str(media / "a.mp4"))  # PyAV's own error type
        except OSError as error:
            raise RuntimeError("the encoder failed") from error
    except RuntimeError as wrapped:
        assert disk_full_message(wrapped, media) == FULL.replace("(media)", f"({media})")
    quota = OSError(errno.EDQUOT, "Disk quota exceeded", "/elsewhere/runs/r.npz")
    assert disk_full_message(quota, media) == (
        "disk quota exceeded while rendering (/elsewhere/runs/r.npz); free some space and "
        "render again"
    )


def test_any_error_on_a_disk_with_room_is_left_alone(tmp_path: Path) -> None:
    error = ET.ParseError("unclosed token: line 18, column 0")
    assert disk_full_message(error, tmp_path) is None
    assert disk_full_message(OSError(errno.EACCES, "Permission denied"), tmp_path) is None
    assert list(tmp_path.iterdir()) == []  # the probe is gone


def test_a_cut_file_on_a_full_disk_is_reported_as_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The XML error of a cut SVG says nothing of the disk: the folder is asked with a write."""
    asked: list[int] = []
    write = os.write

    def full(descriptor: int, data: bytes) -> int:
        asked.append(len(data))
        if sum(asked) > DISK_PROBE_BYTES // 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write(descriptor, data)

    monkeypatch.setattr(os, "write", full)
    error = ET.ParseError("unclosed token: line 18, column 0")
    assert disk_full_message(error, tmp_path / "media", tmp_path) == FULL.replace(
        "(media)", f"({tmp_path / 'media'})"
    )
    assert asked and list(tmp_path.iterdir()) == []  # asked, and the probe is gone


def test_private_caches_that_cannot_open_leave_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "texts"
    shared.mkdir()
    (shared / "a.svg").write_bytes(b"<svg></svg>\n")
    mkdir = Path.mkdir

    def full_at_tex(self: Path, *args: object, **kwargs: object) -> None:
        if self.name == "tex_dir":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        mkdir(self, *args, **kwargs)  # type: ignore[arg-type]

    settings = {"media_dir": str(tmp_path), "text_dir": str(shared), "tex_dir": str(tmp_path)}
    with tempconfig(settings):
        with monkeypatch.context() as patch, pytest.raises(OSError, match="No space left"):
            patch.setattr(Path, "mkdir", full_at_tex)
            PrivateCaches().open()
        assert Path(config.get_dir("text_dir")) == shared  # Manim's own folder again
    assert not list(tmp_path.glob(f"{PrivateCaches.PREFIX}*"))
    assert sorted(p.name for p in shared.iterdir()) == ["a.svg"]


# --- renders ----------------------------------------------------------------------------------


def _env(folder: Path) -> dict[str, str]:
    """The environment of a render in ``folder``: this checkout, the session's trained runs
    (outside the media folder, so that the tmpfs holds only what a render writes)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.setdefault("NNVIZ_RUNS_DIR", str(folder / "runs"))
    env.pop("NNVIZ_TEST_TEX_DIR", None)
    return env


@pytest.fixture(scope="module")
def trained() -> None:
    """TinyRun's run (and :data:`NNVIZ_RENDER`'s, the same) in the session's run cache, so
    that a render says nothing of training."""
    from nnviz.cache import cached_run
    from nnviz.config import RunConfig

    cached_run(RunConfig(max_epochs=3, target_loss=0.0), report=lambda message: None)


@pytest.fixture
def folder(tmp_path: Path, trained: None) -> Path:
    shutil.copy(REPO / "manim.cfg", tmp_path / "manim.cfg")
    (tmp_path / "tiny.py").write_text(TINY_SCENE)
    (tmp_path / "media").mkdir()
    return tmp_path


#: Run inside the render's folder (and mount namespace): fill the media folder's disk but
#: ``free`` bytes (0: leave it), put an older movie at the target, render, and report the
#: media folder as JSON, so that the report outlives a tmpfs that ends with its namespace.
REPORT = textwrap.dedent(
    """
    import hashlib, json, os, subprocess, sys
    import xml.etree.ElementTree as ET
    from pathlib import Path

    free, movie, command = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3:]
    media = Path("media")
    if free:
        status = os.statvfs(media)
        with open(media / "filler", "wb") as filler:
            filler.write(bytes(status.f_bavail * status.f_frsize - free))
    movie.parent.mkdir(parents=True, exist_ok=True)
    movie.write_bytes(sys.stdin.buffer.read())
    done = subprocess.run(command, capture_output=True, text=True)

    def whole(path):
        try:
            ET.parse(path)
            return True
        except ET.ParseError:
            return False

    shared = [*(media / "texts").glob("*.svg"), *(media / "Tex").glob("*.svg")]
    print(json.dumps({
        "code": done.returncode, "out": done.stdout, "err": done.stderr,
        "files": sorted(str(p.relative_to(media)) for p in media.rglob("*")),
        "svgs": {str(p.relative_to(media)): whole(p) for p in shared},
        "movie": hashlib.sha256(movie.read_bytes()).hexdigest() if movie.exists() else None,
    }))
    """
)


def _render_reporting(
    folder: Path, command: list[str], movie: Path, free: int = 0, prefix: tuple[str, ...] = ()
) -> dict[str, object]:
    """Render in ``folder`` through :data:`REPORT` (after ``prefix``, a shell that mounts the
    tmpfs) and return its report."""
    (folder / "report.py").write_text(REPORT)
    script = [sys.executable, "report.py", str(free), str(movie), *command]
    done = subprocess.run([*prefix, *script], cwd=folder, env=_env(folder), input=OLDER_MOVIE,
                          capture_output=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    report: dict[str, object] = json.loads(done.stdout)
    return report


def _stopped_in_one_line_and_left_nothing(report: dict[str, object], only_line: bool) -> None:
    """The checks of every full-disk render: a non-zero exit, one line starting ``nnviz``
    (the last; ``nnviz render`` says what it renders before it), no traceback, the older
    movie intact, no cut SVG in the shared folders, no private folder, partial movie or
    temporary file left."""
    err, out = str(report["err"]), str(report["out"])
    assert report["code"] != 0, err[-3000:]
    lines = err.strip().splitlines()
    assert lines and lines[-1] == f"nnviz: {FULL}", err[-3000:]
    assert [line for line in lines if line.startswith("nnviz")] == lines[-1:]
    assert not only_line or len(lines) == 1, err[-3000:]
    assert "Traceback" not in err + out and "ParseError" not in err + out, err[-3000:]
    assert report["movie"] == hashlib.sha256(OLDER_MOVIE).hexdigest()
    svgs = report["svgs"]
    assert isinstance(svgs, dict) and all(svgs.values()), svgs  # none cut short
    files = report["files"]
    assert isinstance(files, list)
    assert not [f for f in files if PrivateCaches.PREFIX in f or "partial_movie" in f], files
    assert not [f for f in files if ".tmp" in f], files


#: Run with ``python -c`` before a render's command: the disk fills up at the third text
#: typeset. From then on, every SVG cairo writes is cut short (as cairo leaves it: it does
#: not pass the write error on) and the system's writes into the media folder (``os.write``)
#: fail with ENOSPC. Linux (``/proc/self/fd``).
INJECT_FULL_DISK = textwrap.dedent(
    """
    import errno, os, runpy, sys
    from pathlib import Path

    import manimpango

    media = Path("media").resolve()
    typeset = manimpango.text2svg
    texts = []

    def text2svg(*args, **kwargs):
        made = typeset(*args, **kwargs)
        texts.append(made)
        if len(texts) >= 3:
            data = Path(made).read_bytes()
            Path(made).write_bytes(data[: len(data) // 3])
        return made

    write = os.write

    def full_write(descriptor, data):
        path = Path(os.readlink(f"/proc/self/fd/{descriptor}"))
        if len(texts) >= 3 and path.is_relative_to(media):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return write(descriptor, data)

    manimpango.text2svg = text2svg
    os.write = full_write
    sys.argv = sys.argv[1:]
    if sys.argv[0] == "manim":
        runpy.run_module("manim", run_name="__main__", alter_sys=True)
    else:
        from nnviz.cli import main

        main()
    """
)


@pytest.mark.slow
@pytest.mark.render
@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc/self/fd")
def test_an_injected_full_disk_stops_a_manim_render_in_one_line(folder: Path) -> None:
    command = [sys.executable, "-c", INJECT_FULL_DISK, "manim", *MANIM[3:]]
    report = _render_reporting(folder, command, TINY_MOVIE)
    _stopped_in_one_line_and_left_nothing(report, only_line=True)
    svgs = report["svgs"]
    assert isinstance(svgs, dict) and len(svgs) >= 2  # the whole ones were kept


def _mount_prefix(folder: Path, size: int, copy_from: Path | None = None) -> tuple[str, ...]:
    """Return the command prefix that runs a command with a tmpfs of ``size`` bytes on
    ``folder / "media"`` (holding a copy of the text and Tex folders of ``copy_from``'s media
    folder), in a mount namespace of its own (the tmpfs ends with it, also when the test is
    killed), or skip the test when this machine does not permit mounting."""
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("needs unshare (util-linux) to mount a small tmpfs")
    user = () if os.geteuid() == 0 else ("--map-root-user",)  # a user namespace, if allowed
    copy = ""
    if copy_from is not None:
        copy = " ".join(shlex.quote(str(copy_from / "media" / name)) for name in ("texts", "Tex"))
        copy = f"cp -a {copy} media/ && "
    mount = f'mount -t tmpfs -o size={size} nnviz-full-disk media && {copy}exec "$@"'
    prefix = (unshare, *user, "--mount", "--propagation", "private", "sh", "-c", mount, "sh")
    tried = subprocess.run([*prefix, "true"], cwd=folder, capture_output=True, text=True)
    if tried.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here ({tried.stderr.strip()[:200]})")
    return prefix


@pytest.mark.slow
@pytest.mark.render
def test_a_full_tmpfs_stops_a_manim_render_at_its_texts_in_one_line(folder: Path) -> None:
    """64 KiB: the first texts fit, a later one is cut short by cairo (the issue's XML
    traceback); the shared text folder keeps only whole SVGs."""
    prefix = _mount_prefix(folder, 64 * 1024)
    report = _render_reporting(folder, MANIM, TINY_MOVIE, prefix=prefix)
    _stopped_in_one_line_and_left_nothing(report, only_line=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, trained: None) -> tuple[Path, Path]:
    """A folder where ``nnviz render`` of :data:`NNVIZ_RENDER` succeeded, and its movie."""
    folder = tmp_path_factory.mktemp("rendered")
    shutil.copy(REPO / "manim.cfg", folder / "manim.cfg")
    done = subprocess.run(NNVIZ_RENDER, cwd=folder, env=_env(folder), capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    movie = folder / done.stdout.strip().splitlines()[-1]  # absolute, or relative to folder
    return folder, movie.relative_to(folder)


@pytest.mark.slow
@pytest.mark.render
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_full_tmpfs_stops_nnviz_render_at_its_movie_in_one_line(
    folder: Path, rendered: tuple[Path, Path], jobs: str
) -> None:
    """The texts are there already (copied from a render before); room for the partial movie
    files (or the ranges' movies of ``--jobs 2``), about the movie's size, and half the final
    movie: the render fails writing its final movie, the older movie at its path stays as it
    was."""
    before, movie = rendered
    size = (before / movie).stat().st_size
    prefix = _mount_prefix(folder, 8 * 2**20, copy_from=before)
    command = [*NNVIZ_RENDER[:-1], jobs]
    report = _render_reporting(folder, command, movie, free=size * 3 // 2, prefix=prefix)
    _stopped_in_one_line_and_left_nothing(report, only_line=False)
    files = report["files"]
    assert isinstance(files, list) and str(movie.relative_to("media")) in files


@pytest.mark.slow
@pytest.mark.render
def test_cut_svgs_in_the_shared_text_folder_are_typeset_again(
    folder: Path, rendered: tuple[Path, Path]
) -> None:
    """Empty and cut SVGs where Manim looks for its texts (left by a render on a full disk
    before nnviz checked, or by a plain Manim scene): the render typesets them again and puts
    whole ones in their place."""
    before, movie = rendered
    texts = folder / "media" / "texts"
    shutil.copytree(before / "media" / "texts", texts)
    for stored in texts.glob(f"*{STORED_TEXT_SUFFIX}"):
        stored.unlink()  # so that every text is made by Manim's Text, from its SVG
    svgs = sorted(texts.glob("*.svg"))
    assert len(svgs) >= 4
    for index, svg in enumerate(svgs):
        data = svg.read_bytes()
        svg.write_bytes(b"" if index % 2 else data[: len(data) // 2])
    done = subprocess.run(NNVIZ_RENDER, cwd=folder, env=_env(folder), capture_output=True,
                          text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert (folder / movie).stat().st_size > 0
    for svg in svgs:
        ET.parse(svg)  # whole again
